import { AUDIO_RATE } from '../../core/media.ts';
import { MOUTH_SHAPES, phonemeToVisemes, type MouthShape, type Viseme } from './visemes.ts';

export interface VisemeKey {
  /** Absolute pts (48 kHz samples) where this viseme's target starts. */
  at: number;
  viseme: Viseme;
}

const MS = AUDIO_RATE / 1000;
/** Lips move before the sound they shape: targets are read this far ahead of the audio. */
const ANTICIPATION = 20 * MS;
/** Coarticulation window: each frame blends the targets around it (triangular kernel). */
const BLEND_BEFORE = 30 * MS;
const BLEND_AFTER = 50 * MS;
const BLEND_STEP = 5 * MS;
/** Frame audio RMS (16-bit) at which the mouth opens fully; quieter frames open less. */
const FULL_OPEN_RMS = 7000;

export const CLOSED: MouthShape = MOUTH_SHAPES.sil;

/**
 * Phoneme events → viseme keys → per-frame mouth shape. Keys are kept sorted on the session's
 * absolute timeline; each frame blends neighbouring targets (no snapping) and scales the opening by
 * the frame's own audio energy, so the mouth closes in pauses and when speech is cut.
 */
export class MouthTrack {
  #keys: VisemeKey[] = [];
  #cursor = 0;

  /** Adds one utterance's phonemes (utterance-relative `at`) starting at absolute pts `base`. */
  addPhonemes(phonemes: { at: number; phoneme: string }[], base: number): void {
    for (let i = 0; i < phonemes.length; i++) {
      const p = phonemes[i]!;
      const visemes = phonemeToVisemes(p.phoneme);
      const next = phonemes[i + 1]?.at ?? p.at + 120 * MS;
      visemes.forEach((viseme, k) => this.#keys.push({ at: base + p.at + Math.round(((next - p.at) * k) / visemes.length), viseme }));
    }
  }

  /** Adds viseme keys read from the audio (utterance-relative `at`) starting at absolute pts `base`. */
  addVisemes(keys: VisemeKey[], base: number): void {
    for (const k of keys) this.#keys.push({ at: base + k.at, viseme: k.viseme });
  }

  /** Ends speech at `pts`: everything after becomes silence (interrupt, end of utterance). */
  closeAt(pts: number): void {
    this.#keys = this.#keys.filter((k) => k.at < pts);
    this.#keys.push({ at: pts, viseme: 'sil' });
  }

  /** Drops keys the renderer has passed, keeping the one still in effect. */
  forgetBefore(pts: number): void {
    let i = 0;
    while (i + 1 < this.#keys.length && this.#keys[i + 1]!.at <= pts - BLEND_BEFORE) i++;
    if (i > 0) this.#keys.splice(0, i);
    this.#cursor = 0;
  }

  targetAt(pts: number): Viseme {
    const keys = this.#keys;
    if (this.#cursor >= keys.length || (keys[this.#cursor] && keys[this.#cursor]!.at > pts)) this.#cursor = 0;
    while (this.#cursor + 1 < keys.length && keys[this.#cursor + 1]!.at <= pts) this.#cursor++;
    const k = keys[this.#cursor];
    return k && k.at <= pts ? k.viseme : 'sil';
  }

  /** Mouth shape for the frame at `pts` whose audio has RMS `rms`. */
  mouthAt(pts: number, rms: number): MouthShape {
    const center = pts + ANTICIPATION;
    let open = 0, width = 0, round = 0, total = 0;
    for (let t = center - BLEND_BEFORE; t <= center + BLEND_AFTER; t += BLEND_STEP) {
      const w = t <= center ? 1 - (center - t) / (BLEND_BEFORE + BLEND_STEP) : 1 - (t - center) / (BLEND_AFTER + BLEND_STEP);
      const s = MOUTH_SHAPES[this.targetAt(t)];
      open += w * s.open;
      width += w * s.width;
      round += w * s.round;
      total += w;
    }
    // Jaw opening follows loudness; the viseme shapes it (rounded, spread, closed lips for p/b/m).
    const energy = Math.min(1, rms / FULL_OPEN_RMS) ** 0.7;
    return { open: energy * (0.45 + 0.55 * (open / total)), width: width / total, round: round / total };
  }
}
