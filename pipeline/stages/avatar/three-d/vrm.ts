// The part of @pixiv/three-vrm OnAir uses, typed here: the package's declaration files re-export
// directories (`export * from './VRMUtils'`), which NodeNext resolution does not follow.
import * as threeVrm from '@pixiv/three-vrm';
import type * as THREE from 'three';
import type { GLTFLoaderPlugin, GLTFParser } from 'three/addons/loaders/GLTFLoader.js';

export interface VrmModel {
  scene: THREE.Group;
  meta: { metaVersion: '0' | '1' };
  humanoid: { humanBones: Record<string, unknown>; getRawBoneNode(name: string): THREE.Object3D | null };
  expressionManager?: { expressions: { expressionName: string }[]; setValue(name: string, weight: number): void };
  update(delta: number): void;
}

const lib = threeVrm as unknown as {
  VRMLoaderPlugin: new (parser: GLTFParser, options?: { autoUpdateHumanBones?: boolean }) => GLTFLoaderPlugin;
  VRMUtils: { rotateVRM0(vrm: VrmModel): void };
};

/** three-vrm's GLTFLoader plugin; the renderer poses raw bones, so no normalized-rig copying. */
export const vrmPlugin = (parser: GLTFParser): GLTFLoaderPlugin => new lib.VRMLoaderPlugin(parser, { autoUpdateHumanBones: false });
export const rotateVRM0 = (vrm: VrmModel): void => lib.VRMUtils.rotateVRM0(vrm);
