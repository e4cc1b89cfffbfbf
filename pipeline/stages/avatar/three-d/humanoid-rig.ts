// Poses any humanoid skeleton from the 2D pipeline's AvatarState (arm angles, hand shapes, nod,
// idle motion). Targets are directions in the body's frame, applied as "rotate the rest direction
// onto the target", so a rig whose rest pose is arms-down (OnAir's hosts), an A-pose or a T-pose
// (Mixamo, VRM) all move the same way.
import * as THREE from 'three';
import type { ArmPose, AvatarState, HandShape } from '../avatar.ts';

/** Canonical (VRM humanoid) bone name → names other conventions use. */
const ALIASES: Record<string, string[]> = {
  hips: ['Hips'],
  spine: ['Spine'],
  chest: ['Spine1', 'Chest'],
  upperChest: ['Spine2', 'UpperChest'],
  neck: ['Neck'],
  head: ['Head'],
  leftEye: ['LeftEye', 'Eye_L'],
  rightEye: ['RightEye', 'Eye_R'],
  leftShoulder: ['LeftShoulder'],
  rightShoulder: ['RightShoulder'],
  leftUpperArm: ['LeftArm', 'LeftUpperArm'],
  rightUpperArm: ['RightArm', 'RightUpperArm'],
  leftLowerArm: ['LeftForeArm', 'LeftLowerArm'],
  rightLowerArm: ['RightForeArm', 'RightLowerArm'],
  leftHand: ['LeftHand'],
  rightHand: ['RightHand'],
  leftUpperLeg: ['LeftUpLeg', 'LeftUpperLeg'],
  rightUpperLeg: ['RightUpLeg', 'RightUpperLeg'],
  leftLowerLeg: ['LeftLeg', 'LeftLowerLeg'],
  rightLowerLeg: ['RightLeg', 'RightLowerLeg'],
  leftFoot: ['LeftFoot'],
  rightFoot: ['RightFoot'],
};
const FINGERS = ['Thumb', 'Index', 'Middle', 'Ring', 'Little'] as const;
type Finger = (typeof FINGERS)[number];
/** VRM's finger names and Mixamo's (`LeftHandIndex1`, `LeftHandPinky1`). */
function fingerAliases(side: 'left' | 'right', finger: Finger, segment: number): string[] {
  const S = side === 'left' ? 'Left' : 'Right';
  const vrmSeg = finger === 'Thumb' ? ['Metacarpal', 'Proximal', 'Distal'][segment - 1]! : ['Proximal', 'Intermediate', 'Distal'][segment - 1]!;
  const mixamo = finger === 'Little' ? 'Pinky' : finger;
  return [`${S}Hand${mixamo}${segment}`, `${side}${finger}${vrmSeg}`, `${S}${finger}${vrmSeg}`];
}

/** The names a rig must have (the VRM humanoid's required bones, less the legs' toes). */
export const REQUIRED_BONES = ['hips', 'spine', 'chest', 'neck', 'head', 'leftUpperArm', 'leftLowerArm', 'leftHand', 'rightUpperArm', 'rightLowerArm', 'rightHand', 'leftUpperLeg', 'leftLowerLeg', 'leftFoot', 'rightUpperLeg', 'rightLowerLeg', 'rightFoot'] as const;

const norm = (name: string) => name.replace(/^mixamorig\d*[:_]?/i, '').replace(/^(J_Bip_|DEF-)/, '').toLowerCase().replace(/[^a-z0-9]/g, '');

/** Finds bones by canonical name: VRM humanoid names, Mixamo names (with or without prefix). */
export function findBones(root: THREE.Object3D, extra: Record<string, THREE.Object3D> = {}): Map<string, THREE.Object3D> {
  const byName = new Map<string, THREE.Object3D>();
  root.traverse((o) => {
    if ((o as THREE.Bone).isBone || o.type === 'Object3D' || o.type === 'Group') {
      const key = norm(o.name);
      if (key && !byName.has(key)) byName.set(key, o);
    }
  });
  const found = new Map<string, THREE.Object3D>(Object.entries(extra));
  for (const [canonical, names] of Object.entries(ALIASES)) {
    if (found.has(canonical)) continue;
    for (const n of [canonical, ...names]) {
      const o = byName.get(norm(n));
      if (o) {
        found.set(canonical, o);
        break;
      }
    }
  }
  for (const side of ['left', 'right'] as const) {
    for (const f of FINGERS) {
      for (let s = 1; s <= 3; s++) {
        const key = `${side}${f}${s}`;
        if (found.has(key)) continue;
        for (const n of fingerAliases(side, f, s)) {
          const o = byName.get(norm(n));
          if (o) {
            found.set(key, o);
            break;
          }
        }
      }
    }
  }
  return found;
}

