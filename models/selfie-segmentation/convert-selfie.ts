// Converts MediaPipe Selfie Segmentation (general model, 256×256) from the .tflite that ships in
// @mediapipe/selfie_segmentation to ONNX (opset 13) for onnxruntime-node, in TypeScript (no
// TensorFlow, TFLite or tf2onnx needed): a small flatbuffer reader plus the subset of the TFLite
// schema (tensorflow/lite/schema/schema.fbs) this model uses.
//   input:  input [N,256,256,3] float32, NHWC, RGB in 0..1
//   output: mask  [N,256,256,1] person probability 0..1
// Inside, the graph runs in NCHW: one Transpose after the input, weights re-laid out at
// conversion time (CONV_2D OHWI → OIHW; DEPTHWISE_CONV_2D 1HW(C·M) → (C·M)1HW, group C;
// MediaPipe's custom Convolution2DTransposeBias OHWI → ConvTranspose IOHW), float16 weights
// (DEQUANTIZE ops) dequantized exactly to float32, TFLite SAME padding as explicit pads,
// HARD_SWISH as x·HardSigmoid(x) (HardSwish is opset 14), whole-map AVERAGE_POOL_2D as
// GlobalAveragePool, RESIZE_BILINEAR (half_pixel_centers) as Resize linear half_pixel.
// Usage: node --import tsx models/selfie-segmentation/convert-selfie.ts [--no-validate]
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attrFloat, attrInt, attrInts, attrStr, FLOAT, encodeModel, type OnnxAttr } from '../lib/onnx-proto.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(require.resolve('@mediapipe/selfie_segmentation/package.json'));
const pkgVersion = (JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8')) as { version: string }).version;
const tflitePath = path.join(pkgDir, 'selfie_segmentation.tflite');
const onnxPath = path.join(dir, 'selfie.onnx');

// ---- a minimal flatbuffer reader ----

class FlatBuffer {
  readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  root(): Table {
    return new Table(this, this.view.getUint32(0, true));
  }
}

/** A flatbuffer table: fields found through its vtable, by field id (declaration order in the .fbs). */
class Table {
  constructor(readonly fb: FlatBuffer, readonly pos: number) {}
  /** Offset of field `id` from the table start, 0 when absent (the default applies). */
  #field(id: number): number {
    const v = this.fb.view;
    const vt = this.pos - v.getInt32(this.pos, true);
    const len = v.getUint16(vt, true);
    return 4 + 2 * id < len ? v.getUint16(vt + 4 + 2 * id, true) : 0;
  }
  has(id: number): boolean {
    return this.#field(id) !== 0;
  }
  u8(id: number, dflt = 0): number {
    const o = this.#field(id);
    return o ? this.fb.view.getUint8(this.pos + o) : dflt;
  }
  i32(id: number, dflt = 0): number {
    const o = this.#field(id);
    return o ? this.fb.view.getInt32(this.pos + o, true) : dflt;
  }
  u32(id: number, dflt = 0): number {
    const o = this.#field(id);
    return o ? this.fb.view.getUint32(this.pos + o, true) : dflt;
  }
  #ref(id: number): number | undefined {
    const o = this.#field(id);
    if (!o) return undefined;
    const p = this.pos + o;
    return p + this.fb.view.getUint32(p, true);
  }
  table(id: number): Table | undefined {
    const r = this.#ref(id);
    return r === undefined ? undefined : new Table(this.fb, r);
  }
  #vector(id: number): { length: number; start: number } | undefined {
    const r = this.#ref(id);
    return r === undefined ? undefined : { length: this.fb.view.getUint32(r, true), start: r + 4 };
  }
  tables(id: number): Table[] {
    const v = this.#vector(id);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, k) => {
      const p = v.start + 4 * k;
      return new Table(this.fb, p + this.fb.view.getUint32(p, true));
    });
  }
  i32s(id: number): number[] {
    const v = this.#vector(id);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, k) => this.fb.view.getInt32(v.start + 4 * k, true));
  }
  bytes(id: number): Uint8Array | undefined {
    const v = this.#vector(id);
    return v ? this.fb.bytes.subarray(v.start, v.start + v.length) : undefined;
  }
  string(id: number): string | undefined {
    const b = this.bytes(id);
    return b ? Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8') : undefined;
  }
}

