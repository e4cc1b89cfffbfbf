import type { LipShape } from './lip-shape.ts';
import type { MouthRegion } from './mouth-region.ts';

/** Grid spacing (crop pixels) at which the thin-plate spline is evaluated; bilinear in between. */
const GRID = 6;
/** Smoothing: landmark jitter shouldn't fold the lips. */
const LAMBDA = 1e-3;

const U = (r2: number) => (r2 < 1e-12 ? 0 : r2 * Math.log(r2));

/**
 * Thin-plate-spline warps of the mouth box onto one target lip outline: target lip points map
 * exactly onto a chosen atlas mouth's lip points (so its teeth and lip edges land where the target
 * says), while anchors around the box border stay fixed (so the seam doesn't move). Everything
 * that depends only on the target — the system's inverse and the kernel at the grid nodes — is
 * computed once per frame; each atlas mouth then costs two small matrix products.
 */
export class LipWarpBasis {
  readonly region: MouthRegion;
  readonly gw: number;
  readonly gh: number;
  readonly #m: number;
  /** LU factors of the TPS system (m × m, m = control points + 3) and its row permutation. */
  readonly #lu: Float64Array;
  readonly #perm: Int32Array;
  /** Kernel row per grid node: [U(node, p_1..p_n), 1, x, y]. */
  readonly #kernel: Float64Array;
  /** Anchor coordinates (fixed points), appended after the lips. */
  readonly #anchors: number[];

