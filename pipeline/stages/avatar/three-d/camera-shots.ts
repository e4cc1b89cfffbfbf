// Close-up, half-body and full-body framings computed from the avatar's own proportions (head top,
// chin, hips, feet), and a short eased move between them when the operator switches live.
import * as THREE from 'three';

export const SHOTS = ['close-up', 'half', 'full'] as const;
export type Shot = (typeof SHOTS)[number];

export interface BodyLandmarks {
  headTop: number;
  eyes: number;
  chest: number;
  hips: number;
  floor: number;
}

interface Framing {
  /** World-space centre and vertical extent the shot shows. */
  centerY: number;
  extent: number;
}

export function framingFor(shot: Shot, b: BodyLandmarks): Framing {
  const height = b.headTop - b.floor;
  switch (shot) {
    case 'close-up': {
      const top = b.headTop + height * 0.035;
      const bottom = b.chest - (b.headTop - b.chest) * 0.05;
      return { centerY: (top + bottom) / 2, extent: top - bottom };
    }
    case 'half': {
      const top = b.headTop + height * 0.06;
      const bottom = b.hips - height * 0.08;
      return { centerY: (top + bottom) / 2, extent: top - bottom };
    }
    case 'full': {
      const top = b.headTop + height * 0.07;
      const bottom = b.floor - height * 0.04;
      return { centerY: (top + bottom) / 2, extent: top - bottom };
    }
  }
}

const MOVE_S = 0.8;
const ease = (x: number) => (x < 0.5 ? 4 * x * x * x : 1 - (-2 * x + 2) ** 3 / 2);

/** A camera that holds a framing and glides to a new one over 0.8 s. */
export class ShotCamera {
  readonly camera: THREE.PerspectiveCamera;
  readonly #body: BodyLandmarks;
  #from: Framing;
  #to: Framing;
  #shot: Shot;
  #startedAt: number | undefined;
  #pending = false;
  #last: Framing | undefined;

  constructor(aspect: number, body: BodyLandmarks, shot: Shot) {
    this.camera = new THREE.PerspectiveCamera(24, aspect, 0.2, 30);
    this.#body = body;
    this.#shot = shot;
    this.#from = this.#to = framingFor(shot, body);
  }

  get shot(): Shot {
    return this.#shot;
  }

  set(shot: Shot): void {
    if (shot === this.#shot) return;
    this.#from = this.#last ?? this.#to;
    this.#to = framingFor(shot, this.#body);
    this.#shot = shot;
    this.#pending = true;
  }

  #current(t: number): Framing {
    if (this.#startedAt === undefined) return this.#to;
    const k = ease(Math.min(1, (t - this.#startedAt) / MOVE_S));
    return { centerY: this.#from.centerY + (this.#to.centerY - this.#from.centerY) * k, extent: this.#from.extent + (this.#to.extent - this.#from.extent) * k };
  }

  /** Places the camera for time `t` (seconds). */
  update(t: number): void {
    if (this.#pending) {
      this.#startedAt = t;
      this.#pending = false;
    }
    const f = this.#current(t);
    this.#last = f;
    const fov = THREE.MathUtils.degToRad(this.camera.fov);
    const distance = f.extent / 2 / Math.tan(fov / 2);
    // A touch above eye level for the close-up, chest level further out.
    this.camera.position.set(0, f.centerY + f.extent * 0.04, distance);
    this.camera.lookAt(0, f.centerY, 0);
    this.camera.updateMatrixWorld();
  }
}

/** An avatar whose framing the operator can change (the 3D presenters; 2D avatars have one). */
export interface ShotControl {
  readonly shot: Shot;
  setShot(shot: Shot): void;
}

export function hasShots(avatar: object): avatar is ShotControl {
  return typeof (avatar as Partial<ShotControl>).setShot === 'function';
}
