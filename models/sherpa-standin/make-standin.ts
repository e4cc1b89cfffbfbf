// Writes a sherpa-onnx VITS voice folder for tests: a tiny ONNX model with the signature and
// metadata sherpa-onnx reads from Coqui-style character VITS models (sherpa-onnx/csrc/
// offline-tts-vits-model.cc, offline-tts-character-frontend.cc), its tokens.txt, and OnAir's
// voice.json. No neural voice ships in any package reachable here; this exercises sherpa-onnx's
// real loader, frontend and generation with OnAir's engine around it.
//   inputs:  x [1,N] int64 token ids, x_length [1] int64, scales [3] float32
//            (noise_scale, length_scale, noise_scale_w) — sherpa's Coqui/Piper input order
//   output:  y [1,1,T] float32, T = N × 256 at 22.05 kHz: each letter or hanzi a short tone
//            (pitch by id), spaces and punctuation silent. It says nothing intelligible.
// Usage: node --import tsx models/sherpa-standin/make-standin.ts
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOAT, INT64, onnxProto } from '../lib/onnx-proto.ts';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'standin-vits');
const SAMPLES_PER_ID = 256;
const SAMPLE_RATE = 22050;
/** Ids below this are spaces and punctuation: silent. */
const FIRST_VOICED = 16;

const value = (name: string, elem: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});
const f32 = (name: string, dims: number[], data: number[]) => ({ name, dataType: FLOAT, dims, floatData: data });

// Tokens: space and punctuation, digits, a–z (sherpa lower-cases), then CJK Unified Ideographs.
const tokens: string[] = [' ', ',', '.', '!', '?', ':', ';', "'", '-', '，', '。', '！', '？', '：', '；', '、'];
tokens.push(...'0123456789abcdefghijklmnopqrstuvwxyz');
for (let c = 0x4e00; c <= 0x9fff; c++) tokens.push(String.fromCodePoint(c));

function model(): Uint8Array {
  const grid = Array.from({ length: SAMPLES_PER_ID }, (_, i) => (2 * Math.PI * i) / SAMPLE_RATE);
  const envelope = Array.from({ length: SAMPLES_PER_ID }, (_, i) => 0.3 * Math.sin((Math.PI * i) / SAMPLES_PER_ID));
  const nodes = [
    { opType: 'Cast', input: ['x'], output: ['xf'], name: 'ids', attribute: [{ name: 'to', i: FLOAT, type: 2 }] },
    { opType: 'Mul', input: ['xf', 'c37'], output: ['spread'], name: 'spread' },
    { opType: 'Mod', input: ['spread', 'c300'], output: ['wrapped'], name: 'wrap', attribute: [{ name: 'fmod', i: 1, type: 2 }] },
    { opType: 'Add', input: ['wrapped', 'c110'], output: ['hz'], name: 'pitch' },
    { opType: 'Greater', input: ['xf', 'cVoiced'], output: ['voicedB'], name: 'voiced' },
    { opType: 'Cast', input: ['voicedB'], output: ['voiced'], name: 'voiced_f', attribute: [{ name: 'to', i: FLOAT, type: 2 }] },
    { opType: 'Mul', input: ['hz', 'voiced'], output: ['hzv'], name: 'silence_punct' },
    { opType: 'Unsqueeze', input: ['hzv', 'axis2'], output: ['hz3'], name: 'per_sample' },
    { opType: 'Mul', input: ['hz3', 'grid'], output: ['phase'], name: 'phase' },
    { opType: 'Sin', input: ['phase'], output: ['wave'], name: 'tone' },
    { opType: 'Mul', input: ['wave', 'envelope'], output: ['shaped'], name: 'envelope' },
    { opType: 'ReduceMean', input: ['scales'], output: ['gain'], name: 'gain', attribute: [{ name: 'keepdims', i: 0, type: 2 }] },
    { opType: 'Mul', input: ['shaped', 'gain'], output: ['scaled'], name: 'scale' },
    { opType: 'Reshape', input: ['scaled', 'shape'], output: ['y'], name: 'flatten' },
  ];
  const meta: Record<string, string> = {
    model_type: 'vits',
    comment: 'coqui (OnAir test stand-in: a tone per character, not a voice)',
    language: 'Multilingual',
    frontend: 'characters',
    sample_rate: String(SAMPLE_RATE),
    n_speakers: '1',
    add_blank: '0',
    use_eos_bos: '0',
    blank_id: '0',
    bos_id: '0',
    eos_id: '0',
    pad_id: '0',
  };
  const ModelProto = onnxProto.lookupType('ModelProto');
  return ModelProto.encode(
    ModelProto.fromObject({
      irVersion: 8,
      producerName: 'onair-sherpa-standin',
      opsetImport: [{ domain: '', version: 13 }],
      metadataProps: Object.entries(meta).map(([key, v]) => ({ key, value: v })),
      graph: {
        name: 'sherpa_vits_standin',
        node: nodes,
        initializer: [
          f32('c37', [1], [37]),
          f32('c300', [1], [300]),
          f32('c110', [1], [110]),
          f32('cVoiced', [1], [FIRST_VOICED - 0.5]),
          { name: 'axis2', dataType: INT64, dims: [1], int64Data: [2] },
          f32('grid', [SAMPLES_PER_ID], grid),
          f32('envelope', [SAMPLES_PER_ID], envelope),
          { name: 'shape', dataType: INT64, dims: [3], int64Data: [1, 1, -1] },
        ],
        input: [value('x', INT64, [1, 'tokens']), value('x_length', INT64, [1]), value('scales', FLOAT, [3])],
        output: [value('y', FLOAT, [1, 1, 'samples'])],
      },
    }),
  ).finish();
}

mkdirSync(dir, { recursive: true });
const files: Record<string, Uint8Array | string> = {
  'model.onnx': model(),
  // sherpa reads "symbol id"; a line holding only an id is the space.
  'tokens.txt': tokens.map((t, i) => (t === ' ' ? `${i}` : `${t} ${i}`)).join('\n') + '\n',
  'voice.json': JSON.stringify({ family: 'vits', label: 'Stand-in (tones, for tests)', langs: ['en', 'zh'], licence: 'Apache-2.0 (generated by OnAir)', model: 'model.onnx', tokens: 'tokens.txt' }, null, 2) + '\n',
};
const manifest: Record<string, unknown> = { purpose: 'test stand-in for sherpa-onnx VITS voices (not a real voice)', recipe: 'node --import tsx models/sherpa-standin/make-standin.ts', files: {} };
for (const [name, data] of Object.entries(files)) {
  writeFileSync(path.join(dir, name), data);
  (manifest.files as Record<string, string>)[`standin-vits/${name}`] = createHash('sha256').update(data).digest('hex');
}
writeFileSync(path.join(path.dirname(dir), 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${Object.keys(files).join(', ')} to ${dir}`);
