import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { openModelSession, visionExecutionProviders } from '../../../core/onnx-session.ts';

/** MediaPipe Selfie Segmentation converted to ONNX by models/selfie-segmentation/convert-selfie.ts. */
export const SELFIE_ONNX = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../models/selfie-segmentation/selfie.onnx');
export const SELFIE_INPUT = 256;

/** How a frame is fitted into the square model input. */
export type SegmentFit = 'letterbox' | 'stretch';

/**
 * Person segmentation on onnxruntime-node (CPU, one intra-op thread; CUDA with ONAIR_FACE_EP=cuda
 * like the face models). `maskOf` gives a per-pixel person probability at the frame's size.
 */
export class PersonSegmenter {
  readonly #session: ort.InferenceSession;
  readonly executionProviders: string[];
  readonly #input = new Float32Array(SELFIE_INPUT * SELFIE_INPUT * 3);

  private constructor(session: ort.InferenceSession, executionProviders: string[]) {
    this.#session = session;
    this.executionProviders = executionProviders;
  }

  static available(file = SELFIE_ONNX): boolean {
    return existsSync(file);
  }

  static async load(file = SELFIE_ONNX, executionProviders = visionExecutionProviders()): Promise<PersonSegmenter> {
    const { session, used } = await openModelSession(file, 'segmenter', executionProviders);
    if (session.inputNames[0] !== 'input' || session.outputNames[0] !== 'mask') throw new Error(`${file} is not a selfie segmentation model (inputs ${session.inputNames}, outputs ${session.outputNames})`);
    return new PersonSegmenter(session, used);
  }

  /**
   * Person probability 0..1 for each pixel of an RGB24 frame. The frame is fitted into the
   * 256×256 input (stretched by default, as MediaPipe's own graph does, keep_aspect_ratio false; or letterboxed), RGB in 0..1, and the mask is
   * sampled back bilinearly at the frame's pixel centres.
   */
  async maskOf(rgb: Uint8Array, width: number, height: number, fit: SegmentFit = 'stretch'): Promise<Float32Array> {
    const S = SELFIE_INPUT;
    // Frame → input: input pixel (u, v) covers frame area [ox + u·sx, …); ox/oy are negative with bars.
    const sx = fit === 'letterbox' ? Math.max(width, height) / S : width / S;
    const sy = fit === 'letterbox' ? Math.max(width, height) / S : height / S;
    const ox = fit === 'letterbox' ? (width - S * sx) / 2 : 0;
    const oy = fit === 'letterbox' ? (height - S * sy) / 2 : 0;
    const input = this.#input;
    input.fill(0);
    for (let v = 0; v < S; v++) {
      const fy = oy + (v + 0.5) * sy - 0.5;
      if (fy < -0.5 || fy > height - 0.5) continue;
      const y0 = Math.max(0, Math.min(height - 1, Math.floor(fy)));
      const y1 = Math.min(height - 1, y0 + 1);
      const wy = Math.max(0, Math.min(1, fy - y0));
      for (let u = 0; u < S; u++) {
        const fx = ox + (u + 0.5) * sx - 0.5;
        if (fx < -0.5 || fx > width - 0.5) continue;
        const x0 = Math.max(0, Math.min(width - 1, Math.floor(fx)));
        const x1 = Math.min(width - 1, x0 + 1);
        const wx = Math.max(0, Math.min(1, fx - x0));
        const a = 3 * (y0 * width + x0), b = 3 * (y0 * width + x1), c = 3 * (y1 * width + x0), d = 3 * (y1 * width + x1);
        const o = 3 * (v * S + u);
        for (let k = 0; k < 3; k++) {
          const top = rgb[a + k]! + (rgb[b + k]! - rgb[a + k]!) * wx;
          const bottom = rgb[c + k]! + (rgb[d + k]! - rgb[c + k]!) * wx;
          input[o + k] = (top + (bottom - top) * wy) / 255;
        }
      }
    }
    const out = await this.#session.run({ input: new ort.Tensor('float32', input, [1, S, S, 3]) }, ['mask']);
    const m = out.mask!.data as Float32Array;
    const mask = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      const fv = Math.max(0, Math.min(S - 1, (y + 0.5 - oy) / sy - 0.5));
      const v0 = Math.floor(fv), v1 = Math.min(S - 1, v0 + 1), wv = fv - v0;
      for (let x = 0; x < width; x++) {
        const fu = Math.max(0, Math.min(S - 1, (x + 0.5 - ox) / sx - 0.5));
        const u0 = Math.floor(fu), u1 = Math.min(S - 1, u0 + 1), wu = fu - u0;
        const top = m[v0 * S + u0]! + (m[v0 * S + u1]! - m[v0 * S + u0]!) * wu;
        const bottom = m[v1 * S + u0]! + (m[v1 * S + u1]! - m[v1 * S + u0]!) * wu;
        mask[y * width + x] = top + (bottom - top) * wv;
      }
    }
    return mask;
  }

  async dispose(): Promise<void> {
    await this.#session.release();
  }
}
