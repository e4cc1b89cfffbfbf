// A glTF/GLB humanoid → what the 3D renderer needs: the skeleton found by name, the face's morph
// convention, and body landmarks for camera framing.
import * as THREE from 'three';
import type { BodyLandmarks } from './camera-shots.ts';
import { FaceRig, faceConvention, morphNames } from './face-rig.ts';
import { parseGltf } from './gltf-node.ts';
import { mergeRigidParts } from './merge-rigid-parts.ts';
import { findBones, HumanoidRig, missingBones } from './humanoid-rig.ts';
import type { HumanoidModel } from './three-d-avatar.ts';

export class ModelProblem extends Error {}

export function bodyLandmarks(scene: THREE.Object3D, bones: Map<string, THREE.Object3D>): BodyLandmarks {
  scene.updateMatrixWorld(true);
  const box = new THREE.Box3().setFromObject(scene, true);
  const y = (name: string, fallback: number) => bones.get(name)?.getWorldPosition(new THREE.Vector3()).y ?? fallback;
  const head = y('head', box.max.y * 0.9);
  const eyes = y('leftEye', head + (box.max.y - head) * 0.45);
  return { headTop: box.max.y, eyes, chest: y('upperChest', y('chest', head - 0.25)), hips: y('hips', box.min.y + (box.max.y - box.min.y) * 0.53), floor: box.min.y };
}

/** Loads a GLB with a Mixamo/VRM-named skeleton and ARKit or Oculus-viseme morphs. */
export async function loadGlbHumanoid(data: ArrayBuffer): Promise<HumanoidModel> {
  const gltf = await parseGltf(data);
  const scene = gltf.scene;
  const bones = findBones(scene);
  const missing = missingBones(bones);
  if (missing.length) throw new ModelProblem(`the skeleton lacks ${missing.join(', ')} (Mixamo or VRM humanoid names)`);
  const convention = faceConvention(morphNames(scene));
  if (!convention) throw new ModelProblem('no face morphs: need ARKit blendshapes (jawOpen …) or Oculus visemes (viseme_aa …)');
  let look: 'toon' | 'standard' = 'standard';
  scene.traverse((o) => {
    if (o.userData?.look === 'toon') look = 'toon';
    // Skinned meshes move out of their rest bounds; never cull them.
    o.frustumCulled = false;
  });
  const body = bodyLandmarks(scene, bones);
  mergeRigidParts(scene);
  return { scene, rig: new HumanoidRig(scene, bones), face: new FaceRig(scene, convention), body, look };
}
