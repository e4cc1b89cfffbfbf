// Geometry for the built-in 3D hosts: a parametric mouth (lips, cavity, teeth) whose morph targets
// are the same function evaluated at other parameters, eyelids that morph from open to shut, and
// brows. Everything small: the face's morphing vertices stay in the hundreds, because llvmpipe's
// cost grows with morphing vertices × targets.
import * as THREE from 'three';
import { MOUTH_SHAPES, VISEMES, type MouthShape } from '../../pipeline/stages/lipsync/visemes.ts';

export interface MouthParams {
  /** Half-width of the opening, m. */
  w: number;
  /** Opening above and below the lip line, m. */
  up: number;
  lo: number;
  /** Protrusion, m. */
  fwd: number;
  /** Corner lift, m. */
  smile: number;
}

/** Where the mouth sits on the head: centre and how the face curves away from it. */
export interface MouthPlacement {
  center: THREE.Vector3;
  /** The face surface's depth at an x offset (ellipsoid head). */
  depthAt: (x: number, y: number) => number;
  scale: number;
}

const SEG = 40;

function contour(p: MouthParams, t: number, grow: number): [number, number] {
  const c = Math.cos(t);
  const s = Math.sin(t);
  const x = (p.w + grow * 0.55) * c;
  const open = s >= 0 ? p.up + grow * 1.15 : p.lo + grow * 1.25;
  // Flatter than an ellipse along the lip line; the smile lifts the corners.
  const y = open * Math.sign(s) * Math.pow(Math.abs(s), 0.8) + p.smile * c * c;
  return [x, y];
}

/** The parts' vertex positions for one set of parameters (same order for every call). */
export function mouthPositions(p: MouthParams, at: MouthPlacement): Record<'lips' | 'cavity' | 'teethUpper' | 'teethLower', number[]> {
  const k = at.scale;
  const lipT = 0.0055 * k;
  const lips: number[] = [];
  const put = (arr: number[], x: number, y: number, dz: number) => {
    arr.push(at.center.x + x, at.center.y + y, at.depthAt(x, y) + dz);
  };
  // Rings: inner edge (tucked in), lip crest (forward), outer edge (on the skin).
  for (let i = 0; i < SEG; i++) {
    const t = (i / SEG) * Math.PI * 2;
    const [xi, yi] = contour(p, t, 0);
    const [xm, ym] = contour(p, t, lipT * 0.5);
    const [xo, yo] = contour(p, t, lipT);
    put(lips, xi, yi, 0.0018 * k + p.fwd * 0.8);
    put(lips, xm, ym, 0.0042 * k + p.fwd);
    put(lips, xo, yo, 0.0009 * k + p.fwd * 0.3);
  }
  const cavity: number[] = [];
  // A decal just over the skin (the head is a closed surface): the lips and teeth sit in front.
  put(cavity, 0, (p.up - p.lo) / 2, 0.0004 * k + p.fwd * 0.5);
  for (let i = 0; i < SEG; i++) {
    const t = (i / SEG) * Math.PI * 2;
    const [x, y] = contour(p, t, 0);
    put(cavity, x * 0.98, y * 0.98, 0.0006 * k + p.fwd * 0.6);
  }
  // Teeth: a shallow arc behind the lips, following the upper lip and the jaw.
  const teeth = (top: number, bottom: number) => {
    const out: number[] = [];
    const tw = Math.min(p.w * 0.85, 0.022 * k);
    for (let i = 0; i <= 8; i++) {
      const x = -tw + (2 * tw * i) / 8;
      put(out, x, top, 0.0011 * k + p.fwd * 0.55);
      put(out, x, bottom, 0.0011 * k + p.fwd * 0.55);
    }
    return out;
  };
  // Upper teeth show a few millimetres below the lip; the lower ones mostly stay behind the lip,
  // so even a small opening shows the dark inside (as it does on a person).
  const upperEdge = p.up + 0.0012 * k;
  const lowerEdge = -p.lo - 0.0012 * k;
  return {
    lips,
    cavity,
    teethUpper: teeth(upperEdge, upperEdge - 0.0042 * k),
    teethLower: teeth(lowerEdge + 0.0028 * k, lowerEdge),
  };
}

export function mouthIndices(): Record<'lips' | 'cavity' | 'teethUpper' | 'teethLower', number[]> {
  const lips: number[] = [];
  for (let i = 0; i < SEG; i++) {
    const j = (i + 1) % SEG;
    for (let r = 0; r < 2; r++) {
      const a = i * 3 + r;
      const b = j * 3 + r;
      lips.push(a, a + 1, b, b, a + 1, b + 1);
    }
  }
  const cavity: number[] = [];
  for (let i = 0; i < SEG; i++) cavity.push(0, 1 + ((i + 1) % SEG), 1 + i);
  const teeth: number[] = [];
  for (let i = 0; i < 8; i++) {
    const a = i * 2;
    teeth.push(a, a + 1, a + 2, a + 2, a + 1, a + 3);
  }
  return { lips: fixWinding(lips), cavity, teethUpper: teeth, teethLower: teeth };
}

// The lip ring above is wound clockwise seen from the front for rings 0→1→2; flip to CCW.
function fixWinding(idx: number[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < idx.length; i += 3) out.push(idx[i]!, idx[i + 2]!, idx[i + 1]!);
  return out;
}