export function missingBones(bones: Map<string, THREE.Object3D>): string[] {
  return REQUIRED_BONES.filter((b) => !bones.has(b));
}

interface Rest {
  bone: THREE.Object3D;
  local: THREE.Quaternion;
  world: THREE.Quaternion;
  /** Direction to the bone's child (the limb's axis) in world space, rest pose. */
  dir: THREE.Vector3;
  /** The parent's world rotation at rest (body-axis rotations are conjugated by it). */
  parentWorld: THREE.Quaternion;
  parentWorldInverse: THREE.Quaternion;
}

/** Finger curl targets (radians per joint) for each hand shape; thumb first. */
const CURL: Record<HandShape, number[]> = {
  relaxed: [0.25, 0.45, 0.5, 0.55, 0.6],
  open: [0.05, 0.04, 0.03, 0.05, 0.08],
  point: [0.7, 0.02, 1.35, 1.4, 1.4],
  count: [0.05, 0.02, 0.02, 1.35, 1.35],
};
/** How far the palm turns to face the audience, per hand shape. */
const PALM_OUT: Record<HandShape, number> = { relaxed: 0, open: 0.85, point: 0.2, count: 0.9 };

const tmpQ = new THREE.Quaternion();
const tmpQ2 = new THREE.Quaternion();
const tmpV = new THREE.Vector3();
const tmpE = new THREE.Euler();

export class HumanoidRig {
  readonly bones: Map<string, THREE.Object3D>;
  readonly #rest = new Map<string, Rest>();
  readonly #palmNormal = new Map<'left' | 'right', THREE.Vector3>();
  readonly #curls = { left: [...CURL.relaxed], right: [...CURL.relaxed] };
  readonly #palmOut = { left: 0, right: 0 };
  readonly #root: THREE.Object3D;
  #lastT: number | undefined;

  constructor(root: THREE.Object3D, bones: Map<string, THREE.Object3D>) {
    this.#root = root;
    this.bones = bones;
    root.updateMatrixWorld(true);
    for (const [name, bone] of bones) {
      const world = bone.getWorldQuaternion(new THREE.Quaternion());
      const child = this.#childOf(name, bone);
      const from = bone.getWorldPosition(new THREE.Vector3());
      const to = child ? child.getWorldPosition(new THREE.Vector3()) : from.clone().add(new THREE.Vector3(0, 0.1, 0).applyQuaternion(world));
      const dir = to.sub(from);
      if (dir.lengthSq() < 1e-12) dir.set(0, 1, 0).applyQuaternion(world);
      const parentWorld = world.clone().multiply(bone.quaternion.clone().invert());
      this.#rest.set(name, { bone, local: bone.quaternion.clone(), world, dir: dir.normalize(), parentWorld, parentWorldInverse: parentWorld.clone().invert() });
    }
    for (const side of ['left', 'right'] as const) {
      const hand = this.#rest.get(`${side}Hand`);
      const index = bones.get(`${side}Index1`);
      const little = bones.get(`${side}Little1`);
      const middle = bones.get(`${side}Middle1`);
      let normal: THREE.Vector3 | undefined;
      if (hand && index && little) {
        const handPos = hand.bone.getWorldPosition(new THREE.Vector3());
        const along = (middle ?? index).getWorldPosition(new THREE.Vector3()).sub(handPos).normalize();
        const across = index.getWorldPosition(new THREE.Vector3()).sub(little.getWorldPosition(new THREE.Vector3()));
        normal = new THREE.Vector3().crossVectors(along, across).multiplyScalar(side === 'left' ? 1 : -1).normalize();
      }
      // Without fingers: assume the palm faces the body (arms down) or down (T-pose).
      this.#palmNormal.set(side, normal ?? new THREE.Vector3(side === 'left' ? -1 : 1, 0, 0));
    }
  }

