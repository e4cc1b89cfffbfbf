import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { savePng } from './helpers/png.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor, type Reception } from './helpers/watch.ts';
import { MOUTH_CLOSED_MAX, MOUTH_OPEN_MIN, syncCorrelation } from './helpers/mouth.ts';

let server: TestServer;
let session: { id: string; viewerToken: string };
let viewer: Reception;
const OUT = 'test-output';

test.before(async () => {
  server = await startServer();
  session = (await server.api('POST', '/v1/sessions')).body;
  viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  await waitFor(() => viewer.frames.length > 25, 15_000, 'idle presenter frames');
});
test.after(async () => {
  viewer?.stop();
  await server?.close();
});

const savePngAs = (name: string, frame: { width: number; height: number; data: Uint8Array }) => savePng(`${OUT}/${name}`, frame);

async function sayAndWait(text: string, lang?: string) {
  const t0 = performance.now();
  const res = await server.api('POST', `/v1/sessions/${session.id}/speak`, lang ? { text, lang } : { text });
  assert.is(res.status, 202, JSON.stringify(res.body));
  const id = res.body.utteranceId;
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === id), 30_000, 'speech.ended');
  const started = viewer.events.find((e) => e.event === 'speech.started' && e.data.utteranceId === id)!;
  const ended = viewer.events.find((e) => e.event === 'speech.ended' && e.data.utteranceId === id)!;
  assert.ok(started, 'speech.started arrived over the websocket');
  await new Promise((r) => setTimeout(r, 800)); // let the tail of the speech reach the viewer
  return { t0, id, started: started.at, ended: ended.at, body: res.body };
}

test('idle presenter: the mouth rests while nothing is said', () => {
  const idle = viewer.frames.slice(-20);
  assert.ok(idle.every((f) => f.width === 1280 && f.height === 720));
  assert.ok(idle.every((f) => f.mouth < MOUTH_CLOSED_MAX), `closed mouth: ${idle.map((f) => f.mouth).join(' ')}`);
  const silent = viewer.audioRms.slice(-50);
  assert.ok(silent.every((r) => r < 50), 'silence while idle');
  savePngAs('presenter-closed-mouth.png', viewer.lastFrame!);
});

test('English: the mouth moves with the voice (per-frame correlation ≥ 0.6) and rests after', async () => {
  const { t0, started, ended, body } = await sayAndWait('Hello everyone, welcome to our live room! Today this product costs only nineteen dollars.');
  assert.is(body.lang, 'en');
  const c = syncCorrelation(viewer, started - 300, ended + 400);
  console.log(`  en: ${c.frames} frames, audio↔mouth r = ${c.r.toFixed(3)} at A/V offset ${c.lag} ms (r = ${c.atZero.toFixed(3)} at 0), started ${(started - t0).toFixed(0)} ms after the request`);
  assert.ok(c.r >= 0.6, `correlation ${c.r.toFixed(3)} ≥ 0.6`);
  const speaking = viewer.frames.filter((f) => f.at > started + 200 && f.at < ended - 200);
  assert.ok(Math.max(...speaking.map((f) => f.mouth)) > MOUTH_OPEN_MIN, 'the mouth opens wide while speaking');
  const after = viewer.frames.filter((f) => f.at > ended + 400);
  assert.ok(after.length > 5 && after.every((f) => f.mouth < MOUTH_CLOSED_MAX), 'the mouth rests after speech');
});

test('Chinese: speech and lip-sync for Mandarin text', async () => {
  let openFrame: { width: number; height: number; data: Uint8Array } | undefined;
  let best = 0;
  const watcher = setInterval(() => {
    const last = viewer.frames.at(-1);
    if (last && last.mouth > best && viewer.lastFrame) {
      best = last.mouth;
      openFrame = { ...viewer.lastFrame, data: Uint8Array.from(viewer.lastFrame.data) };
    }
  }, 10);
  const { started, ended, body } = await sayAndWait('大家好，欢迎来到直播间！这款产品今天只要九十九元。');
  clearInterval(watcher);
  assert.is(body.lang, 'zh');
  const c = syncCorrelation(viewer, started - 300, ended + 400);
  console.log(`  zh: ${c.frames} frames, audio↔mouth r = ${c.r.toFixed(3)} at A/V offset ${c.lag} ms (r = ${c.atZero.toFixed(3)} at 0)`);
  assert.ok(c.r >= 0.6, `correlation ${c.r.toFixed(3)} ≥ 0.6`);
  assert.ok(c.energy.filter((e) => e > 500).length > 20, 'Mandarin speech is audible');
  if (openFrame) savePngAs('presenter-open-mouth.png', openFrame);
  assert.ok(best > MOUTH_OPEN_MIN, `the mouth opened (${best})`);
});

