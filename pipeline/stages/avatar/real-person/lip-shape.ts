import { LIPS } from '../../face/mesh-indices.ts';
import { apply, type Similarity } from './geometry.ts';

/** The 40 lip points (outer + inner contour) in canonical pixels, x/y interleaved. */
export type LipShape = Float32Array;

export function lipShape(points: Float32Array, toCanon: Similarity): LipShape {
  const out = new Float32Array(LIPS.length * 2);
  LIPS.forEach((k, i) => {
    const [x, y] = apply(toCanon, points[2 * k], points[2 * k + 1]);
    out[2 * i] = x;
    out[2 * i + 1] = y;
  });
  return out;
}

export function lipDistance(a: LipShape, b: LipShape): number {
  let d = 0;
  for (let i = 0; i < a.length; i += 2) d += Math.hypot(a[i] - b[i], a[i + 1] - b[i + 1]);
  return d / (a.length / 2);
}

/**
 * The person's lips as a linear function of mouth opening and width, fitted over all enrolled
 * frames: lips ≈ mean + (open − open̄)·dOpen + (width − width̄)·dWidth. It turns a viseme target
 * (opening, width) into a full lip outline in this person's own style.
 */
export interface LipModel {
  openMean: number;
  widthMean: number;
  mean: number[];
  dOpen: number[];
  dWidth: number[];
}

export function fitLipModel(samples: { open: number; width: number; lips: LipShape }[]): LipModel {
  const n = samples.length;
  const dims = samples[0].lips.length;
  const openMean = samples.reduce((s, x) => s + x.open, 0) / n;
  const widthMean = samples.reduce((s, x) => s + x.width, 0) / n;
  const mean = new Array<number>(dims).fill(0);
  for (const s of samples) for (let d = 0; d < dims; d++) mean[d] += s.lips[d] / n;
  // 2×2 normal equations, shared by every coordinate.
  let soo = 0, sow = 0, sww = 0;
  for (const s of samples) {
    const o = s.open - openMean, w = s.width - widthMean;
    soo += o * o; sow += o * w; sww += w * w;
  }
  // A little ridge keeps the fit defined when opening and width move together in the footage.
  const ridge = 1e-6 * n;
  soo += ridge;
  sww += ridge;
  const det = soo * sww - sow * sow || 1e-12;
  const dOpen = new Array<number>(dims).fill(0);
  const dWidth = new Array<number>(dims).fill(0);
  for (let d = 0; d < dims; d++) {
    let so = 0, sw = 0;
    for (const s of samples) {
      const y = s.lips[d] - mean[d];
      so += (s.open - openMean) * y;
      sw += (s.width - widthMean) * y;
    }
    dOpen[d] = (sww * so - sow * sw) / det;
    dWidth[d] = (soo * sw - sow * so) / det;
  }
  return { openMean, widthMean, mean, dOpen, dWidth };
}

export function predictLips(model: LipModel, open: number, width: number, out: LipShape = new Float32Array(model.mean.length)): LipShape {
  const o = open - model.openMean, w = width - model.widthMean;
  for (let d = 0; d < out.length; d++) out[d] = model.mean[d] + o * model.dOpen[d] + w * model.dWidth[d];
  return out;
}

/** Affine map (6 params: x' = a·x + b·y + c, y' = d·x + e·y + f) fitted from `from` to `to` lips. */
export type Affine = [number, number, number, number, number, number];

export function fitAffine(from: LipShape, to: LipShape): Affine {
  // Least squares per output coordinate over [x y 1].
  let sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0, n = 0;
  let tx = [0, 0, 0], ty = [0, 0, 0];
  for (let i = 0; i < from.length; i += 2) {
    const x = from[i], y = from[i + 1], u = to[i], v = to[i + 1];
    sxx += x * x; sxy += x * y; syy += y * y; sx += x; sy += y; n++;
    tx = [tx[0] + x * u, tx[1] + y * u, tx[2] + u];
    ty = [ty[0] + x * v, ty[1] + y * v, ty[2] + v];
  }
  const m = [sxx, sxy, sx, sxy, syy, sy, sx, sy, n];
  const solve = (r: number[]) => solve3(m, r);
  const [a, b, c] = solve(tx);
  const [d, e, f] = solve(ty);
  return [a, b, c, d, e, f];
}

function solve3(m: number[], r: number[]): number[] {
  const det = (k: number[]) => k[0] * (k[4] * k[8] - k[5] * k[7]) - k[1] * (k[3] * k[8] - k[5] * k[6]) + k[2] * (k[3] * k[7] - k[4] * k[6]);
  const D = det(m) || 1e-12;
  const col = (i: number) => m.map((v, j) => (j % 3 === i ? r[(j / 3) | 0] : v));
  return [det(col(0)) / D, det(col(1)) / D, det(col(2)) / D];
}

export function invertAffine([a, b, c, d, e, f]: Affine): Affine {
  const det = a * e - b * d || 1e-12;
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}
