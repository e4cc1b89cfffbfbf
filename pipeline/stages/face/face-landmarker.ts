import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cropForMesh, MESH_INPUT, MESH_POINTS, OnnxFaceMesh, type CropBox, type MeshOutput } from './onnx-face-mesh.ts';

/** 468 FaceMesh points, x/y in source pixels (sub-pixel), for one face. */
export interface FaceLandmarks {
  /** FaceMesh face-presence confidence 0..1. */
  score: number;
  /** x0, y0, x1, y1, … (468 points). */
  points: Float32Array;
}

export { MESH_POINTS };
/** Below this FaceMesh confidence the frame counts as "no face" and the detector runs again. */
export const MIN_FACE_SCORE = 0.5;

const require = createRequire(import.meta.url);
// Resolving the package (not its package.json, which it does not export) gives its dist/ folder.
const humanDir = path.dirname(path.dirname(require.resolve('@vladmandic/human')));
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm')) + '/';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Tf = any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type HumanInstance = any;

/** Which runtime runs FaceMesh: onnxruntime-node (models/face-mesh/facemesh.onnx) or tfjs-wasm. */
export type MeshRuntime = 'onnx' | 'tfjs';

interface MeshModel {
  run(crop: Float32Array): Promise<MeshOutput>;
  dispose(): void;
}

/**
 * Face detection and dense landmarks on CPU, offline: BlazeFace (through @vladmandic/human) finds
 * the face, then FaceMesh runs on our own crop of it so that the points keep their sub-pixel
 * values (human rounds them to whole pixels). Consecutive frames are tracked: the crop follows the
 * previous frame's mesh and BlazeFace only runs again when the face is lost.
 *
 * FaceMesh runs on onnxruntime-node when models/face-mesh/facemesh.onnx exists (the default; CUDA
 * with ONAIR_FACE_EP=cuda), else on tfjs-wasm; `load({ mesh })` or ONAIR_FACE_MESH=onnx|tfjs
 * chooses. Both give the same points (test/face-mesh-onnx.test.ts).
 */
export class FaceLandmarker {
  readonly #human: HumanInstance;
  readonly #tf: Tf;
  readonly #mesh: MeshModel;
  readonly meshRuntime: MeshRuntime;
  readonly #crop = new Float32Array(MESH_INPUT * MESH_INPUT * 3);
  /** Square crop (x, y, side) in source pixels for the next frame, from tracking. */
  #box: CropBox | undefined;

  private constructor(human: HumanInstance, mesh: MeshModel, runtime: MeshRuntime) {
    this.#human = human;
    this.#tf = human.tf;
    this.#mesh = mesh;
    this.meshRuntime = runtime;
  }

  static async load(opts: { mesh?: MeshRuntime } = {}): Promise<FaceLandmarker> {
    const env = process.env.ONAIR_FACE_MESH;
    const runtime: MeshRuntime = opts.mesh ?? (env === 'onnx' || env === 'tfjs' ? env : OnnxFaceMesh.available() ? 'onnx' : 'tfjs');
    installFileFetch();
    // human's Node wasm bundle is not in its package exports; load it by path.
    const mod = await import(pathToFileURL(path.join(humanDir, 'dist/human.node-wasm.js')).href);
    const Human = mod.Human ?? mod.default?.Human ?? mod.default;
    const human = new Human({
      backend: 'wasm',
      wasmPath: wasmDir,
      modelBasePath: pathToFileURL(path.join(humanDir, 'models') + '/').href,
      debug: false,
      async: true,
      warmup: 'none',
      cacheSensitivity: 0,
      filter: { enabled: false },
      face: {
        enabled: true,
        detector: { rotation: false, maxDetected: 1, minConfidence: 0.3, skipFrames: 0, skipTime: 0, return: false },
        mesh: { enabled: false },
        attention: { enabled: false },
        iris: { enabled: false },
        emotion: { enabled: false },
        description: { enabled: false },
        antispoof: { enabled: false },
        liveness: { enabled: false },
      },
      body: { enabled: false },
      hand: { enabled: false },
      object: { enabled: false },
      gesture: { enabled: false },
      segmentation: { enabled: false },
    });
    await human.load();
    const mesh: MeshModel = runtime === 'onnx' ? await onnxMesh() : await tfjsMesh(human.tf);
    return new FaceLandmarker(human, mesh, runtime);
  }

  /** Forget the tracked face (next call runs the detector). */
  reset(): void {
    this.#box = undefined;
  }

  /** The crop the next frame's mesh will use (from tracking), undefined when the detector runs next. */
  get trackedBox(): CropBox | undefined {
    return this.#box && { ...this.#box };
  }

  /** Raw FaceMesh on one 192×192 NHWC crop in 0..1 (see cropForMesh), with this landmarker's runtime. */
  runMeshModel(crop: Float32Array): Promise<MeshOutput> {
    return this.#mesh.run(crop);
  }

