// Blind detector for the watermark of watermark.ts. It needs neither the original video nor the
// payload: decode frames to gray with ffmpeg, average them (the mark is static, coding noise and
// motion are not), whiten (subtract a local mean, drop edges), then for each candidate scale fold the
// picture onto one 256-px tile, match-filter the cell bump, search every cyclic offset for the
// strongest codeword energy, soft-Viterbi decode and check the CRC-8.
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { rawFrameSplitter } from '../../core/raw-frames.ts';
import {
  decodeMessage,
  encodeMessage,
  bitsToPayload,
  payloadBits,
  tileLayout,
  WM_CELL,
  WM_CODED_BITS,
  WM_INFO_BITS,
  WM_TILE,
  WM_TILE_CELLS,
  WM_NO_BIT,
  type WatermarkPayload,
} from './watermark.ts';

const run = promisify(execFile);

export interface DetectOptions {
  /** Seconds of video to analyse from the start (default 10). */
  seconds?: number;
  /** The payload you expect: fills bitErrors / codedBitErrors. */
  expected?: WatermarkPayload;
  /** Also scan a dense range of scales (0.45–1.6×) when the usual ones find nothing (slow). */
  wide?: boolean;
  /** Minimum confidence for `found` (default WM_MIN_CONFIDENCE). */
  minConfidence?: number;
}

export interface DetectResult {
  found: boolean;
  provider?: number;
  contentId?: number;
  /** The 48 decoded information bits of the best hypothesis. */
  bits?: number[];
  /**
   * −log10 of the probability that an unmarked video would decode this well (a CRC-valid codeword
   * this close to the soft values, over all hypotheses tried): ~0 for noise, 15–20 for a clean mark.
   */
  confidence: number;
  /** Per-coded-bit SNR of the best hypothesis (mean correlation with the decoded codeword / spread). */
  snr?: number;
  /** Hard decisions of the 124 coded bits that disagree with the decoded codeword. */
  disagreements?: number;
  crcOk?: boolean;
  /** Errors among the 48 information bits against `expected`. */
  bitErrors?: number;
  /** Hard-decision errors among the 124 coded bits before error correction against `expected`. */
  codedBitErrors?: number;
  /** codewordSnr against the expected payload's codeword (the channel's margin). */
  expectedSnr?: number;
  /** Video pixels per embedding pixel, [x, y]; `scale` is their mean. */
  scale?: number;
  scaleXY?: [number, number];
  /** Where the video's top-left pixel sits in the embedded frame, modulo the 256-px tile. */
  offset?: [number, number];
  frames?: number;
  width?: number;
  height?: number;
  ms?: number;
}

/** `found` needs a CRC match and a false-alarm probability below 10^-WM_MIN_CONFIDENCE. */
export const WM_MIN_CONFIDENCE = 6;

// ---- decoding ---------------------------------------------------------------------------------

/** Size and frame rate (as ffprobe spells it, e.g. "25/1") of a file's first video stream. */
export async function probeVideo(file: string): Promise<{ width: number; height: number; fps: string }> {
  const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height,r_frame_rate', '-of', 'csv=p=0:s=x', file]);
  const m = /(\d+)x(\d+)x(\d+\/\d+)/.exec(stdout);
  if (!m) throw new Error(`ffprobe: no video stream in ${file}`);
  return { width: Number(m[1]), height: Number(m[2]), fps: m[3]! };
}

