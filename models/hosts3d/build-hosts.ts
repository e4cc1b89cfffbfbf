// Builds OnAir's built-in 3D hosts with three.js and writes them as GLB (+ a manifest with sha256):
//   node --import tsx models/hosts3d/build-hosts.ts
// A humanoid skeleton with Mixamo bone names (arms hanging, the renderer retargets by direction, so
// T-pose rigs work the same), skinned arms so elbows bend smoothly, jointed fingers, legs on their
// feet, and a face whose morph targets carry ARKit names and the 15 Oculus visemes. Two styles from
// one generator: a big-headed cartoon and a semi-realistic host.
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as THREE from 'three';
import { GLTFExporter } from 'three/addons/exporters/GLTFExporter.js';
import { mergeGeometries } from 'three/addons/utils/BufferGeometryUtils.js';
import { lidPositions, morphingMesh, mouthIndices, mouthPositions, mouthTargets, neutralMouth, type MouthPlacement } from './host-parts.ts';

export interface HostStyle {
  id: string;
  name: string;
  description: string;
  /** Head size relative to a realistic head. */
  head: number;
  eye: number;
  skin: number;
  hair: number;
  iris: number;
  top: number;
  accent: number;
  bottom: number;
  shoes: number;
  lips: number;
  hairStyle: 'bob' | 'bun';
  skirt: boolean;
  roughness: number;
  /** How the renderer shades it: cel (toon) or physically based. */
  look: 'toon' | 'standard';
}

export const STYLES: HostStyle[] = [
  {
    id: 'host3d-cartoon', name: '3D cartoon host', description: 'big-headed, bright, toon-shaded',
    head: 1.45, eye: 0.021, skin: 0xffd2b0, hair: 0x4a2c1d, iris: 0x3d7fd1, top: 0x18b3a6, accent: 0xffd23f, bottom: 0x26324f, shoes: 0xf25c54, lips: 0xd9534f,
    hairStyle: 'bob', skirt: false, roughness: 0.85, look: 'toon',
  },
  {
    id: 'host3d-semi', name: '3D semi-realistic host', description: 'realistic proportions, business outfit',
    head: 1.05, eye: 0.0118, skin: 0xe9b99a, hair: 0x1d1512, iris: 0x4b3121, top: 0x7a1f2b, accent: 0xf4f1ec, bottom: 0x22252b, shoes: 0x111111, lips: 0xb5565a,
    hairStyle: 'bun', skirt: true, roughness: 0.6, look: 'standard',
  },
];

const V = (x: number, y: number, z: number) => new THREE.Vector3(x, y, z);

function material(color: number, style: HostStyle, extra: Partial<THREE.MeshStandardMaterialParameters> = {}): THREE.MeshStandardMaterial {
  return new THREE.MeshStandardMaterial({ color, roughness: style.roughness, metalness: 0, ...extra });
}

/** Adds a mesh as a rigid child of a bone, placed in world coordinates of the rest pose. */
/** Adds a mesh whose geometry is already in rest-pose world coordinates (bones have no rest rotation). */
function attachWorldGeometry(bone: THREE.Bone, mesh: THREE.Mesh): THREE.Mesh {
  bone.updateWorldMatrix(true, false);
  mesh.position.copy(bone.worldToLocal(V(0, 0, 0)));
  bone.add(mesh);
  return mesh;
}

/**
 * Hair over the crown down to `crown` (× π from the top) all round, and further, by `sideDepth`,
 * over the sides and back only (from `sideFrom` × π round `sideWidth` × π), leaving the face open.
 */
function hairCap(cut: { crown: number; sideFrom: number; sideWidth: number; sideDepth: number }, scale: THREE.Vector3, material: THREE.Material): THREE.Mesh {
  const cap = mergeParts([
    new THREE.SphereGeometry(1, 36, 10, 0, Math.PI * 2, 0, Math.PI * cut.crown),
    new THREE.SphereGeometry(1, 30, 14, Math.PI * cut.sideFrom, Math.PI * cut.sideWidth, Math.PI * cut.crown, Math.PI * cut.sideDepth),
  ]);
  cap.scale(scale.x, scale.y, scale.z);
  const mesh = new THREE.Mesh(cap, material);
  mesh.name = 'Hair';
  return mesh;
}

function mergeParts(parts: THREE.BufferGeometry[]): THREE.BufferGeometry {
  return mergeGeometries(parts.map((g) => g.toNonIndexed()))!;
}

