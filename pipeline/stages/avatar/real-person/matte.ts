import { FACE_OVAL } from '../../face/mesh-indices.ts';

/** Chroma-key parameters estimated from a frame's border: the backdrop colour and how flat it is. */
export interface ChromaKey {
  cb: number;
  cr: number;
  /** The backdrop colour itself (median of the border), to unmix it from edge pixels. */
  rgb: [number, number, number];
  /** Chroma distance below which a pixel is backdrop, and above which it is fully foreground. */
  inner: number;
  outer: number;
}

function chroma(r: number, g: number, b: number): [number, number] {
  return [-0.1687 * r - 0.3313 * g + 0.5 * b, 0.5 * r - 0.4187 * g - 0.0813 * b];
}

/**
 * Looks at the top and upper side borders (the shoulders fill the bottom) and returns a key when
 * they are one saturated colour, as in front of a blue or green screen; undefined otherwise (then
 * the pack keeps its own backdrop).
 */
export function estimateChromaKey(rgb: Uint8Array, width: number, height: number): ChromaKey | undefined {
  const samples: [number, number][] = [];
  const push = (x: number, y: number) => {
    const o = 3 * (y * width + x);
    samples.push(chroma(rgb[o], rgb[o + 1], rgb[o + 2]));
  };
  for (let x = 0; x < width; x += 2) for (const y of [1, 3]) push(x, y);
  for (let y = 0; y < Math.floor(height * 0.5); y += 2) for (const x of [1, 3, width - 2, width - 4]) push(x, y);
  const med = (k: 0 | 1) => samples.map((s) => s[k]).sort((a, b) => a - b)[samples.length >> 1];
  const cb = med(0);
  const cr = med(1);
  const d = samples.map(([b, r]) => Math.hypot(b - cb, r - cr)).sort((a, b) => a - b);
  const p80 = d[Math.floor(d.length * 0.8)];
  // Saturated backdrop (far from grey) that most of the border matches: a keyable screen.
  if (Math.hypot(cb, cr) < 40 || p80 > 18) return undefined;
  const inner = Math.max(12, p80 * 2.2);
  const channel = (c: number) => {
    const v: number[] = [];
    for (let x = 0; x < width; x += 2) v.push(rgb[3 * (width + x) + c]);
    return v.sort((a, b) => a - b)[v.length >> 1];
  };
  return { cb, cr, rgb: [channel(0), channel(1), channel(2)], inner, outer: inner + 28 };
}

function pointInPolygon(x: number, y: number, poly: number[]): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 2; i < poly.length; j = i, i += 2) {
    const xi = poly[i], yi = poly[i + 1], xj = poly[j], yj = poly[j + 1];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * The matte clean-up shared by the chroma key and the segmentation matte, in place: the face
 * (inside the landmark outline) always opaque, only the region connected to the face kept (4-
 * neighbour flood fill over alpha > 0.5; a pixel outside it keeps its alpha only next to it), and
 * the edge pulled in by a pixel and softened.
 */
function refineMatte(alpha: Float32Array, width: number, height: number, landmarks: Float32Array): void {
  const n = width * height;
  // Face interior: always opaque (eyes or shadows can come close to the key colour).
  const oval: number[] = [];
  for (const i of FACE_OVAL) oval.push(landmarks[2 * i], landmarks[2 * i + 1]);
  let minX = width, maxX = 0, minY = height, maxY = 0;
  for (let i = 0; i < oval.length; i += 2) {
    minX = Math.min(minX, oval[i]); maxX = Math.max(maxX, oval[i]);
    minY = Math.min(minY, oval[i + 1]); maxY = Math.max(maxY, oval[i + 1]);
  }
  for (let y = Math.max(0, Math.floor(minY)); y <= Math.min(height - 1, Math.ceil(maxY)); y++) {
    for (let x = Math.max(0, Math.floor(minX)); x <= Math.min(width - 1, Math.ceil(maxX)); x++) {
      if (pointInPolygon(x, y, oval)) alpha[y * width + x] = 1;
    }
  }
  // Keep what is connected to the face (4-neighbour flood fill over alpha > 0.5).
  const keep = new Uint8Array(n);
  const cx = Math.round((minX + maxX) / 2), cy = Math.round((minY + maxY) / 2);
  const stack = [cy * width + cx];
  keep[stack[0]] = 1;
  while (stack.length) {
    const i = stack.pop()!;
    const x = i % width, y = (i / width) | 0;
    const visit = (j: number) => {
      if (!keep[j] && alpha[j] > 0.5) {
        keep[j] = 1;
        stack.push(j);
      }
    };
    if (x > 0) visit(i - 1);
    if (x < width - 1) visit(i + 1);
    if (y > 0) visit(i - width);
    if (y < height - 1) visit(i + width);
  }
  // Soft edges: a pixel outside the kept region keeps its alpha only next to it.
  for (let i = 0; i < n; i++) {
    if (keep[i]) continue;
    const x = i % width, y = (i / width) | 0;
    const near = (x > 0 && keep[i - 1]) || (x < width - 1 && keep[i + 1]) || (y > 0 && keep[i - width]) || (y < height - 1 && keep[i + width]);
    if (!near) alpha[i] = 0;
  }
  // Edge pixels are part backdrop: pull the alpha edge in by a pixel and soften it, so no
  // fringe of the screen's colour rings the person over a new background.
  const eroded = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const x = i % width, y = (i / width) | 0;
    let m = alpha[i];
    if (x > 0) m = Math.min(m, alpha[i - 1]);
    if (x < width - 1) m = Math.min(m, alpha[i + 1]);
    if (y > 0) m = Math.min(m, alpha[i - width]);
    if (y < height - 1) m = Math.min(m, alpha[i + width]);
    eroded[i] = m;
  }
  for (let i = 0; i < n; i++) {
    const x = i % width, y = (i / width) | 0;
    if (x === 0 || y === 0 || x === width - 1 || y === height - 1) {
      alpha[i] = eroded[i];
      continue;
    }
    alpha[i] = (4 * eroded[i] + eroded[i - 1] + eroded[i + 1] + eroded[i - width] + eroded[i + width]) / 8;
  }
}

