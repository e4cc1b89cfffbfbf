import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { Publisher, type WebSocketFactory } from '../client-sdk/src/index.ts';
import { installNodeWebRtcGlobals } from '../client-sdk/src/node-webrtc.ts';
import { MOUTH_CLOSED_MAX, MOUTH_OPEN_MIN, syncCorrelation } from './helpers/mouth.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor, type Reception } from './helpers/watch.ts';
import { operatorTakeover, writeOperatorWav } from './helpers/operator-voice.ts';
import { readWav } from './helpers/wav.ts';

const wrtc = installNodeWebRtcGlobals();
const WAV = 'test-output/operator-voice.wav';
let server: TestServer;
let session: { id: string; viewerToken: string };
let viewer: Reception;

test.before(async () => {
  // The "operator": a speech recording made with a voice the presenter does not use.
  await writeOperatorWav(WAV);

  server = await startServer();
  session = (await server.api('POST', '/v1/sessions')).body;
  viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  await waitFor(() => viewer.frames.length > 25, 15_000, 'frames');
});
test.after(async () => {
  viewer?.stop();
  await server?.close();
});

test('operator voice through the SDK: viewers hear it and the mouth follows it (r ≥ 0.6)', async () => {
  const { samples, sampleRate } = readWav(WAV);
  assert.is(sampleRate, 48000);
  // The presenter is mid-sentence when the operator takes over.
  const speech = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Let me tell you about all the wonderful things we have in the shop today, one by one, slowly.' });
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.started'), 5000, 'presenter speaking');

  const { t0, t1, close } = await operatorTakeover(server, session.id, wrtc, samples);
  try {
    await waitFor(() => viewer.events.some((e) => e.event === 'voice.ended'), 5000, 'voice.ended');
    assert.ok(viewer.events.some((e) => e.event === 'voice.started'), 'voice.started');
    assert.ok(viewer.events.some((e) => e.event === 'speech.interrupted' && e.data.utteranceId === speech.body.utteranceId), 'the operator cut the presenter');
    const c = syncCorrelation(viewer, t0, t1 + 300);
    console.log(`  operator voice: ${c.frames} frames, audio↔mouth r = ${c.r.toFixed(3)} at offset ${c.lag} ms (r = ${c.atZero.toFixed(3)} at 0)`);
    assert.ok(c.r >= 0.6, `correlation ${c.r.toFixed(3)} ≥ 0.6`);
    assert.ok(c.energy.filter((e) => e > 1000).length > 30, 'viewers hear the operator');
    const during = viewer.frames.filter((f) => f.at > t0 + 300 && f.at < t1);
    assert.ok(Math.max(...during.map((f) => f.mouth)) > MOUTH_OPEN_MIN, 'the mouth opens');
    const after = viewer.frames.filter((f) => f.at > t1 + 900);
    assert.ok(after.length > 5 && after.every((f) => f.mouth < MOUTH_CLOSED_MAX), 'the mouth rests after the voice');
    // Muted push-to-talk (silence flowing) must not block the presenter's own speech.
    const next = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Back to me.' });
    await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === next.body.utteranceId), 10_000, 'presenter speaks again');
  } finally {
    close();
  }
});

test('a viewer token cannot send a voice', async () => {
  const publisher = await Publisher.connect({ baseUrl: server.baseUrl, sessionId: session.id, token: session.viewerToken, WebSocket: WebSocket as unknown as WebSocketFactory });
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  try {
    await publisher.publishVoice(track as unknown as MediaStreamTrack);
    assert.unreachable('viewer published');
  } catch (err) {
    assert.match((err as Error).message, /viewer token can watch but not send/);
  } finally {
    track.stop();
    publisher.close();
  }
  const bad = await server.api('POST', `/v1/sessions/${session.id}/publish-token`, undefined, session.viewerToken);
  assert.is(bad.status, 403);
});

test('voice policy: interrupt or duck, nothing else', async () => {
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/voice-policy`, { policy: 'duck' })).status, 200);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/voice-policy`, { policy: 'mute' })).status, 400);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/voice-policy`, { policy: 'interrupt' })).status, 200);
});

test.run();
