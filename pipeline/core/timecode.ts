// A burned-in frame timecode for measurement (broadcast practice): the frame number as 20 black/white
// blocks in a thin strip at the bottom-right corner, readable after lossy encoding. Off by default;
// tests turn it on (ONAIR_TIMECODE=1) to pair each received frame with what was rendered for it.
import { BLACK, I420Canvas, WHITE } from './i420-draw.ts';

const BITS = 20;

function geometry(width: number, height: number) {
  const size = Math.max(8, Math.round(height / 60));
  const pitch = Math.round(size * 1.25);
  return { x0: width - pitch * (BITS + 1), y0: height - size - Math.round(size / 2), size, pitch };
}

export function stampTimecode(i420: Uint8Array, width: number, height: number, index: number): void {
  const c = new I420Canvas(width, height, i420);
  const { x0, y0, size, pitch } = geometry(width, height);
  for (let bit = 0; bit < BITS; bit++) c.fillRect(x0 + bit * pitch, y0, size, size, (index >> bit) & 1 ? WHITE : BLACK);
}

/** The frame number, or -1 when the strip is not there (or not legible). */
export function readTimecode(frame: { width: number; height: number; data: Uint8Array }): number {
  const c = new I420Canvas(frame.width, frame.height, frame.data);
  const { x0, y0, size, pitch } = geometry(frame.width, frame.height);
  const inset = Math.floor(size / 4);
  let value = 0;
  for (let bit = 0; bit < BITS; bit++) {
    const luma = c.meanLuma(x0 + bit * pitch + inset, y0 + inset, size - 2 * inset, size - 2 * inset);
    if (luma > 170) value |= 1 << bit;
    else if (luma > 70) return -1;
  }
  return value;
}
