// A glTF/GLB or VRM humanoid → what the 3D renderer needs: the skeleton found by name (or the VRM
// humanoid map), the face's morph convention, and body landmarks for camera framing.
import * as THREE from 'three';
import type { BodyLandmarks } from './camera-shots.ts';
import { FaceRig, faceConvention, morphNames } from './face-rig.ts';
import { parseGltf } from './gltf-node.ts';
import { findBones, HumanoidRig, missingBones } from './humanoid-rig.ts';
import { mergeRigidParts } from './merge-rigid-parts.ts';
import { swapMaterials } from './swap-materials.ts';
import type { HumanoidModel } from './three-d-avatar.ts';
import { rotateVRM0, vrmPlugin, type VrmModel } from './vrm.ts';

/** Something about the model the user can fix (a 400 on upload). */
export class ModelProblem extends Error {}

export function bodyLandmarks(scene: THREE.Object3D, bones: Map<string, THREE.Object3D>): BodyLandmarks {
  scene.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(scene, true);
  const y = (name: string, fallback: number) => bones.get(name)?.getWorldPosition(new THREE.Vector3()).y ?? fallback;
  const head = y('head', box.max.y * 0.9);
  const eyes = y('leftEye', head + (box.max.y - head) * 0.45);
  return { headTop: box.max.y, eyes, chest: y('upperChest', y('chest', head - 0.25)), hips: y('hips', box.min.y + (box.max.y - box.min.y) * 0.53), floor: box.min.y };
}

function finish(scene: THREE.Object3D): 'toon' | 'standard' {
  let look: 'toon' | 'standard' = 'standard';
  scene.traverse((o) => {
    if (o.userData?.look === 'toon') look = 'toon';
    // Skinned meshes move out of their rest bounds; never cull them.
    o.frustumCulled = false;
  });
  return look;
}

/** GLB with a Mixamo/VRM-named skeleton and ARKit blendshapes or Oculus visemes. */
export async function loadGlbHumanoid(data: ArrayBuffer): Promise<HumanoidModel> {
  const gltf = await parseGltf(data);
  const scene = gltf.scene;
  const bones = findBones(scene);
  const missing = missingBones(bones);
  if (missing.length) throw new ModelProblem(`the skeleton lacks ${missing.join(', ')} (Mixamo or VRM humanoid bone names)`);
  const convention = faceConvention(morphNames(scene));
  if (!convention) throw new ModelProblem('no face morphs: need ARKit blendshapes (jawOpen …) or Oculus visemes (viseme_aa …)');
  const look = finish(scene);
  const body = bodyLandmarks(scene, bones);
  mergeRigidParts(scene);
  return { scene, rig: new HumanoidRig(scene, bones), face: new FaceRig(scene, convention), body, look };
}

/** VRM 0.x / 1.0 through @pixiv/three-vrm: humanoid bones, expression presets, spring bones. */
export async function loadVrmHumanoid(data: ArrayBuffer): Promise<HumanoidModel> {
  const gltf = await parseGltf(data, [vrmPlugin]);
  const vrm = gltf.userData.vrm as VrmModel | undefined;
  if (!vrm) throw new ModelProblem('not a VRM: the VRMC_vrm (1.0) or VRM (0.x) extension is missing or invalid');
  rotateVRM0(vrm); // 0.x models face −z
  const scene = vrm.scene;
  const raw: Record<string, THREE.Object3D> = {};
  for (const name of Object.keys(vrm.humanoid.humanBones)) {
    const node = vrm.humanoid.getRawBoneNode(name);
    if (node) raw[name] = node;
  }
  const bones = findBones(scene, fingerNames(raw));
  const missing = missingBones(bones);
  if (missing.length) throw new ModelProblem(`the VRM humanoid lacks ${missing.join(', ')}`);
  const presets = new Set((vrm.expressionManager?.expressions ?? []).map((e) => e.expressionName));
  if (!['aa', 'ih', 'ou', 'ee', 'oh'].some((p) => presets.has(p))) throw new ModelProblem('the VRM has no mouth expressions (aa, ih, ou, ee, oh)');
  replaceMToon(scene);
  const look = finish(scene);
  const body = bodyLandmarks(scene, bones);
  // Always through the expression presets: three-vrm rewrites every morph an expression binds on
  // each update, so setting those morphs directly would be undone.
  const face = new FaceRig(scene, 'vrm', (name, value) => vrm.expressionManager?.setValue(name, value));
  return { scene, rig: new HumanoidRig(scene, bones), face, body, look, update: (dt) => vrm.update(dt) };
}

/** VRM finger names (leftIndexProximal…) → the rig's (leftIndex1…). */
function fingerNames(raw: Record<string, THREE.Object3D>): Record<string, THREE.Object3D> {
  const out: Record<string, THREE.Object3D> = {};
  for (const [name, node] of Object.entries(raw)) {
    const m = /^(left|right)(Thumb|Index|Middle|Ring|Little)(Metacarpal|Proximal|Intermediate|Distal)$/.exec(name);
    if (!m) {
      out[name] = node;
      continue;
    }
    const order = m[2] === 'Thumb' ? ['Metacarpal', 'Proximal', 'Distal'] : ['Proximal', 'Intermediate', 'Distal'];
    // VRM 0.x thumbs: Proximal, Intermediate, Distal.
    const seg = order.indexOf(m[3]!) + 1 || (m[3] === 'Intermediate' ? 2 : 0);
    if (seg) out[`${m[1]}${m[2]}${seg}`] ??= node;
  }
  return out;
}

/**
 * MToon is three-vrm's own shader (WebGL 2 features on some paths); on this renderer a toon
 * material with the same base colour and texture looks alike and always compiles.
 */
function replaceMToon(root: THREE.Object3D): void {
  swapMaterials(root, (m) => {
    const mt = m as THREE.Material & { isMToonMaterial?: boolean; map?: THREE.Texture | null; color?: THREE.Color };
    if (!mt.isMToonMaterial) return m;
    return new THREE.MeshToonMaterial({ color: mt.color?.clone() ?? new THREE.Color(1, 1, 1), map: mt.map ?? null, transparent: mt.transparent, alphaTest: mt.alphaTest, side: mt.side });
  });
}

/** A model file's kind from its glTF JSON: VRM 1.0, VRM 0.x or plain GLB. */
export type ModelFormat = 'vrm1' | 'vrm0' | 'glb';

export function loadHumanoid(data: ArrayBuffer, format: ModelFormat): Promise<HumanoidModel> {
  return format === 'glb' ? loadGlbHumanoid(data) : loadVrmHumanoid(data);
}
