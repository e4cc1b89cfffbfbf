// Converts the FaceMesh TensorFlow.js graph model that ships in @vladmandic/human
// (models/facemesh.json + facemesh.bin) to ONNX (opset 13) for onnxruntime-node, in TypeScript
// (no TensorFlow or tf2onnx needed), then checks it against tfjs on crops of the test video.
//   input:   input    [N,192,192,3] float32, NHWC, RGB in 0..1 (as tfjs's input_1)
//   outputs: mesh     [N,1404] = 468 × (x, y, z) in 192-px crop coordinates (tfjs output_mesh)
//            faceflag [N,1] face-presence score 0..1 (tfjs output_faceflag)
// The contours head (output_contours) is unused by OnAir and pruned.
// Inside, the graph runs in NCHW: one Transpose after the input, weights re-laid out at
// conversion time (Conv HWIO → OIHW, depthwise H W C M → (C·M) 1 H W), BiasAdd folded into
// Conv, PReLU alphas [C,1,1], TF SAME padding turned into explicit pads; a Reshape that flattens
// transposes back to NHWC first so the flattened order is tfjs's.
// Usage: node --import tsx models/face-mesh/convert-facemesh.ts [--no-validate]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attrInt, attrInts, attrStr, FLOAT, INT64, encodeModel, type OnnxAttr } from '../lib/onnx-proto.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const humanDir = path.dirname(path.dirname(require.resolve('@vladmandic/human')));
const humanVersion = (JSON.parse(readFileSync(path.join(humanDir, 'package.json'), 'utf8')) as { version: string }).version;
const jsonPath = path.join(humanDir, 'models/facemesh.json');
const binPath = path.join(humanDir, 'models/facemesh.bin');
const onnxPath = path.join(dir, 'facemesh.onnx');
const OUTPUTS: Record<string, string> = { Identity_2: 'mesh', Identity_1: 'faceflag' };



// ---- reading the tfjs graph model ----

interface TfNode { name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }
interface TfAttr { s?: string; i?: string; f?: number; list?: { s?: string[]; i?: string[] }; type?: string }
interface WeightSpec { name: string; shape: number[]; dtype: 'float32' | 'int32'; quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number } }
interface Weight { shape: number[]; data: Float32Array | Int32Array }

/** IEEE 754 half → float (exact). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 0x1f) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/** The weights of a tfjs weightsManifest, dequantized to float32 (int32 tensors kept as they are). */
function readWeights(json: { weightsManifest: { paths: string[]; weights: WeightSpec[] }[] }, modelDir: string): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const group of json.weightsManifest) {
    const buf = Buffer.concat(group.paths.map((p) => readFileSync(path.join(modelDir, p))));
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let off = 0;
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      let data: Float32Array | Int32Array;
      if (q) {
        if (w.dtype !== 'float32') throw new Error(`${w.name}: quantized ${w.dtype} not handled`);
        data = new Float32Array(n);
        if (q.dtype === 'float16') {
          for (let i = 0; i < n; i++) data[i] = halfToFloat(view.getUint16(off + 2 * i, true));
          off += 2 * n;
        } else {
          const bytes = q.dtype === 'uint8' ? 1 : 2;
          for (let i = 0; i < n; i++) data[i] = (bytes === 1 ? view.getUint8(off + i) : view.getUint16(off + 2 * i, true)) * q.scale! + q.min!;
          off += bytes * n;
        }
      } else if (w.dtype === 'float32') {
        data = new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = view.getFloat32(off + 4 * i, true);
        off += 4 * n;
      } else if (w.dtype === 'int32') {
        data = new Int32Array(n);
        for (let i = 0; i < n; i++) data[i] = view.getInt32(off + 4 * i, true);
        off += 4 * n;
      } else throw new Error(`${w.name}: dtype ${w.dtype as string} not handled`);
      out.set(w.name, { shape: w.shape, data });
    }
    if (off !== buf.length) throw new Error(`weights: read ${off} of ${buf.length} bytes`);
  }
  return out;
}