  #childOf(name: string, bone: THREE.Object3D): THREE.Object3D | undefined {
    const next: Record<string, string> = {
      hips: 'spine', spine: 'chest', chest: 'upperChest', upperChest: 'neck', neck: 'head',
      leftUpperArm: 'leftLowerArm', leftLowerArm: 'leftHand', rightUpperArm: 'rightLowerArm', rightLowerArm: 'rightHand',
      leftHand: 'leftMiddle1', rightHand: 'rightMiddle1',
      leftUpperLeg: 'leftLowerLeg', leftLowerLeg: 'leftFoot', rightUpperLeg: 'rightLowerLeg', rightLowerLeg: 'rightFoot',
    };
    const m = /^(left|right)(Thumb|Index|Middle|Ring|Little)([12])$/.exec(name);
    if (m) return this.bones.get(`${m[1]}${m[2]}${Number(m[3]) + 1}`) ?? bone.children.find((c) => c.type !== 'Mesh');
    const n = next[name];
    return (n && this.bones.get(n)) || bone.children.find((c) => (c as THREE.Bone).isBone);
  }

  /** Poses the skeleton; `t` in seconds drives the hand-shape easing. */
  apply(state: AvatarState, t: number): void {
    const dt = this.#lastT === undefined ? 1 : Math.max(0, Math.min(0.5, t - this.#lastT));
    this.#lastT = t;
    for (const r of this.#rest.values()) r.bone.quaternion.copy(r.local);
    const { idle } = state;
    // Weight shift and breathing: hips roll a little, the spine and legs counter it (feet stay put).
    const sway = Math.sin(t * 0.55) * 0.018 + idle.headX * 0.0006;
    this.#rotateLocal('hips', 0, 0, sway);
    this.#rotateLocal('spine', -0.01 * idle.breath, 0, -sway * 0.7);
    this.#rotateLocal('chest', -0.012 * idle.breath, 0, 0);
    this.#rotateLocal('leftUpperLeg', 0, 0, -sway);
    this.#rotateLocal('rightUpperLeg', 0, 0, -sway);
    this.#rotateLocal('leftShoulder', 0, 0, 0.02 * idle.breath);
    this.#rotateLocal('rightShoulder', 0, 0, -0.02 * idle.breath);
    // Head: idle sway, tilt, and the gesture planner's nod.
    const pitch = state.nod + idle.headY * 0.004;
    const yaw = idle.headX * 0.004;
    this.#rotateLocal('neck', pitch * 0.4, yaw * 0.4, idle.headTilt * 0.4);
    this.#rotateLocal('head', pitch * 0.6, yaw * 0.6, idle.headTilt * 0.6);
    this.#root.updateMatrixWorld(true);
    this.#arm('left', state.left, dt);
    this.#arm('right', state.right, dt);
    // Eyes: gaze left/right (idle saccades).
    for (const eye of ['leftEye', 'rightEye']) this.#rotateLocal(eye, 0, idle.gazeX * 0.28, 0);
  }

  #rotateLocal(name: string, x: number, y: number, z: number): void {
    const r = this.#rest.get(name);
    if (!r) return;
    // Rotations about the body's axes (world at rest), expressed in the bone's local frame.
    tmpQ.setFromEuler(tmpE.set(x, y, z, 'YXZ'));
    tmpQ2.copy(r.parentWorldInverse).multiply(tmpQ).multiply(r.parentWorld);
    r.bone.quaternion.premultiply(tmpQ2);
  }

  /** The chest's rotation away from rest (so arm targets follow the body's sway). */
  #bodyDelta(): THREE.Quaternion {
    const chest = this.#rest.get('upperChest') ?? this.#rest.get('chest') ?? this.#rest.get('spine')!;
    return chest.bone.getWorldQuaternion(new THREE.Quaternion()).multiply(chest.world.clone().invert());
  }

  #arm(side: 'left' | 'right', pose: ArmPose, dt: number): void {
    const sx = side === 'left' ? 1 : -1;
    const upper = this.#rest.get(`${side}UpperArm`);
    const lower = this.#rest.get(`${side}LowerArm`);
    const hand = this.#rest.get(`${side}Hand`);
    if (!upper || !lower) return;
    const body = this.#bodyDelta();
    // The 2D angles, in the frontal plane, with a little forward lean so arms clear the body.
    const s = pose.shoulder;
    const upperDir = new THREE.Vector3(sx * Math.sin(s), -Math.cos(s), 0.12 + 0.1 * Math.max(0, pose.elbow)).normalize();
    // Elbow: the forearm's angle from hanging is s − e in the 2D drawing; a forearm folded inward
    // (a < 0) goes in front of the body instead of through it, as hands clasped at the waist do.
    const a = s - pose.elbow;
    const lowerDir = a >= 0
      ? new THREE.Vector3(sx * Math.sin(a), -Math.cos(a), 0.25)
      : new THREE.Vector3(sx * Math.sin(a) * 0.55, -Math.cos(a) * 0.8, 0.8 * Math.min(1, -a / 0.8));
    lowerDir.normalize();
    this.#aim(upper, upperDir.applyQuaternion(body));
    this.#aim(lower, lowerDir.applyQuaternion(body));
    if (!hand) return;
    // Hand: follows the forearm, turned about it so open palms face the audience.
    const k = 1 - Math.exp(-dt / 0.09);
    this.#palmOut[side] += (PALM_OUT[pose.hand] - this.#palmOut[side]) * k;
    const foreWorld = lower.bone.getWorldQuaternion(new THREE.Quaternion());
    const foreDelta = foreWorld.clone().multiply(lower.world.clone().invert());
    const handWorld = foreDelta.clone().multiply(hand.world);
    const axis = lower.dir.clone().applyQuaternion(foreDelta).normalize();
    const palm = this.#palmNormal.get(side)!.clone().applyQuaternion(foreDelta);
    const want = new THREE.Vector3(0, 0.25, 1).applyQuaternion(body);
    const twist = signedAngleAbout(palm, want, axis) * this.#palmOut[side];
    handWorld.premultiply(tmpQ.setFromAxisAngle(axis, twist));
    this.#setWorld(hand, handWorld);
    // Fingers: eased toward the hand shape's curls, bending toward the palm.
    const target = CURL[pose.hand];
    const curls = this.#curls[side];
    for (let i = 0; i < 5; i++) curls[i]! += (target[i]! - curls[i]!) * k;
    const handDelta = handWorld.clone().multiply(hand.world.clone().invert());
    const palmRest = this.#palmNormal.get(side)!;
    FINGERS.forEach((finger, i) => {
      for (let seg = 1; seg <= 3; seg++) {
        const r = this.#rest.get(`${side}${finger}${seg}`);
        if (!r) continue;
        const bendAxis = new THREE.Vector3().crossVectors(r.dir, palmRest).normalize();
        if (bendAxis.lengthSq() < 0.5) continue;
        const total = curls[i]! * seg * (finger === 'Thumb' ? 0.6 : 1);
        const world = handDelta.clone().multiply(tmpQ.setFromAxisAngle(bendAxis, total)).multiply(r.world);
        this.#setWorld(r, world);
      }
    });
  }

  /** Turns a limb so its rest axis points along `dir` (world), keeping its rest twist. */
  #aim(r: Rest, dir: THREE.Vector3): void {
    const world = new THREE.Quaternion().setFromUnitVectors(r.dir, dir.normalize()).multiply(r.world);
    this.#setWorld(r, world);
  }

  #setWorld(r: Rest, world: THREE.Quaternion): void {
    const parent = r.bone.parent!;
    parent.updateWorldMatrix(true, false);
    const parentWorld = parent.getWorldQuaternion(tmpQ2);
    r.bone.quaternion.copy(parentWorld.invert().multiply(world));
    r.bone.updateWorldMatrix(false, true);
  }
}

function signedAngleAbout(from: THREE.Vector3, to: THREE.Vector3, axis: THREE.Vector3): number {
  const f = from.clone().projectOnPlane(axis);
  const t = to.clone().projectOnPlane(axis);
  if (f.lengthSq() < 1e-8 || t.lengthSq() < 1e-8) return 0;
  f.normalize();
  t.normalize();
  return Math.atan2(tmpV.crossVectors(f, t).dot(axis), f.dot(t));
}
