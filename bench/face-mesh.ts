// FaceMesh on tfjs-wasm vs onnxruntime-node (models/face-mesh/facemesh.onnx), in one process:
// ms per frame p50/p95 for the mesh model alone on the same 192×192 crops, then
// FaceLandmarker.detect end to end (crop + mesh + tracking, BlazeFace when the face is lost) on
// 360×288 frames of the test video. The two runtimes alternate call by call, so both see the
// same machine load. onnxruntime runs with one intra-op thread, as enrollment does.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { cropForMesh, OnnxFaceMesh } from '../pipeline/stages/face/onnx-face-mesh.ts';
import { readRgbFrames } from '../pipeline/stages/avatar/real-person/video-frames.ts';
import { fmt, percentile } from './lib/stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const W = 360;
const H = 288;
const FRAMES = 300;
const WARMUP = 10;

const line = (name: string, ms: number[]) => `${name.padEnd(28)} p50 ${fmt(percentile(ms, 50), 2)} ms / p95 ${fmt(percentile(ms, 95), 2)} ms`;

export async function benchFaceMesh(): Promise<void> {
  if (!existsSync(video)) throw new Error(`${video} missing: run bash server/setup/fetch-test-media.sh`);
  if (!OnnxFaceMesh.available()) throw new Error('models/face-mesh/facemesh.onnx missing: node --import tsx models/face-mesh/convert-facemesh.ts');
  const frames: Uint8Array[] = [];
  for await (const f of readRgbFrames(video, W, H, { duration: 20 })) {
    frames.push(new Uint8Array(f));
    if (frames.length === FRAMES) break;
  }
  const tfjs = await FaceLandmarker.load({ mesh: 'tfjs' });
  const onnxLm = await FaceLandmarker.load({ mesh: 'onnx' });
  const onnx = await OnnxFaceMesh.load();
  console.log(`${frames.length} frames ${W}×${H}; onnxruntime EP ${onnx.executionProviders.join(',')}, 1 thread; tfjs backend wasm`);

  // The mesh model alone, on crops tracked by the tfjs landmarker.
  const crops: Float32Array[] = [];
  for (const rgb of frames) {
    await tfjs.detect(rgb, W, H);
    const box = tfjs.trackedBox;
    if (box) crops.push(cropForMesh(rgb, W, H, box));
  }
  const model: Record<'tfjs' | 'onnx', number[]> = { tfjs: [], onnx: [] };
  const runs: Record<'tfjs' | 'onnx', (c: Float32Array) => Promise<unknown>> = { tfjs: (c) => tfjs.runMeshModel(c), onnx: (c) => onnx.run(c) };
  for (const [i, crop] of crops.entries()) {
    for (const name of i % 2 ? (['onnx', 'tfjs'] as const) : (['tfjs', 'onnx'] as const)) {
      const t0 = performance.now();
      await runs[name](crop);
      if (i >= WARMUP) model[name].push(performance.now() - t0);
    }
  }
  console.log(line('mesh model, tfjs-wasm', model.tfjs));
  console.log(line('mesh model, onnxruntime', model.onnx));
  console.log(`  → onnxruntime ${fmt(percentile(model.tfjs, 50) / percentile(model.onnx, 50), 2)}× faster (p50)`);

  // FaceLandmarker.detect end to end, each tracking on its own.
  const detect: Record<'tfjs' | 'onnx', number[]> = { tfjs: [], onnx: [] };
  const lms = { tfjs, onnx: onnxLm };
  tfjs.reset();
  let found = 0;
  for (const [i, rgb] of frames.entries()) {
    for (const name of i % 2 ? (['onnx', 'tfjs'] as const) : (['tfjs', 'onnx'] as const)) {
      const t0 = performance.now();
      const r = await lms[name].detect(rgb, W, H);
      if (i >= WARMUP) detect[name].push(performance.now() - t0);
      if (r && name === 'onnx') found++;
    }
  }
  console.log(line('detect(), tfjs-wasm mesh', detect.tfjs));
  console.log(line('detect(), onnxruntime mesh', detect.onnx));
  console.log(`  → ${fmt(percentile(detect.tfjs, 50) / percentile(detect.onnx, 50), 2)}× faster end to end (p50); face found in ${found}/${frames.length} frames`);
  tfjs.dispose();
  onnxLm.dispose();
  await onnx.dispose();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchFaceMesh();
  process.exit(0);
}
