// Level checks for one recorded take, the way voice-talent specs phrase them (Azure custom voice
// "record-custom-voice-samples": peaks −3…−6 dBFS, redo takes under −18 dB, no clipping, SNR over
// 35 dB, 100–200 ms of silence at each end): 20 ms frames, noise floor from the quietest frames,
// speech level from the loudest.
const FRAME_MS = 20;
const CLIP_LEVEL = 32_700;

export interface TakeLevels {
  peakDb: number;
  speechDb: number;
  noiseDb: number;
  snrDb: number;
  /** Runs of ≥ 3 samples at full scale (each run is one clip). */
  clips: number;
  /** Speech span with 150 ms margins, in samples. */
  start: number;
  end: number;
  speechSeconds: number;
}

const db = (rms: number) => (rms > 0 ? 20 * Math.log10(rms / 32768) : -120);

export function measureTake(samples: Int16Array, rate: number): TakeLevels {
  const frame = Math.round((rate * FRAME_MS) / 1000);
  const levels: number[] = [];
  for (let i = 0; i + frame <= samples.length; i += frame) {
    let sum = 0;
    for (let k = i; k < i + frame; k++) sum += samples[k]! * samples[k]!;
    levels.push(db(Math.sqrt(sum / frame)));
  }
  let peak = 0;
  let clips = 0;
  let run = 0;
  for (const s of samples) {
    const a = Math.abs(s);
    if (a > peak) peak = a;
    if (a >= CLIP_LEVEL) {
      if (++run === 3) clips++;
    } else run = 0;
  }
  const sorted = [...levels].sort((a, b) => a - b);
  const pick = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? -120;
  const noiseDb = Math.max(-100, pick(0.1));
  const speechDb = pick(0.95);
  // Speech: frames well above the floor; the take keeps 150 ms around the first and last of them.
  const gate = noiseDb + Math.max(6, 0.25 * (speechDb - noiseDb));
  const first = levels.findIndex((l) => l > gate);
  const last = levels.length - 1 - [...levels].reverse().findIndex((l) => l > gate);
  const margin = Math.round(0.15 * rate);
  const start = first < 0 ? 0 : Math.max(0, first * frame - margin);
  const end = first < 0 ? 0 : Math.min(samples.length, (last + 1) * frame + margin);
  return { peakDb: db(peak), speechDb, noiseDb, snrDb: speechDb - noiseDb, clips, start, end, speechSeconds: first < 0 ? 0 : ((last - first + 1) * frame) / rate };
}
