// Parses a GLB/glTF in Node with three's GLTFLoader. Embedded textures would need an image
// decoder (the loader reaches for `document`/`createImageBitmap`); OnAir's hosts use flat
// materials, and uploaded avatars' textures are decoded by texture-decoder.ts before parsing.
import * as THREE from 'three';
import { GLTFLoader, type GLTF } from 'three/addons/loaders/GLTFLoader.js';

export function parseGltf(data: ArrayBuffer, textures?: THREE.LoadingManager): Promise<GLTF> {
  const loader = new GLTFLoader(textures);
  return new Promise((resolve, reject) => loader.parse(data, '', resolve, (err) => reject(err instanceof Error ? err : new Error(String((err as { message?: string }).message ?? err)))));
}