function headGeometry(R: { x: number; y: number; z: number }): THREE.BufferGeometry {
  const headGeo = new THREE.SphereGeometry(1, 40, 28);
  // A jaw: narrow the lower half and pull the chin forward a little.
  const hp = headGeo.getAttribute('position');
  for (let i = 0; i < hp.count; i++) {
    const y = hp.getY(i);
    if (y < 0) {
      const narrow = 1 - 0.22 * y * y;
      hp.setX(i, hp.getX(i) * narrow);
      hp.setZ(i, hp.getZ(i) * (1 - 0.08 * y * y) + (hp.getZ(i) > 0 ? 0.04 * -y : 0));
    }
  }
  headGeo.scale(R.x, R.y, R.z);
  headGeo.computeVertexNormals();
  return headGeo;
}

function attach(bone: THREE.Bone, mesh: THREE.Mesh, world: THREE.Vector3): THREE.Mesh {
  bone.updateWorldMatrix(true, false);
  const local = bone.worldToLocal(world.clone());
  mesh.position.copy(local);
  bone.add(mesh);
  return mesh;
}

export function buildHost(style: HostStyle): THREE.Scene {
  const h = style.head;
  const skin = material(style.skin, style);
  const scene = new THREE.Scene();
  scene.name = style.name;
  const root = new THREE.Group();
  root.name = 'Armature';
  scene.add(root);

  // ---- skeleton (Mixamo names; positions in metres, rest pose, facing +z) ----
  const neckY = 1.45;
  const headY = 1.51;
  const bones = new Map<string, THREE.Bone>();
  const bone = (name: string, parent: string | THREE.Object3D, at: THREE.Vector3) => {
    const b = new THREE.Bone();
    b.name = name;
    const p = typeof parent === 'string' ? bones.get(parent)! : parent;
    p.updateWorldMatrix(true, false);
    b.position.copy(p.worldToLocal(at.clone()));
    p.add(b);
    b.updateWorldMatrix(true, false);
    bones.set(name, b);
    return b;
  };
  bone('Hips', root, V(0, 0.98, 0));
  bone('Spine', 'Hips', V(0, 1.06, 0));
  bone('Spine1', 'Spine', V(0, 1.18, 0));
  bone('Spine2', 'Spine1', V(0, 1.3, 0));
  bone('Neck', 'Spine2', V(0, neckY, 0));
  bone('Head', 'Neck', V(0, headY, 0));
  const headC = V(0, headY + 0.1 * h, 0.01);
  const R = { x: 0.078 * h, y: 0.105 * h, z: 0.092 * h };
  bone('HeadTop_End', 'Head', V(0, headC.y + R.y, 0));
  const eyeY = headC.y + 0.012 * h;
  const eyeX = 0.033 * h;
  const headGeo = headGeometry(R);
  // The face's depth where features go: a ray onto the actual head mesh (the jaw is not an ellipsoid).
  const probe = new THREE.Mesh(headGeo);
  probe.position.copy(headC);
  probe.updateMatrixWorld(true);
  const ray = new THREE.Raycaster();
  const eyeZ = (y: number, x: number) => {
    ray.set(V(x, y, 2), V(0, 0, -1));
    const hit = ray.intersectObject(probe)[0];
    return hit ? hit.point.z : headC.z + R.z * Math.sqrt(Math.max(0, 1 - ((y - headC.y) / R.y) ** 2 - (x / R.x) ** 2));
  };
  const eyeSink = style.eye * 0.55;
  for (const [side, sx] of [['Left', 1], ['Right', -1]] as const) {
    bone(`${side}Eye`, 'Head', V(sx * eyeX, eyeY, eyeZ(eyeY, eyeX) - eyeSink));
    bone(`${side}Shoulder`, 'Spine2', V(sx * 0.03, 1.41, -0.01));
    bone(`${side}Arm`, `${side}Shoulder`, V(sx * 0.175, 1.395, -0.01));
    bone(`${side}ForeArm`, `${side}Arm`, V(sx * 0.19, 1.115, -0.01));
    bone(`${side}Hand`, `${side}ForeArm`, V(sx * 0.195, 0.87, 0));
    // Fingers hang down from the palm; palm faces the thigh (-x for the left hand), index in front.
    const fingers: [string, number, number][] = [['Index', 0.022, 0.075], ['Middle', 0.007, 0.082], ['Ring', -0.008, 0.076], ['Pinky', -0.022, 0.062]];
    for (const [f, z, len] of fingers) {
      const base = V(sx * 0.197, 0.87 - 0.085, z);
      bone(`${side}Hand${f}1`, `${side}Hand`, base);
      bone(`${side}Hand${f}2`, `${side}Hand${f}1`, base.clone().add(V(0, -len * 0.5, 0)));
      bone(`${side}Hand${f}3`, `${side}Hand${f}2`, base.clone().add(V(0, -len * 0.82, 0)));
      bone(`${side}Hand${f}4`, `${side}Hand${f}3`, base.clone().add(V(0, -len, 0)));
    }
    bone(`${side}HandThumb1`, `${side}Hand`, V(sx * 0.19, 0.855, 0.03));
    bone(`${side}HandThumb2`, `${side}HandThumb1`, V(sx * 0.188, 0.83, 0.048));
    bone(`${side}HandThumb3`, `${side}HandThumb2`, V(sx * 0.186, 0.805, 0.058));
    bone(`${side}HandThumb4`, `${side}HandThumb3`, V(sx * 0.185, 0.785, 0.064));
    bone(`${side}UpLeg`, 'Hips', V(sx * 0.092, 0.93, 0));
    bone(`${side}Leg`, `${side}UpLeg`, V(sx * 0.097, 0.5, 0.005));
    bone(`${side}Foot`, `${side}Leg`, V(sx * 0.1, 0.085, -0.01));
    bone(`${side}ToeBase`, `${side}Foot`, V(sx * 0.105, 0.02, 0.1));
    bone(`${side}Toe_End`, `${side}ToeBase`, V(sx * 0.105, 0.02, 0.16));
  }

  const top = material(style.top, style);
  const accent = material(style.accent, style);
  const bottom = material(style.bottom, style);
  const shoes = material(style.shoes, style);
  const hair = material(style.hair, style, { roughness: Math.min(1, style.roughness + 0.1), side: THREE.DoubleSide });

  // ---- torso: a lathe with an oval section, rigid on the spine ----
  const torsoProfile = [
    [0.001, 0.88], [0.13, 0.88], [0.148, 0.95], [0.14, 1.05], [0.125, 1.12], [0.138, 1.24], [0.158, 1.33], [0.165, 1.38], [0.15, 1.425], [0.09, 1.455], [0.045, 1.465], [0.001, 1.466],
  ].map(([r, y]) => new THREE.Vector2(r!, y!));
  const torsoGeo = new THREE.LatheGeometry(torsoProfile, 28);
  torsoGeo.scale(1, 1, 0.62);
  const torso = new THREE.Mesh(torsoGeo, top);
  torso.name = 'Torso';
  attach(bones.get('Spine')!, torso, V(0, 0, 0));
  // Neckline / collar: a V of the accent colour (shirt) over the chest.
  const collar = new THREE.Mesh(new THREE.CircleGeometry(0.05, 3, -Math.PI / 2, Math.PI * 2), accent);
  collar.name = 'Collar';
  collar.scale.set(0.95, 1.3, 1);
  attach(bones.get('Spine2')!, collar, V(0, 1.405, 0.103));
  collar.rotation.x = -0.35;
  // Buttons / a brooch to catch the eye.
  for (let i = 0; i < 3; i++) {
    const b = new THREE.Mesh(new THREE.SphereGeometry(0.0075, 10, 6), accent);
    b.name = `Button${i}`;
    attach(bones.get('Spine1')!, b, V(0, 1.28 - i * 0.09, 0.095 - i * 0.004));
  }

  // ---- neck and head ----
  const neck = new THREE.Mesh(new THREE.CylinderGeometry(0.046 * Math.min(h, 1.15), 0.054, 0.14, 18), skin);
  neck.name = 'Neck';
  attach(bones.get('Neck')!, neck, V(0, neckY + 0.04, 0));
  const head = new THREE.Mesh(headGeo, skin);
  head.name = 'HeadSkin';
  const headBone = bones.get('Head')!;
  attach(headBone, head, headC);
  for (const sx of [1, -1]) {
    const ear = new THREE.Mesh(new THREE.SphereGeometry(1, 12, 8), skin);
    ear.name = sx > 0 ? 'EarLeft' : 'EarRight';
    ear.scale.set(0.012 * h, 0.024 * h, 0.016 * h);
    attach(headBone, ear, V(sx * R.x * 0.97, headC.y - 0.004 * h, headC.z - 0.01));
  }
  const nose = new THREE.Mesh(new THREE.SphereGeometry(1, 14, 10), skin);
  nose.name = 'Nose';
  const noseY = headC.y - 0.03 * h;
  nose.scale.set(0.011 * h, style.hairStyle === 'bob' ? 0.009 * h : 0.0135 * h, 0.012 * h);
  attach(headBone, nose, V(0, noseY, eyeZ(noseY, 0) + 0.002));
  const cheekMat = material(0xff8a8a, style, { transparent: true, opacity: 0.35 });
  if (style.hairStyle === 'bob') {
    for (const sx of [1, -1]) {
      const cheek = new THREE.Mesh(new THREE.CircleGeometry(0.011 * h, 16), cheekMat);
      cheek.name = sx > 0 ? 'BlushLeft' : 'BlushRight';
      const cy = headC.y - 0.035 * h;
      const cx = sx * 0.047 * h;
      attach(headBone, cheek, V(cx, cy, eyeZ(cy, cx) + 0.0015));
      cheek.rotation.y = sx * 0.5;
    }
  }

  // ---- eyes: white, iris, pupil on the eye bone (gaze turns it); lids morph open → shut ----
  const white = material(0xf8f8f6, style, { roughness: 0.3 });
  const irisMat = material(style.iris, style, { roughness: 0.3 });
  const pupilMat = material(0x0a0a0a, style, { roughness: 0.2 });
  const lidMat = skin;
  const lashMat = material(0x1a1210, style);
  const er = style.eye;
  for (const [side, sx] of [['Left', 1], ['Right', -1]] as const) {
    const eb = bones.get(`${side}Eye`)!;
    const ball = new THREE.Mesh(new THREE.SphereGeometry(er, 20, 14), white);
    ball.name = `Eye${side}`;
    attach(eb, ball, eb.getWorldPosition(V(0, 0, 0)));
    // Iris, pupil and glint are caps on the eyeball (flat discs would poke through shut lids).
    const cap = (radius: number, angle: number) => new THREE.SphereGeometry(radius, 20, 4, 0, Math.PI * 2, 0, angle).rotateX(Math.PI / 2);
    const iris = new THREE.Mesh(cap(er * 1.004, style.hairStyle === 'bob' ? 0.24 * Math.PI : 0.2 * Math.PI), irisMat);
    iris.name = `Iris${side}`;
    attach(eb, iris, eb.getWorldPosition(V(0, 0, 0)));
    const pupil = new THREE.Mesh(cap(er * 1.008, 0.1 * Math.PI), pupilMat);
    pupil.name = `Pupil${side}`;
    attach(eb, pupil, eb.getWorldPosition(V(0, 0, 0)));
    const glint = new THREE.Mesh(cap(er * 1.012, 0.035 * Math.PI).rotateX(-0.12 * Math.PI).rotateY(0.12 * Math.PI), material(0xffffff, style, { emissive: 0xffffff }));
    glint.name = `Glint${side}`;
    attach(eb, glint, eb.getWorldPosition(V(0, 0, 0)));
    // Lids are on the head (they do not turn with the gaze).
    const c = eb.getWorldPosition(V(0, 0, 0));
    const lr = er * 1.07;
    const open = lidPositions(lr, 0, Math.PI * 0.36, c);
    const shut = lidPositions(lr, 0, Math.PI * 0.72, c);
    const wide = lidPositions(lr, 0, Math.PI * 0.27, c);
    const lid = morphingMesh(`Lid${side}`, open.pos, open.index, [
      { name: `eyeBlink${side}`, positions: shut.pos, side: 'both' },
      { name: `eyeWide${side}`, positions: wide.pos, side: 'both' },
    ], lidMat);
    attachWorldGeometry(headBone, lid);
    // The lash line: the lid's lower edge, drawn darker (and thicker on the cartoon).
    const band = style.hairStyle === 'bob' ? 0.07 : 0.035;
    const lashOpen = lidPositions(lr * 1.012, Math.PI * (0.36 - band), Math.PI * 0.36, c);
    const lashShut = lidPositions(lr * 1.012, Math.PI * (0.72 - band), Math.PI * 0.72, c);
    const lashWide = lidPositions(lr * 1.012, Math.PI * (0.27 - band), Math.PI * 0.27, c);
    const lash = morphingMesh(`Lash${side}`, lashOpen.pos, lashOpen.index, [
      { name: `eyeBlink${side}`, positions: lashShut.pos, side: 'both' },
      { name: `eyeWide${side}`, positions: lashWide.pos, side: 'both' },
    ], lashMat);
    attachWorldGeometry(headBone, lash);
    const lower = lidPositions(lr, Math.PI * 0.7, Math.PI * 0.98, c);
    const lowerLid = new THREE.Mesh(new THREE.BufferGeometry(), lidMat);
    lowerLid.geometry.setAttribute('position', new THREE.Float32BufferAttribute(lower.pos, 3));
    lowerLid.geometry.setIndex(lower.index);
    lowerLid.geometry.computeVertexNormals();
    lowerLid.name = `LowerLid${side}`;
    attachWorldGeometry(headBone, lowerLid);
    // Brows: a flattened bar that lifts (inner end most) or lowers.
    const browGeo = new THREE.BoxGeometry(0.03 * h, 0.0045 * h, 0.004, 8, 1, 1);
    const by = c.y + er * 1.75;
    const bp = browGeo.getAttribute('position');
    const base: number[] = [];
    for (let i = 0; i < bp.count; i++) {
      const x = bp.getX(i);
      const arch = -((x / (0.015 * h)) ** 2) * 0.003 * h;
      const wx = c.x + x;
      base.push(wx, by + bp.getY(i) + arch + sx * x * 0.06, eyeZ(by, wx) + bp.getZ(i) + 0.001);
    }
    const inner = (i: number) => Math.max(0, Math.min(1, 0.5 - (sx * (base[i * 3]! - c.x)) / (0.03 * h)));
    const lift = (amount: number, weight: (i: number) => number) => base.map((v, j) => (j % 3 === 1 ? v + amount * weight(Math.floor(j / 3)) : v));
    const brow = morphingMesh(`Brow${side}`, base, Array.from(browGeo.getIndex()!.array as Uint16Array), [
      { name: 'browInnerUp', positions: lift(0.006 * h, inner), side: 'both' },
      { name: `browOuterUp${side}`, positions: lift(0.005 * h, (i) => 1 - inner(i)), side: 'both' },
      { name: `browDown${side}`, positions: lift(-0.004 * h, () => 1), side: 'both' },
    ], lashMat);
    attachWorldGeometry(headBone, brow);
  }

  // ---- mouth: lips, cavity, teeth with ARKit + viseme morph targets ----
  const mouthY = headC.y - 0.058 * h;
  const placement: MouthPlacement = {
    center: V(0, mouthY, 0),
    depthAt: (x, y) => eyeZ(mouthY + y, x) + 0.002,
    scale: Math.min(h, 1.2),
  };
  const k = placement.scale;
  const base = mouthPositions(neutralMouth(k), placement);
  const targets = mouthTargets(k).map((t) => ({ name: t.name, side: t.side, positions: mouthPositions(t.params, placement) }));
  const idx = mouthIndices();
  const mouthMats = {
    lips: material(style.lips, style, { roughness: 0.45, side: THREE.DoubleSide }),
    cavity: material(0x4a1418, style, { roughness: 0.9, side: THREE.DoubleSide }),
    teethUpper: material(0xfbfaf5, style, { roughness: 0.3, side: THREE.DoubleSide }),
    teethLower: material(0xf0eee6, style, { roughness: 0.3, side: THREE.DoubleSide }),
  };
  for (const part of ['cavity', 'teethUpper', 'teethLower', 'lips'] as const) {
    const mesh = morphingMesh(`Mouth_${part}`, base[part], idx[part], targets.map((t) => ({ name: t.name, side: t.side, positions: t.positions[part] })), mouthMats[part]);
    attachWorldGeometry(headBone, mesh);
  }

  // ---- hair ----
  if (style.hairStyle === 'bob') {
    // Crown over everything down to the brow line; sides and back further down (cut at the face).
    attach(headBone, hairCap({ crown: 0.3, sideFrom: 0.8, sideWidth: 1.4, sideDepth: 0.32 }, V(R.x * 1.1, R.y * 1.06, R.z * 1.1), hair), headC.clone().add(V(0, 0.006 * h, -0.006 * h)));
    // The bob's sides and back: an open cylinder down to the jaw, cut away at the face.
    const sides = new THREE.CylinderGeometry(R.x * 1.1, R.x * 1.18, R.y * 1.05, 30, 1, true, Math.PI * 0.28, Math.PI * 1.44);
    sides.scale(1, 1, R.z / R.x);
    const sidesMesh = new THREE.Mesh(sides, hair);
    sidesMesh.name = 'HairSides';
    sidesMesh.material = hair.clone();
    (sidesMesh.material as THREE.MeshStandardMaterial).side = THREE.DoubleSide;
    attach(headBone, sidesMesh, headC.clone().add(V(0, -0.02 * h, -0.008 * h)));
    // Bangs: a flattened shell across the forehead.
    const bangs = new THREE.SphereGeometry(1, 24, 6, Math.PI * 0.12, Math.PI * 0.76, Math.PI * 0.18, Math.PI * 0.2);
    bangs.scale(R.x * 1.13, R.y * 1.08, R.z * 1.14);
    const bangsMesh = new THREE.Mesh(bangs, hair);
    bangsMesh.name = 'Bangs';
    attach(headBone, bangsMesh, headC.clone().add(V(0, 0.004 * h, 0)));
  } else {
    attach(headBone, hairCap({ crown: 0.27, sideFrom: 0.78, sideWidth: 1.44, sideDepth: 0.3 }, V(R.x * 1.08, R.y * 1.05, R.z * 1.1), hair), headC.clone().add(V(0, 0.008, -0.008)));
    const back = new THREE.SphereGeometry(1, 24, 16, Math.PI * 1.1, Math.PI * 0.8);
    back.scale(R.x * 1.06, R.y * 0.95, R.z * 1.05);
    const backMesh = new THREE.Mesh(back, hair);
    backMesh.name = 'HairBack';
    attach(headBone, backMesh, headC.clone().add(V(0, -0.02, -0.01)));
    const bun = new THREE.Mesh(new THREE.SphereGeometry(0.042, 20, 14), hair);
    bun.name = 'Bun';
    attach(headBone, bun, headC.clone().add(V(0, 0.05, -R.z - 0.01)));
    // A side part: a slightly raised sweep over the forehead.
    const sweep = new THREE.SphereGeometry(1, 20, 6, Math.PI * 0.15, Math.PI * 0.5, Math.PI * 0.2, Math.PI * 0.16);
    sweep.scale(R.x * 1.12, R.y * 1.07, R.z * 1.13);
    const sweepMesh = new THREE.Mesh(sweep, hair);
    sweepMesh.name = 'HairSweep';
    attach(headBone, sweepMesh, headC.clone().add(V(0, 0.006, 0)));
    // Small earrings.
    for (const sx of [1, -1]) {
      const ring = new THREE.Mesh(new THREE.SphereGeometry(0.0055, 10, 8), material(0xd4af37, style, { metalness: 0.8, roughness: 0.3 }));
      ring.name = sx > 0 ? 'EarringLeft' : 'EarringRight';
      attach(headBone, ring, V(sx * R.x * 0.98, headC.y - 0.03, headC.z - 0.005));
    }
  }

  // ---- arms: one skinned tube per arm (sleeve then skin), so the elbow bends smoothly ----
  const skinnedParts: THREE.SkinnedMesh[] = [];
  for (const [side, sx] of [['Left', 1], ['Right', -1]] as const) {
    const arm = bones.get(`${side}Arm`)!.getWorldPosition(V(0, 0, 0));
    const fore = bones.get(`${side}ForeArm`)!.getWorldPosition(V(0, 0, 0));
    const wrist = bones.get(`${side}Hand`)!.getWorldPosition(V(0, 0, 0));
    const seg = 24;
    const ring = 14;
    const pos: number[] = [];
    const skinIndex: number[] = [];
    const skinWeight: number[] = [];
    const index: number[] = [];
    const boneIds = [bones.get(`${side}Arm`)!, bones.get(`${side}ForeArm`)!, bones.get(`${side}Hand`)!];
    const total = arm.distanceTo(fore) + fore.distanceTo(wrist);
    const tUp = arm.distanceTo(fore) / total;
    const sleeveEnd = style.skirt ? 0.83 : 0.45; // blazer sleeves to the wrist; cartoon T-shirt short sleeves
    const radiusAt = (t: number) => (t < tUp ? 0.045 - 0.01 * (t / tUp) : 0.037 - 0.012 * ((t - tUp) / (1 - tUp))) * (t < sleeveEnd ? 1.12 : 1);
    for (let i = 0; i <= seg; i++) {
      const t = i / seg;
      const p = t < tUp ? arm.clone().lerp(fore, t / tUp) : fore.clone().lerp(wrist, (t - tUp) / (1 - tUp));
      // Weights: blend across the elbow and at the wrist.
      const e = (t - tUp) / 0.06;
      const wFore = Math.min(1, Math.max(0, 0.5 + e * 0.5));
      const wHand = Math.min(1, Math.max(0, (t - 0.96) / 0.04));
      for (let j = 0; j < ring; j++) {
        const a = (j / ring) * Math.PI * 2;
        const r = radiusAt(t);
        pos.push(p.x + Math.cos(a) * r * sx, p.y, p.z + Math.sin(a) * r);
        skinIndex.push(0, 1, 2, 0);
        skinWeight.push((1 - wFore) * (1 - wHand), wFore * (1 - wHand), wHand, 0);
      }
    }
    for (let i = 0; i < seg; i++) {
      for (let j = 0; j < ring; j++) {
        const a = i * ring + j;
        const b = i * ring + ((j + 1) % ring);
        const c2 = a + ring;
        const d = b + ring;
        if (sx > 0) index.push(a, c2, b, b, c2, d);
        else index.push(a, b, c2, b, d, c2);
      }
    }
    // Two materials: sleeve rows and skin rows.
    const geo = new THREE.BufferGeometry();
    geo.setAttribute('position', new THREE.Float32BufferAttribute(pos, 3));
    geo.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(skinIndex, 4));
    geo.setAttribute('skinWeight', new THREE.Float32BufferAttribute(skinWeight, 4));
    geo.setIndex(index);
    const sleeveRows = Math.round(sleeveEnd * seg);
    geo.addGroup(0, sleeveRows * ring * 6, 0);
    geo.addGroup(sleeveRows * ring * 6, (seg - sleeveRows) * ring * 6, 1);
    geo.computeVertexNormals();
    const mesh = new THREE.SkinnedMesh(geo, [top, skin]);
    mesh.name = `Arm${side}`;
    root.add(mesh);
    mesh.bind(new THREE.Skeleton(boneIds), mesh.matrixWorld);
    skinnedParts.push(mesh);
    // Shoulder cap (sleeve) and the cuff.
    const cap = new THREE.Mesh(new THREE.SphereGeometry(0.047, 16, 12), top);
    cap.name = `ShoulderCap${side}`;
    cap.scale.set(1, 0.9, 0.85);
    attach(bones.get(`${side}Arm`)!, cap, arm.clone().add(V(-sx * 0.008, 0.002, 0)));
    // Hand: palm + fingers (two rigid segments each) + thumb.
    const hand = bones.get(`${side}Hand`)!;
    const palm = new THREE.Mesh(new THREE.BoxGeometry(0.024, 0.085, 0.07, 1, 2, 2), skin);
    palm.name = `Palm${side}`;
    attach(hand, palm, wrist.clone().add(V(sx * 0.002, -0.045, 0.002)));
    for (const f of ['Index', 'Middle', 'Ring', 'Pinky', 'Thumb']) {
      for (let s = 1; s <= 3; s++) {
        const b = bones.get(`${side}Hand${f}${s}`)!;
        const next = bones.get(`${side}Hand${f}${s + 1}`)!;
        const from = b.getWorldPosition(V(0, 0, 0));
        const to = next.getWorldPosition(V(0, 0, 0));
        const len = from.distanceTo(to);
        const r = f === 'Thumb' ? 0.0095 : 0.0082 - s * 0.0006;
        const g = new THREE.CapsuleGeometry(r, Math.max(0.001, len - r), 4, 8);
        // Orient along the bone.
        const dir = to.clone().sub(from).normalize();
        g.applyQuaternion(new THREE.Quaternion().setFromUnitVectors(V(0, 1, 0), dir));
        const m = new THREE.Mesh(g, skin);
        m.name = `${side}${f}${s}`;
        attach(b, m, from.clone().lerp(to, 0.5));
      }
    }
  }

  // ---- legs, skirt or trousers, shoes ----
  for (const [side, sx] of [['Left', 1], ['Right', -1]] as const) {
    const up = bones.get(`${side}UpLeg`)!.getWorldPosition(V(0, 0, 0));
    const knee = bones.get(`${side}Leg`)!.getWorldPosition(V(0, 0, 0));
    const ankle = bones.get(`${side}Foot`)!.getWorldPosition(V(0, 0, 0));
    const legMat = style.skirt ? skin : bottom;
    const thigh = new THREE.Mesh(new THREE.CylinderGeometry(style.skirt ? 0.058 : 0.066, 0.045, up.distanceTo(knee), 16), legMat);
    thigh.name = `Thigh${side}`;
    attach(bones.get(`${side}UpLeg`)!, thigh, up.clone().lerp(knee, 0.5));
    const kneeBall = new THREE.Mesh(new THREE.SphereGeometry(0.045, 14, 10), legMat);
    kneeBall.name = `Knee${side}`;
    attach(bones.get(`${side}Leg`)!, kneeBall, knee);
    const shin = new THREE.Mesh(new THREE.CylinderGeometry(0.045, 0.031, knee.distanceTo(ankle), 16), style.skirt ? skin : bottom);
    shin.name = `Shin${side}`;
    attach(bones.get(`${side}Leg`)!, shin, knee.clone().lerp(ankle, 0.5));
    const shoe = new THREE.Mesh(new THREE.SphereGeometry(1, 16, 10), shoes);
    shoe.name = `Shoe${side}`;
    shoe.scale.set(0.043, 0.04, 0.105);
    attach(bones.get(`${side}Foot`)!, shoe, ankle.clone().add(V(sx * 0.004, -0.045, 0.045)));
  }
  if (style.skirt) {
    const skirt = new THREE.LatheGeometry([[0.001, 0.56], [0.168, 0.56], [0.17, 0.7], [0.158, 0.9], [0.14, 1.0], [0.001, 1.0]].map(([r, y]) => new THREE.Vector2(r!, y!)), 28);
    skirt.scale(1, 1, 0.7);
    const mesh = new THREE.Mesh(skirt, bottom);
    mesh.name = 'Skirt';
    attach(bones.get('Hips')!, mesh, V(0, 0, 0));
  } else {
    const pelvis = new THREE.LatheGeometry([[0.001, 0.8], [0.14, 0.84], [0.155, 0.9], [0.142, 0.99], [0.001, 0.99]].map(([r, y]) => new THREE.Vector2(r!, y!)), 28);
    pelvis.scale(1, 1, 0.66);
    const mesh = new THREE.Mesh(pelvis, bottom);
    mesh.name = 'Pelvis';
    attach(bones.get('Hips')!, mesh, V(0, 0, 0));
  }
  root.userData = { onairHost: style.id, look: style.look };
  return scene;
}