  /** Landmarks of the most prominent face in an RGB24 frame, or undefined when there is none. */
  async detect(rgb: Uint8Array, width: number, height: number): Promise<FaceLandmarks | undefined> {
    let image: Tf | undefined; // the detector's input, only made when the detector runs
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!this.#box) {
          image ??= this.#tf.tensor4d(rgb, [1, height, width, 3], 'int32');
          this.#box = await this.#detectBox(image, width, height);
          if (!this.#box) return undefined;
        }
        const result = await this.#runMesh(rgb, width, height, this.#box);
        if (result.score >= MIN_FACE_SCORE) {
          this.#box = trackBox(result.points, this.#box.side);
          return result;
        }
        this.#box = undefined; // lost: detect again once
      }
      return undefined;
    } finally {
      image?.dispose();
    }
  }

  async #detectBox(image: Tf, width: number, height: number): Promise<CropBox | undefined> {
    const res = await this.#human.detect(image);
    const face = res.face?.[0];
    if (!face || face.boxScore < 0.3) return undefined;
    const [x, y, w, h] = face.box as number[];
    const side = Math.max(w, h);
    if (side < 16 || x + w < 0 || y + h < 0 || x > width || y > height) return undefined;
    return { x: x + w / 2 - side / 2, y: y + h / 2 - side / 2, side };
  }

  async #runMesh(rgb: Uint8Array, width: number, height: number, box: CropBox): Promise<FaceLandmarks> {
    const { mesh, score } = await this.#mesh.run(cropForMesh(rgb, width, height, box, this.#crop));
    const points = new Float32Array(MESH_POINTS * 2);
    const k = box.side / MESH_INPUT;
    for (let i = 0; i < MESH_POINTS; i++) {
      points[2 * i] = box.x + mesh[3 * i]! * k;
      points[2 * i + 1] = box.y + mesh[3 * i + 1]! * k;
    }
    return { score, points };
  }

  dispose(): void {
    this.#mesh.dispose();
  }
}

async function onnxMesh(): Promise<MeshModel> {
  const model = await OnnxFaceMesh.load();
  return { run: (crop) => model.run(crop), dispose: () => void model.dispose() };
}

/** FaceMesh as the tfjs graph model on human's tfjs-wasm (only the mesh and face-flag heads run). */
async function tfjsMesh(tf: Tf): Promise<MeshModel> {
  const model = await tf.loadGraphModel(fileModelHandler(path.join(humanDir, 'models/facemesh.json')));
  return {
    async run(crop) {
      const input = tf.tensor4d(crop, [1, MESH_INPUT, MESH_INPUT, 3], 'float32');
      const [meshT, flagT] = model.execute(input, ['Identity_2:0', 'Identity_1:0']) as Tf[];
      input.dispose();
      try {
        const mesh = (await meshT.data()) as Float32Array;
        const score = ((await flagT.data()) as Float32Array)[0]!;
        return { mesh, score };
      } finally {
        meshT.dispose();
        flagT.dispose();
      }
    },
    dispose: () => model.dispose(),
  };
}

/** Next frame's crop: centred on this frame's mesh, the detector's size kept (as FaceMesh expects). */
function trackBox(points: Float32Array, side: number): CropBox {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let i = 0; i < points.length; i += 2) {
    minX = Math.min(minX, points[i]);
    maxX = Math.max(maxX, points[i]);
    minY = Math.min(minY, points[i + 1]);
    maxY = Math.max(maxY, points[i + 1]);
  }
  return { x: (minX + maxX) / 2 - side / 2, y: (minY + maxY) / 2 - side / 2, side };
}

/** A tfjs IOHandler reading a graph model (model.json + weight shards) from disk. */
function fileModelHandler(jsonPath: string): { load(): Promise<unknown> } {
  return {
    async load() {
      const json = JSON.parse(await readFile(jsonPath, 'utf8'));
      const buffers: Buffer[] = [];
      const weightSpecs: unknown[] = [];
      for (const group of json.weightsManifest) {
        for (const p of group.paths) buffers.push(await readFile(path.join(path.dirname(jsonPath), p)));
        weightSpecs.push(...group.weights);
      }
      const all = Buffer.concat(buffers);
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        signature: json.signature,
        userDefinedMetadata: json.userDefinedMetadata,
        weightSpecs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
    },
  };
}

/**
 * Node's fetch has no file: scheme; human (models) and the tfjs wasm backend (its .wasm) fetch by
 * URL. Serve file: URLs from disk and pass everything else through, so nothing is ever downloaded.
 */
function installFileFetch(): void {
  const g = globalThis as { fetch: typeof fetch; __onairFileFetch?: boolean };
  if (g.__onairFileFetch) return;
  const original = g.fetch;
  g.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file:') || url.startsWith('/')) {
      const file = url.startsWith('file:') ? new URL(url) : url;
      const body = await readFile(file);
      return new Response(body, { status: 200, headers: { 'content-type': url.endsWith('.json') ? 'application/json' : url.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream' } });
    }
    return original(input, init);
  }) as typeof fetch;
  g.__onairFileFetch = true;
}
