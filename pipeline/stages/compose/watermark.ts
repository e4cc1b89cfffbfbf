// Invisible, robust watermark in the luma of every composed frame (before any encoder sees it).
//
// Scheme (spread spectrum over a tiled, low-frequency cell grid):
//  - Payload: 16-bit provider id + 32-bit content id (FNV-1a of the session id) + CRC-8 = 56 bits,
//    convolutionally encoded (K = 7, rate 1/2, the 171/133 code, 6 tail bits) → 124 coded bits.
//  - The frame is covered by tiles of 32 × 32 cells of 8 × 8 pixels (256-px tiles, repeated from the
//    top-left corner). Every tile carries the whole codeword: a keyed permutation gives each coded
//    bit 8 cells spread over the tile (992 of the 1024 cells; the other 32 stay unmarked) and each
//    cell a keyed ±1 chip. A cell adds `amplitude · chip · (bit ? +1 : −1) · bump(x) · bump(y)` to
//    luma, bump a half sine over the cell: smooth blobs, i.e. the low spatial frequencies that
//    H.264, downscaling and re-encoding keep. At the default amplitude (1 level peak, 0.5 RMS before
//    dithering) the marked frame is ~52 dB PSNR from the original.
//  - The continuous pattern is Floyd–Steinberg dithered once to integers, so embedding a frame is a
//    saturating add of a precomputed sparse Int8 pattern (~37 % of luma pixels, ±1) to the Y plane.
//  - The same pattern on every frame: the detector averages frames (coding noise and motion fade,
//    the mark does not), and a static mark costs P-frames nothing. Periodic tiling means any crop
//    still holds whole (cyclic) tiles; the detector (watermark-detect.ts) whitens the mean picture,
//    folds it onto one tile per candidate scale, searches the cyclic offset, soft-Viterbi decodes
//    and checks the CRC.
import { seededRandom } from '../../core/random.ts';

export const WM_KEY = 0x4f6e4169; // 'OnAi': seeds chips and the cell→bit permutation
export const WM_CELL = 8; // pixels per cell side at the embedding resolution
export const WM_TILE_CELLS = 32; // cells per tile side
export const WM_TILE = WM_CELL * WM_TILE_CELLS; // 256 px
export const WM_INFO_BITS = 48; // provider (16) + content id (32)
export const WM_CRC_BITS = 8;
export const WM_MSG_BITS = WM_INFO_BITS + WM_CRC_BITS; // 56
const K = 7; // convolutional code constraint length
const G = [0o171, 0o133];
export const WM_CODED_BITS = 2 * (WM_MSG_BITS + K - 1); // 124
/** Peak luma offset of a cell's bump before dithering (RMS of the continuous pattern is half this). */
export const WM_DEFAULT_AMPLITUDE = 1.0;

export interface WatermarkPayload {
  provider: number;
  contentId: number;
}

/** Deterministic PRNG (mulberry32, shared with idle motion). */
export const mulberry32 = seededRandom;

/** cellBit of a cell that carries no bit. */
export const WM_NO_BIT = 255;

export interface TileLayout {
  /** For each cell of a tile (row-major, WM_TILE_CELLS²): the coded bit it carries, or WM_NO_BIT. */
  cellBit: Uint8Array;
  /** For each cell: its keyed chip, ±1. */
  cellChip: Int8Array;
  /** The bump profile over one cell side (length WM_CELL). */
  bump: Float32Array;
}

let layout: TileLayout | undefined;
export function tileLayout(): TileLayout {
  if (layout) return layout;
  const rnd = mulberry32(WM_KEY);
  const n = WM_TILE_CELLS * WM_TILE_CELLS;
  const perm = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [perm[i], perm[j]] = [perm[j]!, perm[i]!];
  }
  const cellBit = new Uint8Array(n);
  const cellChip = new Int8Array(n);
  // Every coded bit gets the same number of cells; the few left over carry nothing.
  const used = n - (n % WM_CODED_BITS);
  for (let i = 0; i < n; i++) cellBit[perm[i]!] = i < used ? i % WM_CODED_BITS : WM_NO_BIT;
  for (let i = 0; i < n; i++) cellChip[i] = rnd() < 0.5 ? -1 : 1;
  const bump = new Float32Array(WM_CELL);
  for (let i = 0; i < WM_CELL; i++) bump[i] = Math.sin((Math.PI * (i + 0.5)) / WM_CELL);
  layout = { cellBit, cellChip, bump };
  return layout;
}