/** Mean gray (luma) picture over the first `seconds` of a video file. */
export async function meanLuma(file: string, seconds: number): Promise<{ mean: Float32Array; width: number; height: number; frames: number }> {
  const { width, height } = await probeVideo(file);
  const size = width * height;
  const sum = new Float32Array(size);
  let frames = 0;
  await new Promise<void>((resolve, reject) => {
    const proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-t', String(seconds), '-i', file, '-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    proc.stderr.on('data', (d) => (stderr += d));
    proc.stdout.on(
      'data',
      rawFrameSplitter(size, (frame) => {
        for (let i = 0; i < size; i++) sum[i]! += frame[i]!;
        frames++;
      }),
    );
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}: ${stderr.trim().split('\n').pop()}`))));
  });
  if (frames === 0) throw new Error(`no frames decoded from ${file}`);
  for (let i = 0; i < size; i++) sum[i]! /= frames;
  return { mean: sum, width, height, frames };
}

// ---- analysis ---------------------------------------------------------------------------------

/** Separable box blur with a (2r+1) window, edges clamped. */
function boxBlur(src: Float32Array, width: number, height: number, r: number): Float32Array {
  const tmp = new Float32Array(src.length);
  const out = new Float32Array(src.length);
  const n = 2 * r + 1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += src[row + Math.min(width - 1, Math.max(0, k))]!;
    for (let x = 0; x < width; x++) {
      tmp[row + x] = acc / n;
      acc += src[row + Math.min(width - 1, x + r + 1)]! - src[row + Math.max(0, x - r)]!;
    }
  }
  for (let x = 0; x < width; x++) {
    let acc = 0;
    for (let k = -r; k <= r; k++) acc += tmp[Math.min(height - 1, Math.max(0, k)) * width + x]!;
    for (let y = 0; y < height; y++) {
      out[y * width + x] = acc / n;
      acc += tmp[Math.min(height - 1, y + r + 1) * width + x]! - tmp[Math.max(0, y - r) * width + x]!;
    }
  }
  return out;
}

/**
 * High-pass residual of the mean picture with edges removed: picture − local mean, and zero where
 * that residual (or its neighbourhood) is far larger than a watermark could be.
 */
export function whiten(mean: Float32Array, width: number, height: number, radius: number): Float32Array {
  const blur = boxBlur(mean, width, height, radius);
  const r = new Float32Array(mean.length);
  for (let i = 0; i < r.length; i++) r[i] = mean[i]! - blur[i]!;
  // Robust noise level of the residual (median |r| over a sample), floored.
  const sample: number[] = [];
  for (let i = 0; i < r.length; i += 7) sample.push(Math.abs(r[i]!));
  sample.sort((a, b) => a - b);
  const sigma = Math.max(0.35, 1.4826 * sample[sample.length >> 1]!);
  const limit = 4 * sigma;
  // Edge mask: local max of |r| over a small window (edges ring through the box filter).
  const big = new Float32Array(r.length);
  for (let i = 0; i < r.length; i++) big[i] = Math.abs(r[i]!) > limit ? 1 : 0;
  const near = boxBlur(big, width, height, Math.max(1, Math.round(radius / 2)));
  for (let i = 0; i < r.length; i++) if (near[i]! > 0) r[i] = 0;
  return r;
}

interface Hypothesis {
  sx: number;
  sy: number;
  snr: number;
  soft: Float64Array;
  dx: number;
  dy: number;
}

/** Cell geometry of the tile, flattened for the offset search. */
interface CellTable {
  n: number;
  x: Int32Array;
  y: Int32Array;
  bit: Int32Array;
  chip: Float64Array;
}
let cellTable: CellTable | undefined;
function cells(): CellTable {
  if (cellTable) return cellTable;
  const { cellBit, cellChip } = tileLayout();
  const used: number[] = [];
  for (let j = 0; j < cellBit.length; j++) if (cellBit[j] !== WM_NO_BIT) used.push(j);
  const t: CellTable = { n: used.length, x: new Int32Array(used.length), y: new Int32Array(used.length), bit: new Int32Array(used.length), chip: new Float64Array(used.length) };
  used.forEach((j, i) => {
    t.x[i] = (j % WM_TILE_CELLS) * WM_CELL;
    t.y[i] = Math.floor(j / WM_TILE_CELLS) * WM_CELL;
    t.bit[i] = cellBit[j]!;
    t.chip[i] = cellChip[j]!;
  });
  return (cellTable = t);
}

/**
 * Folds the residual onto one tile at scale (sx, sy) (video pixels per embedding pixel), matched-
 * filters the cell bump, and finds the cyclic offset with the most codeword energy.
 * `fixed` skips the search (analysis).
 */
export function searchScale(res: Float32Array, width: number, height: number, sx: number, sy: number, fixed?: [number, number]): Hypothesis {
  const T = WM_TILE;
  const C = WM_CELL;
  const fold = new Float64Array(T * T);
  // Bilinear splat of every residual pixel at its position in embedding coordinates, modulo T.
  const colA = new Int32Array(width);
  const colB = new Int32Array(width);
  const colF = new Float64Array(width);
  for (let x = 0; x < width; x++) {
    const u = (x + 0.5) / sx - 0.5;
    const u0 = Math.floor(u);
    colF[x] = u - u0;
    colA[x] = ((u0 % T) + T) % T;
    colB[x] = (colA[x]! + 1) % T;
  }
  for (let y = 0; y < height; y++) {
    const v = (y + 0.5) / sy - 0.5;
    const v0 = Math.floor(v);
    const fv = v - v0;
    const ra = (((v0 % T) + T) % T) * T;
    const rb = ((((v0 + 1) % T) + T) % T) * T;
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const val = res[row + x]!;
      if (val === 0) continue;
      const fu = colF[x]!;
      const a = val * (1 - fv);
      const b = val * fv;
      fold[ra + colA[x]!]! += a * (1 - fu);
      fold[ra + colB[x]!]! += a * fu;
      fold[rb + colA[x]!]! += b * (1 - fu);
      fold[rb + colB[x]!]! += b * fu;
    }
  }
  // Straight lines (gradient banding, box edges) fold onto whole rows/columns of the tile: remove
  // the tile's row and column means (costs the mark ~1/32 of its energy, removes most host noise).
  for (let y = 0; y < T; y++) {
    let acc = 0;
    for (let x = 0; x < T; x++) acc += fold[y * T + x]!;
    acc /= T;
    for (let x = 0; x < T; x++) fold[y * T + x]! -= acc;
  }
  for (let x = 0; x < T; x++) {
    let acc = 0;
    for (let y = 0; y < T; y++) acc += fold[y * T + x]!;
    acc /= T;
    for (let y = 0; y < T; y++) fold[y * T + x]! -= acc;
  }
  // Matched filter: response of a cell whose top-left corner sits at (x, y) of the folded tile,
  // stored twice as wide and high so that cyclic indexing needs no modulo.
  const { bump } = tileLayout();
  const h = new Float64Array(T * T);
  for (let y = 0; y < T; y++)
    for (let x = 0; x < T; x++) {
      let acc = 0;
      for (let i = 0; i < C; i++) acc += fold[y * T + ((x + i) % T)]! * bump[i]!;
      h[y * T + x] = acc;
    }
  const P = 2 * T;
  const m = new Float64Array(P * P);
  for (let y = 0; y < T; y++)
    for (let x = 0; x < T; x++) {
      let acc = 0;
      for (let j = 0; j < C; j++) acc += h[((y + j) % T) * T + x]! * bump[j]!;
      m[y * P + x] = m[y * P + x + T] = m[(y + T) * P + x] = m[(y + T) * P + x + T] = acc;
    }
  const cl = cells();
  const idx = new Int32Array(cl.n);
  for (let j = 0; j < cl.n; j++) idx[j] = cl.y[j]! * P + cl.x[j]!;
  const c = new Float64Array(WM_CODED_BITS);
  const energy = (dx: number, dy: number): number => {
    c.fill(0);
    const base = dy * P + dx;
    for (let j = 0; j < cl.n; j++) c[cl.bit[j]!]! += cl.chip[j]! * m[base + idx[j]!]!;
    let e = 0;
    for (let k = 0; k < WM_CODED_BITS; k++) e += c[k]! * c[k]!;
    return e;
  };
  let bdx = fixed?.[0] ?? 0;
  let bdy = fixed?.[1] ?? 0;
  if (!fixed) {
    // Coarse pass on even offsets (a cell bump is 8 px wide, so the peak cannot fall between),
    // then the 5 × 5 neighbourhood of the best few.
    const top: { e: number; dx: number; dy: number }[] = [];
    const KEEP = 6;
    for (let dy = 0; dy < T; dy += 2)
      for (let dx = 0; dx < T; dx += 2) {
        const e = energy(dx, dy);
        if (top.length < KEEP || e > top[top.length - 1]!.e) {
          top.push({ e, dx, dy });
          top.sort((a, b) => b.e - a.e);
          if (top.length > KEEP) top.pop();
        }
      }
    let best = -1;
    for (const t of top)
      for (let oy = -2; oy <= 2; oy++)
        for (let ox = -2; ox <= 2; ox++) {
          const dx = (t.dx + ox + T) % T;
          const dy = (t.dy + oy + T) % T;
          const e = energy(dx, dy);
          if (e > best) {
            best = e;
            bdx = dx;
            bdy = dy;
          }
        }
  }
  energy(bdx, bdy);
  const soft = Float64Array.from(c);
  return { sx, sy, snr: codewordSnr(soft), soft, dx: bdx, dy: bdy };
}

/**
 * How well the soft values fit the codeword they decode to: mean correlation with it over the
 * spread of what is left (per coded bit). Noise fits some codeword too, at ~1; a mark fits far better.
 */
export function codewordSnr(soft: ArrayLike<number>, codeword?: Uint8Array): number {
  const cw = codeword ?? encodeMessage(decodeMessage(soft).bits.slice(0, WM_INFO_BITS));
  const n = WM_CODED_BITS;
  let mu = 0;
  for (let k = 0; k < n; k++) mu += (cw[k] ? 1 : -1) * soft[k]!;
  mu /= n;
  let v = 0;
  for (let k = 0; k < n; k++) {
    const e = soft[k]! - (cw[k] ? mu : -mu);
    v += e * e;
  }
  return mu / Math.sqrt(Math.max(v / (n - 1), 1e-12));
}

const LOG10_BINOM: number[] = (() => {
  const out = [0];
  for (let i = 1; i <= WM_CODED_BITS; i++) out.push(out[i - 1]! + Math.log10((WM_CODED_BITS - i + 1) / i));
  return out;
})();

/**
 * −log10 of the chance that an unmarked video yields, in one of `hypotheses` tries, a CRC-valid
 * codeword within `disagreements` hard-decision errors of the soft values (union bound over the
 * 2^48 valid codewords among 2^124 words).
 */
export function falseAlarmConfidence(disagreements: number, hypotheses: number): number {
  let sum = 0;
  for (let i = 0; i <= disagreements; i++) sum += 10 ** (LOG10_BINOM[i]! - LOG10_BINOM[disagreements]!);
  const log10p = Math.log10(hypotheses) + WM_INFO_BITS * Math.log10(2) - WM_CODED_BITS * Math.log10(2) + LOG10_BINOM[disagreements]! + Math.log10(sum);
  return Math.max(0, -log10p);
}

/** Scales to try for a width × height video: full frames and crops of common source sizes. */
function candidateScales(width: number, height: number, wide: boolean): [number, number][] {
  const out: [number, number][] = [[1, 1]];
  const sources = [
    [1280, 720],
    [720, 1280],
    [1920, 1080],
    [1080, 1920],
  ];
  for (const [w, h] of sources)
    for (const f of [1, 0.95, 0.9, 0.85, 0.8]) {
      const sx = width / (w! * f);
      const sy = height / (h! * f);
      if (sx > 0.4 && sx < 2 && Math.abs(sx / sy - 1) < 0.02) out.push([sx, sy]);
    }
  if (wide) {
    out.length = 0;
    for (let s = 0.45; s < 1.6; s *= 1.005) out.push([s, s]);
  }
  return out.filter(([sx, sy], i) => out.findIndex(([ax, ay]) => Math.abs(ax / sx - 1) < 0.0015 && Math.abs(ay / sy - 1) < 0.0015) === i);
}

/** Detection on a mean luma picture (exported for tests and tools). */
export function detectInPicture(mean: Float32Array, width: number, height: number, opts: DetectOptions = {}): DetectResult {
  const t0 = performance.now();
  const minConfidence = opts.minConfidence ?? WM_MIN_CONFIDENCE;
  const residuals = new Map<number, Float32Array>();
  let tried = 0;
  const tryScales = (list: [number, number][]): Hypothesis => {
    let best: Hypothesis | undefined;
    for (const [sx, sy] of list) {
      const radius = Math.max(2, Math.round(WM_CELL * Math.min(sx, sy)));
      let res = residuals.get(radius);
      if (!res) residuals.set(radius, (res = whiten(mean, width, height, radius)));
      const hyp = searchScale(res, width, height, sx, sy);
      tried++;
      if (!best || hyp.snr > best.snr) best = hyp;
    }
    return best!;
  };
  const judge = (hyp: Hypothesis) => {
    const decoded = decodeMessage(hyp.soft);
    const codeword = encodeMessage(decoded.bits.slice(0, WM_INFO_BITS));
    let disagreements = 0;
    for (let k = 0; k < WM_CODED_BITS; k++) if ((hyp.soft[k]! > 0 ? 1 : 0) !== codeword[k]) disagreements++;
    const confidence = decoded.crcOk ? falseAlarmConfidence(disagreements, tried) : 0;
    return { decoded, disagreements, confidence, found: decoded.crcOk && confidence >= minConfidence };
  };
  let best = tryScales(candidateScales(width, height, false));
  let verdict = judge(best);
  if (!verdict.found || verdict.disagreements > 0) {
    // The scale may be near, not at, a candidate (an unusual crop or output size): refine around it.
    const refine: [number, number][] = [];
    for (let k = -6; k <= 6; k++) if (k !== 0) refine.push([best.sx * (1 + k * 0.004), best.sy * (1 + k * 0.004)]);
    const better = tryScales(refine);
    if (better.snr > best.snr) best = better;
    verdict = judge(best);
  }
  if (opts.wide && !verdict.found) {
    const dense = tryScales(candidateScales(width, height, true));
    if (dense.snr > best.snr) best = dense;
    verdict = judge(best);
  }
  const info = verdict.decoded.bits.slice(0, WM_INFO_BITS);
  const result: DetectResult = {
    found: verdict.found,
    bits: info,
    confidence: verdict.confidence,
    crcOk: verdict.decoded.crcOk,
    snr: best.snr,
    disagreements: verdict.disagreements,
    scale: (best.sx + best.sy) / 2,
    scaleXY: [best.sx, best.sy],
    offset: [(WM_TILE - best.dx) % WM_TILE, (WM_TILE - best.dy) % WM_TILE],
    width,
    height,
  };
  if (verdict.found) Object.assign(result, bitsToPayload(info));
  if (opts.expected) {
    const want = payloadBits(opts.expected);
    result.bitErrors = want.reduce((n, b, i) => n + (b !== info[i] ? 1 : 0), 0);
    const coded = encodeMessage(want);
    result.codedBitErrors = coded.reduce((n, b, k) => n + ((best.soft[k]! > 0 ? 1 : 0) !== b ? 1 : 0), 0);
    result.expectedSnr = codewordSnr(best.soft, coded);
  }
  result.ms = performance.now() - t0;
  return result;
}

/** Detects the watermark in a video file (any container/codec ffmpeg reads). */
export async function detectWatermark(file: string, opts: DetectOptions = {}): Promise<DetectResult> {
  const t0 = performance.now();
  const { mean, width, height, frames } = await meanLuma(file, opts.seconds ?? 10);
  const result = detectInPicture(mean, width, height, opts);
  result.frames = frames;
  result.ms = performance.now() - t0;
  return result;
}
