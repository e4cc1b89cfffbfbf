/** RGB24 from an I420 frame (BT.601 limited range), as decoded frames come from libwebrtc. */
export function i420ToRgb(frame: { width: number; height: number; data: Uint8Array }): Uint8Array {
  const { width, height, data } = frame;
  const rgb = new Uint8Array(width * height * 3);
  const uOff = width * height;
  const vOff = uOff + (width >> 1) * (height >> 1);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const c = 1.164 * (data[y * width + x] - 16);
      const ci = (y >> 1) * (width >> 1) + (x >> 1);
      const d = data[uOff + ci] - 128;
      const e = data[vOff + ci] - 128;
      const o = 3 * (y * width + x);
      rgb[o] = Math.max(0, Math.min(255, c + 1.596 * e));
      rgb[o + 1] = Math.max(0, Math.min(255, c - 0.392 * d - 0.813 * e));
      rgb[o + 2] = Math.max(0, Math.min(255, c + 2.017 * d));
    }
  }
  return rgb;
}
