/** Luma (BT.601) of an RGBA or RGB image region. */
export function lumaRegion(px: Uint8Array | Uint8ClampedArray, width: number, channels: 3 | 4, x0: number, y0: number, w: number, h: number): Float64Array {
  const out = new Float64Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = ((y0 + y) * width + x0 + x) * channels;
      out[y * w + x] = 0.299 * px[o] + 0.587 * px[o + 1] + 0.114 * px[o + 2];
    }
  }
  return out;
}

export function psnr(a: Float64Array, b: Float64Array): number {
  let se = 0;
  for (let i = 0; i < a.length; i++) se += (a[i] - b[i]) ** 2;
  const mse = se / a.length;
  return mse === 0 ? 99 : 10 * Math.log10((255 * 255) / mse);
}

/** Mean SSIM (Wang et al. 2004) with an 11×11 Gaussian window (σ 1.5), over windows fully inside. */
export function ssim(a: Float64Array, b: Float64Array, w: number, h: number): number {
  const r = 5;
  const g: number[] = [];
  for (let i = -r; i <= r; i++) g.push(Math.exp(-(i * i) / (2 * 1.5 * 1.5)));
  const gs = g.reduce((s, v) => s + v, 0);
  const k = g.map((v) => v / gs);
  const C1 = (0.01 * 255) ** 2, C2 = (0.03 * 255) ** 2;
  let sum = 0, n = 0;
  for (let y = r; y < h - r; y++) {
    for (let x = r; x < w - r; x++) {
      let ma = 0, mb = 0, saa = 0, sbb = 0, sab = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const wt = k[dy + r] * k[dx + r];
          const i = (y + dy) * w + x + dx;
          const va = a[i], vb = b[i];
          ma += wt * va; mb += wt * vb;
          saa += wt * va * va; sbb += wt * vb * vb; sab += wt * va * vb;
        }
      }
      const va = saa - ma * ma, vb = sbb - mb * mb, cov = sab - ma * mb;
      sum += ((2 * ma * mb + C1) * (2 * cov + C2)) / ((ma * ma + mb * mb + C1) * (va + vb + C2));
      n++;
    }
  }
  return n ? sum / n : 1;
}

/** Pearson correlation. */
export function pearson(a: number[], b: number[]): number {
  const n = Math.min(a.length, b.length);
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) { ma += a[i]; mb += b[i]; }
  ma /= n; mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