// ---- payload and error correction -------------------------------------------------------------

/** FNV-1a 32-bit of a string's UTF-8 bytes. */
export function fnv1a32(s: string): number {
  let h = 0x811c9dc5;
  for (const b of Buffer.from(s, 'utf8')) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** The watermark payload for a session: its provider id (16 bits) and a 32-bit id of the session. */
export function payloadFromSession(sessionId: string, provider: number): WatermarkPayload {
  if (!Number.isInteger(provider) || provider < 0 || provider > 0xffff) throw new Error(`provider must be a 16-bit integer, got ${provider}`);
  return { provider, contentId: fnv1a32(sessionId) };
}

/** CRC-8 (poly 0x07, init 0) over bits, MSB first. */
export function crc8(bits: ArrayLike<number>): number {
  let crc = 0;
  for (let i = 0; i < bits.length; i++) {
    const fb = ((crc >> 7) & 1) ^ (bits[i]! & 1);
    crc = (crc << 1) & 0xff;
    if (fb) crc ^= 0x07;
  }
  return crc;
}

/** The 48 information bits (provider MSB first, then content id MSB first). */
export function payloadBits(p: WatermarkPayload): number[] {
  const bits: number[] = [];
  for (let i = 15; i >= 0; i--) bits.push((p.provider >>> i) & 1);
  for (let i = 31; i >= 0; i--) bits.push((p.contentId >>> i) & 1);
  return bits;
}

export function bitsToPayload(bits: ArrayLike<number>): WatermarkPayload {
  let provider = 0;
  let contentId = 0;
  for (let i = 0; i < 16; i++) provider = (provider << 1) | (bits[i]! & 1);
  for (let i = 16; i < 48; i++) contentId = ((contentId << 1) | (bits[i]! & 1)) >>> 0;
  return { provider, contentId };
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}

/** Message (48 info bits + CRC-8) → 124 coded bits (0/1) of the K = 7, rate-1/2 code, zero-tailed. */
export function encodeMessage(info: ArrayLike<number>): Uint8Array {
  const msg = Array.from(info, (b) => b & 1);
  const crc = crc8(msg);
  for (let i = 7; i >= 0; i--) msg.push((crc >> i) & 1);
  for (let i = 0; i < K - 1; i++) msg.push(0);
  const out = new Uint8Array(WM_CODED_BITS);
  let state = 0;
  msg.forEach((b, i) => {
    state = ((state << 1) | b) & 0x7f;
    out[2 * i] = parity(state & G[0]!);
    out[2 * i + 1] = parity(state & G[1]!);
  });
  return out;
}

/**
 * Soft-decision Viterbi decoding. soft[k] > 0 means coded bit k is more likely 1. Returns the 56
 * decoded message bits (info + CRC) and whether the CRC matches.
 */
export function decodeMessage(soft: ArrayLike<number>): { bits: number[]; crcOk: boolean } {
  const steps = WM_MSG_BITS + K - 1;
  const S = 1 << (K - 1);
  let metric = new Float64Array(S).fill(-Infinity);
  metric[0] = 0;
  const from = Array.from({ length: steps }, () => new Int16Array(S));
  const outs = new Uint8Array(2 * S * 2); // [state*2+bit] → two output bits packed
  for (let s = 0; s < S; s++)
    for (let b = 0; b < 2; b++) {
      const reg = ((s << 1) | b) & 0x7f;
      outs[(s * 2 + b) * 2] = parity(reg & G[0]!);
      outs[(s * 2 + b) * 2 + 1] = parity(reg & G[1]!);
    }
  for (let t = 0; t < steps; t++) {
    const next = new Float64Array(S).fill(-Infinity);
    const s0 = soft[2 * t]!;
    const s1 = soft[2 * t + 1]!;
    const tail = t >= WM_MSG_BITS;
    for (let s = 0; s < S; s++) {
      const m = metric[s]!;
      if (m === -Infinity) continue;
      for (let b = 0; b < (tail ? 1 : 2); b++) {
        const o = (s * 2 + b) * 2;
        const gain = (outs[o] ? s0 : -s0) + (outs[o + 1] ? s1 : -s1);
        const ns = ((s << 1) | b) & (S - 1);
        if (m + gain > next[ns]!) {
          next[ns] = m + gain;
          from[t]![ns] = s;
        }
      }
    }
    metric = next;
  }
  const bits = new Array<number>(steps);
  let s = 0;
  for (let t = steps - 1; t >= 0; t--) {
    bits[t] = s & 1;
    s = from[t]![s]!;
  }
  const msg = bits.slice(0, WM_MSG_BITS);
  const info = msg.slice(0, WM_INFO_BITS);
  let crc = 0;
  for (let i = 0; i < 8; i++) crc = (crc << 1) | msg[WM_INFO_BITS + i]!;
  return { bits: msg, crcOk: crc8(info) === crc };
}

// ---- pattern and embedding --------------------------------------------------------------------

/** The continuous watermark (luma offsets) for a width × height frame. */
export function watermarkField(width: number, height: number, payload: WatermarkPayload, amplitude = WM_DEFAULT_AMPLITUDE): Float32Array {
  const { cellBit, cellChip, bump } = tileLayout();
  const coded = encodeMessage(payloadBits(payload));
  const cellGain = new Float32Array(cellBit.length);
  for (let j = 0; j < cellBit.length; j++) if (cellBit[j] !== WM_NO_BIT) cellGain[j] = amplitude * cellChip[j]! * (coded[cellBit[j]!] ? 1 : -1);
  const field = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const cy = Math.floor(y / WM_CELL) % WM_TILE_CELLS;
    const by = bump[y % WM_CELL]!;
    for (let x = 0; x < width; x++) {
      const cx = Math.floor(x / WM_CELL) % WM_TILE_CELLS;
      field[y * width + x] = cellGain[cy * WM_TILE_CELLS + cx]! * by * bump[x % WM_CELL]!;
    }
  }
  return field;
}

