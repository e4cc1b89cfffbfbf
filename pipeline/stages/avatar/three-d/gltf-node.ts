// Parses a GLB/glTF in Node with three's GLTFLoader, embedded textures decoded by NodeTexturePlugin
// (the loader's own image path needs `document`). Extra plugins: e.g. three-vrm's VRMLoaderPlugin.
import { GLTFLoader, type GLTF, type GLTFLoaderPlugin, type GLTFParser } from 'three/addons/loaders/GLTFLoader.js';
import { NodeTexturePlugin } from './node-textures.ts';

export function parseGltf(data: ArrayBuffer, plugins: ((parser: GLTFParser) => GLTFLoaderPlugin)[] = []): Promise<GLTF> {
  const loader = new GLTFLoader();
  loader.register((parser) => new NodeTexturePlugin(parser));
  for (const p of plugins) loader.register(p);
  return new Promise((resolve, reject) => loader.parse(data, '', resolve, (err) => reject(err instanceof Error ? err : new Error(String((err as { message?: string }).message ?? err)))));
}
