import type { MouthShape } from '../../lipsync/visemes.ts';
import type { AtlasEntry, PackManifest } from './avatar-pack.ts';
import type { MouthMeasure } from './geometry.ts';
import { fitAffine, invertAffine, lipDistance, predictLips, type Affine, type LipModel, type LipShape } from './lip-shape.ts';

/** How much closer (mean lip-point distance, canonical px) a new mouth must be before we switch. */
const HYSTERESIS = 0.35;
/** Pose cost → px of lip distance. */
const POSE_WEIGHT = 2;
/**
 * Extra weight on the inner-lip gap: a warp can stretch closed lips into an open outline but
 * cannot invent the dark mouth interior or teeth, so the opening must come from the crop itself.
 */
const GAP_WEIGHT = 3;
/** Inner upper/lower lip midpoints (13, 14) within LIPS (outer 20 points, then inner 20). */
const GAP_UPPER = 25;
const GAP_LOWER = 35;

function gap(l: ArrayLike<number>): number {
  return Math.hypot(l[2 * GAP_UPPER] - l[2 * GAP_LOWER], l[2 * GAP_UPPER + 1] - l[2 * GAP_LOWER + 1]);
}

const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

export interface MouthChoice {
  entry: number;
  /** Canonical target → crop coordinates: moves the chosen lips onto the target outline. */
  warp: Affine;
}

/**
 * Picks one sharp atlas mouth per frame (blending several ghosts the teeth): the one whose lip
 * outline is nearest the target outline, preferring frontal crops, and keeping the previous pick
 * unless another is clearly closer so the mouth doesn't flicker between near-identical crops. The
 * pick is then warped (affine fit over the 40 lip points) onto the target outline.
 */
export class MouthSelector {
  readonly #atlas: AtlasEntry[];
  readonly #lips: Float32Array[];
  readonly #cal: PackManifest['calibration'];
  readonly #model: LipModel;
  readonly #target: Float32Array;
  #previous = -1;
  readonly #costs: Float64Array;

  constructor(atlas: AtlasEntry[], calibration: PackManifest['calibration'], model: LipModel) {
    this.#atlas = atlas;
    this.#lips = atlas.map((e) => Float32Array.from(e.lips));
    this.#cal = calibration;
    this.#model = model;
    this.#target = new Float32Array(model.mean.length);
    this.#costs = new Float64Array(atlas.length);
  }

  /** Viseme-space shape (open 0..1, width ~0.35..0.75 with 0.5 at rest) → this person's measures. */
  measureFor(shape: MouthShape): MouthMeasure {
    const c = this.#cal;
    const open = c.openLo + Math.min(1, Math.max(0, shape.open)) * (c.openHi - c.openLo);
    // Rounded lips (oo, w) are narrower than their width alone says.
    const w = shape.width - 0.12 * shape.round;
    const width = w >= 0.5 ? c.widthRest + ((w - 0.5) / 0.25) * (c.widthHi - c.widthRest) : c.widthRest - ((0.5 - w) / 0.2) * (c.widthRest - c.widthLo);
    return { open, width };
  }

  /** The person's lip outline for a measure (their own linear lip model). */
  lipsFor(m: MouthMeasure): LipShape {
    return predictLips(this.#model, m.open, m.width, this.#target);
  }

  /**
   * The `k` nearest mouths with inverse-distance weights, the previous frame's nearest kept
   * first while it stays close (temporal stability). `withAffine`: also fit each one's affine
   * warp (the TPS path doesn't need it).
   */
  selectNearest(target: LipShape, k: number, withAffine = true): { choices: MouthChoice[]; weights: number[] } {
    const g = gap(target);
    const costs = this.#costs;
    let best = 0;
    for (let i = 0; i < costs.length; i++) {
      costs[i] = this.#cost(i, target, g);
      if (costs[i] < costs[best]) best = i;
    }
    const first = this.#previous >= 0 && costs[this.#previous] < costs[best] + HYSTERESIS ? this.#previous : best;
    this.#previous = first;
    // The k − 1 next nearest by partial selection (k is small).
    const picks = [first];
    while (picks.length < Math.min(k, costs.length)) {
      let next = -1;
      for (let i = 0; i < costs.length; i++) if (!picks.includes(i) && (next < 0 || costs[i] < costs[next])) next = i;
      picks.push(next);
    }
    const raw = picks.map((i) => 1 / (0.3 + costs[i]) ** 2);
    const sum = raw.reduce((a, b) => a + b, 0);
    return {
      choices: picks.map((i) => ({ entry: i, warp: withAffine ? invertAffine(fitAffine(this.#lips[i], target)) : IDENTITY })),
      weights: raw.map((w) => w / sum),
    };
  }

  #cost(i: number, target: LipShape, targetGap: number): number {
    const lips = this.#lips[i];
    return lipDistance(lips, target) + GAP_WEIGHT * Math.abs(gap(lips) - targetGap) + POSE_WEIGHT * this.#atlas[i].poseCost;
  }

  select(target: LipShape): MouthChoice {
    let best = 0;
    let bestCost = Infinity;
    const g = gap(target);
    const cost = (i: number) => this.#cost(i, target, g);
    for (let i = 0; i < this.#lips.length; i++) {
      const k = cost(i);
      if (k < bestCost) {
        bestCost = k;
        best = i;
      }
    }
    if (this.#previous >= 0 && cost(this.#previous) < bestCost + HYSTERESIS) best = this.#previous;
    this.#previous = best;
    // fitAffine(crop lips → target lips) maps crop → target; sampling needs target → crop.
    return { entry: best, warp: invertAffine(fitAffine(this.#lips[best], target)) };
  }
}