// FileReader is what GLTFExporter uses to turn its Blob into bytes; Node has Blob but not this.
class NodeFileReader {
  result: ArrayBuffer | string | null = null;
  onload: (() => void) | null = null;
  onloadend: (() => void) | null = null;
  readAsArrayBuffer(blob: Blob): void {
    void blob.arrayBuffer().then((b) => {
      this.result = b;
      this.onload?.();
      this.onloadend?.();
    });
  }
  readAsDataURL(blob: Blob): void {
    void blob.arrayBuffer().then((b) => {
      this.result = `data:${blob.type || 'application/octet-stream'};base64,${Buffer.from(b).toString('base64')}`;
      this.onload?.();
      this.onloadend?.();
    });
  }
}

export async function exportGlb(scene: THREE.Scene): Promise<Buffer> {
  (globalThis as Record<string, unknown>).FileReader ??= NodeFileReader;
  // Scaled geometries carry unnormalised normals; glTF wants unit normals.
  scene.traverse((o) => {
    const g = (o as THREE.Mesh).geometry;
    if (g?.getAttribute('normal')) g.normalizeNormals();
  });
  const out = await new GLTFExporter().parseAsync(scene, { binary: true, onlyVisible: false });
  return Buffer.from(out as ArrayBuffer);
}

async function main(): Promise<void> {
  const dir = path.dirname(new URL(import.meta.url).pathname);
  const files: Record<string, { sha256: string; bytes: number; name: string; description: string }> = {};
  for (const style of STYLES) {
    const glb = await exportGlb(buildHost(style));
    const file = `${style.id}.glb`;
    writeFileSync(path.join(dir, file), glb);
    files[file] = { sha256: createHash('sha256').update(glb).digest('hex'), bytes: glb.length, name: style.name, description: style.description };
    console.log(`${file}: ${(glb.length / 1024).toFixed(0)} KiB`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({
    model: "OnAir's built-in 3D hosts (GLB 2.0): Mixamo-named humanoid skeleton, skinned arms, jointed fingers, ARKit + Oculus viseme morph targets",
    recipe: 'node --import tsx models/hosts3d/build-hosts.ts',
    license: 'CC0-1.0 (generated by this project\'s code; no third-party assets)',
    conventions: {
      skeleton: 'Mixamo bone names without prefix (Hips … Head, LeftArm/LeftForeArm/LeftHand, LeftHandIndex1-4 …, LeftUpLeg/LeftLeg/LeftFoot), rest pose arms down',
      morphs: 'ARKit: jawOpen mouthFunnel mouthPucker mouthStretch* mouthSmile* mouthFrown* eyeBlink* eyeWide* browInnerUp browOuterUp* browDown*; Oculus: viseme_sil … viseme_U',
    },
    files,
  }, null, 2) + '\n');
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
