import { AUDIO_RATE } from '../../core/media.ts';
import { seededRandom } from '../../core/random.ts';

export interface IdlePose {
  /** Chest rise 0..1 */
  breath: number;
  /** Head rotation (radians) and offset (px at 720p). */
  headTilt: number;
  headX: number;
  headY: number;
  /** 0 = open eyes, 1 = closed */
  blink: number;
  /** Eye look direction -1..1 */
  gazeX: number;
}

const BLINK_MS = 160;

/**
 * Breathing, head sway and blinks at natural random intervals (2–6 s, sometimes a double blink).
 * A pure function of (seed, pts), so any frame can be rendered again identically.
 */
export class IdleMotion {
  readonly #phases: number[];
  readonly #blinks: number[] = [];
  readonly #random: () => number;
  #blinkHorizon = 0;

  constructor(seed: number) {
    this.#random = seededRandom(seed);
    this.#phases = Array.from({ length: 6 }, () => this.#random() * Math.PI * 2);
  }

  #blinksUntil(pts: number): void {
    while (this.#blinkHorizon <= pts + AUDIO_RATE) {
      const gapS = 2 + this.#random() * 4;
      this.#blinkHorizon += gapS * AUDIO_RATE;
      this.#blinks.push(this.#blinkHorizon);
      if (this.#random() < 0.15) this.#blinks.push(this.#blinkHorizon + 0.3 * AUDIO_RATE);
    }
    while (this.#blinks.length > 8 && this.#blinks[1]! < pts - AUDIO_RATE) this.#blinks.shift();
  }

  poseAt(pts: number): IdlePose {
    const t = pts / AUDIO_RATE;
    const p = this.#phases;
    this.#blinksUntil(pts);
    let blink = 0;
    for (const b of this.#blinks) {
      const dt = ((pts - b) / AUDIO_RATE) * 1000;
      if (dt >= 0 && dt < BLINK_MS) blink = Math.max(blink, Math.sin((dt / BLINK_MS) * Math.PI));
    }
    return {
      breath: 0.5 + 0.5 * Math.sin(t * 2 * Math.PI * 0.23 + p[0]!),
      headTilt: 0.035 * Math.sin(t * 2 * Math.PI * 0.11 + p[1]!) + 0.015 * Math.sin(t * 2 * Math.PI * 0.37 + p[2]!),
      headX: 6 * Math.sin(t * 2 * Math.PI * 0.07 + p[3]!),
      headY: 3 * Math.sin(t * 2 * Math.PI * 0.19 + p[4]!),
      blink,
      gazeX: 0.3 * Math.sin(t * 2 * Math.PI * 0.05 + p[5]!),
    };
  }
}
