// Writes a tiny ONNX model with the Piper/VITS voice signature, plus its .onnx.json config, so the
// Piper loader can be tested offline (no Piper voice ships in any package reachable here).
//   inputs:  input [1,N] int64 phoneme ids, input_lengths [1] int64, scales [3] float32
//            (noise_scale, length_scale, noise_w); the multi-speaker variant adds sid [1] int64
//   output:  output [1,1,T] float32 audio, T = N * 256 (each id → a short tone, pitch by id)
// It says nothing intelligible: it exists to exercise the loader, the id mapping and the audio path.
// Usage: node --import tsx models/piper-standin/make-standin.ts
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FLOAT, INT64, onnxProto } from '../lib/onnx-proto.ts';

const dir = path.dirname(fileURLToPath(import.meta.url));
const SAMPLES_PER_ID = 256;
const SAMPLE_RATE = 22050;


const value = (name: string, elem: number, dims: (number | string)[]) => ({
  name,
  type: { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

// Phoneme symbols: Piper's specials, punctuation, and the IPA eSpeak uses for en-us and cmn.
const SYMBOLS = ['_', '^', '$', ' ', '!', "'", '(', ')', ',', '-', '.', ':', ';', '?', ...'abcdefghijklmnopqrstuvwxyz', ...'æçðøħŋœǀǁǂǃɐɑɒɓɔɕɖɗɘəɚɛɜɞɟɠɡɢɣɤɥɦɧɨɪɫɬɭɮɯɰɱɲɳɴɵɶɸɹɺɻɽɾʀʁʂʃʄʈʉʊʋʌʍʎʏʐʑʒʔʕʘʙʛʜʝʟʡʢʲˈˌːˑ˞βθχᵻⱱ', '\u0303', '\u0329', '\u032f', '1', '2', '3', '4', '5'];
const phonemeIdMap: Record<string, number[]> = Object.fromEntries(SYMBOLS.map((s, i) => [s, [i]]));
const vocab = SYMBOLS.length;

function model(multiSpeaker: boolean): Uint8Array {
  const table: number[] = [];
  for (let id = 0; id < vocab; id++) {
    const hz = id < 4 ? 0 : 110 + ((id * 37) % 300);
    for (let i = 0; i < SAMPLES_PER_ID; i++) table.push(0.3 * Math.sin((2 * Math.PI * hz * i) / SAMPLE_RATE) * Math.sin((Math.PI * i) / SAMPLES_PER_ID));
  }
  const nodes = [
    { opType: 'Gather', input: ['table', 'input'], output: ['emb'], name: 'lookup', attribute: [{ name: 'axis', i: 0, type: 2 }] },
    { opType: 'Reshape', input: ['emb', 'shape'], output: ['flat'], name: 'flatten' },
    { opType: 'ReduceMean', input: ['scales'], output: ['gain'], name: 'gain', attribute: [{ name: 'keepdims', i: 0, type: 2 }] },
    { opType: 'Mul', input: ['flat', 'gain'], output: multiSpeaker ? ['voiced'] : ['output'], name: 'scale' },
  ];
  const inputs = [value('input', INT64, [1, 'phonemes']), value('input_lengths', INT64, [1]), value('scales', FLOAT, [3])];
  if (multiSpeaker) {
    // Speakers differ by gain: output = voiced * (1 + sid) / 2, so the test can see sid was used.
    nodes.push(
      { opType: 'Cast', input: ['sid'], output: ['sidf'], name: 'sid_to_float', attribute: [{ name: 'to', i: FLOAT, type: 2 }] },
      { opType: 'Add', input: ['sidf', 'one'], output: ['sid1'], name: 'sid_plus_one' },
      { opType: 'Mul', input: ['sid1', 'half'], output: ['speaker_gain'], name: 'speaker_gain' },
      { opType: 'Mul', input: ['voiced', 'speaker_gain'], output: ['output'], name: 'speaker' },
    );
    inputs.push(value('sid', INT64, [1]));
  }
  const ModelProto = onnxProto.lookupType('ModelProto');
  const msg = ModelProto.fromObject({
    irVersion: 8,
    producerName: 'onair-piper-standin',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'piper_standin',
      node: nodes,
      initializer: [
        { name: 'table', dataType: FLOAT, dims: [vocab, SAMPLES_PER_ID], floatData: table },
        { name: 'shape', dataType: INT64, dims: [3], int64Data: [1, 1, -1] },
        ...(multiSpeaker
          ? [
              { name: 'one', dataType: FLOAT, dims: [1], floatData: [1] },
              { name: 'half', dataType: FLOAT, dims: [1], floatData: [0.5] },
            ]
          : []),
      ],
      input: inputs,
      output: [value('output', FLOAT, [1, 1, 'samples'])],
    },
  });
  return ModelProto.encode(msg).finish();
}

const manifest: Record<string, unknown> = { purpose: 'test stand-in for Piper/VITS voices (not a real voice)', recipe: 'node --import tsx models/piper-standin/make-standin.ts', files: {} };
for (const [name, multi] of [['standin-voice', false], ['standin-voice-multi', true]] as const) {
  const bytes = model(multi);
  writeFileSync(path.join(dir, `${name}.onnx`), bytes);
  const config = {
    audio: { sample_rate: SAMPLE_RATE },
    espeak: { voice: 'en-us' },
    inference: { noise_scale: 0.667, length_scale: 1, noise_w: 0.8 },
    phoneme_type: 'espeak',
    phoneme_id_map: phonemeIdMap,
    num_symbols: vocab,
    num_speakers: multi ? 2 : 1,
    speaker_id_map: multi ? { low: 0, high: 1 } : {},
  };
  const json = JSON.stringify(config, null, 1);
  writeFileSync(path.join(dir, `${name}.onnx.json`), json);
  (manifest.files as Record<string, string>)[`${name}.onnx`] = createHash('sha256').update(bytes).digest('hex');
  (manifest.files as Record<string, string>)[`${name}.onnx.json`] = createHash('sha256').update(json).digest('hex');
}
writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
console.log(`wrote ${Object.keys(manifest.files as object).join(', ')} to ${dir}`);
