import type { AvatarPack } from './avatar-pack.ts';
import type { Similarity } from './geometry.ts';
import type { LipShape } from './lip-shape.ts';
import { LipWarpBasis } from './lip-warp.ts';
import { blendMouth, mixCrops, mixWarpedCrops } from './mouth-blend.ts';
import { MouthSelector } from './mouth-selector.ts';

export interface MouthRenderOptions {
  /** Atlas mouths mixed per frame (1 = one sharp mouth; a few close ones smooth what none matches). */
  k: number;
  /** `tps`: thin-plate spline onto the target lip outline; `affine`: one affine fit over the lips. */
  warp: 'tps' | 'affine';
}

export const DEFAULT_MOUTH_RENDER: MouthRenderOptions = { k: 3, warp: 'tps' };

/**
 * Puts a target mouth on a base frame: nearest atlas mouths by lip outline (the first held with
 * hysteresis), each warped onto the target outline, mixed by closeness, then blended in with the
 * feathered mask and the ring colour match. One per avatar instance (the selector keeps state).
 */
export class MouthRenderer {
  readonly selector: MouthSelector;
  readonly #pack: AvatarPack;
  readonly #opts: MouthRenderOptions;
  readonly #lips: Float32Array[];
  readonly #mixed: Uint8Array<ArrayBufferLike>;

  constructor(pack: AvatarPack, opts: MouthRenderOptions = DEFAULT_MOUTH_RENDER) {
    this.#pack = pack;
    this.#opts = opts;
    this.selector = new MouthSelector(pack.atlas, pack.manifest.calibration, pack.lipModel);
    this.#lips = pack.atlas.map((e) => Float32Array.from(e.lips));
    this.#mixed = new Uint8Array(pack.region.w * pack.region.h * 3);
  }

  render(dst: Uint8ClampedArray, width: number, height: number, baseToCanon: Similarity, target: LipShape): void {
    const { region, crops } = this.#pack;
    if (this.#opts.warp === 'affine' && this.#opts.k === 1) {
      const choice = this.selector.select(target);
      blendMouth(dst, width, height, baseToCanon, region, crops[choice.entry], { warp: choice.warp });
      return;
    }
    const { choices, weights } = this.selector.selectNearest(target, this.#opts.k, this.#opts.warp === 'affine');
    if (this.#opts.warp === 'tps') {
      const basis = new LipWarpBasis(region, target);
      const warps = choices.map((c) => basis.warpTo(this.#lips[c.entry]));
      mixWarpedCrops(region, choices.map((c) => crops[c.entry]), warps, weights, this.#mixed);
    } else {
      mixCrops(region, choices.map((c) => crops[c.entry]), choices.map((c) => c.warp), weights, this.#mixed);
    }
    blendMouth(dst, width, height, baseToCanon, region, this.#mixed);
  }
}
