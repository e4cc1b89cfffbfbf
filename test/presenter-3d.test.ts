// The built-in 3D hosts on a real stream: server (three.js on headless WebGL/llvmpipe), mediasoup,
// a real WebRTC viewer (@roamhq/wrtc). Per host: the mouth on received frames follows the viseme
// track's target opening, the AI label is there (OCR), a gesture cue moves the hands, and camera
// shots change the framing. Screenshots of what the viewer received go to test-output/.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { pearson } from './helpers/mouth.ts';
import { ocrLabel } from './helpers/ocr-label.ts';
import { copyFrame, savePng } from './helpers/png.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { SAMPLES_PER_FRAME, speechFrames } from './helpers/speech-track.ts';
import { mouthBox, mouthOpening } from './helpers/mouth-3d.ts';
import { watch, waitFor, type Reception } from './helpers/watch.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(root, 'test-output');
const W = 1280;
const H = 720;
type Frame = { width: number; height: number; data: Uint8Array };

let server: TestServer;
let espeak: EspeakEngine;

test.before(async () => {
  server = await startServer({ ONAIR_TIMECODE: '1' });
  espeak = new EspeakEngine();
  await espeak.ready();
});
test.after(async () => {
  espeak?.close();
  await server?.close();
});

/**
 * Per-frame correlation between received mouth openness and the target track. The server runs with
 * ONAIR_TIMECODE=1, so each received frame says which frame it is: frames dropped or delayed on the
 * way cannot misalign the pairs. Offsets of ±2 frames are tried and the best reported (0 expected).
 */
function lipSyncR(viewer: Reception, startPts: number, targets: number[]): { r: number; offset: number; frames: number; missing: number } {
  const startFrame = Math.round(startPts / SAMPLES_PER_FRAME);
  const seen = viewer.frames.filter((f) => f.timecode >= startFrame && f.timecode < startFrame + targets.length && f.mouth >= 0);
  let best = { r: -1, offset: 0, frames: 0, missing: targets.length - new Set(seen.map((f) => f.timecode)).size };
  for (let offset = -2; offset <= 2; offset++) {
    const xs: number[] = [];
    const ys: number[] = [];
    for (const f of seen) {
      const i = f.timecode - startFrame + offset;
      if (i < 0 || i >= targets.length) continue;
      xs.push(targets[i]!);
      ys.push(f.mouth);
    }
    const r = pearson(xs, ys);
    if (r > best.r) best = { ...best, r, offset, frames: xs.length };
  }
  return best;
}

/** Width of the figure on one row: pixels that differ from the backdrop at the row's edges. */
function figureWidth(frame: Frame, row: number): number {
  const y = Math.round(row * frame.height);
  const bg = (frame.data[y * frame.width + 4]! + frame.data[y * frame.width + frame.width - 5]!) / 2;
  let n = 0;
  for (let x = 0; x < frame.width; x++) if (Math.abs(frame.data[y * frame.width + x]! - bg) > 30) n++;
  return n;
}

/** Mean absolute luma change between two frames inside a region. */
function change(a: Frame, b: Frame, r: { x0: number; x1: number; y0: number; y1: number }): number {
  let sum = 0;
  let n = 0;
  for (let y = Math.round(r.y0 * H); y < r.y1 * H; y += 2) {
    for (let x = Math.round(r.x0 * W); x < r.x1 * W; x += 2) {
      sum += Math.abs(a.data[y * W + x]! - b.data[y * W + x]!);
      n++;
    }
  }
  return sum / n;
}