export function neutralMouth(k: number): MouthParams {
  return { w: 0.021 * k, up: 0.0006 * k, lo: 0.0006 * k, fwd: 0, smile: 0.0018 * k };
}

/** A viseme's mouth shape as mouth parameters (the same numbers the 2D cartoon draws). */
export function shapeParams(m: MouthShape, k: number): MouthParams {
  const base = neutralMouth(k);
  const widen = 0.72 + ((m.width - 0.25) / 0.6) * 0.55;
  return {
    w: base.w * widen * (1 - 0.28 * m.round),
    up: base.up + m.open * 0.0065 * k + m.round * 0.003 * k,
    lo: base.lo + m.open * 0.021 * k + m.round * 0.002 * k,
    fwd: m.round * 0.008 * k,
    smile: base.smile * (1 - m.round) + (m.width > 0.6 ? (m.width - 0.6) * 0.004 * k : 0),
  };
}

type Side = 'both' | 'left' | 'right';
/** The morph targets every mouth part carries: ARKit names, then the 15 Oculus visemes. */
export function mouthTargets(k: number): { name: string; params: MouthParams; side: Side }[] {
  const n = neutralMouth(k);
  const targets: { name: string; params: MouthParams; side: Side }[] = [
    { name: 'jawOpen', params: { ...n, up: n.up + 0.0065 * k, lo: n.lo + 0.021 * k }, side: 'both' },
    { name: 'mouthFunnel', params: { ...n, w: n.w * 0.72, up: n.up + 0.003 * k, lo: n.lo + 0.002 * k, fwd: 0.008 * k, smile: 0 }, side: 'both' },
    { name: 'mouthPucker', params: { ...n, w: n.w * 0.6, fwd: 0.009 * k, smile: 0 }, side: 'both' },
    { name: 'mouthStretchLeft', params: { ...n, w: n.w * 1.22 }, side: 'left' },
    { name: 'mouthStretchRight', params: { ...n, w: n.w * 1.22 }, side: 'right' },
    { name: 'mouthSmileLeft', params: { ...n, w: n.w * 1.1, smile: n.smile + 0.006 * k }, side: 'left' },
    { name: 'mouthSmileRight', params: { ...n, w: n.w * 1.1, smile: n.smile + 0.006 * k }, side: 'right' },
    { name: 'mouthFrownLeft', params: { ...n, smile: n.smile - 0.005 * k }, side: 'left' },
    { name: 'mouthFrownRight', params: { ...n, smile: n.smile - 0.005 * k }, side: 'right' },
  ];
  for (const v of VISEMES) targets.push({ name: `viseme_${v}`, params: shapeParams(MOUTH_SHAPES[v], k), side: 'both' });
  return targets;
}

/** Builds a morphing mesh part from a positions function (base + one delta per target). */
export function morphingMesh(
  name: string,
  base: number[],
  index: number[],
  targets: { name: string; positions: number[]; side: Side }[],
  material: THREE.Material,
): THREE.Mesh {
  const geometry = new THREE.BufferGeometry();
  geometry.setAttribute('position', new THREE.Float32BufferAttribute(base, 3));
  geometry.setIndex(index);
  const centerX = averageX(base);
  geometry.morphAttributes.position = targets.map((t) => {
    const delta = t.positions.map((v, i) => v - base[i]!);
    if (t.side !== 'both') {
      for (let i = 0; i < delta.length; i += 3) {
        // Character's left is +x. A soft mask so the middle of the lip blends both sides.
        const x = (base[i]! - centerX) / 0.006;
        const m = 1 / (1 + Math.exp(-x * (t.side === 'left' ? 1 : -1) * 2));
        delta[i]! *= m;
        delta[i + 1]! *= m;
        delta[i + 2]! *= m;
      }
    }
    return new THREE.Float32BufferAttribute(delta, 3);
  });
  geometry.morphTargetsRelative = true;
  geometry.computeVertexNormals();
  const mesh = new THREE.Mesh(geometry, material);
  mesh.name = name;
  mesh.morphTargetDictionary = Object.fromEntries(targets.map((t, i) => [t.name, i]));
  mesh.morphTargetInfluences = targets.map(() => 0);
  return mesh;
}

function averageX(pos: number[]): number {
  let s = 0;
  for (let i = 0; i < pos.length; i += 3) s += pos[i]!;
  return s / (pos.length / 3);
}

/** An eyelid: a sphere shell from the top down to `cover` (radians from the top pole). */
export function lidPositions(radius: number, from: number, cover: number, center: THREE.Vector3): { pos: number[]; index: number[] } {
  const g = new THREE.SphereGeometry(radius, 20, 8, Math.PI * 0.05, Math.PI * 0.9, from, cover - from);
  // Rotate so the shell's open side faces +z (the sphere's phi starts at -x going through +z? phi
  // sweeps x = -cos(phi) sin(theta), z = sin(phi) sin(theta): 0.05π..0.95π covers the front).
  g.translate(center.x, center.y, center.z);
  const pos = Array.from(g.getAttribute('position').array as Float32Array);
  const index = Array.from(g.getIndex()!.array as Uint16Array);
  return { pos, index };
}
