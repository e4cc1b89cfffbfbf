import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { LocalRtmpServer } from './helpers/rtmp-server.ts';
import { ffprobe } from './helpers/ffprobe.ts';
import { watch, waitFor } from './helpers/watch.ts';

let server: TestServer;
let rtmp: LocalRtmpServer;

test.before(async () => {
  rtmp = await LocalRtmpServer.start();
  server = await startServer();
});
test.after(async () => {
  await server?.close();
  await rtmp?.stop();
});

async function outputState(sessionId: string, outputId: string): Promise<string | undefined> {
  const { body } = await server.api('GET', `/v1/sessions/${sessionId}`);
  return body.outputs.find((o: { id: string }) => o.id === outputId)?.state;
}

async function waitForState(sessionId: string, outputId: string, state: string, timeoutMs: number): Promise<void> {
  const start = Date.now();
  let last: string | undefined;
  while (Date.now() - start < timeoutMs) {
    last = await outputState(sessionId, outputId);
    if (last === state) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`output never became ${state} (last: ${last})`);
}

test('an RTMP output pushes H.264 + AAC that platforms accept, and survives an ingest outage', async () => {
  const { body: session } = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  try {
    const url = rtmp.url('stream1');
    const added = await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, { url });
    assert.is(added.status, 201);
    const outputId = added.body.id;
    await waitForState(session.id, outputId, 'live', 15_000);

    const streams = await ffprobe(url);
    const video = streams.find((s) => s.codec_type === 'video');
    const audio = streams.find((s) => s.codec_type === 'audio');
    assert.is(video?.codec_name, 'h264');
    assert.is(video?.profile, 'Main');
    assert.is(video?.width, 1280);
    assert.is(video?.height, 720);
    assert.is(audio?.codec_name, 'aac');
    assert.is(audio?.sample_rate, '48000');
    assert.is(audio?.channels, 2);

    // The platform goes away for 10 s: the output retries, the WebRTC viewers never notice.
    await rtmp.stop();
    await waitForState(session.id, outputId, 'reconnecting', 10_000);
    const framesBefore = viewer.frames.length;
    const outageStart = performance.now();
    await new Promise((r) => setTimeout(r, 10_000));
    const duringOutage = viewer.frames.filter((f) => f.at >= outageStart).length;
    assert.ok(duringOutage >= 10 * 15, `viewer kept receiving during the outage: ${duringOutage} frames in 10 s`);
    assert.ok(viewer.frames.length > framesBefore);
    const sessionView = await server.api('GET', `/v1/sessions/${session.id}`);
    assert.is(sessionView.body.live, true);

    await rtmp.start();
    await waitForState(session.id, outputId, 'live', 20_000);
    const again = await ffprobe(url);
    assert.ok(again.some((s) => s.codec_name === 'h264'), 'stream is back on the ingest after reconnecting');

    assert.is((await server.api('DELETE', `/v1/sessions/${session.id}/outputs/${outputId}`)).status, 204);
    const after = await server.api('GET', `/v1/sessions/${session.id}`);
    assert.equal(after.body.outputs, []);
  } finally {
    viewer.stop();
    await server.api('DELETE', `/v1/sessions/${session.id}`);
  }
});

test.run();