test('interrupt brings silence and a closed mouth within a few hundred ms', async () => {
  const res = await server.api('POST', `/v1/sessions/${session.id}/speak`, {
    text: 'This is a long announcement about our wonderful products, and it goes on and on for quite a while so that we can cut it short in the middle.',
  });
  const id = res.body.utteranceId;
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.started' && e.data.utteranceId === id), 5000, 'started');
  await new Promise((r) => setTimeout(r, 1500));
  const t0 = performance.now();
  const stop = await server.api('POST', `/v1/sessions/${session.id}/interrupt`);
  assert.is(stop.status, 200);
  assert.is(stop.body.interrupted, 1);
  await new Promise((r) => setTimeout(r, 1200));
  assert.ok(viewer.events.some((e) => e.event === 'speech.interrupted' && e.data.utteranceId === id), 'speech.interrupted event');
  assert.not.ok(viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === id), 'no speech.ended for a cut utterance');
  // First moment after which the audio stays silent.
  let silentFrom = Infinity;
  for (let i = viewer.audioAt.length - 1; i >= 0 && viewer.audioRms[i]! < 100; i--) silentFrom = viewer.audioAt[i]!;
  const latency = silentFrom - t0;
  console.log(`  interrupt → silence at the viewer: ${latency.toFixed(0)} ms`);
  assert.ok(latency < 500, `silent ${latency.toFixed(0)} ms after interrupt`);
  // Video reaches the viewer a little behind audio (a deeper jitter buffer, more so on a busy machine).
  const after = viewer.frames.filter((f) => f.at > silentFrom + 300);
  assert.ok(after.length > 10 && after.every((f) => f.mouth < MOUTH_CLOSED_MAX), `mouth closed after the cut: ${after.map((f) => f.mouth).join(' ')}`);
});

test('session status shows the presenter state', async () => {
  const { body } = await server.api('GET', `/v1/sessions/${session.id}`);
  assert.is(body.presenter.speaking, false);
  assert.is(body.presenter.queued, 0);
  assert.is(body.presenter.voiceActive, false);
  assert.ok(body.presenter.utterances >= 3);
  assert.is(body.presenter.ttsUnderrunMs, 0, 'TTS always ran ahead of playback');
});

test('the audit log records what the presenter was made to say', async () => {
  const res = await server.api('GET', `/v1/sessions/${session.id}/audit`);
  assert.is(res.status, 200);
  const said = res.body.entries.filter((e: any) => e.action === 'speak').map((e: any) => e.text);
  assert.ok(said.some((t: string) => t.startsWith('Hello everyone')));
  assert.ok(said.some((t: string) => t.startsWith('大家好')));
  assert.ok(res.body.entries.some((e: any) => e.action === 'interrupt'));
});

test('bad presenter requests get a 4xx with a message and the stream goes on', async () => {
  const speak = (body: unknown, token?: string) => server.api('POST', `/v1/sessions/${session.id}/speak`, body, token);
  let res = await speak({ text: '<speak>Hello <break time="fast"/></speak>' });
  assert.is(res.status, 400);
  assert.match(res.body.message, /break time/);
  res = await speak({ text: '<speak>Hello <prosody rate="slow">world</speak>' });
  assert.is(res.status, 400);
  assert.match(res.body.message, /malformed SSML at line 1/);
  res = await speak({ text: '<speak><audio src="x"/>hi</speak>' });
  assert.is(res.status, 400);
  assert.match(res.body.message, /unsupported SSML element <audio>/);
  assert.is((await speak({ text: '' })).status, 400);
  assert.is((await speak({ text: 'x'.repeat(5001) })).status, 400);
  assert.is((await speak({ text: 'hi', lang: 'fr' })).status, 400);
  assert.is((await speak({ text: 'hi', voice: '../../etc' })).status, 400);
  assert.is((await speak({ text: 'hi' }, session.viewerToken)).status, 403);
  res = await server.api('PUT', `/v1/sessions/${session.id}/label`, { enabled: false });
  assert.is(res.status, 400, 'the AI label cannot be switched off');
  res = await server.api('PUT', `/v1/sessions/${session.id}/label`, { position: 'top-right', scale: 1.2 });
  assert.is(res.status, 200);
  res = await server.api('POST', `/v1/sessions/${session.id}/overlays`, { kind: 'image', imageBase64: 'bm90IGFuIGltYWdl', x: 0, y: 0 });
  assert.is(res.status, 400);
  assert.match(res.body.message, /not a decodable/);
  const card = (await server.api('POST', '/v1/sessions', { source: 'test-card' })).body;
  res = await server.api('POST', `/v1/sessions/${card.id}/speak`, { text: 'hi' });
  assert.is(res.status, 409);
  await server.api('DELETE', `/v1/sessions/${card.id}`);
  res = await server.api('POST', `/v1/sessions/${session.id}/overlays`, { kind: 'text', text: '限时特价 ¥99', x: 900, y: 300, background: '#d02040' });
  assert.is(res.status, 201);
  assert.is((await server.api('DELETE', `/v1/sessions/${session.id}/overlays/${res.body.id}`)).status, 204);
  assert.is((await server.api('DELETE', `/v1/sessions/${session.id}/overlays/${res.body.id}`)).status, 404);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/background`, { color: '#223344' })).status, 200);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/background`, { color: 'url(evil)' })).status, 400);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/background`, {})).status, 400);
  assert.is((await server.api('PUT', `/v1/sessions/${session.id}/captions`, { enabled: false })).status, 200);
  // SSML that is valid is accepted, marks included.
  res = await speak({ text: '<speak>Look <gesture name="point"/> at this! <break time="200ms"/><prosody rate="fast">Only today.</prosody></speak>' });
  assert.is(res.status, 202);
  const before = viewer.frames.length;
  await new Promise((r) => setTimeout(r, 1000));
  assert.ok(viewer.frames.length - before > 15, 'still streaming');
});

test.run();
