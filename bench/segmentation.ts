// Person segmentation (models/selfie-segmentation/selfie.onnx on onnxruntime-node, one intra-op
// thread as in enrollment): ms per 360×288 frame of the test video, p50/p95, for
// PersonSegmenter.maskOf (resample to 256×256 + model + mask sampled back to the frame), and for
// the matte (applySegmentationMatte: face opaque, connected region, soft edge).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { PersonSegmenter } from '../pipeline/stages/avatar/real-person/segmenter.ts';
import { applySegmentationMatte } from '../pipeline/stages/avatar/real-person/matte.ts';
import { readRgbFrames } from '../pipeline/stages/avatar/real-person/video-frames.ts';
import { fmt, percentile } from './lib/stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const W = 360;
const H = 288;
const FRAMES = 200;
const WARMUP = 10;

const line = (name: string, ms: number[]) => `${name.padEnd(28)} p50 ${fmt(percentile(ms, 50), 2)} ms / p95 ${fmt(percentile(ms, 95), 2)} ms`;

export async function benchSegmentation(): Promise<void> {
  if (!existsSync(video)) throw new Error(`${video} missing: run bash server/setup/fetch-test-media.sh`);
  if (!PersonSegmenter.available()) throw new Error('models/selfie-segmentation/selfie.onnx missing: node --import tsx models/selfie-segmentation/convert-selfie.ts');
  const frames: Uint8Array[] = [];
  for await (const f of readRgbFrames(video, W, H, { duration: 20 })) {
    frames.push(new Uint8Array(f));
    if (frames.length === FRAMES) break;
  }
  const segmenter = await PersonSegmenter.load();
  const landmarker = await FaceLandmarker.load();
  console.log(`${frames.length} frames ${W}×${H}; onnxruntime EP ${segmenter.executionProviders.join(',')}, 1 thread`);
  const seg: number[] = [];
  const matte: number[] = [];
  for (const [i, rgb] of frames.entries()) {
    const face = await landmarker.detect(rgb, W, H);
    const t0 = performance.now();
    const mask = await segmenter.maskOf(rgb, W, H);
    const t1 = performance.now();
    if (face) applySegmentationMatte(rgb, W, H, mask, face.points);
    const t2 = performance.now();
    if (i < WARMUP) continue;
    seg.push(t1 - t0);
    if (face) matte.push(t2 - t1);
  }
  console.log(line('PersonSegmenter.maskOf', seg));
  console.log(line('applySegmentationMatte', matte));
  landmarker.dispose();
  await segmenter.dispose();
}