/**
 * RGBA from RGB with the backdrop keyed out: alpha from chroma distance, blue/green spill removed,
 * the face (inside the landmark outline) always opaque, and only the region connected to the face
 * kept (props at the frame's edge that aren't the backdrop colour are dropped too).
 */
export function applyChromaKey(rgb: Uint8Array, width: number, height: number, key: ChromaKey, landmarks: Float32Array, out = new Uint8ClampedArray(width * height * 4)): Uint8ClampedArray {
  const n = width * height;
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [b, r] = chroma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
    const d = Math.hypot(b - key.cb, r - key.cr);
    alpha[i] = d <= key.inner ? 0 : d >= key.outer ? 1 : (d - key.inner) / (key.outer - key.inner);
  }
  refineMatte(alpha, width, height, landmarks);
  const blueScreen = key.cb > Math.abs(key.cr);
  const [kr, kg, kb] = key.rgb;
  for (let i = 0; i < n; i++) {
    let r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
    const a = alpha[i];
    if (a > 0.05 && a < 0.98) {
      // Unmix: observed = a·person + (1 − a)·backdrop.
      r = Math.min(255, Math.max(0, (r - (1 - a) * kr) / a));
      g = Math.min(255, Math.max(0, (g - (1 - a) * kg) / a));
      b = Math.min(255, Math.max(0, (b - (1 - a) * kb) / a));
    }
    // Spill suppression: blue may not exceed the mean of red and green (skin and hair never do).
    if (blueScreen) b = Math.min(b, (r + g) / 2);
    else if (key.cr < 0 && key.cb < 0) g = Math.min(g, (r + b) / 2);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = Math.round(alpha[i] * 255);
  }
  return out;
}

/**
 * RGBA from RGB with a person-segmentation mask (0..1 per pixel, PersonSegmenter.maskOf) as the
 * alpha: the mask's soft band narrowed (0.25..0.75 → 0..1), then the same clean-up as the chroma
 * key (face opaque, only the region connected to the face, a soft 1-px edge). Colours are kept
 * as they are (no screen colour to unmix).
 */
export function applySegmentationMatte(rgb: Uint8Array, width: number, height: number, mask: Float32Array, landmarks: Float32Array, out = new Uint8ClampedArray(width * height * 4)): Uint8ClampedArray {
  const n = width * height;
  if (mask.length !== n) throw new Error(`mask of ${mask.length} values for a ${width}×${height} frame`);
  const alpha = new Float32Array(n);
  for (let i = 0; i < n; i++) alpha[i] = Math.min(1, Math.max(0, (mask[i]! - 0.25) * 2));
  refineMatte(alpha, width, height, landmarks);
  for (let i = 0; i < n; i++) {
    out[4 * i] = rgb[3 * i]!;
    out[4 * i + 1] = rgb[3 * i + 1]!;
    out[4 * i + 2] = rgb[3 * i + 2]!;
    out[4 * i + 3] = Math.round(alpha[i]! * 255);
  }
  return out;
}

/**
 * Per-frame masks of a looping clip averaged with their neighbours (¼, ½, ¼, wrapping around, as
 * the loop does), so the segmentation edge doesn't shimmer from frame to frame.
 */
export function smoothMasksInTime(masks: Float32Array[]): Float32Array[] {
  const L = masks.length;
  if (L < 3) return masks;
  return masks.map((m, j) => {
    const a = masks[(j + L - 1) % L]!, b = masks[(j + 1) % L]!;
    const out = new Float32Array(m.length);
    for (let i = 0; i < m.length; i++) out[i] = 0.5 * m[i]! + 0.25 * (a[i]! + b[i]!);
    return out;
  });
}

/** RGBA from RGB, fully opaque (no keyable backdrop). */
export function opaque(rgb: Uint8Array, width: number, height: number, out = new Uint8ClampedArray(width * height * 4)): Uint8ClampedArray {
  for (let i = 0, n = width * height; i < n; i++) {
    out[4 * i] = rgb[3 * i];
    out[4 * i + 1] = rgb[3 * i + 1];
    out[4 * i + 2] = rgb[3 * i + 2];
    out[4 * i + 3] = 255;
  }
  return out;
}
