import { apply, invert, type Similarity } from './geometry.ts';
import type { MouthRegion } from './mouth-region.ts';
import type { Affine } from './lip-shape.ts';
import type { LipWarp } from './lip-warp.ts';

function bilinear(src: Uint8Array, w: number, u: number, v: number, c: number): number {
  const x = Math.floor(u), y = Math.floor(v);
  const fx = u - x, fy = v - y;
  const i = (y * w + x) * 3 + c;
  const a = src[i], b = src[i + 3], d = src[i + 3 * w], e = src[i + 3 * w + 3];
  return (a * (1 - fx) + b * fx) * (1 - fy) + (d * (1 - fx) + e * fx) * fy;
}

/**
 * Samples a frame (RGB24) into the canonical mouth box: crop pixel (u, v) takes the frame pixel
 * at canonToFrame(x0 + u, y0 + v). Used to store atlas mouths in one shared pose.
 */
export function cropMouth(rgb: Uint8Array, width: number, height: number, frameToCanon: Similarity, region: MouthRegion, out = new Uint8Array(region.w * region.h * 3)): Uint8Array {
  const back = invert(frameToCanon);
  for (let v = 0; v < region.h; v++) {
    for (let u = 0; u < region.w; u++) {
      const [x, y] = apply(back, region.x0 + u / region.scale, region.y0 + v / region.scale);
      const xc = Math.min(width - 1.001, Math.max(0, x)), yc = Math.min(height - 1.001, Math.max(0, y));
      const o = (v * region.w + u) * 3;
      for (let c = 0; c < 3; c++) out[o + c] = bilinear(rgb, width, xc, yc, c) + 0.5;
    }
  }
  return out;
}

/** Per-channel gains, bottom/top and left/right halves separately, so shading gradients match too. */
type Gains = Float32Array; // [quadrant 0..3][channel 0..2]

/**
 * Colour match: compares the crop with the base frame on the mask's soft ring (skin around the
 * mouth, where both should agree) and returns gains per quadrant, which the blend interpolates.
 * Dark pixels (mouth interior, nostrils) and non-opaque base pixels are left out.
 */
function ringGains(dst: Uint8ClampedArray, dw: number, dh: number, crop: Uint8Array, region: MouthRegion, canonToBase: Similarity, warp: Affine): Gains {
  const sums = new Float64Array(4 * 6);
  for (let v = 0; v < region.h; v += 1) {
    for (let u = 0; u < region.w; u += 1) {
      const m = region.mask[v * region.w + u];
      if (m < 0.05 || m > 0.8) continue;
      const cx = region.x0 + u / region.scale, cy = region.y0 + v / region.scale;
      const [x, y] = apply(canonToBase, cx, cy);
      const xi = Math.round(x), yi = Math.round(y);
      if (xi < 0 || yi < 0 || xi >= dw || yi >= dh) continue;
      const d = (yi * dw + xi) * 4;
      if (dst[d + 3] < 250) continue;
      const su = Math.round((warp[0] * cx + warp[1] * cy + warp[2] - region.x0) * region.scale), sv = Math.round((warp[3] * cx + warp[4] * cy + warp[5] - region.y0) * region.scale);
      if (su < 0 || sv < 0 || su >= region.w || sv >= region.h) continue;
      const o = (sv * region.w + su) * 3;
      const lumC = crop[o] + crop[o + 1] + crop[o + 2];
      const lumB = dst[d] + dst[d + 1] + dst[d + 2];
      if (lumC < 150 || lumB < 150) continue;
      const q = (u < region.w / 2 ? 0 : 1) + (v < region.h / 2 ? 0 : 2);
      for (let c = 0; c < 3; c++) {
        sums[q * 6 + c] += dst[d + c];
        sums[q * 6 + 3 + c] += crop[o + c];
      }
    }
  }
  const gains = new Float32Array(12);
  for (let q = 0; q < 4; q++) {
    for (let c = 0; c < 3; c++) {
      const b = sums[q * 6 + c], k = sums[q * 6 + 3 + c];
      gains[q * 3 + c] = k > 0 ? Math.min(1.4, Math.max(0.7, b / k)) : 1;
    }
  }
  return gains;
}

export interface BlendOptions {
  colourMatch?: boolean;
  /** Canonical target point → canonical point of the crop (the lip-landmark fit); identity if absent. */
  warp?: Affine;
}

const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/**
 * Blends a canonical mouth crop into a base frame (RGBA, in place): every base pixel inside the
 * mapped mouth box takes the crop's bilinear sample, colour-matched, weighted by the feathered mask.
 */
