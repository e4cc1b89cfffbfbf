// Drives a 3D face's morph targets from the pipeline's mouth shape, blinks and mood, whatever
// convention the avatar uses: ARKit blendshapes (Character Creator, Avaturn, OnAir's hosts),
// Oculus visemes only (the Ready Player Me / TalkingHead convention), or VRM expression presets
// (aa ih ou ee oh, blink) set through a callback.
import type * as THREE from 'three';
import { MOUTH_SHAPES, VISEMES, type MouthShape } from '../../lipsync/visemes.ts';

export type FaceConvention = 'arkit' | 'oculus' | 'vrm';

export interface FaceInput {
  mouth: MouthShape;
  blink: number;
  /** 0..1 friendliness: a light smile. */
  smile: number;
  /** 0..1 lifted brows (emphasis). */
  brows: number;
}

interface Slot {
  influences: number[];
  index: number;
}

const ARKIT_MOUTH = ['jawOpen', 'mouthFunnel', 'mouthPucker', 'mouthStretchLeft', 'mouthStretchRight', 'mouthSmileLeft', 'mouthSmileRight'];
export const VRM_MOUTH = ['aa', 'ih', 'ou', 'ee', 'oh'] as const;

/** Morph names present on any mesh under `root`. */
export function morphNames(root: THREE.Object3D): Set<string> {
  const names = new Set<string>();
  root.traverse((o) => {
    const dict = (o as THREE.Mesh).morphTargetDictionary;
    if (dict) for (const n of Object.keys(dict)) names.add(n);
  });
  return names;
}

/** Which convention a set of morph names supports (ARKit preferred: it is the finest). */
export function faceConvention(names: Set<string>, vrmPresets: Set<string> = new Set()): FaceConvention | undefined {
  if (names.has('jawOpen')) return 'arkit';
  if (VISEMES.filter((v) => names.has(`viseme_${v}`)).length >= 5 && names.has('viseme_aa')) return 'oculus';
  if (vrmPresets.has('aa')) return 'vrm';
  return undefined;
}

const clamp = (x: number) => Math.max(0, Math.min(1, x));

/** Weights of the two visemes nearest a mouth shape, blended by distance. */
export function nearestVisemes(m: MouthShape): [string, number][] {
  const scored = VISEMES.map((v) => {
    const s = MOUTH_SHAPES[v];
    return [v, Math.hypot(s.open - m.open, (s.width - m.width) * 0.7, (s.round - m.round) * 0.8)] as const;
  }).sort((a, b) => a[1] - b[1]);
  const [a, b] = [scored[0]!, scored[1]!];
  const total = a[1] + b[1] || 1;
  const wa = b[1] / total;
  return [[`viseme_${a[0]}`, wa], [`viseme_${b[0]}`, 1 - wa]];
}

/** VRM presets for a mouth shape: aa opens, ih/ee spread, ou/oh round. */
export function vrmMouth(m: MouthShape): Record<(typeof VRM_MOUTH)[number], number> {
  const spread = clamp((m.width - 0.55) / 0.3);
  return {
    aa: clamp(m.open * (1 - m.round) * (1 - spread * 0.5)),
    ee: clamp(spread * m.open * 1.2),
    ih: clamp(spread * (1 - m.open)),
    oh: clamp(m.round * m.open * 1.3),
    ou: clamp(m.round * (1 - m.open) * 1.2),
  };
}

export class FaceRig {
  readonly convention: FaceConvention;
  readonly #slots = new Map<string, Slot[]>();
  readonly #setVrm?: (name: string, value: number) => void;

  constructor(root: THREE.Object3D, convention: FaceConvention, setVrm?: (name: string, value: number) => void) {
    this.convention = convention;
    this.#setVrm = setVrm;
    root.traverse((o) => {
      const mesh = o as THREE.Mesh;
      if (!mesh.morphTargetDictionary || !mesh.morphTargetInfluences) return;
      for (const [name, index] of Object.entries(mesh.morphTargetDictionary)) {
        const list = this.#slots.get(name) ?? [];
        list.push({ influences: mesh.morphTargetInfluences, index });
        this.#slots.set(name, list);
      }
    });
  }

  #set(name: string, value: number): void {
    for (const s of this.#slots.get(name) ?? []) s.influences[s.index] = value;
  }

  apply(face: FaceInput): void {
    const m = face.mouth;
    if (this.convention === 'vrm') {
      const set = this.#setVrm!;
      for (const [k, v] of Object.entries(vrmMouth(m))) set(k, v);
      set('blink', clamp(face.blink));
      set('happy', clamp(face.smile * 0.35 * (1 - m.open)));
      return;
    }
    for (const name of ARKIT_MOUTH) this.#set(name, 0);
    for (const v of VISEMES) this.#set(`viseme_${v}`, 0);
    const spread = clamp((m.width - 0.55) / 0.3);
    if (this.convention === 'arkit') {
      this.#set('jawOpen', clamp(m.open));
      this.#set('mouthFunnel', clamp(m.round * m.open * 1.4));
      this.#set('mouthPucker', clamp(m.round * (1 - m.open)));
      const narrow = clamp((0.5 - m.width) / 0.25) * (1 - m.round);
      if (narrow > 0) this.#set('mouthPucker', clamp(m.round * (1 - m.open) + narrow * 0.5));
      this.#set('mouthStretchLeft', spread);
      this.#set('mouthStretchRight', spread);
    } else {
      for (const [name, w] of nearestVisemes(m)) this.#set(name, w);
    }
    const smile = clamp(face.smile * (1 - 0.7 * m.open) * (1 - m.round));
    this.#set('mouthSmileLeft', smile);
    this.#set('mouthSmileRight', smile);
    this.#set('eyeBlinkLeft', clamp(face.blink));
    this.#set('eyeBlinkRight', clamp(face.blink));
    this.#set('browInnerUp', clamp(face.brows));
    this.#set('browOuterUpLeft', clamp(face.brows * 0.6));
    this.#set('browOuterUpRight', clamp(face.brows * 0.6));
  }
}
