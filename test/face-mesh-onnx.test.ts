// FaceMesh converted to ONNX (models/face-mesh/facemesh.onnx) against the tfjs-wasm graph model it
// came from: our crop equals tf.image.cropAndResize, the two models give the same mesh and score
// on face crops of the test video (and the same low score off the face), and FaceLandmarker tracks
// the same landmarks with either runtime.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { FaceLandmarker, type FaceLandmarks } from '../pipeline/stages/face/face-landmarker.ts';
import { cropForMesh, FACE_MESH_ONNX, MESH_INPUT, OnnxFaceMesh, type CropBox } from '../pipeline/stages/face/onnx-face-mesh.ts';
import { readRgbFrames } from '../pipeline/stages/avatar/real-person/video-frames.ts';
import { compareMeshModels, VALIDATE_HEIGHT as H, VALIDATE_WIDTH as W } from '../models/face-mesh/validate.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const FRAMES = 100;

let tfjsLm: FaceLandmarker;
let onnxLm: FaceLandmarker;
let onnx: OnnxFaceMesh;
const frames: Uint8Array[] = [];

test.before(async () => {
  assert.ok(existsSync(video), `${video} missing (bash server/setup/fetch-test-media.sh)`);
  assert.ok(OnnxFaceMesh.available(), `${FACE_MESH_ONNX} missing (node --import tsx models/face-mesh/convert-facemesh.ts)`);
  tfjsLm = await FaceLandmarker.load({ mesh: 'tfjs' });
  onnxLm = await FaceLandmarker.load({ mesh: 'onnx' });
  onnx = await OnnxFaceMesh.load(undefined, ['cpu']);
  for await (const f of readRgbFrames(video, W, H, { duration: 6 })) {
    frames.push(new Uint8Array(f));
    if (frames.length === FRAMES) break;
  }
  // human's tfjs-core is this one (one engine per process): the reference crop runs on its wasm backend, as enrollment's did.
  assert.is(tf.getBackend(), 'wasm');
});
test.after(async () => {
  tfjsLm?.dispose();
  onnxLm?.dispose();
  await onnx?.dispose();
});

test('the ONNX path is the default, and the ONNX model has the expected interface', async () => {
  const lm = await FaceLandmarker.load();
  assert.is(lm.meshRuntime, process.env.ONAIR_FACE_MESH === 'tfjs' ? 'tfjs' : 'onnx');
  lm.dispose();
  assert.equal(onnx.executionProviders, ['cpu']);
  const out = await onnx.run(new Float32Array(MESH_INPUT * MESH_INPUT * 3));
  assert.is(out.mesh.length, 1404);
  assert.ok(out.score >= 0 && out.score < 0.01, `score of a black crop ${out.score}`);
});

test('cropForMesh equals tf.image.cropAndResize (inside, straddling and outside the frame)', () => {
  const boxes: CropBox[] = [
    { x: 100, y: 40, side: 150 },
    { x: -40.5, y: -20.25, side: 200.7 },
    { x: 250, y: 200, side: 180 },
    { x: 10.3, y: 7.9, side: 60.2 },
  ];
  let max = 0;
  for (const [i, box] of boxes.entries()) {
    const rgb = frames[i * 20]!;
    const ours = cropForMesh(rgb, W, H, box);
    const ref = tf.tidy(() => {
      const image = tf.tensor4d(rgb, [1, H, W, 3], 'int32');
      const b = tf.tensor2d([[box.y / H, box.x / W, (box.y + box.side) / H, (box.x + box.side) / W]]);
      return tf.div(tf.image.cropAndResize(tf.cast(image, 'float32'), b, [0], [MESH_INPUT, MESH_INPUT]), 255);
    });
    const refData = ref.dataSync() as Float32Array;
    ref.dispose();
    for (let k = 0; k < ours.length; k++) max = Math.max(max, Math.abs(ours[k]! - refData[k]!));
  }
  console.log(`  crop: max difference from tf.image.cropAndResize ${max.toExponential(2)} (0..1 scale)`);
  // tfjs-wasm interpolates in float32, cropForMesh in double: ~1e-5 of a grey level apart at most.
  assert.ok(max < 2e-5, `crop differs by ${max}`);
});