async function say(viewer: Reception, sessionId: string, text: string, lang: 'en' | 'zh') {
  const res = await server.api('POST', `/v1/sessions/${sessionId}/speak`, { text, lang });
  assert.is(res.status, 202, JSON.stringify(res.body));
  const id = res.body.utteranceId;
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === id), 45_000, 'speech.ended');
  await new Promise((r) => setTimeout(r, 600));
  return viewer.events.find((e) => e.event === 'speech.started' && e.data.utteranceId === id)!.data.pts as number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const [host, lang, line] of [
  ['host3d-cartoon', 'en', 'Hello everyone, welcome to our live room! Today this lovely blue mug costs only nineteen dollars.'],
  ['host3d-semi', 'zh', '大家好，欢迎来到直播间！今天这款杯子只要十九块九，喜欢的朋友赶快下单吧。'],
] as const) {
  test(`${host}: the mouth follows the viseme track (r ≥ 0.8), the label is there, gestures move the hands, shots reframe`, async () => {
    const listed = (await server.api('GET', '/v1/avatars')).body.builtIn.find((a: { id: string }) => a.id === host);
    assert.is(listed?.kind, '3d', 'listed as a built-in 3D host');
    const created = await server.api('POST', '/v1/sessions', { avatar: host });
    assert.is(created.status, 201, JSON.stringify(created.body));
    const session = created.body;
    try {
      let res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'close-up' });
      assert.is(res.status, 200, JSON.stringify(res.body));
      const viewer = await watch(server.baseUrl, session.id, session.viewerToken, { mouth: mouthOpening(await mouthBox(host, 'close-up')) });
      try {
        // Past the camera move and the stream's opening disclosure band (its first 3 s).
        await waitFor(() => viewer.frames.length > 100, 20_000, '3D presenter frames');
        const idleFrame = copyFrame(viewer.lastFrame!);
        savePng(`${OUT}/3d-${host}-close-up-idle.png`, idleFrame);
        const idleMouth = viewer.frames.slice(-15).map((f) => f.mouth);

        // Lip-sync: received openness vs the target opening the presenter computes.
        let widest: { n: number; frame?: Frame } = { n: -1 };
        const grab = setInterval(() => {
          const f = viewer.frames.at(-1);
          if (f && f.mouth > widest.n && viewer.lastFrame) widest = { n: f.mouth, frame: copyFrame(viewer.lastFrame) };
        }, 15);
        const startPts = await say(viewer, session.id, line, lang);
        clearInterval(grab);
        const targets = (await speechFrames(espeak, line, lang)).map((m) => m.open);
        const sync = lipSyncR(viewer, startPts, targets);
        console.log(`  ${host} (${lang}): ${sync.frames} frames paired by timecode, received mouth ↔ target opening r = ${sync.r.toFixed(3)} at offset ${sync.offset} frames (${sync.missing} of ${targets.length} frames not received); idle opening ${Math.max(...idleMouth)} rows, widest ${widest.n} rows`);
        assert.ok(sync.r >= 0.8, `r = ${sync.r.toFixed(3)} ≥ 0.8`);
        assert.ok(widest.n > Math.max(...idleMouth) + 12, 'the mouth opens well beyond its rest');
        savePng(`${OUT}/3d-${host}-close-up-talking.png`, widest.frame!);

        // The label, read off a received frame.
        const label = await ocrLabel(viewer.lastFrame!);
        assert.match(label, /AI/, `label read: ${label}`);

        // Gesture: a wave in the half shot moves a hand (either side: the planner picks the arm).
        res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'half' });
        assert.is(res.body.shot, 'half');
        await sleep(1500);
        const still = copyFrame(viewer.lastFrame!);
        savePng(`${OUT}/3d-${host}-half-idle.png`, still);
        const sides = [{ x0: 0.05, x1: 0.4, y0: 0.05, y1: 0.75 }, { x0: 0.6, x1: 0.95, y0: 0.05, y1: 0.75 }];
        const handChange = (a: Frame, b: Frame) => Math.max(...sides.map((r) => change(a, b, r)));
        const before = handChange(still, viewer.lastFrame!);
        const wave = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: '<speak><gesture name="wave"/>Hi there, welcome in! Great to see you all.</speak>' });
        assert.is(wave.status, 202);
        let moved = 0;
        let waving: Frame | undefined;
        const t0 = Date.now();
        while (Date.now() - t0 < 4000) {
          await sleep(100);
          const c = handChange(still, viewer.lastFrame!);
          if (c > moved) {
            moved = c;
            waving = copyFrame(viewer.lastFrame!);
          }
        }
        console.log(`  ${host}: hand-region change while waving ${moved.toFixed(1)} (idle ${before.toFixed(1)})`);
        assert.ok(moved > before + 4, `the hand region changes while the wave plays (${moved.toFixed(1)} vs ${before.toFixed(1)})`);
        savePng(`${OUT}/3d-${host}-half-talking.png`, waving!);
        await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === wave.body.utteranceId), 20_000, 'wave line ended');

        // Shots: the figure at the bottom of the frame narrows from close-up to half to full body.
        const widths: Record<string, number> = { 'close-up': figureWidth(idleFrame, 0.93), half: figureWidth(still, 0.93) };
        res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'full' });
        assert.is(res.status, 200);
        await sleep(1500);
        const full = copyFrame(viewer.lastFrame!);
        savePng(`${OUT}/3d-${host}-full-idle.png`, full);
        widths.full = figureWidth(full, 0.93);
        const talkFull = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: lang === 'zh' ? '<speak><gesture name="present"/>这就是今天的主推产品。</speak>' : '<speak><gesture name="present"/>And here is today\'s star product.</speak>' , lang });
        assert.is(talkFull.status, 202);
        await sleep(1600);
        savePng(`${OUT}/3d-${host}-full-talking.png`, viewer.lastFrame!);
        console.log(`  ${host}: figure width at 93 % height: close-up ${widths['close-up']}, half ${widths.half}, full ${widths.full} px`);
        assert.ok(widths['close-up']! > widths.half! && widths.half! > widths.full!, `framing narrows: ${JSON.stringify(widths)}`);
        const view = (await server.api('GET', `/v1/sessions/${session.id}`)).body;
        assert.is(view.shot, 'full');
        assert.is(view.avatar, host);
      } finally {
        viewer.stop();
      }
    } finally {
      await server.api('DELETE', `/v1/sessions/${session.id}`);
    }
  });
}

test('shots: bad values are 400, a 2D avatar answers 409, the stream goes on', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  try {
    let res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'wide' });
    assert.is(res.status, 400);
    res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'close-up' });
    assert.is(res.status, 409);
    assert.match(res.body.message, /2D avatar/);
    // Switching the live presenter to a 3D host and back works without a break.
    res = await server.api('PUT', `/v1/sessions/${session.id}/avatar`, { avatar: 'host3d-semi' });
    assert.is(res.status, 200, JSON.stringify(res.body));
    res = await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'full' });
    assert.is(res.status, 200);
    res = await server.api('PUT', `/v1/sessions/${session.id}/avatar`, { avatar: 'cartoon' });
    assert.is(res.status, 200);
    res = await server.api('POST', '/v1/sessions', { avatar: 'host3d-nope' });
    assert.is(res.status, 404);
  } finally {
    await server.api('DELETE', `/v1/sessions/${session.id}`);
  }
});

test.run();
