// A 3D presenter behind the same Avatar interface as the 2D ones: three.js r158 renders a glTF/VRM
// humanoid with headless WebGL (llvmpipe on CPU) into RGBA with a transparent background, so the
// compositor puts it over any background and burns the label on top as for every avatar.
import { createCanvas, type Canvas } from '@napi-rs/canvas';
import * as THREE from 'three';
import type { Avatar, AvatarState } from '../avatar.ts';
import { type BodyLandmarks, ShotCamera, type Shot } from './camera-shots.ts';
import { FaceRig } from './face-rig.ts';
import { gouraudMaterial, LightRig, type StudioLights } from './gouraud-material.ts';
import { swapMaterials } from './swap-materials.ts';
import { createContext, ensureDisplay, release, type WebGLContext } from './headless-gl.ts';
import type { HumanoidRig } from './humanoid-rig.ts';

/** What a loaded 3D model hands the renderer (see load-humanoid.ts). */
export interface HumanoidModel {
  scene: THREE.Object3D;
  rig: HumanoidRig;
  face: FaceRig;
  body: BodyLandmarks;
  /** Per-frame hook (VRM springs/expressions update). */
  update?: (dt: number) => void;
  /** 'toon' for flat cel shading (the cartoon host), else physically based. */
  look: 'toon' | 'standard';
}

export interface ThreeDAvatarOptions {
  width: number;
  height: number;
  fps: number;
  shot?: Shot;
  /** Render size relative to the frame (the compositor scales the avatar to the frame's height). */
  renderScale?: number;
}

export const DEFAULT_RENDER_SCALE = Number(process.env.ONAIR_3D_RENDER_SCALE ?? 0.75);

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Fake canvas element for three: the context is already made. */
function canvasShim(gl: WebGLContext, width: number, height: number): HTMLCanvasElement {
  return { width, height, style: {}, addEventListener() {}, removeEventListener() {}, getContext: () => gl } as unknown as HTMLCanvasElement;
}

export class ThreeDAvatar implements Avatar {
  readonly width: number;
  readonly height: number;
  readonly #gl: WebGLContext;
  readonly #renderer: THREE.WebGLRenderer;
  readonly #scene = new THREE.Scene();
  readonly #model: HumanoidModel;
  readonly #camera: ShotCamera;
  readonly #rig: LightRig;
  readonly #pixels: Uint8Array;
  readonly #canvas: Canvas;
  /** The canvas's pixel memory, taken once: nothing draws on this canvas, so it stays the live surface. */
  readonly #canvasPx: Uint8Array;
  /** The screen rectangle the avatar covered last frame (what must be cleared). */
  #lastRect: Rect | undefined;
  readonly #points: THREE.Object3D[] = [];
  readonly #fps: number;
  #frame = 0;
  #disposed = false;
  /** Where the time goes (ms summed over frames): posing, GL draw + readback, canvas upload. */
  readonly timings = { pose: 0, draw: 0, upload: 0, pixels: 0, frames: 0 };

  static async create(model: HumanoidModel, opts: ThreeDAvatarOptions): Promise<ThreeDAvatar> {
    await ensureDisplay();
    return new ThreeDAvatar(model, opts);
  }