// ---- the TFLite schema subset (field ids and enum values from tensorflow/lite/schema/schema.fbs) ----

// table Model { version:uint; operator_codes:[OperatorCode]; subgraphs:[SubGraph]; description:string; buffers:[Buffer]; ... }
const MODEL = { operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4 } as const;
// table OperatorCode { deprecated_builtin_code:byte; custom_code:string; version:int; builtin_code:BuiltinOperator; }
const OPCODE = { deprecatedBuiltinCode: 0, customCode: 1, builtinCode: 3 } as const;
// table SubGraph { tensors:[Tensor]; inputs:[int]; outputs:[int]; operators:[Operator]; name:string; }
const SUBGRAPH = { tensors: 0, inputs: 1, outputs: 2, operators: 3 } as const;
// table Tensor { shape:[int]; type:TensorType; buffer:uint; name:string; ... }
const TENSOR = { shape: 0, type: 1, buffer: 2, name: 3 } as const;
// table Operator { opcode_index:uint; inputs:[int]; outputs:[int]; builtin_options_type; builtin_options; custom_options:[ubyte]; ... }
const OPERATOR = { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptions: 4, customOptions: 5 } as const;
// table Buffer { data:[ubyte]; offset:ulong; size:ulong; }
const BUFFER = { data: 0 } as const;
// table Conv2DOptions { padding:Padding; stride_w:int; stride_h:int; fused_activation_function; dilation_w_factor:int = 1; dilation_h_factor:int = 1; }
const CONV_OPTS = { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5 } as const;
// table DepthwiseConv2DOptions { padding; stride_w; stride_h; depth_multiplier; fused_activation_function; dilation_w_factor = 1; dilation_h_factor = 1; }
const DW_OPTS = { padding: 0, strideW: 1, strideH: 2, depthMultiplier: 3, activation: 4, dilationW: 5, dilationH: 6 } as const;
// table Pool2DOptions { padding; stride_w; stride_h; filter_width; filter_height; fused_activation_function; }
const POOL_OPTS = { padding: 0, strideW: 1, strideH: 2, filterW: 3, filterH: 4, activation: 5 } as const;
// table AddOptions / MulOptions { fused_activation_function; ... }
const ARITH_OPTS = { activation: 0 } as const;
// table ResizeBilinearOptions { new_height (deprecated); new_width (deprecated); align_corners:bool; half_pixel_centers:bool; }
const RESIZE_OPTS = { alignCorners: 2, halfPixelCenters: 3 } as const;

const TT_FLOAT32 = 0, TT_FLOAT16 = 1, TT_INT32 = 2;
const PAD_SAME = 0, PAD_VALID = 1; // enum Padding : byte
const ACT_NONE = 0, ACT_RELU = 1, ACT_RELU6 = 3; // enum ActivationFunctionType : byte
const OP = { ADD: 0, AVERAGE_POOL_2D: 1, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, LOGISTIC: 14, MUL: 18, RELU: 19, RESIZE_BILINEAR: 23, CUSTOM: 32, HARD_SWISH: 117 } as const;
const OP_NAME = Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k])) as Record<number, string>;

// ---- ONNX (writer schema in models/lib/onnx-proto.ts) ----



/** IEEE 754 half → float (exact). */
function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 0x1f) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

interface TfTensor { shape: number[]; type: number; name: string; data?: Uint8Array }

