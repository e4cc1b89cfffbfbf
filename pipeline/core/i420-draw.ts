// Minimal drawing on I420 buffers for the test card: rectangles and a 5x7 bitmap font.
// (The presenter renders with a vector canvas; this exists so the media path has no such dependency.)

export interface Yuv {
  y: number;
  u: number;
  v: number;
}

export const WHITE: Yuv = { y: 235, u: 128, v: 128 };
export const BLACK: Yuv = { y: 16, u: 128, v: 128 };

export class I420Canvas {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly #uOffset: number;
  readonly #vOffset: number;

  constructor(width: number, height: number, data?: Uint8Array) {
    if (width % 2 || height % 2) throw new RangeError('I420 needs even dimensions');
    this.width = width;
    this.height = height;
    this.#uOffset = width * height;
    this.#vOffset = this.#uOffset + (width / 2) * (height / 2);
    this.data = data ?? new Uint8Array(this.#vOffset + (width / 2) * (height / 2));
  }

  fillRect(x: number, y: number, w: number, h: number, c: Yuv): void {
    const x0 = Math.max(0, Math.floor(x));
    const y0 = Math.max(0, Math.floor(y));
    const x1 = Math.min(this.width, Math.floor(x + w));
    const y1 = Math.min(this.height, Math.floor(y + h));
    if (x1 <= x0 || y1 <= y0) return;
    for (let row = y0; row < y1; row++) this.data.fill(c.y, row * this.width + x0, row * this.width + x1);
    const cw = this.width / 2;
    const cx0 = x0 >> 1;
    const cx1 = (x1 + 1) >> 1;
    for (let row = y0 >> 1; row < (y1 + 1) >> 1; row++) {
      this.data.fill(c.u, this.#uOffset + row * cw + cx0, this.#uOffset + row * cw + cx1);
      this.data.fill(c.v, this.#vOffset + row * cw + cx0, this.#vOffset + row * cw + cx1);
    }
  }

  /** Mean luma of a rectangle: used to read back codes drawn on frames. */
  meanLuma(x: number, y: number, w: number, h: number): number {
    let sum = 0;
    for (let row = y; row < y + h; row++) {
      for (let col = x; col < x + w; col++) sum += this.data[row * this.width + col]!;
    }
    return sum / (w * h);
  }

  drawText(text: string, x: number, y: number, scale: number, c: Yuv): void {
    let cx = x;
    for (const ch of text.toUpperCase()) {
      const glyph = FONT[ch];
      if (glyph) {
        for (let row = 0; row < 7; row++) {
          for (let col = 0; col < 5; col++) {
            if (glyph[row]! & (0x10 >> col)) this.fillRect(cx + col * scale, y + row * scale, scale, scale, c);
          }
        }
      }
      cx += 6 * scale;
    }
  }
}

// 5x7 glyphs, one byte per row, bit 4 = leftmost column.
const FONT: Record<string, readonly number[]> = {
  '0': [0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e],
  '1': [0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e],
  '2': [0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f],
  '3': [0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e],
  '4': [0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02],
  '5': [0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e],
  '6': [0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e],
  '7': [0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08],
  '8': [0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e],
  '9': [0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c],
  A: [0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11],
  C: [0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e],
  D: [0x1e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1e],
  E: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f],
  F: [0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10],
  I: [0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e],
  M: [0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11],
  N: [0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11],
  O: [0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e],
  P: [0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10],
  R: [0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11],
  S: [0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e],
  T: [0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04],
  '-': [0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00],
  ':': [0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00],
};