const str = (a: TfAttr | undefined) => (a?.s ? Buffer.from(a.s, 'base64').toString() : undefined);
const ints = (a: TfAttr | undefined) => (a?.list?.i ?? []).map(Number);

// ---- building the ONNX graph ----

/** A value in the ONNX graph: its name and, while 4-D, its NCHW shape (batch -1). */
interface Val { name: string; shape: number[]; layout: 'nchw' | 'flat' }


function convert(json: { modelTopology: { node: TfNode[] } }, weights: Map<string, Weight>) {
  const tfNodes = new Map(json.modelTopology.node.map((n) => [n.name, n]));
  const nodes: { opType: string; name: string; input: string[]; output: string[]; attribute: OnnxAttr[] }[] = [];
  const initializers: { name: string; dataType: number; dims: number[]; rawData: Uint8Array }[] = [];
  const values = new Map<string, Val>();
  const opCount: Record<string, number> = {};

  const addFloat = (name: string, dims: number[], data: Float32Array) => {
    initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  };
  const addInt64 = (name: string, data: number[]) => {
    const a = BigInt64Array.from(data.map(BigInt));
    initializers.push({ name, dataType: INT64, dims: [data.length], rawData: new Uint8Array(a.buffer) });
    return name;
  };
  const emit = (opType: string, name: string, input: string[], output: string, attribute: OnnxAttr[] = []) => {
    nodes.push({ opType, name, input, output: [output], attribute });
    opCount[opType] = (opCount[opType] ?? 0) + 1;
  };
  const short = (n: string) => n.replace(/^StatefulPartitionedCall\/model_1\//, '');
  const weight = (name: string): Weight => {
    const w = weights.get(name);
    if (!w) throw new Error(`no weight ${name}`);
    const node = tfNodes.get(name);
    if (node && node.op !== 'Const') throw new Error(`${name} is a ${node.op}, expected a Const`);
    return w;
  };
  const floatWeight = (name: string) => {
    const w = weight(name);
    if (!(w.data instanceof Float32Array)) throw new Error(`${name}: expected float weights`);
    return { shape: w.shape, data: w.data };
  };

  /** TF padding → ONNX pads [top, left, bottom, right] and output size, for one 2-D window op. */
  function window(node: TfNode, inH: number, inW: number, kH: number, kW: number): { pads: number[]; strides: number[]; dilations: number[]; outH: number; outW: number } {
    const fmt = str(node.attr?.data_format) ?? 'NHWC';
    if (fmt !== 'NHWC') throw new Error(`${node.name}: data_format ${fmt}`);
    const s = ints(node.attr?.strides);
    const strides = [s[1] ?? 1, s[2] ?? 1];
    const d = ints(node.attr?.dilations);
    const dilations = [d[1] ?? 1, d[2] ?? 1];
    const padding = str(node.attr?.padding) ?? 'VALID';
    const dims = [inH, inW];
    const ks = [kH, kW];
    const before = [0, 0];
    const after = [0, 0];
    const out = [0, 0];
    for (let a = 0; a < 2; a++) {
      const eff = (ks[a] - 1) * dilations[a] + 1;
      if (padding === 'SAME') {
        out[a] = Math.ceil(dims[a] / strides[a]);
        const total = Math.max((out[a] - 1) * strides[a] + eff - dims[a], 0);
        before[a] = Math.floor(total / 2);
        after[a] = total - before[a];
      } else if (padding === 'VALID') {
        out[a] = Math.floor((dims[a] - eff) / strides[a]) + 1;
      } else if (padding === 'EXPLICIT') {
        const e = ints(node.attr?.explicit_paddings); // NHWC pairs: [n0,n1,h0,h1,w0,w1,c0,c1]
        before[a] = e[2 + 2 * a];
        after[a] = e[3 + 2 * a];
        out[a] = Math.floor((dims[a] + before[a] + after[a] - eff) / strides[a]) + 1;
      } else throw new Error(`${node.name}: padding ${padding}`);
    }
    return { pads: [before[0], before[1], after[0], after[1]], strides, dilations, outH: out[0], outW: out[1] };
  }

  function conv(node: TfNode, x: Val, wOIHW: Float32Array, oihw: number[], group: number, bias: Float32Array | undefined, out: string): Val {
    const [, C, H, W] = x.shape;
    if (oihw[1] * group !== C) throw new Error(`${node.name}: ${C} channels in, kernel wants ${oihw[1]}×${group}`);
    const win = window(node, H, W, oihw[2], oihw[3]);
    const inputs = [x.name, addFloat(`${short(node.name)}/W`, oihw, wOIHW)];
    if (bias) inputs.push(addFloat(`${short(node.name)}/B`, [oihw[0]], bias));
    emit('Conv', short(node.name), inputs, out, [
      attrInts('kernel_shape', [oihw[2], oihw[3]]),
      attrInts('strides', win.strides),
      attrInts('dilations', win.dilations),
      attrInts('pads', win.pads),
      attrInt('group', group),
    ]);
    return { name: out, shape: [-1, oihw[0], win.outH, win.outW], layout: 'nchw' };
  }

  function prelu(name: string, x: Val, alphaName: string, out: string): Val {
    const a = floatWeight(alphaName);
    const C = x.shape[1];
    if (a.data.length !== C) throw new Error(`${name}: ${a.data.length} alphas for ${C} channels`);
    emit('PRelu', name, [x.name, addFloat(`${name}/alpha`, [C, 1, 1], a.data)], out);
    return { name: out, shape: x.shape, layout: 'nchw' };
  }

  function nchw(name: string, node: TfNode): Val {
    const v = value(name);
    if (v.layout !== 'nchw') throw new Error(`${node.name}: input ${name} is not 4-D`);
    return v;
  }

  /** Converts (depth first) the TF node that produces `tfName`, and returns its ONNX value. */
  function value(tfName: string): Val {
    const key = tfName.replace(/:0$/, '');
    const done = values.get(key);
    if (done) return done;
    const node = tfNodes.get(key);
    if (!node) throw new Error(`no node ${key}`);
    const ins = node.input ?? [];
    const out = short(node.name);
    let v: Val;
    switch (node.op) {
      case 'Placeholder': {
        emit('Transpose', 'to_nchw', ['input'], 'input_nchw', [attrInts('perm', [0, 3, 1, 2])]);
        const dims = (node.attr as { shape?: { shape?: { dim: { size: string }[] } } } | undefined)?.shape?.shape?.dim.map((d) => Number(d.size)) ?? [-1, 192, 192, 3];
        v = { name: 'input_nchw', shape: [-1, dims[3], dims[1], dims[2]], layout: 'nchw' };
        break;
      }
      case '_FusedConv2D':
      case 'Conv2D': {
        const x = nchw(ins[0], node);
        const w = floatWeight(ins[1]);
        const [kh, kw, ci, co] = w.shape;
        const oihw = new Float32Array(w.data.length);
        for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) oihw[((o * ci + i) * kh + y) * kw + z] = w.data[((y * kw + z) * ci + i) * co + o];
        const fused = (node.attr?.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString());
        const eps = node.attr?.epsilon?.f ?? 0;
        let bias: Float32Array | undefined;
        let rest = fused;
        if (fused[0] === 'BiasAdd') {
          bias = floatWeight(ins[2]).data;
          rest = fused.slice(1);
        } else if (fused[0] === 'FusedBatchNorm') throw new Error(`${node.name}: FusedBatchNorm (epsilon ${eps}) not handled`);
        else if (fused.length) throw new Error(`${node.name}: fused ${fused.join(',')} not handled`);
        if (rest.length === 0) {
          v = conv(node, x, oihw, [co, ci, kh, kw], 1, bias, out);
        } else if (rest.length === 1) {
          const c = conv(node, x, oihw, [co, ci, kh, kw], 1, bias, `${out}/conv`);
          if (rest[0] === 'Prelu') v = prelu(`${out}/prelu`, c, ins[3], out);
          else if (rest[0] === 'Relu') {
            emit('Relu', `${out}/relu`, [c.name], out);
            v = { ...c, name: out };
          } else if (rest[0] === 'Relu6') {
            emit('Clip', `${out}/relu6`, [c.name, addFloat(`${out}/lo`, [], new Float32Array([0])), addFloat(`${out}/hi`, [], new Float32Array([6]))], out);
            v = { ...c, name: out };
          } else throw new Error(`${node.name}: fused ${rest[0]} not handled`);
        } else throw new Error(`${node.name}: fused ${fused.join(',')} not handled`);
        break;
      }
      case 'DepthwiseConv2dNative': {
        const x = nchw(ins[0], node);
        const w = floatWeight(ins[1]);
        const [kh, kw, C, M] = w.shape;
        // TF's output channel c·M + m comes from input channel c.
        const k = new Float32Array(w.data.length);
        for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) for (let y = 0; y < kh; y++) for (let z = 0; z < kw; z++) k[((c * M + m) * kh + y) * kw + z] = w.data[((y * kw + z) * C + c) * M + m];
        v = conv(node, x, k, [C * M, 1, kh, kw], C, undefined, out);
        break;
      }
      case 'AddV2':
      case 'Add': {
        const a = nchw(ins[0], node);
        const b = nchw(ins[1], node);
        if (a.shape.join() !== b.shape.join()) throw new Error(`${node.name}: ${a.shape} + ${b.shape}`);
        emit('Add', out, [a.name, b.name], out);
        v = { name: out, shape: a.shape, layout: 'nchw' };
        break;
      }
      case 'Prelu':
        v = prelu(out, nchw(ins[0], node), ins[1], out);
        break;
      case 'Relu': {
        const x = value(ins[0]);
        emit('Relu', out, [x.name], out);
        v = { ...x, name: out };
        break;
      }
      case 'Sigmoid': {
        const x = value(ins[0]);
        emit('Sigmoid', out, [x.name], out);
        v = { ...x, name: out };
        break;
      }
      case 'MaxPool': {
        const x = nchw(ins[0], node);
        const k = ints(node.attr?.ksize);
        if (k[0] !== 1 || k[3] !== 1) throw new Error(`${node.name}: ksize ${k}`);
        const win = window(node, x.shape[2], x.shape[3], k[1], k[2]);
        emit('MaxPool', out, [x.name], out, [attrInts('kernel_shape', [k[1], k[2]]), attrInts('strides', win.strides), attrInts('pads', win.pads)]);
        v = { name: out, shape: [-1, x.shape[1], win.outH, win.outW], layout: 'nchw' };
        break;
      }
      case 'Pad': {
        const x = nchw(ins[0], node);
        const p = weight(ins[1]).data; // NHWC [[n0,n1],[h0,h1],[w0,w1],[c0,c1]]
        const [n0, n1, h0, h1, w0, w1, c0, c1] = Array.from(p);
        emit('Pad', out, [x.name, addInt64(`${out}/pads`, [n0, c0, h0, w0, n1, c1, h1, w1])], out, [attrStr('mode', 'constant')]);
        if (n0 || n1) throw new Error(`${node.name}: pads the batch`);
        v = { name: out, shape: [-1, x.shape[1] + c0 + c1, x.shape[2] + h0 + h1, x.shape[3] + w0 + w1], layout: 'nchw' };
        break;
      }
      case 'Reshape': {
        const x = value(ins[0]);
        const shape = Array.from(weight(ins[1]).data);
        let src = x.name;
        if (x.layout === 'nchw') {
          // TF flattens NHWC: go back to that order first.
          emit('Transpose', `${out}/to_nhwc`, [x.name], `${out}/nhwc`, [attrInts('perm', [0, 2, 3, 1])]);
          src = `${out}/nhwc`;
        }
        emit('Reshape', out, [src, addInt64(`${out}/shape`, shape)], out);
        v = { name: out, shape, layout: 'flat' };
        break;
      }
      case 'Identity': {
        const x = value(ins[0]);
        const name = OUTPUTS[node.name] ?? out;
        emit('Identity', out, [x.name], name);
        v = { ...x, name };
        break;
      }
      default:
        throw new Error(`${node.name}: op ${node.op} not handled`);
    }
    values.set(key, v);
    return v;
  }

  const outputs = Object.keys(OUTPUTS).map((n) => value(n));
  return { nodes, initializers, outputs, opCount };
}

