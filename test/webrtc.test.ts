import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor } from './helpers/watch.ts';

let server: TestServer;

test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server?.close();
});

test('a wrtc viewer receives live 720p test-card frames in order, with sound', async () => {
  const created = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  assert.is(created.status, 201);
  assert.type(created.body.viewerToken, 'string');

  const reception = await watch(server.baseUrl, created.body.id, created.body.viewerToken);
  try {
    await waitFor(() => reception.frames.length >= 120, 30_000, '120 decoded frames');
    const frames = reception.frames.slice(0, 120);
    for (const f of frames) {
      assert.is(f.width, 1280);
      assert.is(f.height, 720);
    }
    const codes = frames.map((f) => f.code);
    assert.ok(codes.every((c) => c >= 0), `every frame carries a readable frame counter: ${codes.filter((c) => c < 0).length} unreadable`);
    for (let i = 1; i < codes.length; i++) assert.ok(codes[i]! > codes[i - 1]!, `frame counter increases: ${codes[i - 1]} then ${codes[i]}`);
    // Live, not replayed: the counter advances with wall time at ~25 fps (drops allowed, no jumps back).
    const span = codes.at(-1)! - codes[0]!;
    const seconds = (frames.at(-1)!.at - frames[0]!.at) / 1000;
    assert.ok(Math.abs(span / seconds - 25) < 5, `counter advances at ${(span / seconds).toFixed(1)} frames/s`);
    assert.ok(span < 120 * 1.5, `few frames dropped: ${span + 1} sent for 120 received`);

    const loud = reception.audioRms.filter((r) => r > 1000).length;
    assert.ok(reception.audioRms.length > 100, `audio arrives (${reception.audioRms.length} chunks)`);
    assert.ok(loud / reception.audioRms.length > 0.8, `audio is the test tone, not silence (${loud}/${reception.audioRms.length} loud chunks)`);
  } finally {
    reception.stop();
  }

  const view = await server.api('GET', `/v1/sessions/${created.body.id}`);
  assert.is(view.status, 200);
  assert.is(view.body.live, true);
  assert.is((await server.api('DELETE', `/v1/sessions/${created.body.id}`)).status, 204);
  assert.is((await server.api('GET', `/v1/sessions/${created.body.id}`)).status, 404);
});

test('two viewers watch the same session at once', async () => {
  const { body } = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  const a = await watch(server.baseUrl, body.id, body.viewerToken);
  const b = await watch(server.baseUrl, body.id, body.viewerToken);
  try {
    await waitFor(() => a.frames.length >= 25 && b.frames.length >= 25, 20_000, 'frames on both viewers');
    const view = await server.api('GET', `/v1/sessions/${body.id}`);
    assert.is(view.body.viewers, 2);
    // Both see the same live timeline.
    assert.ok(Math.abs(a.frames.at(-1)!.code - b.frames.at(-1)!.code) < 25);
  } finally {
    a.stop();
    b.stop();
    await server.api('DELETE', `/v1/sessions/${body.id}`);
  }
});

test.run();
