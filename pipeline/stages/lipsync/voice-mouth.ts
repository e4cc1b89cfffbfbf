import type { MouthShape } from './visemes.ts';

/** Estimates the mouth from audio alone (operator voice): the interface an audio→viseme model fills. */
export interface VoiceMouthEstimator {
  readonly name: string;
  /** Sees the voice as it arrives (before playout), so models can run ahead. */
  observe?(samples48k: Int16Array): void;
  /**
   * `frame`: the samples shown with this video frame; `ahead`: the audio just after it;
   * `streamPos`: where the frame starts in the voice stream (48 kHz samples since it began).
   */
  mouthFor(frame: Int16Array, ahead: Int16Array, streamPos?: number): MouthShape;
}

const FULL_OPEN_RMS = 7000;

/**
 * Baseline estimator: jaw opening from loudness, lip spread vs rounding from spectral tilt
 * (bright sounds — s, sh, i, e — spread the lips; dark ones — o, u — round them). Smoothed
 * between frames so the mouth never snaps.
 */
export class EnergyTiltMouth implements VoiceMouthEstimator {
  readonly name = 'energy-tilt baseline';
  #prev: MouthShape = { open: 0, width: 0.5, round: 0 };

  mouthFor(frame: Int16Array, ahead: Int16Array): MouthShape {
    let energy = 0;
    let diff = 0;
    let prev = 0;
    const n = frame.length + ahead.length;
    for (let i = 0; i < n; i++) {
      const s = i < frame.length ? frame[i]! : ahead[i - frame.length]!;
      energy += s * s;
      diff += (s - prev) * (s - prev);
      prev = s;
    }
    const rms = Math.sqrt(energy / Math.max(1, n));
    // High-frequency share: first-difference energy over signal energy (≈ 0 for low vowels, → 2+ for fricatives).
    const bright = energy > 0 ? Math.min(1, diff / energy / 1.2) : 0;
    const loud = Math.min(1, rms / FULL_OPEN_RMS) ** 0.7;
    const target: MouthShape = {
      open: loud * (0.55 + 0.45 * (1 - bright)),
      width: 0.35 + 0.55 * bright,
      round: loud > 0.1 ? 0.7 * (1 - bright) : 0,
    };
    // Fast attack, slower release: lips open quickly, close over a couple of frames.
    const k = target.open > this.#prev.open ? 0.8 : 0.55;
    const mix = (a: number, b: number) => a + (b - a) * k;
    this.#prev = { open: mix(this.#prev.open, target.open), width: mix(this.#prev.width, target.width), round: mix(this.#prev.round, target.round) };
    return this.#prev;
  }
}
