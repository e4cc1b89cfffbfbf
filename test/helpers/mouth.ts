// Where the cartoon's mouth is in a 1280×720 frame, and how open it looks: the count of pixels
// darker than skin (lips, mouth interior, tongue) in that box. Used on frames decoded by a real WebRTC viewer.
export const MOUTH_BOX = { x: 595, y: 280, w: 90, h: 75 };

export function mouthDarkPixels(frame: { width: number; data: Uint8Array }): number {
  let n = 0;
  for (let y = MOUTH_BOX.y; y < MOUTH_BOX.y + MOUTH_BOX.h; y++) {
    for (let x = MOUTH_BOX.x; x < MOUTH_BOX.x + MOUTH_BOX.w; x++) if (frame.data[y * frame.width + x]! < 170) n++;
  }
  return n;
}

export function pearson(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  return sxy / Math.sqrt(sxx * syy);
}

/** The closed mouth (a lip line) counts ~320 such pixels; a wide-open one well over 1000. */
export const MOUTH_CLOSED_MAX = 450;
export const MOUTH_OPEN_MIN = 900;

interface Received {
  frames: { at: number; mouth: number }[];
  audioAt: number[];
  audioRms: number[];
}

/** Audio energy around each frame's arrival (±20 ms, shifted by `lag`), paired with that frame's mouth. */
function energyAndMouth(r: Received, from: number, to: number, lag: number) {
  const frames = r.frames.filter((f) => f.at >= from && f.at <= to);
  const energy = frames.map((f) => {
    let e = 0, n = 0;
    for (let i = 0; i < r.audioAt.length; i++) {
      const a = r.audioAt[i]!;
      if (a >= f.at + lag - 20 && a < f.at + lag + 20) {
        e += r.audioRms[i]!;
        n++;
      }
    }
    return n ? e / n : 0;
  });
  return { mouths: frames.map((f) => f.mouth), energy };
}

/**
 * Per-frame audio↔mouth correlation as a viewer experiences it. The viewer's audio and video sinks
 * have separate jitter buffers, so the pairing is searched within ±80 ms — inside what viewers
 * perceive as in sync (ITU-R BT.1359: +45/−125 ms) — and the offset found is reported.
 */
export function syncCorrelation(r: Received, from: number, to: number) {
  let best = { r: -1, lag: 0 };
  for (let lag = -80; lag <= 80; lag += 10) {
    const { mouths, energy } = energyAndMouth(r, from, to, lag);
    const c = pearson(mouths, energy);
    if (c > best.r) best = { r: c, lag };
  }
  const { mouths, energy } = energyAndMouth(r, from, to, 0);
  return { ...best, atZero: pearson(mouths, energy), frames: mouths.length, energy };
}