test(`mesh model: ONNX equals tfjs on ${FRAMES} tracked face crops`, async () => {
  const r = await compareMeshModels(video, FRAMES, { tfjs: tfjsLm, onnx });
  console.log(`  mesh on ${r.crops} crops: x/y max ${r.maxPx.toExponential(2)} px, mean ${r.meanPx.toExponential(2)} px, z max ${r.maxZ.toExponential(2)} (192-px crop); score max diff ${r.maxScore.toExponential(2)}, lowest score ${r.minScore.toFixed(3)}`);
  assert.is(r.crops, FRAMES, 'a face in every frame');
  // Same weights, same graph: only float summation order differs (tfjs-wasm XNNPACK vs MLAS).
  assert.ok(r.meanPx < 1e-3, `mean ${r.meanPx} px`);
  assert.ok(r.maxPx < 5e-3, `max ${r.maxPx} px`);
  assert.ok(r.maxZ < 5e-3, `z max ${r.maxZ}`);
  assert.ok(r.maxScore < 1e-4, `score differs by ${r.maxScore}`);
});

test('face score agrees off the face too (shifted, shrunk and empty crops: high, middling and low scores)', async () => {
  tfjsLm.reset();
  await tfjsLm.detect(frames[0]!, W, H);
  const face = tfjsLm.trackedBox!;
  const scores: [number, number][] = [];
  for (const [dx, dy, k] of [[0, 0, 1], [0.3, 0, 1], [0.5, 0.2, 1], [0.7, 0, 1], [0, 0.6, 1], [0.25, 0.25, 0.5], [0, 0, 2], [-1.2, 0, 1], [0.2, 0.4, 0.7]] as const) {
    const side = face.side * k;
    const box = { x: face.x + face.side / 2 - side / 2 + dx * face.side, y: face.y + face.side / 2 - side / 2 + dy * face.side, side };
    const crop = cropForMesh(frames[0]!, W, H, box);
    const a = await tfjsLm.runMeshModel(crop);
    const b = await onnx.run(crop);
    scores.push([a.score, b.score]);
  }
  const maxDiff = Math.max(...scores.map(([a, b]) => Math.abs(a - b)));
  console.log(`  scores tfjs/onnx: ${scores.map(([a, b]) => `${a.toFixed(4)}/${b.toFixed(4)}`).join(', ')}; max diff ${maxDiff.toExponential(2)}`);
  for (const [a, b] of scores) assert.ok(Math.abs(a - b) < 1e-4, `score ${a} vs ${b}`);
  assert.ok(scores.some(([a]) => a > 0.9) && scores.some(([a]) => a < 0.1), 'both faces and non-faces among the crops');
});

test(`FaceLandmarker tracks the same landmarks with ONNX and tfjs over ${FRAMES} frames`, async () => {
  tfjsLm.reset();
  onnxLm.reset();
  let max = 0, sum = 0, n = 0, maxScore = 0;
  for (const rgb of frames) {
    const a = (await tfjsLm.detect(rgb, W, H)) as FaceLandmarks;
    const b = (await onnxLm.detect(rgb, W, H)) as FaceLandmarks;
    assert.ok(a && b, 'a face in every frame with both');
    for (let i = 0; i < a.points.length; i += 2) {
      const d = Math.hypot(a.points[i]! - b.points[i]!, a.points[i + 1]! - b.points[i + 1]!);
      max = Math.max(max, d);
      sum += d;
      n++;
    }
    maxScore = Math.max(maxScore, Math.abs(a.score - b.score));
  }
  console.log(`  tracked landmarks (${W}×${H} px): max ${max.toExponential(2)} px, mean ${(sum / n).toExponential(2)} px; score max diff ${maxScore.toExponential(2)}`);
  assert.ok(sum / n < 1e-3, `mean ${sum / n} px`);
  assert.ok(max < 5e-3, `max ${max} px`);
  assert.ok(maxScore < 1e-4, `score ${maxScore}`);
});

test.run();
