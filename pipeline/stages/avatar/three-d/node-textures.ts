// Embedded glTF/VRM textures decoded in Node: GLTFLoader would reach for `document` or
// `createImageBitmap`. This plugin decodes each image with @napi-rs/canvas (PNG, JPEG, WebP) into
// a DataTexture, resized to a power of two (WebGL 1 needs that for mipmaps and repeat) and at
// most 1024 px (an avatar's texture never needs more at 720p, and it bounds upload time).
import { createCanvas, loadImage } from '@napi-rs/canvas';
import * as THREE from 'three';
import type { GLTFLoaderPlugin, GLTFParser } from 'three/addons/loaders/GLTFLoader.js';

const MAX = 1024;
const pot = (n: number) => Math.min(MAX, 2 ** Math.ceil(Math.log2(Math.max(1, n))));

const WRAP: Record<number, THREE.Wrapping> = { 33071: THREE.ClampToEdgeWrapping, 33648: THREE.MirroredRepeatWrapping, 10497: THREE.RepeatWrapping };

export class NodeTexturePlugin implements GLTFLoaderPlugin {
  readonly name = 'ONAIR_node_textures';
  readonly #parser: GLTFParser;
  readonly #cache = new Map<number, Promise<THREE.Texture>>();

  constructor(parser: GLTFParser) {
    this.#parser = parser;
  }

  loadTexture(textureIndex: number): Promise<THREE.Texture> {
    const json = this.#parser.json as { textures: { source?: number; sampler?: number; extensions?: Record<string, { source?: number }> }[]; images: { bufferView?: number; uri?: string; mimeType?: string }[]; samplers?: { wrapS?: number; wrapT?: number }[] };
    const def = json.textures[textureIndex]!;
    const source = def.source ?? Object.values(def.extensions ?? {}).find((e) => e.source !== undefined)?.source;
    if (source === undefined) return Promise.reject(new Error(`texture ${textureIndex} has no image`));
    let image = this.#cache.get(source);
    if (!image) {
      image = this.#decode(json.images[source]!);
      this.#cache.set(source, image);
    }
    return image.then((base) => {
      const texture = base.clone();
      const sampler = json.samplers?.[def.sampler ?? -1] ?? {};
      texture.wrapS = WRAP[sampler.wrapS ?? 10497] ?? THREE.RepeatWrapping;
      texture.wrapT = WRAP[sampler.wrapT ?? 10497] ?? THREE.RepeatWrapping;
      texture.needsUpdate = true;
      return texture;
    });
  }

  async #decode(image: { bufferView?: number; uri?: string }): Promise<THREE.Texture> {
    let bytes: Buffer;
    if (image.bufferView !== undefined) {
      bytes = Buffer.from(new Uint8Array((await this.#parser.getDependency('bufferView', image.bufferView)) as ArrayBuffer));
    } else if (image.uri?.startsWith('data:')) {
      bytes = Buffer.from(image.uri.slice(image.uri.indexOf(',') + 1), 'base64');
    } else {
      throw new Error('external texture files are not supported: upload a GLB/VRM with embedded textures');
    }
    const img = await loadImage(bytes);
    const w = pot(img.width);
    const h = pot(img.height);
    const canvas = createCanvas(w, h);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0, w, h);
    const data = Uint8Array.from(ctx.getImageData(0, 0, w, h).data);
    // glTF UVs have their origin top-left, as the canvas rows do: no flip.
    const texture = new THREE.DataTexture(data, w, h, THREE.RGBAFormat);
    texture.flipY = false;
    texture.generateMipmaps = true;
    texture.minFilter = THREE.LinearMipmapLinearFilter;
    texture.magFilter = THREE.LinearFilter;
    texture.needsUpdate = true;
    return texture;
  }
}