const json = JSON.parse(readFileSync(jsonPath, 'utf8'));
const weights = readWeights(json, path.dirname(jsonPath));
const { nodes, initializers, outputs, opCount } = convert(json, weights);
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytes = encodeModel({
  producer: 'onair-convert-facemesh',
  doc: `MediaPipe FaceMesh (Apache-2.0) from @vladmandic/human@${humanVersion} models/facemesh.json, converted by models/face-mesh/convert-facemesh.ts`,
  source: `@vladmandic/human@${humanVersion}/models/facemesh.json`,
  license: 'Apache-2.0 (Google MediaPipe FaceMesh)',
  graphName: 'facemesh',
  nodes,
  initializers,
  inputs: [{ name: 'input', dims: ['N', 192, 192, 3] }],
  outputs: outputs.map((o) => ({ name: o.name, dims: ['N', o.shape[1]!] })),
});
writeFileSync(onnxPath, bytes);
const params = initializers.filter((i) => i.dataType === FLOAT).reduce((a, i) => a + i.rawData.byteLength / 4, 0);
console.log(`wrote ${onnxPath}: ${(bytes.length / 1e6).toFixed(2)} MB, ${nodes.length} nodes (${Object.entries(opCount).map(([k, n]) => `${k} ${n}`).join(', ')}), ${params} parameters`);

