import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { openModelSession, visionExecutionProviders } from '../../core/onnx-session.ts';

/** FaceMesh converted to ONNX by models/face-mesh/convert-facemesh.ts. */
export const FACE_MESH_ONNX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/face-mesh/facemesh.onnx');
export const MESH_INPUT = 192;
export const MESH_POINTS = 468;

export interface MeshOutput {
  /** 468 × (x, y, z), x/y in 192-px crop pixels. */
  mesh: Float32Array;
  /** Face-presence confidence 0..1. */
  score: number;
}

/** Square crop of the source frame, in source pixels. */
export interface CropBox {
  x: number;
  y: number;
  side: number;
}

/**
 * FaceMesh on onnxruntime-node. One intra-op thread: enrollment runs niced in a child process
 * next to live streams and must not take every core.
 */
export class OnnxFaceMesh {
  readonly #session: ort.InferenceSession;
  readonly executionProviders: string[];

  private constructor(session: ort.InferenceSession, executionProviders: string[]) {
    this.#session = session;
    this.executionProviders = executionProviders;
  }

  static available(file = FACE_MESH_ONNX): boolean {
    return existsSync(file);
  }

  static async load(file = FACE_MESH_ONNX, executionProviders = visionExecutionProviders()): Promise<OnnxFaceMesh> {
    const { session, used } = await openModelSession(file, 'face mesh', executionProviders);
    if (session.inputNames[0] !== 'input' || !session.outputNames.includes('mesh') || !session.outputNames.includes('faceflag')) throw new Error(`${file} is not a FaceMesh model (inputs ${session.inputNames}, outputs ${session.outputNames})`);
    return new OnnxFaceMesh(session, used);
  }

  /** Runs one crop: NHWC 192×192×3 RGB in 0..1. */
  async run(crop: Float32Array): Promise<MeshOutput> {
    if (crop.length !== MESH_INPUT * MESH_INPUT * 3) throw new Error(`crop of ${crop.length} values, expected ${MESH_INPUT}×${MESH_INPUT}×3`);
    const out = await this.#session.run({ input: new ort.Tensor('float32', crop, [1, MESH_INPUT, MESH_INPUT, 3]) }, ['mesh', 'faceflag']);
    return { mesh: out.mesh!.data as Float32Array, score: (out.faceflag!.data as Float32Array)[0]! };
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}

/**
 * The FaceMesh input for `box`: a 192×192 bilinear resample of the RGB24 frame, in 0..1, NHWC.
 * Same sampling as tf.image.cropAndResize with the box normalised by the frame size (corner
 * pixels at box·(size−1)/size, points outside the frame are 0), so tfjs and this agree.
 */
export function cropForMesh(rgb: Uint8Array, width: number, height: number, box: CropBox, out = new Float32Array(MESH_INPUT * MESH_INPUT * 3)): Float32Array {
  const n = MESH_INPUT;
  // tfjs holds the normalised box in float32.
  const y1 = Math.fround(box.y / height), x1 = Math.fround(box.x / width);
  const y2 = Math.fround((box.y + box.side) / height), x2 = Math.fround((box.x + box.side) / width);
  const hScale = ((y2 - y1) * (height - 1)) / (n - 1);
  const wScale = ((x2 - x1) * (width - 1)) / (n - 1);
  const xl = new Int32Array(n), xr = new Int32Array(n), xf = new Float64Array(n), xin = new Uint8Array(n);
  for (let x = 0; x < n; x++) {
    const xi = x1 * (width - 1) + x * wScale;
    if (xi < 0 || xi > width - 1) continue;
    xin[x] = 1;
    xl[x] = Math.floor(xi);
    xr[x] = Math.ceil(xi);
    xf[x] = xi - xl[x]!;
  }
  const row = width * 3;
  for (let y = 0; y < n; y++) {
    const yi = y1 * (height - 1) + y * hScale;
    const o = y * n * 3;
    if (yi < 0 || yi > height - 1) {
      out.fill(0, o, o + n * 3);
      continue;
    }
    const top = Math.floor(yi) * row, bottom = Math.ceil(yi) * row, yl = yi - Math.floor(yi);
    for (let x = 0; x < n; x++) {
      const p = o + x * 3;
      if (!xin[x]) {
        out[p] = out[p + 1] = out[p + 2] = 0;
        continue;
      }
      const l = xl[x]! * 3, r = xr[x]! * 3, f = xf[x]!;
      for (let c = 0; c < 3; c++) {
        const tl = rgb[top + l + c]!, tr = rgb[top + r + c]!, bl = rgb[bottom + l + c]!, br = rgb[bottom + r + c]!;
        const t = tl + (tr - tl) * f;
        const b = bl + (br - bl) * f;
        out[p + c] = (t + (b - t) * yl) / 255;
      }
    }
  }
  return out;
}