export function blendMouth(dst: Uint8ClampedArray, dw: number, dh: number, baseToCanon: Similarity, region: MouthRegion, crop: Uint8Array, opts: BlendOptions = {}): void {
  const canonToBase = invert(baseToCanon);
  const warp = opts.warp ?? IDENTITY;
  const gains = opts.colourMatch === false ? new Float32Array(12).fill(1) : ringGains(dst, dw, dh, crop, region, canonToBase, warp);
  const [wa, wb, wc, wd, we, wf] = warp;
  // Bounding box of the region in base pixels.
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [u, v] of [[0, 0], [region.w, 0], [0, region.h], [region.w, region.h]]) {
    const [x, y] = apply(canonToBase, region.x0 + u / region.scale, region.y0 + v / region.scale);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x);
    minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const x0 = Math.max(0, Math.floor(minX)), x1 = Math.min(dw - 1, Math.ceil(maxX));
  const y0 = Math.max(0, Math.floor(minY)), y1 = Math.min(dh - 1, Math.ceil(maxY));
  const { a, b, tx, ty } = baseToCanon;
  const rw = region.w, rh = region.h, k = region.scale;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cx = a * x - b * y + tx, cy = b * x + a * y + ty;
      const mu = (cx - region.x0) * k, mv = (cy - region.y0) * k;
      if (mu < 0 || mv < 0 || mu >= rw - 1 || mv >= rh - 1) continue;
      const m = region.mask[(mv | 0) * rw + (mu | 0)];
      if (m <= 0.002) continue;
      // The mask stays put (a fixed seam); the crop's content moves with the lip fit.
      const u = Math.min(rw - 1.001, Math.max(0, (wa * cx + wb * cy + wc - region.x0) * k));
      const v = Math.min(rh - 1.001, Math.max(0, (wd * cx + we * cy + wf - region.y0) * k));
      // Gains interpolated between the four quadrants.
      const gx = Math.min(1, Math.max(0, u / rw * 2 - 0.5)), gy = Math.min(1, Math.max(0, v / rh * 2 - 0.5));
      const d = (y * dw + x) * 4;
      for (let c = 0; c < 3; c++) {
        const g = (gains[c] * (1 - gx) + gains[3 + c] * gx) * (1 - gy) + (gains[6 + c] * (1 - gx) + gains[9 + c] * gx) * gy;
        const s = bilinear(crop, rw, u, v, c) * g;
        dst[d + c] = dst[d + c] * (1 - m) + s * m;
      }
    }
  }
}

/**
 * Several warped atlas mouths averaged into one crop (target space, identity warp), weighted:
 * softens what no single mouth matches, at the price of some ghosting — so few, close ones.
 */
export function mixCrops(region: MouthRegion, crops: Uint8Array[], warps: Affine[], weights: number[], out: Uint8Array = new Uint8Array(region.w * region.h * 3)): Uint8Array {
  const k = region.scale;
  const acc = new Float32Array(out.length);
  crops.forEach((crop, i) => {
    const [wa, wb, wc, wd, we, wf] = warps[i];
    const wt = weights[i];
    for (let v = 0; v < region.h; v++) {
      const cy = region.y0 + v / k;
      for (let u = 0; u < region.w; u++) {
        const cx = region.x0 + u / k;
        const su = Math.min(region.w - 1.001, Math.max(0, (wa * cx + wb * cy + wc - region.x0) * k));
        const sv = Math.min(region.h - 1.001, Math.max(0, (wd * cx + we * cy + wf - region.y0) * k));
        const o = (v * region.w + u) * 3;
        for (let c = 0; c < 3; c++) acc[o + c] += wt * bilinear(crop, region.w, su, sv, c);
      }
    }
  });
  for (let i = 0; i < out.length; i++) out[i] = acc[i] + 0.5;
  return out;
}

/** Like mixCrops, with thin-plate-spline warps (target crop pixel → source crop pixel). */
export function mixWarpedCrops(region: MouthRegion, crops: Uint8Array[], warps: LipWarp[], weights: number[], out: Uint8Array = new Uint8Array(region.w * region.h * 3)): Uint8Array {
  const { w, h } = region;
  const acc = new Float32Array(out.length);
  const p: [number, number] = [0, 0];
  const maxU = w - 1.001, maxV = h - 1.001;
  for (let i = 0; i < crops.length; i++) {
    const crop = crops[i], wt = weights[i], warp = warps[i];
    for (let v = 0; v < h; v++) {
      for (let u = 0; u < w; u++) {
        warp.map(u, v, p);
        const su = p[0] < 0 ? 0 : p[0] > maxU ? maxU : p[0];
        const sv = p[1] < 0 ? 0 : p[1] > maxV ? maxV : p[1];
        const x = su | 0, y = sv | 0;
        const fx = su - x, fy = sv - y;
        const w00 = (1 - fx) * (1 - fy) * wt, w10 = fx * (1 - fy) * wt, w01 = (1 - fx) * fy * wt, w11 = fx * fy * wt;
        const s = (y * w + x) * 3, t = s + 3 * w;
        const o = (v * w + u) * 3;
        acc[o] += crop[s] * w00 + crop[s + 3] * w10 + crop[t] * w01 + crop[t + 3] * w11;
        acc[o + 1] += crop[s + 1] * w00 + crop[s + 4] * w10 + crop[t + 1] * w01 + crop[t + 4] * w11;
        acc[o + 2] += crop[s + 2] * w00 + crop[s + 5] * w10 + crop[t + 2] * w01 + crop[t + 5] * w11;
      }
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = acc[i] + 0.5;
  return out;
}
