// The real-person avatar itself (issue 5): enrollment of the test video into a pack, the matte,
// lip-sync driven by TTS (measured on the rendered frames by the landmark model), screenshots of
// an idle and a talking frame over a replaced background. The server side is test/avatars.test.ts.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFile } from 'node:fs/promises';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { enrollAvatar, type PackManifest } from '../pipeline/stages/avatar/real-person/enroll.ts';
import { loadAvatarPack, type AvatarPack } from '../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { RealPersonAvatar } from '../pipeline/stages/avatar/real-person/real-person-avatar.ts';
import { measureMouth } from '../pipeline/stages/avatar/real-person/geometry.ts';
import { CLOSED } from '../pipeline/stages/lipsync/mouth-track.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import type { Lang } from '../pipeline/stages/tts/tts-types.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import type { AvatarState } from '../pipeline/stages/avatar/avatar.ts';
import { pearson } from './helpers/mouth.ts';
import { SAMPLES_PER_FRAME, FPS, speechFrames as speechFramesOf } from './helpers/speech-track.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const outDir = path.join(root, 'test-output');

let packDir: string;
let manifest: PackManifest;
let pack: AvatarPack;
let landmarker: FaceLandmarker;
let espeak: EspeakEngine;
const progress: number[] = [];

test.before(async () => {
  assert.ok(existsSync(video), `${video} missing (bash server/setup/fetch-test-media.sh)`);
  mkdirSync(outDir, { recursive: true });
  packDir = path.join(mkdtempSync(path.join(tmpdir(), 'onair-pack-')), 'pack');
  const t0 = performance.now();
  manifest = await enrollAvatar(video, packDir, { duration: 40, onProgress: (p) => progress.push(p.progress) });
  console.log(`  enrolled 40 s of video in ${((performance.now() - t0) / 1000).toFixed(1)} s: idle ${manifest.idle.frames} frames, atlas ${manifest.atlas.entries} mouths, matte ${manifest.matte}`);
  pack = await loadAvatarPack(packDir);
  landmarker = await FaceLandmarker.load();
  espeak = new EspeakEngine();
  await espeak.ready();
});
test.after(() => espeak?.close());

test('enrollment builds a pack: progress to 1, an idle loop, an atlas over the mouth range, a chroma matte', () => {
  assert.ok(progress.length > 5 && progress.at(-1) === 1, `progress reported: ${progress.length} updates`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i] >= progress[i - 1], 'progress never goes back');
  assert.is(manifest.source.framesAnalysed, 960);
  assert.ok(manifest.source.faceFraction > 0.95, `face in ${manifest.source.faceFraction}`);
  assert.ok(manifest.idle.frames >= 72, `idle loop of ${manifest.idle.frames} frames`);
  assert.ok(manifest.atlas.entries >= 40, `${manifest.atlas.entries} atlas mouths`);
  assert.ok(manifest.calibration.openHi > manifest.calibration.openLo * 5, 'open and closed mouths both in the atlas');
  assert.is(manifest.matte, 'chroma', 'the flat blue backdrop is keyed');
  const { width, height } = manifest;
  const idle = pack.idle[0];
  const alphaAt = (x: number, y: number) => idle[(y * width + x) * 4 + 3];
  assert.is(alphaAt(5, 5), 0, 'backdrop corner transparent');
  assert.is(alphaAt(width - 5, 40), 0, 'backdrop right transparent');
  assert.is(alphaAt(4, Math.round(height * 0.7)), 0, 'the dark prop at the left edge is dropped (not connected to the person)');
  const lm = pack.idleLandmarks[0];
  assert.is(alphaAt(Math.round(lm[2]), Math.round(lm[3])), 255, 'face opaque');
});

const speechFrames = (text: string, lang: Lang) => speechFramesOf(espeak, text, lang);

const idleMotion = new IdleMotion(1);
const state = (mouth: AvatarState['mouth'], n: number): AvatarState => ({
  mouth,
  idle: idleMotion.poseAt(n * SAMPLES_PER_FRAME),
  left: { shoulder: 0, elbow: 0, hand: 'relaxed' },
  right: { shoulder: 0, elbow: 0, hand: 'relaxed' },
  nod: 0,
});

