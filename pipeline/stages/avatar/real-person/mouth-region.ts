import { eyeDistance, mouthCenter } from './geometry.ts';

/**
 * The part of the face that gets replaced, in canonical (reference-frame) pixels: an ellipse
 * around the mouth reaching from under the nose to the upper chin, with a feathered edge.
 * Atlas mouths are stored as crops of this box; the renderer blends them in with this mask.
 */
export interface MouthRegion {
  /** Box origin in canonical pixels. */
  x0: number;
  y0: number;
  /** Crop size in crop pixels (canonical size × scale). */
  w: number;
  h: number;
  /** Crop pixels per canonical pixel (2 = supersampled crops; measured no better than 1 here, at 4× the cost). */
  scale: number;
  /** Blend weight per crop pixel, 0..1. */
  mask: Float32Array;
}

/**
 * How far the region reaches from the mouth centre, as fractions of the outer-eye-corner
 * distance: sideways to the cheeks, up to under the nose, and down past the chin — an opening
 * mouth drops the jaw, and a closed chin under an open mouth looks (and measures) half-open.
 */
const HALF_WIDTH = 0.46;
const UP = 0.28;
const DOWN = 0.65;
/** The inner part (normalised radius below this) is fully replaced; it fades out to 1. */
const SOLID = 0.55;

export const CROP_SCALE = 1;

export function mouthRegion(reference: Float32Array, scale = CROP_SCALE): MouthRegion {
  const s = eyeDistance(reference);
  const [mx, my] = mouthCenter(reference);
  const cx = mx, cy = my;
  const ax = HALF_WIDTH * s, up = UP * s, down = DOWN * s;
  const x0 = Math.floor(cx - ax) - 1, y0 = Math.floor(cy - up) - 1;
  const w = (Math.ceil(2 * ax) + 3) * scale, h = (Math.ceil(up + down) + 3) * scale;
  const mask = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const dy = y0 + y / scale - cy;
      const r = Math.hypot((x0 + x / scale - cx) / ax, dy / (dy < 0 ? up : down));
      const t = Math.min(1, Math.max(0, (1 - r) / (1 - SOLID)));
      mask[y * w + x] = t * t * (3 - 2 * t);
    }
  }
  return { x0, y0, w, h, scale, mask };
}
