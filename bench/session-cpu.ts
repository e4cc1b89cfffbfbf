// CPU per session: server process tree (Node + libwebrtc encoder, mediasoup workers, ffmpeg).
// The bench's own viewer runs in this process and is not counted.
import { startServer } from '../test/helpers/server.ts';
import { LocalRtmpServer } from '../test/helpers/rtmp-server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { measureTreeCpu } from './lib/proc-cpu.ts';

const SECONDS = Number(process.env.CPU_SECONDS ?? 15);

export async function benchSessionCpu(): Promise<void> {
  const rtmp = await LocalRtmpServer.start();
  const server = await startServer();
  const pid = server.proc.pid!;
  try {
    const idle = await measureTreeCpu(pid, 5);
    console.log(`server idle, no session: ${idle.total} % of one core`);

    const { body } = await server.api('POST', '/v1/sessions');
    const viewer = await watch(server.baseUrl, body.id, body.viewerToken);
    await waitFor(() => viewer.frames.length > 25, 10_000, 'frames');
    const webrtc = await measureTreeCpu(pid, SECONDS);
    const fps = viewer.frames.filter((f) => f.at > performance.now() - SECONDS * 1000).length / SECONDS;
    console.log(`1 session, WebRTC only (1 viewer, 720p25): ${webrtc.total} % of one core ${JSON.stringify(webrtc.byName)}; viewer got ${fps.toFixed(1)} fps`);

    const out = await server.api('POST', `/v1/sessions/${body.id}/outputs/rtmp`, { url: rtmp.url('bench') });
    await new Promise((r) => setTimeout(r, 3000));
    const withRtmp = await measureTreeCpu(pid, SECONDS);
    const view = await server.api('GET', `/v1/sessions/${body.id}`);
    const o = view.body.outputs.find((x: { id: string }) => x.id === out.body.id);
    console.log(
      `1 session + 1 RTMP output (x264 veryfast 3 Mbps + AAC): ${withRtmp.total} % of one core ${JSON.stringify(withRtmp.byName)}; RTMP ${o.state} at ${o.bitrateKbps} kbit/s`,
    );
    console.log(`RTMP output adds ${(withRtmp.total - webrtc.total).toFixed(1)} % of one core`);
    viewer.stop();
  } finally {
    await server.close();
    await rtmp.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchSessionCpu();
