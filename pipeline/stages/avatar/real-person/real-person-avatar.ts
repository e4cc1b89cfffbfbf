import { createCanvas, ImageData, type Canvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { Avatar, AvatarState } from '../avatar.ts';
import type { AvatarPack } from './avatar-pack.ts';
import type { LipShape } from './lip-shape.ts';
import { MouthRenderer, DEFAULT_MOUTH_RENDER, type MouthRenderOptions } from './mouth-renderer.ts';
import type { MouthSelector } from './mouth-selector.ts';

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
  readonly #mouth: MouthRenderer;
  readonly #outputFps: number;
  #count = 0;

  /** `outputFps`: the session's frame rate; the footage plays at its own rate underneath. */
  constructor(pack: AvatarPack, outputFps = 25, mouth: MouthRenderOptions = DEFAULT_MOUTH_RENDER) {
    this.pack = pack;
    this.width = pack.manifest.width;
    this.height = pack.manifest.height;
    this.#canvas = createCanvas(this.width, this.height);
    this.#ctx = this.#canvas.getContext('2d');
    this.#frame = new Uint8ClampedArray(this.width * this.height * 4);
    this.#mouth = new MouthRenderer(pack, mouth);
    this.#outputFps = outputFps;
  }

  renderFrame(state: AvatarState): Canvas {
    const idleIndex = Math.floor((this.#count++ * this.pack.manifest.fps) / this.#outputFps) % this.pack.idle.length;
    const selector = this.#mouth.selector;
    const rgba = this.renderRgba(idleIndex, selector.lipsFor(selector.measureFor(state.mouth)));
    this.#ctx.putImageData(new ImageData(rgba, this.width, this.height), 0, 0);
    return this.#canvas;
  }

  /** One frame as RGBA (reused buffer): idle frame `idleIndex` with the mouth for the target lip outline. */
  renderRgba(idleIndex: number, target: LipShape): Uint8ClampedArray {
    this.#frame.set(this.pack.idle[idleIndex]);
    this.#mouth.render(this.#frame, this.width, this.height, this.pack.idleToCanon[idleIndex], target);
    return this.#frame;
  }

  get selector(): MouthSelector {
    return this.#mouth.selector;
  }
}
