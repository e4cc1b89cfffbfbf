// Does a take say its prompt? Both the take and an eSpeak rendering of the prompt go through the
// audio→viseme model; the two viseme-probability sequences are aligned with DTW and the mean
// distance along the best path is the score. Visemes abstract away the voice (pitch, timbre), so a
// person reading the right words lands near eSpeak's rendering and another sentence does not.
import type { VoiceVisemeModel } from '../lipsync/onnx-voice-mouth.ts';

/** Mono Int16 at `rate` → float 16 kHz for the model (linear interpolation is enough for mels ≤ 7.6 kHz). */
export function to16k(samples: Int16Array, rate: number): Float32Array {
  const n = Math.floor((samples.length * 16_000) / rate);
  const out = new Float32Array(n);
  const step = rate / 16_000;
  for (let i = 0; i < n; i++) {
    const x = i * step;
    const k = Math.floor(x);
    const a = samples[k] ?? 0;
    const b = samples[k + 1] ?? a;
    out[i] = (a + (b - a) * (x - k)) / 32768;
  }
  return out;
}

/** Per-hop viseme probabilities, square-rooted (Hellinger space) and without the silent hops at the ends. */
async function features(model: VoiceVisemeModel, audio16k: Float32Array): Promise<Float32Array[]> {
  const hops = (await model.run(audio16k)).map((p) => Float32Array.from(p, Math.sqrt));
  const speech = (p: Float32Array) => p[0]! * p[0]! < 0.5; // sil probability under one half
  const first = hops.findIndex(speech);
  let last = hops.length - 1;
  while (last > first && !speech(hops[last]!)) last--;
  return first < 0 ? [] : hops.slice(first, last + 1);
}

/** Mean Hellinger distance along the DTW path between two sequences (0 = identical, 1 = disjoint). */
export function dtwCost(a: Float32Array[], b: Float32Array[]): number {
  if (!a.length || !b.length) return 1;
  const dist = (x: Float32Array, y: Float32Array) => {
    let bc = 0;
    for (let i = 0; i < x.length; i++) bc += x[i]! * y[i]!;
    return Math.sqrt(Math.max(0, 1 - bc));
  };
  const m = b.length;
  let prev = new Float64Array(m).fill(Infinity);
  let prevLen = new Float64Array(m);
  for (let i = 0; i < a.length; i++) {
    const cur = new Float64Array(m);
    const curLen = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const d = dist(a[i]!, b[j]!);
      if (i === 0 && j === 0) {
        cur[j] = d;
        curLen[j] = 1;
        continue;
      }
      let best = Infinity;
      let len = 0;
      if (i > 0 && prev[j]! < best) (best = prev[j]!), (len = prevLen[j]!);
      if (j > 0 && cur[j - 1]! < best) (best = cur[j - 1]!), (len = curLen[j - 1]!);
      if (i > 0 && j > 0 && prev[j - 1]! <= best) (best = prev[j - 1]!), (len = prevLen[j - 1]!);
      cur[j] = best + d;
      curLen[j] = len + 1;
    }
    prev = cur;
    prevLen = curLen;
  }
  return prev[m - 1]! / prevLen[m - 1]!;
}

export async function readingCost(model: VoiceVisemeModel, take16k: Float32Array, reference16k: Float32Array): Promise<{ cost: number; lengthRatio: number }> {
  const [a, b] = await Promise.all([features(model, take16k), features(model, reference16k)]);
  return { cost: dtwCost(a, b), lengthRatio: b.length ? a.length / b.length : 0 };
}
