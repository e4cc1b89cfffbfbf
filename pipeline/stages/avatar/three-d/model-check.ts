// What an uploaded 3D model is and whether it keeps real time, read from the GLB container and its
// glTF JSON before anything is built: the format (GLB, VRM 0.x, VRM 1.0), a truncated or foreign
// file, and a budget of triangles and morphing vertices × targets (llvmpipe's cost grows with both).
import { ModelProblem, type ModelFormat } from './load-humanoid.ts';

export const BUDGET = {
  triangles: 100_000,
  /** Σ over morphing primitives of vertices × targets (a 5k-vertex face with 52 ARKit targets is 260k). */
  morphVertexTargets: 600_000,
  bytes: 40 * 1024 * 1024,
} as const;

export interface ModelSummary {
  format: ModelFormat;
  triangles: number;
  morphTargets: number;
  morphVertexTargets: number;
  meshes: number;
  textures: number;
}

const GLB_MAGIC = 0x46546c67;

type Accessor = { count: number };
type Primitive = { attributes: Record<string, number>; indices?: number; targets?: unknown[]; mode?: number };

export function checkModel(buf: Buffer): ModelSummary {
  if (buf.length < 20 || buf.readUInt32LE(0) !== GLB_MAGIC) {
    throw new ModelProblem('not a GLB/VRM file (no "glTF" binary header); export the model as binary glTF (.glb) or VRM');
  }
  const version = buf.readUInt32LE(4);
  if (version !== 2) throw new ModelProblem(`glTF version ${version} is not supported (need 2.0)`);
  const declared = buf.readUInt32LE(8);
  if (declared !== buf.length) throw new ModelProblem(`the file is truncated or padded: its header says ${declared} bytes, ${buf.length} arrived`);
  const jsonLength = buf.readUInt32LE(12);
  if (buf.readUInt32LE(16) !== 0x4e4f534a || 20 + jsonLength > buf.length) throw new ModelProblem('the GLB has no readable JSON chunk');
  let json: { extensionsUsed?: string[]; meshes?: { primitives: Primitive[] }[]; accessors?: Accessor[]; textures?: unknown[] };
  try {
    json = JSON.parse(buf.subarray(20, 20 + jsonLength).toString('utf8'));
  } catch {
    throw new ModelProblem('the GLB JSON chunk is not valid JSON');
  }
  const used = new Set(json.extensionsUsed ?? []);
  const format: ModelFormat = used.has('VRMC_vrm') ? 'vrm1' : used.has('VRM') ? 'vrm0' : 'glb';
  const accessors = json.accessors ?? [];
  const count = (i: number | undefined) => (i === undefined ? 0 : (accessors[i]?.count ?? 0));
  let triangles = 0;
  let morphVertexTargets = 0;
  let morphTargets = 0;
  for (const mesh of json.meshes ?? []) {
    for (const p of mesh.primitives) {
      // Triangle lists (mode 4, the default); strips and fans count about the same.
      const n = p.indices !== undefined ? count(p.indices) : count(p.attributes.POSITION);
      if (p.mode === undefined || p.mode >= 4) triangles += Math.floor(n / 3);
      const targets = p.targets?.length ?? 0;
      morphTargets = Math.max(morphTargets, targets);
      morphVertexTargets += targets * count(p.attributes.POSITION);
    }
  }
  if (triangles > BUDGET.triangles) throw new ModelProblem(`${triangles} triangles is over the real-time budget of ${BUDGET.triangles} (decimate the mesh)`);
  if (morphVertexTargets > BUDGET.morphVertexTargets) {
    throw new ModelProblem(`morphing vertices × targets = ${morphVertexTargets} is over the real-time budget of ${BUDGET.morphVertexTargets} (keep the morphs on a face mesh of ~5k vertices)`);
  }
  return { format, triangles, morphTargets, morphVertexTargets, meshes: json.meshes?.length ?? 0, textures: json.textures?.length ?? 0 };
}
