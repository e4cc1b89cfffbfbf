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

/** 0..1 jaw opening from a frame's loudness (shared by every voice estimator). */
export function loudness(frame: Int16Array): number {
  let sum = 0;
  for (const s of frame) sum += s * s;
  return Math.min(1, Math.sqrt(sum / Math.max(1, frame.length)) / FULL_OPEN_RMS) ** 0.7;
}

/** Moves `prev` toward `target`: lips open quickly and close over a couple of frames, never snapping. */
export function smoothMouth(prev: MouthShape, target: MouthShape): MouthShape {
  const k = target.open > prev.open ? 0.8 : 0.55;
  const mix = (a: number, b: number) => a + (b - a) * k;
  return { open: mix(prev.open, target.open), width: mix(prev.width, target.width), round: mix(prev.round, target.round) };
}

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
    // High-frequency share: first-difference energy over signal energy (≈ 0 for low vowels, → 2+ for fricatives).
    const bright = energy > 0 ? Math.min(1, diff / energy / 1.2) : 0;
    const loud = loudness(frame);
    const target: MouthShape = {
      open: loud * (0.55 + 0.45 * (1 - bright)),
      width: 0.35 + 0.55 * bright,
      round: loud > 0.1 ? 0.7 * (1 - bright) : 0,
    };
    this.#prev = smoothMouth(this.#prev, target);
    return this.#prev;
  }
}
