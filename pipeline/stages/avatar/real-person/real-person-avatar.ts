import { createCanvas, ImageData, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Avatar, AvatarState } from '../avatar.ts';
import type { AvatarPack } from './avatar-pack.ts';
import { blendMouth } from './mouth-blend.ts';
import type { Affine, LipShape } from './lip-shape.ts';
import { MouthSelector } from './mouth-selector.ts';

/**
 * The 2D real-person presenter ("Video Rewrite" style): the person's own idle footage loops
 * underneath, and each frame gets the atlas mouth nearest to the target shape, warped into the
 * frame's head pose, colour-matched and feathered in. Alpha is the pack's matte, so the
 * compositor replaces the backdrop, then adds overlays and the AI label as for every avatar.
 */
export class RealPersonAvatar implements Avatar {
  readonly width: number;
  readonly height: number;
  readonly pack: AvatarPack;
  readonly #canvas: Canvas;
  readonly #ctx: SKRSContext2D;
  readonly #frame: Uint8ClampedArray;
  readonly #selector: MouthSelector;
  readonly #outputFps: number;
  #count = 0;

  /** `outputFps`: the session's frame rate; the footage plays at its own rate underneath. */
  constructor(pack: AvatarPack, outputFps = 25) {
    this.pack = pack;
    this.width = pack.manifest.width;
    this.height = pack.manifest.height;
    this.#canvas = createCanvas(this.width, this.height);
    this.#ctx = this.#canvas.getContext('2d');
    this.#frame = new Uint8ClampedArray(this.width * this.height * 4);
    this.#selector = new MouthSelector(pack.atlas, pack.manifest.calibration, pack.lipModel);
    this.#outputFps = outputFps;
  }

  renderFrame(state: AvatarState): Canvas {
    const idleIndex = Math.floor((this.#count++ * this.pack.manifest.fps) / this.#outputFps) % this.pack.idle.length;
    const rgba = this.renderRgba(idleIndex, this.#selector.lipsFor(this.#selector.measureFor(state.mouth)));
    this.#ctx.putImageData(new ImageData(rgba, this.width, this.height), 0, 0);
    return this.#canvas;
  }

  /** One frame as RGBA (reused buffer): idle frame `idleIndex` with the mouth nearest the target lip outline. */
  renderRgba(idleIndex: number, target: LipShape): Uint8ClampedArray {
    const { entry, warp } = this.#selector.select(target);
    return this.renderWithMouth(idleIndex, this.pack.crops[entry], warp);
  }

  /** Idle frame `idleIndex` with a given canonical mouth crop blended in (also used for evaluation). */
  renderWithMouth(idleIndex: number, crop: Uint8Array, warp?: Affine): Uint8ClampedArray {
    this.#frame.set(this.pack.idle[idleIndex]);
    blendMouth(this.#frame, this.width, this.height, this.pack.idleToCanon[idleIndex], this.pack.region, crop, { warp });
    return this.#frame;
  }

  get selector(): MouthSelector {
    return this.#selector;
  }
}
