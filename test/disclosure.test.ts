// Disclosure that meets the labelling rules: label wording with both parts (API refuses anything
// less), the opening card at the start of a stream and of every RTMP (re)connect, and the AIGC
// implicit label in the FLV stream's onMetaData. Real server, wrtc viewer, nginx-rtmp, ffmpeg.
import { execFile } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCanvas } from '@napi-rs/canvas';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Compositor, labelRect } from '../pipeline/stages/compose/compositor.ts';
import { SolidBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { DEFAULT_LABEL_TEXT, labelTextProblem } from '../pipeline/stages/compose/disclosure.ts';
import { bandLuma, grayFrames } from './helpers/video-frames.ts';
import { payloadFromSession } from '../pipeline/stages/compose/watermark.ts';
import { detectWatermark } from '../pipeline/stages/compose/watermark-detect.ts';
import { providerCode } from '../server/compliance/watermark-extension.ts';
import { copyFrame, savePng } from './helpers/png.ts';
import { LocalRtmpServer } from './helpers/rtmp-server.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor } from './helpers/watch.ts';
import { ocrLabel } from './helpers/ocr-label.ts';

const run = promisify(execFile);
const FORMAT = { width: 1280, height: 720, fps: 25 };
let server: TestServer;
let rtmp: LocalRtmpServer;

test.before(async () => {
  rtmp = await LocalRtmpServer.start({ record: true });
  server = await startServer();
});
test.after(async () => {
  await server?.close();
  await rtmp?.stop();
});

test('label wording: both parts required — the API refuses "AI主播" or "AI" alone and accepts "AI合成主播"', async () => {
  for (const [text, ok] of [['AI生成 · AI-generated', true], ['AI合成主播', true], ['人工智能生成', true], ['AI主播', false], ['AI presenter', false], ['数字人合成', false]] as const) {
    assert.is(labelTextProblem(text) === undefined, ok, text);
  }
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}/label`;
  let res = await server.api('PUT', url, { text: 'AI主播' });
  assert.is(res.status, 400);
  assert.match(res.body.message, /生成.*合成/);
  res = await server.api('PUT', url, { text: 'AI' });
  assert.is(res.status, 400);
  res = await server.api('PUT', url, { text: 'AI合成主播' });
  assert.is(res.status, 200);
  assert.is(res.body.label.text, 'AI合成主播');
  assert.is((await server.api('PUT', url, { text: '' })).status, 400);
  await server.api('DELETE', `/v1/sessions/${session.id}`);
  // The compositor draws the configured wording: two wordings give two different labels, both there.
  const draw = (text: string) => {
    const c = new Compositor(FORMAT, new SolidBackground('#ffffff'));
    c.label = { ...c.label, text };
    return Uint8Array.from(c.composeRgba(createCanvas(10, 10), undefined));
  };
  const a = draw(DEFAULT_LABEL_TEXT);
  const b = draw('AI合成主播');
  const r = labelRect(FORMAT, { position: 'top-left', scale: 1 });
  let differ = 0;
  for (let y = r.y; y < r.y + r.h; y++) for (let x = r.x; x < r.x + r.w; x++) if (a[(y * FORMAT.width + x) * 4] !== b[(y * FORMAT.width + x) * 4]) differ++;
  assert.ok(differ > 200, `the wording is what is drawn (${differ} pixels differ)`);
});

test('whatever the API is asked, every frame a viewer receives carries a label with both parts (OCR)', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}`;
  const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  try {
    await waitFor(() => viewer.frames.length > 100, 20_000, 'past the opening');
    const white = createCanvas(1280, 720);
    const wctx = white.getContext('2d');
    wctx.fillStyle = '#ffffff';
    wctx.fillRect(0, 0, 1280, 720);
    const calls: [string, () => Promise<unknown>, { position: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right'; scale: number }][] = [
      ['default', async () => {}, { position: 'top-left', scale: 1 }],
      ['a full-frame image overlay on top', () => server.api('POST', `${url}/overlays`, { kind: 'image', imageBase64: white.toBuffer('image/png').toString('base64'), x: 0, y: 0, width: 1280, height: 720 }), { position: 'top-left', scale: 1 }],
      ['moved bottom-right, smallest', () => server.api('PUT', `${url}/label`, { position: 'bottom-right', scale: 1 }), { position: 'bottom-right', scale: 1 }],
      ['refused: smaller than 5 % text', () => server.api('PUT', `${url}/label`, { scale: 0.75 }), { position: 'bottom-right', scale: 1 }],
      ['refused wording "AI主播"', () => server.api('PUT', `${url}/label`, { text: 'AI主播' }), { position: 'bottom-right', scale: 1 }],
      ['refused wording "AI"', () => server.api('PUT', `${url}/label`, { text: 'AI', position: 'top-right' }), { position: 'bottom-right', scale: 1 }],
      ['"AI合成主播", top-right, largest', () => server.api('PUT', `${url}/label`, { text: 'AI合成主播', position: 'top-right', scale: 2 }), { position: 'top-right', scale: 2 }],
      ['switching it off', () => server.api('PUT', `${url}/label`, { enabled: false }), { position: 'top-right', scale: 2 }],
      ['a white background and captions off', async () => {
        await server.api('PUT', `${url}/background`, { color: '#ffffff' });
        await server.api('PUT', `${url}/captions`, { enabled: false });
      }, { position: 'top-right', scale: 2 }],
    ];
    for (const [what, call, label] of calls) {
      await call();
      await new Promise((r) => setTimeout(r, 700));
      const text = await ocrLabel(viewer.lastFrame!, label);
      console.log(`  ${what}: label reads "${text}"`);
      assert.match(text, /AI|人工智能/, `${what}: "AI" part`);
      assert.match(text, /生成|合成/, `${what}: "生成/合成" part`);
    }
  } finally {
    viewer.stop();
    await server.api('DELETE', url);
  }
});

test('the opening disclosure: in the first seconds a WebRTC viewer receives, then gone', async () => {
  const t0 = performance.now();
  const session = (await server.api('POST', '/v1/sessions')).body;
  const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  const early: ReturnType<typeof copyFrame>[] = [];
  const grab = setInterval(() => {
    if (viewer.lastFrame && performance.now() - t0 < 2000) early.push(copyFrame(viewer.lastFrame));
  }, 100);
  try {
    await waitFor(() => performance.now() - t0 > 4500 && viewer.frames.length > 10, 20_000, 'frames past the opening');
    clearInterval(grab);
    assert.ok(early.length > 0, 'frames within 2 s of the session start');
    const earlyLuma = early.map(bandLuma);
    const later = bandLuma(viewer.lastFrame!);
    console.log(`  band strip luma: first 2 s ${earlyLuma.map((l) => l.toFixed(0)).join(' ')}, after 4.5 s ${later.toFixed(0)}`);
    assert.ok(earlyLuma.every((l) => l < 45), 'the opening card is on the first frames');
    assert.ok(later > 80, 'and gone after the opening');
    savePng('test-output/opening-disclosure.png', early[0]!);
  } finally {
    clearInterval(grab);
    viewer.stop();
    await server.api('DELETE', `/v1/sessions/${session.id}`);
  }
});

test('RTMP: every (re)connect opens with the disclosure, and onMetaData carries the AIGC label', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const sid = session.id;
  try {
    await new Promise((r) => setTimeout(r, 4000)); // the session's own opening is over
    const added = await server.api('POST', `/v1/sessions/${sid}/outputs/rtmp`, { url: rtmp.url('aigc') });
    assert.is(added.status, 201);
    const state = async () => (await server.api('GET', `/v1/sessions/${sid}`)).body.outputs[0].state;
    for (let i = 0; i < 100 && (await state()) !== 'live'; i++) await new Promise((r) => setTimeout(r, 200));
    // The implicit label as a player of the stream sees it.
    const { stdout } = await run('ffprobe', ['-v', 'error', '-rw_timeout', '15000000', '-show_format', '-of', 'json', rtmp.url('aigc')]);
    const tags = JSON.parse(stdout).format.tags ?? {};
    console.log(`  onMetaData AIGC: ${tags.AIGC}`);
    const aigc = JSON.parse(tags.AIGC);
    assert.equal(Object.keys(aigc), ['Label', 'ContentProducer', 'ProduceID', 'ReservedCode1', 'ContentPropagator', 'PropagateID', 'ReservedCode2']);
    assert.is(aigc.Label, '1');
    assert.is(aigc.ContentProducer, 'OnAir');
    assert.is(aigc.ProduceID, sid, 'traceable to the session (and its audit entries)');
    assert.is(aigc.PropagateID, added.body.id);
    assert.ok(Object.values(aigc).every((v) => /^[\x21-\x7e]*$/.test(v as string) && !/["'\\]/.test(v as string)), 'printable ASCII, no spaces or quotes');
    await new Promise((r) => setTimeout(r, 3000));
    // The encoder dies (as on a network error): the output reconnects and opens with the card again.
    const { stdout: pids } = await run('pgrep', ['-P', String(server.proc.pid), '-f', 'ffmpeg']);
    for (const pid of pids.trim().split('\n')) process.kill(Number(pid), 'SIGKILL');
    await new Promise((r) => setTimeout(r, 800));
    for (let i = 0; i < 100 && (await state()) !== 'live'; i++) await new Promise((r) => setTimeout(r, 200));
    await new Promise((r) => setTimeout(r, 4000));
    assert.is((await server.api('DELETE', `/v1/sessions/${sid}/outputs/${added.body.id}`)).status, 204);
    await new Promise((r) => setTimeout(r, 1500));
    const files = readdirSync(rtmp.recordDir).filter((f) => f.startsWith('aigc')).sort().map((f) => path.join(rtmp.recordDir, f));
    assert.ok(files.length >= 2, `one recording per connection: ${files.join(', ')}`);
    let long = 0;
    for (const file of files) {
      const frames = statSync(file).size > 2000 ? await grayFrames(file, 4) : [];
      if (!frames.length) continue;
      const firstTwo = frames.slice(0, 50).map(bandLuma);
      const after = frames.slice(80).map(bandLuma);
      console.log(`  ${path.basename(file)}: ${frames.length} frames, band luma first 2 s min/max ${Math.min(...firstTwo).toFixed(0)}/${Math.max(...firstTwo).toFixed(0)}, after 3.2 s ${after.length ? Math.min(...after).toFixed(0) : '-'}`);
      assert.ok(firstTwo.every((l) => l < 45), `${path.basename(file)}: the card is on every frame of this connection's first 2 s`);
      if (after.length) assert.ok(after.every((l) => l > 80), 'then it is gone');
      if (frames.length >= 60) long++;
    }
    assert.ok(long >= 2, 'two connections of at least 2.4 s each were checked');
    // The invisible watermark survives the RTMP encode: read back from the ingest's capture.
    const capture = files.reduce((a, b) => (statSync(a).size >= statSync(b).size ? a : b));
    const expected = payloadFromSession(sid, providerCode('OnAir'));
    const mark = await detectWatermark(capture, { expected });
    console.log(`  watermark in the RTMP capture: found ${mark.found}, bit errors ${mark.bitErrors}/48, confidence ${mark.confidence.toFixed(1)}`);
    assert.ok(mark.found && mark.contentId === expected.contentId && mark.bitErrors === 0, 'watermark recovered from the RTMP capture');
  } finally {
    await server.api('DELETE', `/v1/sessions/${sid}`);
  }
});

test.run();