/** Floyd–Steinberg dithering of a field to integer offsets. */
export function ditherField(field: Float32Array, width: number, height: number): Int8Array {
  const err = Float32Array.from(field);
  const out = new Int8Array(field.length);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = err[i]!;
      const q = Math.max(-127, Math.min(127, Math.round(v)));
      out[i] = q;
      const e = v - q;
      if (x + 1 < width) err[i + 1]! += (e * 7) / 16;
      if (y + 1 < height) {
        if (x > 0) err[i + width - 1]! += (e * 3) / 16;
        err[i + width]! += (e * 5) / 16;
        if (x + 1 < width) err[i + width + 1]! += e / 16;
      }
    }
  return out;
}

export interface WatermarkOptions {
  /** Peak luma offset of a cell bump (default WM_DEFAULT_AMPLITUDE). */
  amplitude?: number;
  /** Dither the continuous pattern (default true); false rounds it. */
  dither?: boolean;
}

/**
 * Adds the payload's watermark to I420 frames in place (Y plane only). The pattern is built once;
 * embed() touches only the non-zero pixels of it with a saturating add.
 */
export class WatermarkEmbedder {
  readonly width: number;
  readonly height: number;
  readonly payload: WatermarkPayload;
  /** Indices into the Y plane and the offsets added there. */
  readonly #index: Uint32Array;
  readonly #delta: Int8Array;

  constructor(format: { width: number; height: number }, payload: WatermarkPayload, opts: WatermarkOptions = {}) {
    this.width = format.width;
    this.height = format.height;
    this.payload = payload;
    const field = watermarkField(format.width, format.height, payload, opts.amplitude ?? WM_DEFAULT_AMPLITUDE);
    const q = opts.dither === false ? Int8Array.from(field, (v) => Math.round(v)) : ditherField(field, format.width, format.height);
    let n = 0;
    for (let i = 0; i < q.length; i++) if (q[i] !== 0) n++;
    this.#index = new Uint32Array(n);
    this.#delta = new Int8Array(n);
    for (let i = 0, k = 0; i < q.length; i++)
      if (q[i] !== 0) {
        this.#index[k] = i;
        this.#delta[k++] = q[i]!;
      }
  }

  /** Fraction of luma pixels the pattern changes. */
  get density(): number {
    return this.#index.length / (this.width * this.height);
  }

  embed(i420: Uint8Array): void {
    if (i420.length < this.width * this.height) throw new Error(`frame too small for ${this.width}x${this.height}`);
    const idx = this.#index;
    const d = this.#delta;
    for (let k = 0; k < idx.length; k++) {
      const i = idx[k]!;
      const v = i420[i]! + d[k]!;
      i420[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
  }
}