// ---- validation: tfjs and onnxruntime on the same face crops ----
let validation: Record<string, unknown> | undefined;
const video = path.resolve(dir, '../../.cache/test-media/franck.mp4');
if (!process.argv.includes('--no-validate')) {
  if (!existsSync(video)) console.log(`validation skipped: ${video} missing (bash server/setup/fetch-test-media.sh)`);
  else {
    const { compareMeshModels } = await import('./validate.ts');
    const r = await compareMeshModels(video, 100);
    validation = {
      video: '.cache/test-media/franck.mp4 (first 100 frames at 360×288, crops tracked by FaceLandmarker)',
      crops: r.crops,
      meshMaxDiffPx: Number(r.maxPx.toPrecision(3)),
      meshMeanDiffPx: Number(r.meanPx.toPrecision(3)),
      scoreMaxDiff: Number(r.maxScore.toPrecision(3)),
      note: 'x/y differences in 192-px crop pixels between tfjs-wasm output_mesh and onnxruntime mesh',
    };
    console.log(`validation on ${r.crops} crops: mesh max ${r.maxPx.toExponential(2)} px, mean ${r.meanPx.toExponential(2)} px; score max diff ${r.maxScore.toExponential(2)}`);
  }
}

const manifest = {
  model: 'MediaPipe FaceMesh (468 landmarks, 192×192 input) as ONNX opset 13',
  recipe: 'node --import tsx models/face-mesh/convert-facemesh.ts',
  source: {
    package: '@vladmandic/human',
    version: humanVersion,
    files: {
      'models/facemesh.json': sha256(readFileSync(jsonPath)),
      'models/facemesh.bin': sha256(readFileSync(binPath)),
    },
    weights: 'float16-quantized in the source, dequantized exactly to float32 here',
  },
  license: 'Apache-2.0: the model is Google MediaPipe FaceMesh; @vladmandic/human, which ships the tfjs conversion, is MIT',
  io: { input: 'input [N,192,192,3] float32 NHWC RGB 0..1', outputs: { mesh: '[N,1404] 468×(x,y,z), crop pixels', faceflag: '[N,1] face score 0..1' } },
  files: { 'facemesh.onnx': sha256(bytes) },
  ...(validation ? { validation } : {}),
};
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${path.join(dir, 'manifest.json')}`);
process.exit(0);
