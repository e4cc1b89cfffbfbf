import type { Canvas } from '@napi-rs/canvas';
import type { MouthShape } from '../lipsync/visemes.ts';
import type { IdlePose } from '../gesture/idle-motion.ts';

export type HandShape = 'relaxed' | 'open' | 'point' | 'count';

export interface ArmPose {
  /** Upper arm angle from hanging straight down, radians, positive = raised outward. */
  shoulder: number;
  /** Forearm bend relative to the upper arm, radians, positive = folded up/in. */
  elbow: number;
  hand: HandShape;
}

/** Everything an avatar needs to draw one frame. */
export interface AvatarState {
  mouth: MouthShape;
  idle: IdlePose;
  left: ArmPose;
  right: ArmPose;
  /** Head nod offset, radians (positive = down). */
  nod: number;
}

/**
 * An avatar renders a state into RGBA with alpha (transparent background); the compositor places
 * it over the background and adds overlays and the label. The cartoon, the real-person and the
 * 3D avatars all implement this.
 */
export interface Avatar {
  readonly width: number;
  readonly height: number;
  renderFrame(state: AvatarState): Canvas;
  /** After renderFrame: the part of the canvas that is not transparent, when the avatar knows it. */
  readonly contentBounds?: { x: number; y: number; w: number; h: number };
  /** Frees what the avatar holds outside the JS heap (a 3D avatar's GL context). */
  dispose?(): void;
}
