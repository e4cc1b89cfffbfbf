import { MESH, STABLE_POINTS } from '../../face/mesh-indices.ts';

/** 2D similarity transform: p' = [a −b; b a]·p + t. */
export interface Similarity {
  a: number;
  b: number;
  tx: number;
  ty: number;
}

export function apply(t: Similarity, x: number, y: number): [number, number] {
  return [t.a * x - t.b * y + t.tx, t.b * x + t.a * y + t.ty];
}

export function invert(t: Similarity): Similarity {
  const d = t.a * t.a + t.b * t.b;
  const a = t.a / d;
  const b = -t.b / d;
  return { a, b, tx: -(a * t.tx - b * t.ty), ty: -(b * t.tx + a * t.ty) };
}

export function compose(outer: Similarity, inner: Similarity): Similarity {
  const [tx, ty] = apply(outer, inner.tx, inner.ty);
  return { a: outer.a * inner.a - outer.b * inner.b, b: outer.b * inner.a + outer.a * inner.b, tx, ty };
}

export function scaleOf(t: Similarity): number {
  return Math.hypot(t.a, t.b);
}

/** Least-squares similarity taking `src` points to `dst` points (both x,y interleaved), over `indices`. */
export function fitSimilarity(src: Float32Array, dst: Float32Array, indices: readonly number[] = STABLE_POINTS): Similarity {
  let msx = 0, msy = 0, mdx = 0, mdy = 0;
  for (const i of indices) {
    msx += src[2 * i]; msy += src[2 * i + 1];
    mdx += dst[2 * i]; mdy += dst[2 * i + 1];
  }
  const n = indices.length;
  msx /= n; msy /= n; mdx /= n; mdy /= n;
  let sxx = 0, dot = 0, cross = 0;
  for (const i of indices) {
    const sx = src[2 * i] - msx, sy = src[2 * i + 1] - msy;
    const dx = dst[2 * i] - mdx, dy = dst[2 * i + 1] - mdy;
    sxx += sx * sx + sy * sy;
    dot += sx * dx + sy * dy;
    cross += sx * dy - sy * dx;
  }
  const a = dot / sxx;
  const b = cross / sxx;
  return { a, b, tx: mdx - (a * msx - b * msy), ty: mdy - (b * msx + a * msy) };
}

/** Mean distance (px in dst space) between transformed src points and dst points. */
export function residual(t: Similarity, src: Float32Array, dst: Float32Array, indices: readonly number[] = STABLE_POINTS): number {
  let sum = 0;
  for (const i of indices) {
    const [x, y] = apply(t, src[2 * i], src[2 * i + 1]);
    sum += Math.hypot(x - dst[2 * i], y - dst[2 * i + 1]);
  }
  return sum / indices.length;
}

export function transformPoints(t: Similarity, pts: Float32Array): Float32Array {
  const out = new Float32Array(pts.length);
  for (let i = 0; i < pts.length; i += 2) {
    const [x, y] = apply(t, pts[i], pts[i + 1]);
    out[i] = x;
    out[i + 1] = y;
  }
  return out;
}

function dist(p: Float32Array, i: number, j: number): number {
  return Math.hypot(p[2 * i] - p[2 * j], p[2 * i + 1] - p[2 * j + 1]);
}

/** Face scale: the outer eye corners' distance. */
export function eyeDistance(p: Float32Array): number {
  return dist(p, MESH.eyeOuterLeft, MESH.eyeOuterRight);
}

/** Mouth geometry relative to the face's scale: inner-lip gap and corner-to-corner width. */
export interface MouthMeasure {
  open: number;
  width: number;
}

export function measureMouth(p: Float32Array): MouthMeasure {
  const s = eyeDistance(p);
  return { open: dist(p, MESH.innerUpper, MESH.innerLower) / s, width: dist(p, MESH.mouthLeft, MESH.mouthRight) / s };
}

/**
 * Head yaw and roll proxies from the landmarks: where the nose tip sits between the eye corners
 * (0 = frontal) and the eye line's angle (radians). Turned heads make poor atlas mouths.
 */
export function headPose(p: Float32Array): { yaw: number; roll: number } {
  const lx = p[2 * MESH.eyeOuterLeft], ly = p[2 * MESH.eyeOuterLeft + 1];
  const rx = p[2 * MESH.eyeOuterRight], ry = p[2 * MESH.eyeOuterRight + 1];
  const ex = rx - lx, ey = ry - ly;
  const len2 = ex * ex + ey * ey;
  const t = ((p[2 * MESH.noseTip] - lx) * ex + (p[2 * MESH.noseTip + 1] - ly) * ey) / len2;
  return { yaw: t - 0.5, roll: Math.atan2(ey, ex) };
}

export function mouthCenter(p: Float32Array): [number, number] {
  const ids = [MESH.mouthLeft, MESH.mouthRight, MESH.innerUpper, MESH.innerLower];
  let x = 0, y = 0;
  for (const i of ids) {
    x += p[2 * i];
    y += p[2 * i + 1];
  }
  return [x / ids.length, y / ids.length];
}
