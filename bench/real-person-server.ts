// Real-person avatar through the server (issue 5): enrollment of 60 s of franck.mp4 through the API
// (POST /v1/avatars, progress polled with GET), then CPU of a speaking session with one WebRTC
// viewer, cartoon vs real person, in the same server.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { OnAirClient } from '../client-sdk/src/index.ts';
import { API_KEY, startServer } from '../test/helpers/server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { measureTreeCpu } from './lib/proc-cpu.ts';
import { fmt } from './lib/stats.ts';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SECONDS = Number(process.env.CPU_SECONDS ?? 12);
const LINE = 'Welcome back to the live room, everyone! Today only, this beautiful blue mug is nineteen ninety nine, and shipping is free. 大家好，欢迎来到直播间，今天这款杯子只要十九块九！';

export async function benchRealPersonServer(): Promise<void> {
  const work = mkdtempSync(path.join(tmpdir(), 'onair-bench-rp-'));
  const clip = path.join(work, 'franck60.mp4');
  await run('ffmpeg', ['-v', 'error', '-y', '-i', path.join(root, '.cache/test-media/franck.mp4'), '-t', '60', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '23', clip]);
  const server = await startServer({ ONAIR_AVATAR_DIR: path.join(work, 'avatars') });
  const client = new OnAirClient({ baseUrl: server.baseUrl, apiKey: API_KEY });
  try {
    const t0 = performance.now();
    const accepted = await client.enrollAvatar(new Blob([readFileSync(clip)]), { personName: 'Franck', statement: 'I agree that my recorded likeness may be used as an AI presenter.', uploadedBy: 'bench' });
    const tAccepted = performance.now();
    const progress: number[] = [];
    let state = accepted.state;
    while (state === 'processing' || state === 'queued') {
      await new Promise((r) => setTimeout(r, 250));
      const a = await client.getAvatar(accepted.id);
      state = a.state;
      if (progress.at(-1) !== a.progress) progress.push(a.progress);
    }
    const s = (performance.now() - t0) / 1000;
    console.log(`API enrollment of 60 s (360×288, 24 fps): ${state} after ${fmt(s)} s (202 after the face check in ${fmt((tAccepted - t0) / 1000)} s; ${progress.length} distinct progress values seen by polling, ${progress.map((p) => p.toFixed(2)).slice(0, 4).join(', ')} … ${progress.at(-1)}); real-time factor ${fmt(s / 60, 2)} (child process at nice 10)`);
    const pid = server.proc.pid!;
    const results: Record<string, number> = {};
    for (const avatar of ['cartoon', accepted.id]) {
      const session = await client.createSession({ avatar });
      const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
      await waitFor(() => viewer.frames.length > 25, 10_000, 'frames');
      for (let i = 0; i < 4; i++) await client.speak(session.id, { text: LINE });
      await new Promise((r) => setTimeout(r, 1000));
      const cpu = await measureTreeCpu(pid, SECONDS);
      const fps = viewer.frames.filter((f) => f.at > performance.now() - SECONDS * 1000).length / SECONDS;
      const name = avatar === 'cartoon' ? 'cartoon' : 'real person';
      results[name] = cpu.total;
      console.log(`speaking session, ${name.padEnd(11)}, 1 WebRTC viewer (720p25): ${cpu.total} % of one core ${JSON.stringify(cpu.byName)}; viewer got ${fps.toFixed(1)} fps`);
      viewer.stop();
      await client.deleteSession(session.id);
    }
    console.log(`real person / cartoon CPU: ${fmt(results['real person']! / results['cartoon']!, 2)}×`);
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRealPersonServer();