/** TFLite SAME/VALID → ONNX pads [top, left, bottom, right] and output size (as TFLite's ComputePaddingHeightWidth). */
function padsFor(padding: number, inH: number, inW: number, kH: number, kW: number, sH: number, sW: number, dH = 1, dW = 1) {
  const dims = [inH, inW], ks = [kH, kW], st = [sH, sW], dl = [dH, dW];
  const before = [0, 0], after = [0, 0], out = [0, 0];
  for (let a = 0; a < 2; a++) {
    const eff = (ks[a]! - 1) * dl[a]! + 1;
    if (padding === PAD_SAME) {
      out[a] = Math.ceil(dims[a]! / st[a]!);
      const total = Math.max((out[a]! - 1) * st[a]! + eff - dims[a]!, 0);
      before[a] = Math.floor(total / 2);
      after[a] = total - before[a]!;
    } else if (padding === PAD_VALID) out[a] = Math.floor((dims[a]! - eff) / st[a]!) + 1;
    else throw new Error(`padding ${padding} not handled`);
  }
  return { pads: [before[0]!, before[1]!, after[0]!, after[1]!], outH: out[0]!, outW: out[1]! };
}

function convert(model: Table) {
  const codes = model.tables(MODEL.operatorCodes).map((c) => ({
    builtin: Math.max(c.u8(OPCODE.deprecatedBuiltinCode), c.i32(OPCODE.builtinCode)),
    custom: c.string(OPCODE.customCode),
  }));
  const buffers = model.tables(MODEL.buffers);
  const subgraphs = model.tables(MODEL.subgraphs);
  if (subgraphs.length !== 1) throw new Error(`${subgraphs.length} subgraphs`);
  const sg = subgraphs[0]!;
  const tensors: TfTensor[] = sg.tables(SUBGRAPH.tensors).map((t) => {
    const data = buffers[t.u32(TENSOR.buffer)]?.bytes(BUFFER.data);
    return { shape: t.i32s(TENSOR.shape), type: t.u8(TENSOR.type), name: t.string(TENSOR.name) ?? '', data: data && data.length ? data : undefined };
  });
  const [inputIdx] = sg.i32s(SUBGRAPH.inputs);
  const [outputIdx] = sg.i32s(SUBGRAPH.outputs);
  if (inputIdx === undefined || outputIdx === undefined) throw new Error('no input/output');

  const nodes: { opType: string; name: string; input: string[]; output: string[]; attribute: OnnxAttr[] }[] = [];
  const initializers: { name: string; dataType: number; dims: number[]; rawData: Uint8Array }[] = [];
  const opCount: Record<string, number> = {};
  const tfOpCount: Record<string, number> = {};
  const addFloat = (name: string, dims: number[], data: Float32Array) => {
    initializers.push({ name, dataType: FLOAT, dims, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  };
  const emit = (opType: string, name: string, input: string[], output: string, attribute: OnnxAttr[] = []) => {
    nodes.push({ opType, name, input, output: [output], attribute });
    opCount[opType] = (opCount[opType] ?? 0) + 1;
  };

  /** Constant float data: float32 buffers, and DEQUANTIZE outputs of float16 buffers. */
  const consts = new Map<number, Float32Array>();
  const constOf = (idx: number): Float32Array => {
    const c = consts.get(idx);
    if (c) return c;
    const t = tensors[idx]!;
    if (!t.data) throw new Error(`${t.name}: not a constant`);
    if (t.type !== TT_FLOAT32) throw new Error(`${t.name}: type ${t.type}`);
    const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const out = new Float32Array(t.data.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = dv.getFloat32(4 * i, true);
    consts.set(idx, out);
    return out;
  };
  /** ONNX value names of the activations (NCHW), by TFLite tensor index. */
  const values = new Map<number, string>();
  const valueOf = (idx: number): string => {
    const v = values.get(idx);
    if (!v) throw new Error(`${tensors[idx]!.name}: not computed yet`);
    return v;
  };
  const nhwc = (idx: number) => {
    const s = tensors[idx]!.shape;
    if (s.length !== 4) throw new Error(`${tensors[idx]!.name}: shape ${s}`);
    return s as [number, number, number, number];
  };
  const onnxName = (idx: number) => tensors[idx]!.name.replace(/__xeno_compat__1$/, '');
  const activation = (fused: number, name: string, x: string, out: string) => {
    if (fused === ACT_NONE) return emit('Identity', name, [x], out);
    if (fused === ACT_RELU) return emit('Relu', name, [x], out);
    if (fused === ACT_RELU6) return emit('Clip', name, [x, addFloat(`${name}/min`, [], new Float32Array([0])), addFloat(`${name}/max`, [], new Float32Array([6]))], out);
    throw new Error(`${name}: fused activation ${fused} not handled`);
  };
  /** Emits op → (fused activation) → values[outIdx]. */
  const finish = (opType: string, outIdx: number, input: string[], attribute: OnnxAttr[], fused: number) => {
    const name = onnxName(outIdx);
    if (fused === ACT_NONE) emit(opType, name, input, name, attribute);
    else {
      emit(opType, name, input, `${name}/pre`, attribute);
      activation(fused, `${name}/act`, `${name}/pre`, name);
    }
    values.set(outIdx, name);
  };

  emit('Transpose', 'to_nchw', ['input'], 'input_nchw', [attrInts('perm', [0, 3, 1, 2])]);
  values.set(inputIdx, 'input_nchw');

  for (const op of sg.tables(SUBGRAPH.operators)) {
    const code = codes[op.u32(OPERATOR.opcodeIndex)]!;
    const ins = op.i32s(OPERATOR.inputs);
    const outs = op.i32s(OPERATOR.outputs);
    const o = outs[0]!;
    const opts = op.table(OPERATOR.builtinOptions);
    const opName = code.builtin === OP.CUSTOM ? code.custom! : (OP_NAME[code.builtin] ?? `builtin ${code.builtin}`);
    tfOpCount[opName] = (tfOpCount[opName] ?? 0) + 1;
    switch (code.builtin) {
      case OP.DEQUANTIZE: {
        const t = tensors[ins[0]!]!;
        if (t.type !== TT_FLOAT16 || !t.data) throw new Error(`${t.name}: DEQUANTIZE of type ${t.type}`);
        const dv = new DataView(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        const out = new Float32Array(t.data.byteLength / 2);
        for (let i = 0; i < out.length; i++) out[i] = halfToFloat(dv.getUint16(2 * i, true));
        consts.set(o, out);
        break;
      }
      case OP.CONV_2D: {
        const [, inH, inW, C] = nhwc(ins[0]!);
        const [co, kh, kw, ci] = tensors[ins[1]!]!.shape as [number, number, number, number];
        if (ci !== C) throw new Error(`${onnxName(o)}: ${C} channels, kernel wants ${ci}`);
        const w = constOf(ins[1]!);
        const oihw = new Float32Array(w.length);
        for (let a = 0; a < co; a++) for (let i = 0; i < ci; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) oihw[((a * ci + i) * kh + y) * kw + x] = w[((a * kh + y) * kw + x) * ci + i]!;
        const sH = opts!.i32(CONV_OPTS.strideH), sW = opts!.i32(CONV_OPTS.strideW);
        const dH = opts!.i32(CONV_OPTS.dilationH, 1), dW = opts!.i32(CONV_OPTS.dilationW, 1);
        const p = padsFor(opts!.u8(CONV_OPTS.padding), inH, inW, kh, kw, sH, sW, dH, dW);
        const [, oh, ow] = nhwc(o);
        if (p.outH !== oh || p.outW !== ow) throw new Error(`${onnxName(o)}: output ${p.outH}×${p.outW}, TFLite says ${oh}×${ow}`);
        const name = onnxName(o);
        const input = [valueOf(ins[0]!), addFloat(`${name}/W`, [co, ci, kh, kw], oihw)];
        if (ins[2] !== undefined && ins[2] >= 0) input.push(addFloat(`${name}/B`, [co], constOf(ins[2])));
        finish('Conv', o, input, [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sH, sW]), attrInts('dilations', [dH, dW]), attrInts('pads', p.pads), attrInt('group', 1)], opts!.u8(CONV_OPTS.activation));
        break;
      }
      case OP.DEPTHWISE_CONV_2D: {
        const [, inH, inW, C] = nhwc(ins[0]!);
        const [one, kh, kw, cm] = tensors[ins[1]!]!.shape as [number, number, number, number];
        const mult = opts!.i32(DW_OPTS.depthMultiplier, 1);
        if (one !== 1 || cm !== C * mult) throw new Error(`${onnxName(o)}: depthwise kernel ${tensors[ins[1]!]!.shape} for ${C} channels`);
        const w = constOf(ins[1]!);
        const out = new Float32Array(w.length); // [C·M, 1, kh, kw]
        for (let c = 0; c < cm; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[(c * kh + y) * kw + x] = w[(y * kw + x) * cm + c]!;
        const sH = opts!.i32(DW_OPTS.strideH), sW = opts!.i32(DW_OPTS.strideW);
        const dH = opts!.i32(DW_OPTS.dilationH, 1), dW = opts!.i32(DW_OPTS.dilationW, 1);
        const p = padsFor(opts!.u8(DW_OPTS.padding), inH, inW, kh, kw, sH, sW, dH, dW);
        const name = onnxName(o);
        const input = [valueOf(ins[0]!), addFloat(`${name}/W`, [cm, 1, kh, kw], out)];
        if (ins[2] !== undefined && ins[2] >= 0) input.push(addFloat(`${name}/B`, [cm], constOf(ins[2])));
        finish('Conv', o, input, [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sH, sW]), attrInts('dilations', [dH, dW]), attrInts('pads', p.pads), attrInt('group', C)], opts!.u8(DW_OPTS.activation));
        break;
      }
      case OP.AVERAGE_POOL_2D: {
        const [, inH, inW] = nhwc(ins[0]!);
        const fH = opts!.i32(POOL_OPTS.filterH), fW = opts!.i32(POOL_OPTS.filterW);
        const pad = opts!.u8(POOL_OPTS.padding);
        if (fH === inH && fW === inW && pad === PAD_VALID) finish('GlobalAveragePool', o, [valueOf(ins[0]!)], [], opts!.u8(POOL_OPTS.activation));
        else {
          // TFLite averages over the valid pixels only: count_include_pad = 0.
          const sH = opts!.i32(POOL_OPTS.strideH), sW = opts!.i32(POOL_OPTS.strideW);
          const p = padsFor(pad, inH, inW, fH, fW, sH, sW);
          finish('AveragePool', o, [valueOf(ins[0]!)], [attrInts('kernel_shape', [fH, fW]), attrInts('strides', [sH, sW]), attrInts('pads', p.pads), attrInt('count_include_pad', 0)], opts!.u8(POOL_OPTS.activation));
        }
        break;
      }
      case OP.ADD:
      case OP.MUL: {
        const [a, b] = ins as [number, number];
        if (tensors[a]!.data || tensors[b]!.data) throw new Error(`${onnxName(o)}: constant operand not handled`);
        finish(code.builtin === OP.ADD ? 'Add' : 'Mul', o, [valueOf(a), valueOf(b)], [], opts ? opts.u8(ARITH_OPTS.activation) : ACT_NONE);
        break;
      }
      case OP.RELU:
        finish('Relu', o, [valueOf(ins[0]!)], [], ACT_NONE);
        break;
      case OP.LOGISTIC:
        finish('Sigmoid', o, [valueOf(ins[0]!)], [], ACT_NONE);
        break;
      case OP.HARD_SWISH: {
        // x · relu6(x + 3) / 6 = x · HardSigmoid(x; α = 1/6, β = 0.5)
        const name = onnxName(o);
        const x = valueOf(ins[0]!);
        emit('HardSigmoid', `${name}/hsig`, [x], `${name}/hsig`, [attrFloat('alpha', 1 / 6), attrFloat('beta', 0.5)]);
        emit('Mul', name, [x, `${name}/hsig`], name);
        values.set(o, name);
        break;
      }
      case OP.RESIZE_BILINEAR: {
        const [, inH, inW] = nhwc(ins[0]!);
        const [, oh, ow] = nhwc(o);
        const align = opts ? opts.u8(RESIZE_OPTS.alignCorners) : 0;
        const half = opts ? opts.u8(RESIZE_OPTS.halfPixelCenters) : 0;
        const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
        const name = onnxName(o);
        finish('Resize', o, [valueOf(ins[0]!), '', addFloat(`${name}/scales`, [4], new Float32Array([1, 1, oh / inH, ow / inW]))], [attrStr('mode', 'linear'), attrStr('coordinate_transformation_mode', mode)], ACT_NONE);
        break;
      }
      case OP.CUSTOM: {
        if (code.custom !== 'Convolution2DTransposeBias') throw new Error(`custom op ${code.custom} not handled`);
        // custom_options: TfLiteTransposeConvParams { TfLitePadding padding (1 SAME, 2 VALID); int stride_width; int stride_height; }
        const co = op.bytes(OPERATOR.customOptions)!;
        const cv = new DataView(co.buffer, co.byteOffset, co.byteLength);
        const padding = cv.getInt32(0, true), sW = cv.getInt32(4, true), sH = cv.getInt32(8, true);
        const [, inH, inW, C] = nhwc(ins[0]!);
        const [oc, kh, kw, ic] = tensors[ins[1]!]!.shape as [number, number, number, number];
        if (ic !== C) throw new Error(`${onnxName(o)}: ${C} channels, kernel wants ${ic}`);
        const [, oh, ow] = nhwc(o);
        const expect = padding === 1 ? [inH * sH, inW * sW] : [(inH - 1) * sH + kh, (inW - 1) * sW + kw];
        if (expect[0] !== oh || expect[1] !== ow) throw new Error(`${onnxName(o)}: output ${oh}×${ow}, expected ${expect}`);
        // Padding as TFLite computes it for a transposed conv: that of the forward conv output → input.
        const p = padding === 1 ? padsFor(PAD_SAME, oh, ow, kh, kw, sH, sW) : { pads: [0, 0, 0, 0] };
        const w = constOf(ins[1]!);
        const iohw = new Float32Array(w.length);
        for (let a = 0; a < oc; a++) for (let i = 0; i < ic; i++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) iohw[((i * oc + a) * kh + y) * kw + x] = w[((a * kh + y) * kw + x) * ic + i]!;
        const name = onnxName(o);
        finish('ConvTranspose', o, [valueOf(ins[0]!), addFloat(`${name}/W`, [ic, oc, kh, kw], iohw), addFloat(`${name}/B`, [oc], constOf(ins[2]!))], [attrInts('kernel_shape', [kh, kw]), attrInts('strides', [sH, sW]), attrInts('pads', p.pads)], ACT_NONE);
        break;
      }
      default:
        throw new Error(`${onnxName(o)}: op ${opName} not handled`);
    }
  }
  const [, oh, ow, oc] = nhwc(outputIdx);
  emit('Transpose', 'to_nhwc', [valueOf(outputIdx)], 'mask', [attrInts('perm', [0, 2, 3, 1])]);
  return { nodes, initializers, opCount, tfOpCount, input: nhwc(inputIdx), output: [oh, ow, oc] };
}

const tfliteBytes = readFileSync(tflitePath);
const fb = new FlatBuffer(tfliteBytes);
if (Buffer.from(tfliteBytes.subarray(4, 8)).toString() !== 'TFL3') throw new Error(`${tflitePath}: not a TFLite flatbuffer`);
const { nodes, initializers, opCount, tfOpCount, input, output } = convert(fb.root());
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest('hex');
const bytes = encodeModel({
  producer: 'onair-convert-selfie',
  doc: `MediaPipe Selfie Segmentation (Apache-2.0) from @mediapipe/selfie_segmentation@${pkgVersion} selfie_segmentation.tflite, converted by models/selfie-segmentation/convert-selfie.ts`,
  source: `@mediapipe/selfie_segmentation@${pkgVersion}/selfie_segmentation.tflite`,
  license: 'Apache-2.0 (Google MediaPipe Selfie Segmentation)',
  graphName: 'selfie_segmentation',
  nodes,
  initializers,
  inputs: [{ name: 'input', dims: ['N', input[1]!, input[2]!, input[3]!] }],
  outputs: [{ name: 'mask', dims: ['N', ...output] }],
});
writeFileSync(onnxPath, bytes);
const params = initializers.reduce((a, i) => a + i.rawData.byteLength / 4, 0);
console.log(`TFLite ops: ${Object.entries(tfOpCount).map(([k, n]) => `${k} ${n}`).join(', ')}`);
console.log(`wrote ${onnxPath}: ${(bytes.length / 1e6).toFixed(2)} MB, ${nodes.length} nodes (${Object.entries(opCount).map(([k, n]) => `${k} ${n}`).join(', ')}), ${params} parameters`);

// ---- validation by behaviour (no TFLite runtime here): IoU with the chroma key of the blue-screen test video ----
let validation: Record<string, unknown> | undefined;
const video = path.resolve(dir, '../../.cache/test-media/franck.mp4');
if (!process.argv.includes('--no-validate')) {
  if (!existsSync(video)) console.log(`validation skipped: ${video} missing (bash server/setup/fetch-test-media.sh)`);
  else {
    const { chromaIoU, makeBusyBackdropVideo } = await import('./validate.ts');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const r = await chromaIoU(video, { frames: 20, step: 10 });
    const tmp = mkdtempSync(path.join(tmpdir(), 'onair-selfie-'));
    const room = path.join(tmp, 'room.mp4');
    makeBusyBackdropVideo(video, room, 16);
    const busy = await chromaIoU(video, { frames: 20, step: 15, video: room });
    rmSync(tmp, { recursive: true, force: true });
    validation = {
      reference: 'the chroma-key matte of the blue-screen test video (estimateChromaKey + applyChromaKey, face landmarks from FaceLandmarker), alpha > 0.5',
      measure: 'IoU of mask > 0.5 (onnxruntime; frame stretched to 256×256, RGB 0..1, mask sampled back bilinearly) with the reference',
      blueScreen: { video: `.cache/test-media/franck.mp4 at 360×288, ${r.frames} frames (every 10th)`, meanIoU: Number(r.mean.toFixed(4)), minIoU: Number(r.min.toFixed(4)) },
      busyBackdrop: { video: `the same person keyed over ffmpeg testsrc2 + noise (makeBusyBackdropVideo), ${busy.frames} frames (every 15th)`, meanIoU: Number(busy.mean.toFixed(4)), minIoU: Number(busy.min.toFixed(4)) },
    };
    console.log(`validation: IoU with the chroma key, blue screen mean ${r.mean.toFixed(4)} min ${r.min.toFixed(4)}; busy backdrop mean ${busy.mean.toFixed(4)} min ${busy.min.toFixed(4)}`);
  }
}

const manifest = {
  model: 'MediaPipe Selfie Segmentation (general, 256×256 input) as ONNX opset 13',
  recipe: 'node --import tsx models/selfie-segmentation/convert-selfie.ts',
  source: {
    package: '@mediapipe/selfie_segmentation',
    version: pkgVersion,
    files: { 'selfie_segmentation.tflite': sha256(tfliteBytes) },
    weights: 'float16 in the source (DEQUANTIZE ops), dequantized exactly to float32 here',
  },
  license: 'Apache-2.0: Google MediaPipe Selfie Segmentation, as shipped by @mediapipe/selfie_segmentation (Apache-2.0)',
  io: { input: `input [N,${input[1]},${input[2]},3] float32 NHWC RGB 0..1`, outputs: { mask: `[N,${output.join(',')}] person probability 0..1` } },
  files: { 'selfie.onnx': sha256(bytes) },
  ...(validation ? { validation } : {}),
};
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${path.join(dir, 'manifest.json')}`);
process.exit(0);
