// Viewer join → first decoded frame, through the real server and a real wrtc viewer.
import { startServer } from '../test/helpers/server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { fmt, percentile } from './lib/stats.ts';

const JOINS = Number(process.env.JOINS ?? 15);

export async function benchViewerJoin(): Promise<void> {
  const server = await startServer();
  try {
    const { body } = await server.api('POST', '/v1/sessions');
    await new Promise((r) => setTimeout(r, 1000)); // let the publisher settle
    const times: number[] = [];
    for (let i = 0; i < JOINS; i++) {
      const t0 = performance.now();
      const r = await watch(server.baseUrl, body.id, body.viewerToken);
      await waitFor(() => r.frames.length > 0, 10_000, 'first frame');
      times.push(r.frames[0]!.at - t0);
      r.stop();
      await new Promise((res) => setTimeout(res, 300));
    }
    console.log(`viewer join → first decoded frame (${JOINS} joins, 720p25 VP8): p50 ${fmt(percentile(times, 50))} ms, p95 ${fmt(percentile(times, 95))} ms, max ${fmt(Math.max(...times))} ms`);
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchViewerJoin();