/** The rendered frame's mouth opening, as the landmark model sees it. */
async function measuredOpen(avatar: RealPersonAvatar, mouth: AvatarState['mouth'], n: number): Promise<number | undefined> {
  const canvas = avatar.renderFrame(state(mouth, n));
  const rgba = canvas.getContext('2d').getImageData(0, 0, avatar.width, avatar.height).data;
  const rgb = new Uint8Array(avatar.width * avatar.height * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  const face = await landmarker.detect(rgb, avatar.width, avatar.height);
  return face ? measureMouth(face.points).open : undefined;
}

for (const [lang, text] of [
  ['en', 'Welcome back, everyone! Today only, this beautiful blue mug is nineteen ninety nine. Grab yours now.'],
  ['zh', '大家好，欢迎来到直播间！今天这款杯子只要十九块九，喜欢的朋友赶快下单吧。'],
] as const) {
  test(`lip-sync (${lang}): the rendered mouth opening follows the viseme track's target, r ≥ 0.7`, async () => {
    const mouths = await speechFrames(text, lang);
    const avatar = new RealPersonAvatar(pack, FPS);
    landmarker.reset();
    const target: number[] = [];
    const measured: number[] = [];
    for (let n = 0; n < mouths.length; n++) {
      const open = await measuredOpen(avatar, mouths[n], n);
      if (open === undefined) continue;
      target.push(mouths[n].open);
      measured.push(open);
    }
    assert.ok(measured.length > mouths.length * 0.95, `face found in ${measured.length}/${mouths.length} rendered frames`);
    const r = pearson(target, measured);
    console.log(`  ${lang}: ${mouths.length} frames, per-frame correlation target↔measured opening r = ${r.toFixed(3)}`);
    assert.ok(r >= 0.7, `r = ${r}`);
  });
}

test('idle: the mouth rests closed while the footage loops', async () => {
  const avatar = new RealPersonAvatar(pack, FPS);
  landmarker.reset();
  const opens: number[] = [];
  for (let n = 0; n < 50; n++) opens.push((await measuredOpen(avatar, CLOSED, n))!);
  const speaking = (await speechFrames('Open wide, ah!', 'en')).map((m) => m.open);
  const max = Math.max(...opens);
  console.log(`  idle opening max ${max.toFixed(3)} (person's range ${manifest.calibration.openLo.toFixed(3)}–${manifest.calibration.openHi.toFixed(3)})`);
  assert.ok(speaking.some((o) => o > 0.5), 'the speech sample opens the mouth');
  assert.ok(max < manifest.calibration.openLo + 0.25 * (manifest.calibration.openHi - manifest.calibration.openLo), `idle mouth stays closed (max ${max})`);
});

test('screenshots: an idle and a talking frame over a replaced background, label on top', async () => {
  const avatar = new RealPersonAvatar(pack, FPS);
  const compositor = new Compositor({ width: 1280, height: 720, fps: FPS }, new StudioBackground());
  const shots: [string, AvatarState['mouth']][] = [['real-person-idle', CLOSED], ['real-person-talking', { open: 0.9, width: 0.6, round: 0 }]];
  const { createCanvas, ImageData } = await import('@napi-rs/canvas');
  for (const [name, mouth] of shots) {
    const rgba = compositor.composeRgba(avatar.renderFrame(state(mouth, 10)), name.endsWith('talking') ? 'Today only: $19.99!' : undefined);
    const canvas = createCanvas(1280, 720);
    canvas.getContext('2d').putImageData(new ImageData(new Uint8ClampedArray(rgba), 1280, 720), 0, 0);
    await writeFile(path.join(outDir, `${name}.png`), await canvas.encode('png'));
    // Where the blue backdrop was (top left of the person's frame), the studio background shows.
    const x0 = Math.round((1280 - (manifest.width * 720) / manifest.height) / 2) + 10;
    const o = (20 * 1280 + x0) * 4;
    const [r, g, b] = [rgba[o], rgba[o + 1], rgba[o + 2]];
    assert.ok(!(b > 150 && b > r + 60 && b > g + 30), `backdrop replaced at (${x0},20): rgb ${r},${g},${b}`);
  }
  if (process.env.UPDATE_SCREENSHOTS) for (const [name] of shots) copyFileSync(path.join(outDir, `${name}.png`), path.join(root, 'docs/screenshots', `${name}.png`));
});

test.run();
