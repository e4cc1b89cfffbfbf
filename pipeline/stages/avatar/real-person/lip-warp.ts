import type { LipShape } from './lip-shape.ts';
import type { MouthRegion } from './mouth-region.ts';

/** Grid spacing (crop pixels) at which the thin-plate spline is evaluated; bilinear in between. */
const GRID = 6;

/**
 * A thin-plate-spline warp of the mouth box: target lip points map exactly onto a chosen atlas
 * mouth's lip points (so its teeth and lip edges land where the target outline says), while the
 * box's border stays fixed (so the seam doesn't move). Evaluated on a coarse grid: ~0.1 ms.
 */
export class LipWarp {
  readonly #region: MouthRegion;
  readonly #gw: number;
  readonly #gh: number;
  /** Source crop coordinates (crop pixels) at each grid node. */
  readonly #sx: Float32Array;
  readonly #sy: Float32Array;

  constructor(region: MouthRegion, target: LipShape, source: LipShape) {
    this.#region = region;
    const k = region.scale;
    // Control points in canonical pixels: the lips plus fixed anchors around the box edge.
    const bw = region.w / k, bh = region.h / k;
    const px: number[] = [], py: number[] = [], qx: number[] = [], qy: number[] = [];
    for (let i = 0; i < target.length; i += 2) {
      px.push(target[i]); py.push(target[i + 1]);
      qx.push(source[i]); qy.push(source[i + 1]);
    }
    for (let i = 0; i < 4; i++) {
      for (const [ax, ay] of [[i / 4, 0], [1, i / 4], [1 - i / 4, 1], [0, 1 - i / 4]]) {
        const x = region.x0 + ax * bw, y = region.y0 + ay * bh;
        px.push(x); py.push(y); qx.push(x); qy.push(y);
      }
    }
    const wx = solveTps(px, py, qx);
    const wy = solveTps(px, py, qy);
    this.#gw = Math.ceil(region.w / GRID) + 1;
    this.#gh = Math.ceil(region.h / GRID) + 1;
    this.#sx = new Float32Array(this.#gw * this.#gh);
    this.#sy = new Float32Array(this.#gw * this.#gh);
    for (let gy = 0; gy < this.#gh; gy++) {
      for (let gx = 0; gx < this.#gw; gx++) {
        const cx = region.x0 + (gx * GRID) / k, cy = region.y0 + (gy * GRID) / k;
        const i = gy * this.#gw + gx;
        this.#sx[i] = (evalTps(wx, px, py, cx, cy) - region.x0) * k;
        this.#sy[i] = (evalTps(wy, px, py, cx, cy) - region.y0) * k;
      }
    }
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
    void this.#region;
    return out;
  }
}

const U = (r2: number) => (r2 < 1e-12 ? 0 : r2 * Math.log(r2));

/** Weights [w_1..w_n, a0, ax, ay] of the TPS interpolating values `v` at points (x, y), lightly regularised. */
function solveTps(x: number[], y: number[], v: number[]): Float64Array {
  const n = x.length;
  const m = n + 3;
  const A = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A[i * m + j] = U((x[i] - x[j]) ** 2 + (y[i] - y[j]) ** 2);
    A[i * m + i] += 1e-3 * n; // smoothing: landmark jitter shouldn't fold the lips
    A[i * m + n] = A[(n) * m + i] = 1;
    A[i * m + n + 1] = A[(n + 1) * m + i] = x[i];
    A[i * m + n + 2] = A[(n + 2) * m + i] = y[i];
    b[i] = v[i];
  }
  return gauss(A, b, m);
}

function evalTps(w: Float64Array, x: number[], y: number[], px: number, py: number): number {
  const n = x.length;
  let s = w[n] + w[n + 1] * px + w[n + 2] * py;
  for (let i = 0; i < n; i++) s += w[i] * U((px - x[i]) ** 2 + (py - y[i]) ** 2);
  return s;
}

function gauss(A: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let c = 0; c < m; c++) {
    let p = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(A[r * m + c]) > Math.abs(A[p * m + c])) p = r;
    if (p !== c) {
      for (let k = 0; k < m; k++) [A[c * m + k], A[p * m + k]] = [A[p * m + k], A[c * m + k]];
      [b[c], b[p]] = [b[p], b[c]];
    }
    const d = A[c * m + c] || 1e-12;
    for (let r = c + 1; r < m; r++) {
      const f = A[r * m + c] / d;
      if (f === 0) continue;
      for (let k = c; k < m; k++) A[r * m + k] -= f * A[c * m + k];
      b[r] -= f * b[c];
    }
  }
  const out = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let s = b[r];
    for (let k = r + 1; k < m; k++) s -= A[r * m + k] * out[k];
    out[r] = s / (A[r * m + r] || 1e-12);
  }
  return out;
}