  private constructor(model: HumanoidModel, opts: ThreeDAvatarOptions) {
    // Rendered smaller than the frame and scaled up by the compositor: llvmpipe's cost is per pixel.
    const scale = opts.renderScale ?? DEFAULT_RENDER_SCALE;
    this.width = Math.round(opts.width * scale);
    this.height = Math.round(opts.height * scale);
    this.#fps = opts.fps;
    this.#model = model;
    this.#gl = createContext(this.width, this.height);
    this.#renderer = new THREE.WebGLRenderer({ canvas: canvasShim(this.#gl, this.width, this.height), context: this.#gl, alpha: true, antialias: false, premultipliedAlpha: false });
    this.#renderer.setClearColor(0x000000, 0);
    this.#renderer.outputColorSpace = THREE.SRGBColorSpace;
    // Lit per vertex by the studio rig (see gouraud-material.ts); materials that are not glTF's
    // standard one (VRM's MToon) keep their own shading and get matching three.js lights.
    this.#rig = new LightRig(studioLights(model.look));
    let others = false;
    swapMaterials(model.scene, (m) => {
      const std = m as THREE.MeshStandardMaterial;
      if (!std.isMeshStandardMaterial) return (others = true), m;
      return gouraudMaterial(std, this.#rig, model.look === 'toon');
    });
    this.#scene.add(model.scene);
    if (others) this.#scene.add(...lights(model.look));
    // renderFrame updates the world matrices itself (the coverage rectangle needs them first).
    this.#scene.matrixWorldAutoUpdate = false;
    this.#camera = new ShotCamera(this.width / this.height, model.body, opts.shot ?? 'half');
    this.#pixels = new Uint8Array(this.width * this.height * 4);
    this.#canvas = createCanvas(this.width, this.height);
    // Each data() call wraps the pixels in a new 3.7 MB Buffer that V8 counts as external memory:
    // one per frame (92 MB/s at 720p25) drove 1–2 extra full GCs a second, a tenth of a core or more.
    this.#canvasPx = this.#canvas.data();
    // Joints (glTF makes Bones only of skinned joints; the rest are plain nodes).
    model.scene.traverse((o) => {
      if ((o as THREE.Bone).isBone || o.type === 'Object3D') this.#points.push(o);
    });
  }

  /** The rectangle the figure covered in the last frame (none: nothing on screen). */
  get contentBounds(): Rect {
    return this.#lastRect ?? { x: 0, y: 0, w: 0, h: 0 };
  }

  get shot(): Shot {
    return this.#camera.shot;
  }

  /** Switches framing with a short eased camera move. */
  setShot(shot: Shot): void {
    this.#camera.set(shot);
  }

  renderFrame(state: AvatarState): Canvas {
    if (this.#disposed) return this.#canvas;
    const t0 = performance.now();
    const t = this.#frame++ / this.#fps;
    this.#model.rig.apply(state, t);
    this.#model.face.apply({ mouth: state.mouth, blink: state.idle.blink, smile: 0.55, brows: Math.max(0, state.nod) * 0.8 + state.mouth.open * 0.15 });
    this.#model.update?.(1 / this.#fps);
    this.#camera.update(t);
    const t1 = performance.now();
    this.#scene.updateMatrixWorld();
    this.#camera.camera.updateMatrixWorld();
    this.#rig.update(this.#camera.camera);
    // Only the rectangle the avatar covers is cleared, drawn and brought over to the canvas:
    // llvmpipe's cost is per pixel, and the figure fills a fraction of the frame.
    const rect = this.#coverage();
    // The canvas's own pixel memory (Skia raster, RGBA premultiplied), written directly: putImageData
    // would convert every pixel from straight alpha (≈6 ms for a close-up), and GL's output is
    // already premultiplied (three blends colour by alpha over the transparent clear).
    const canvasPx = this.#canvasPx;
    const last = this.#lastRect;
    if (last) clearRect(canvasPx, this.width, last);
    this.#lastRect = rect;
    if (!rect) return this.#canvas;
    const gl = this.#gl;
    const glY = this.height - rect.y - rect.h;
    this.#renderer.setScissor(rect.x, glY, rect.w, rect.h);
    this.#renderer.setScissorTest(true);
    this.#renderer.render(this.#scene, this.#camera.camera);
    const pixels = this.#pixels.subarray(0, rect.w * rect.h * 4);
    gl.readPixels(rect.x, glY, rect.w, rect.h, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    const t2 = performance.now();
    // GL rows run bottom-up.
    const rowBytes = rect.w * 4;
    const stride = this.width * 4;
    for (let r = 0; r < rect.h; r++) canvasPx.set(pixels.subarray(r * rowBytes, (r + 1) * rowBytes), (rect.y + rect.h - 1 - r) * stride + rect.x * 4);
    const t3 = performance.now();
    this.timings.pose += t1 - t0;
    this.timings.draw += t2 - t1;
    this.timings.upload += t3 - t2;
    this.timings.pixels += rect.w * rect.h;
    this.timings.frames++;
    return this.#canvas;
  }

  /** Screen rectangle around every bone, padded for flesh, hair and fingers; undefined if off-screen. */
  #coverage(): Rect | undefined {
    const cam = this.#camera.camera;
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    const v = new THREE.Vector3();
    for (const p of this.#points) {
      p.getWorldPosition(v).project(cam);
      if (v.z > 1) continue;
      x0 = Math.min(x0, v.x);
      x1 = Math.max(x1, v.x);
      y0 = Math.min(y0, v.y);
      y1 = Math.max(y1, v.y);
    }
    if (!Number.isFinite(x0)) return undefined;
    // Padding: the body's half-width beyond its bones (~0.2 m) as a fraction of the view.
    const fov = THREE.MathUtils.degToRad(cam.fov);
    const viewH = 2 * Math.tan(fov / 2) * cam.position.z;
    const pad = (0.22 / viewH) * 2;
    const toPx = (nx: number) => ((nx + 1) / 2) * this.width;
    const toPy = (ny: number) => ((1 - ny) / 2) * this.height;
    const left = Math.max(0, Math.floor(toPx(x0 - pad / cam.aspect)));
    const right = Math.min(this.width, Math.ceil(toPx(x1 + pad / cam.aspect)));
    const top = Math.max(0, Math.floor(toPy(y1 + pad)));
    const bottom = Math.min(this.height, Math.ceil(toPy(y0 - pad)));
    if (right <= left || bottom <= top) return undefined;
    return { x: left, y: top, w: right - left, h: bottom - top };
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    // three's dispose ends by stopping a requestAnimationFrame loop Node does not have; the GL
    // objects go with the context below either way.
    try {
      this.#renderer.dispose();
    } catch {}
    release(this.#gl);
  }
}

/** Zeroes a rectangle of an RGBA buffer `width` pixels wide. */
function clearRect(px: Uint8Array, width: number, r: Rect): void {
  const stride = width * 4;
  for (let y = r.y; y < r.y + r.h; y++) px.fill(0, y * stride + r.x * 4, y * stride + (r.x + r.w) * 4);
}

function lights(look: 'toon' | 'standard'): THREE.Light[] {
  // A soft, frontal studio light: a shopping host is lit flat enough that no shadow hides the face.
  const hemi = new THREE.HemisphereLight(0xfff6ee, 0x8a7a70, look === 'toon' ? 1.3 : 1.5);
  const key = new THREE.DirectionalLight(0xffffff, look === 'toon' ? 1.9 : 2.2);
  key.position.set(-1, 1.3, 3);
  const fill = new THREE.DirectionalLight(0xdfe8ff, look === 'toon' ? 0.4 : 0.8);
  fill.position.set(2, 1, 2.5);
  const rim = new THREE.DirectionalLight(0xffffff, 1.4);
  rim.position.set(0.5, 2.5, -3);
  // Cel shading reads best with one key light (and each light is a per-pixel cost on llvmpipe).
  return look === 'toon' ? [hemi, key] : [hemi, key, fill, rim];
}

/** The studio rig for the per-vertex shading, matching lights() (intensities over π: the Lambert BRDF). */
function studioLights(look: 'toon' | 'standard'): StudioLights {
  const k = (hex: number, intensity: number) => new THREE.Color(hex).multiplyScalar(intensity / Math.PI);
  const hemi = look === 'toon' ? 1.3 : 1.5;
  return {
    sky: k(0xfff6ee, hemi),
    ground: k(0x8a7a70, hemi),
    up: new THREE.Vector3(0, 1, 0),
    key: { dir: new THREE.Vector3(-1, 1.3, 3).normalize(), color: k(0xffffff, look === 'toon' ? 1.9 : 2.2) },
    fill: { dir: new THREE.Vector3(2, 1, 2.5).normalize(), color: k(0xdfe8ff, look === 'toon' ? 0 : 0.8) },
  };
}
