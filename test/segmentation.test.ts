// Person segmentation for real-person avatars in front of an ordinary backdrop: MediaPipe Selfie
// Segmentation converted to ONNX (models/selfie-segmentation), checked by behaviour against the
// chroma key of the blue-screen test video (ground truth), on that video and on the same person
// composited over a busy moving backdrop; then an enrollment of the busy video gets a
// segmentation matte.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { PersonSegmenter } from '../pipeline/stages/avatar/real-person/segmenter.ts';
import { enrollAvatar } from '../pipeline/stages/avatar/real-person/enroll.ts';
import { loadAvatarPack } from '../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { smoothMasksInTime } from '../pipeline/stages/avatar/real-person/matte.ts';
import { chromaIoU, makeBusyBackdropVideo } from '../models/selfie-segmentation/validate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
let work: string;
let room: string;
let landmarker: FaceLandmarker;
let segmenter: PersonSegmenter;

test.before(async () => {
  assert.ok(existsSync(video), `${video} missing (bash server/setup/fetch-test-media.sh)`);
  assert.ok(PersonSegmenter.available(), 'models/selfie-segmentation/selfie.onnx missing');
  work = mkdtempSync(path.join(tmpdir(), 'onair-seg-'));
  room = path.join(work, 'room.mp4');
  makeBusyBackdropVideo(video, room, 16);
  landmarker = await FaceLandmarker.load();
  segmenter = await PersonSegmenter.load();
});
test.after(async () => {
  landmarker?.dispose();
  await segmenter?.dispose();
});

test('blue screen: the segmentation mask matches the chroma key (IoU ≥ 0.9)', async () => {
  const r = await chromaIoU(video, { frames: 20, step: 10, landmarker, segmenter });
  console.log(`  blue screen: IoU mean ${r.mean.toFixed(3)}, min ${r.min.toFixed(3)} over ${r.frames} frames; segmenter ${r.msPerFrame.toFixed(1)} ms/frame at 360×288 (resample + model + upsample, 1 thread)`);
  assert.is(r.frames, 20);
  assert.ok(r.mean >= 0.9, `IoU mean ${r.mean}`);
  assert.ok(r.min >= 0.85, `IoU min ${r.min}`);
});

test('busy backdrop: the same person over moving colour bars and noise, IoU ≥ 0.9 with the original key', async () => {
  const r = await chromaIoU(video, { frames: 20, step: 15, video: room, landmarker, segmenter });
  console.log(`  busy backdrop: IoU mean ${r.mean.toFixed(3)}, min ${r.min.toFixed(3)} over ${r.frames} frames; ${r.msPerFrame.toFixed(1)} ms/frame`);
  assert.is(r.frames, 20);
  assert.ok(r.mean >= 0.9, `IoU mean ${r.mean}`);
  assert.ok(r.min >= 0.8, `IoU min ${r.min}`);
});

test('masks are smoothed in time around the loop', () => {
  const m = [0, 1, 0, 0].map((v) => new Float32Array([v]));
  assert.equal(smoothMasksInTime(m).map((a) => a[0]), [0.25, 0.5, 0.25, 0]);
});

test('enrollment in front of a busy backdrop: a segmentation matte, backdrop transparent, face opaque', async () => {
  const t0 = performance.now();
  const manifest = await enrollAvatar(room, path.join(work, 'pack'), { duration: 15 });
  console.log(`  enrolled 15 s in ${((performance.now() - t0) / 1000).toFixed(1)} s: idle ${manifest.idle.frames} frames, matte ${manifest.matte}`);
  assert.is(manifest.matte, 'segmentation');
  const pack = await loadAvatarPack(path.join(work, 'pack'));
  const { width, height } = manifest;
  const idle = pack.idle[0];
  const alphaAt = (x: number, y: number) => idle[(y * width + x) * 4 + 3];
  assert.is(alphaAt(5, 5), 0, 'top-left corner transparent');
  assert.is(alphaAt(width - 5, 5), 0, 'top-right corner transparent');
  assert.is(alphaAt(width - 5, 40), 0, 'right backdrop transparent');
  assert.is(alphaAt(4, Math.round(height * 0.7)), 0, 'the dark prop at the left edge is dropped');
  const lm = pack.idleLandmarks[0];
  assert.is(alphaAt(Math.round(lm[2]), Math.round(lm[3])), 255, 'face opaque');
  let transparent = 0;
  for (let i = 0; i < width * height; i++) if (idle[4 * i + 3] === 0) transparent++;
  assert.ok(transparent / (width * height) > 0.3, `${((100 * transparent) / (width * height)).toFixed(0)} % of the frame transparent`);
});

test.run();
