// tfjs-wasm FaceMesh and the ONNX conversion on the same face crops of a video (used by
// convert-facemesh.ts for the manifest's figures and by test/face-mesh-onnx.test.ts).
import { FaceLandmarker } from '../../pipeline/stages/face/face-landmarker.ts';
import { cropForMesh, MESH_POINTS, OnnxFaceMesh } from '../../pipeline/stages/face/onnx-face-mesh.ts';
import { readRgbFrames } from '../../pipeline/stages/avatar/real-person/video-frames.ts';

export const VALIDATE_WIDTH = 360;
export const VALIDATE_HEIGHT = 288;

export interface MeshComparison {
  crops: number;
  /** Largest x/y point difference, 192-px crop pixels. */
  maxPx: number;
  /** Mean x/y point distance, crop pixels. */
  meanPx: number;
  /** Largest z difference (same units as x/y). */
  maxZ: number;
  maxScore: number;
  minScore: number;
}

/**
 * The first `frames` frames of `video` at 360×288: a tfjs FaceLandmarker tracks the face, and each
 * frame's crop around its mesh goes through both models.
 */
export async function compareMeshModels(video: string, frames: number, models?: { tfjs: FaceLandmarker; onnx: OnnxFaceMesh }): Promise<MeshComparison> {
  const tfjs = models?.tfjs ?? (await FaceLandmarker.load({ mesh: 'tfjs' }));
  const onnx = models?.onnx ?? (await OnnxFaceMesh.load(undefined, ['cpu']));
  const r: MeshComparison = { crops: 0, maxPx: 0, meanPx: 0, maxZ: 0, maxScore: 0, minScore: 1 };
  let sum = 0;
  try {
    tfjs.reset();
    let n = 0;
    for await (const frame of readRgbFrames(video, VALIDATE_WIDTH, VALIDATE_HEIGHT)) {
      if (n++ >= frames) break;
      await tfjs.detect(frame, VALIDATE_WIDTH, VALIDATE_HEIGHT);
      const box = tfjs.trackedBox;
      if (!box) continue;
      const crop = cropForMesh(frame, VALIDATE_WIDTH, VALIDATE_HEIGHT, box);
      const a = await tfjs.runMeshModel(crop);
      const b = await onnx.run(crop);
      for (let i = 0; i < MESH_POINTS; i++) {
        const dx = Math.abs(a.mesh[3 * i]! - b.mesh[3 * i]!);
        const dy = Math.abs(a.mesh[3 * i + 1]! - b.mesh[3 * i + 1]!);
        r.maxPx = Math.max(r.maxPx, dx, dy);
        r.maxZ = Math.max(r.maxZ, Math.abs(a.mesh[3 * i + 2]! - b.mesh[3 * i + 2]!));
        sum += Math.hypot(dx, dy);
      }
      r.maxScore = Math.max(r.maxScore, Math.abs(a.score - b.score));
      r.minScore = Math.min(r.minScore, a.score);
      r.crops++;
    }
  } finally {
    if (!models) {
      tfjs.dispose();
      await onnx.dispose();
    }
  }
  r.meanPx = sum / (r.crops * MESH_POINTS);
  return r;
}