  constructor(region: MouthRegion, target: LipShape) {
    this.region = region;
    const k = region.scale;
    const bw = region.w / k, bh = region.h / k;
    const px: number[] = [], py: number[] = [];
    for (let i = 0; i < target.length; i += 2) {
      px.push(target[i]);
      py.push(target[i + 1]);
    }
    this.#anchors = [];
    for (let i = 0; i < 4; i++) {
      for (const [ax, ay] of [[i / 4, 0], [1, i / 4], [1 - i / 4, 1], [0, 1 - i / 4]]) {
        const x = region.x0 + ax * bw, y = region.y0 + ay * bh;
        px.push(x);
        py.push(y);
        this.#anchors.push(x, y);
      }
    }
    const n = px.length;
    const m = n + 3;
    this.#m = m;
    const A = new Float64Array(m * m);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) A[i * m + j] = U((px[i] - px[j]) ** 2 + (py[i] - py[j]) ** 2);
      A[i * m + i] += LAMBDA * n;
      A[i * m + n] = A[n * m + i] = 1;
      A[i * m + n + 1] = A[(n + 1) * m + i] = px[i];
      A[i * m + n + 2] = A[(n + 2) * m + i] = py[i];
    }
    this.#perm = new Int32Array(m);
    this.#lu = luFactor(A, m, this.#perm);
    this.gw = Math.ceil(region.w / GRID) + 1;
    this.gh = Math.ceil(region.h / GRID) + 1;
    this.#kernel = new Float64Array(this.gw * this.gh * m);
    for (let gy = 0; gy < this.gh; gy++) {
      for (let gx = 0; gx < this.gw; gx++) {
        const cx = region.x0 + (gx * GRID) / k, cy = region.y0 + (gy * GRID) / k;
        const row = (gy * this.gw + gx) * m;
        for (let i = 0; i < n; i++) this.#kernel[row + i] = U((cx - px[i]) ** 2 + (cy - py[i]) ** 2);
        this.#kernel[row + n] = 1;
        this.#kernel[row + n + 1] = cx;
        this.#kernel[row + n + 2] = cy;
      }
    }
  }

  /** The warp taking this target outline onto `source` (an atlas mouth's lip points). */
  warpTo(source: LipShape): LipWarp {
    const m = this.#m, n = m - 3;
    const bx = new Float64Array(m), by = new Float64Array(m);
    const lips = source.length / 2;
    for (let i = 0; i < lips; i++) {
      bx[i] = source[2 * i];
      by[i] = source[2 * i + 1];
    }
    for (let i = lips; i < n; i++) {
      bx[i] = this.#anchors[2 * (i - lips)];
      by[i] = this.#anchors[2 * (i - lips) + 1];
    }
    const wx = luSolve(this.#lu, this.#perm, m, bx);
    const wy = luSolve(this.#lu, this.#perm, m, by);
    const nodes = this.gw * this.gh;
    const sxGrid = new Float32Array(nodes), syGrid = new Float32Array(nodes);
    const { x0, y0, scale } = this.region;
    for (let g = 0; g < nodes; g++) {
      let sx = 0, sy = 0;
      const row = g * m;
      for (let c = 0; c < m; c++) {
        sx += this.#kernel[row + c] * wx[c];
        sy += this.#kernel[row + c] * wy[c];
      }
      sxGrid[g] = (sx - x0) * scale;
      syGrid[g] = (sy - y0) * scale;
    }
    return new LipWarp(this.gw, this.gh, sxGrid, syGrid);
  }
}

/** A TPS warp sampled on a grid: target crop pixel → source crop pixel. */
export class LipWarp {
  readonly #gw: number;
  readonly #gh: number;
  readonly #sx: Float32Array;
  readonly #sy: Float32Array;

  constructor(gw: number, gh: number, sx: Float32Array, sy: Float32Array) {
    this.#gw = gw;
    this.#gh = gh;
    this.#sx = sx;
    this.#sy = sy;
  }

  /** Source crop coordinates for target crop pixel (u, v). */
  map(u: number, v: number, out: [number, number]): [number, number] {
    const fx = u / GRID, fy = v / GRID;
    const x = Math.min(this.#gw - 2, Math.floor(fx)), y = Math.min(this.#gh - 2, Math.floor(fy));
    const tx = fx - x, ty = fy - y;
    const i = y * this.#gw + x;
    const w00 = (1 - tx) * (1 - ty), w10 = tx * (1 - ty), w01 = (1 - tx) * ty, w11 = tx * ty;
    out[0] = this.#sx[i] * w00 + this.#sx[i + 1] * w10 + this.#sx[i + this.#gw] * w01 + this.#sx[i + this.#gw + 1] * w11;
    out[1] = this.#sy[i] * w00 + this.#sy[i + 1] * w10 + this.#sy[i + this.#gw] * w01 + this.#sy[i + this.#gw + 1] * w11;
    return out;
  }
}

/** In-place LU factorisation with partial pivoting (m ≈ 59 here): m³/3 operations, once per frame. */
function luFactor(A: Float64Array, m: number, perm: Int32Array): Float64Array {
  const a = Float64Array.from(A);
  for (let i = 0; i < m; i++) perm[i] = i;
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]) > Math.abs(a[p * m + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < m; k++) [a[c * m + k], a[p * m + k]] = [a[p * m + k], a[c * m + k]];
      [perm[c], perm[p]] = [perm[p], perm[c]];
    }
    const d = a[c * m + c] || 1e-12;
    for (let r = c + 1; r < m; r++) {
      const f = (a[r * m + c] /= d);
      if (f === 0) continue;
      for (let k = c + 1; k < m; k++) a[r * m + k] -= f * a[c * m + k];
    }
  }
  return a;
}

function luSolve(lu: Float64Array, perm: Int32Array, m: number, b: Float64Array): Float64Array {
  const y = new Float64Array(m);
  for (let r = 0; r < m; r++) {
    let s = b[perm[r]];
    for (let k = 0; k < r; k++) s -= lu[r * m + k] * y[k];
    y[r] = s;
  }
  for (let r = m - 1; r >= 0; r--) {
    let s = y[r];
    for (let k = r + 1; k < m; k++) s -= lu[r * m + k] * y[k];
    y[r] = s / (lu[r * m + r] || 1e-12);
  }
  return y;
}
