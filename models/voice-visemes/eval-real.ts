// Scores a voice-visemes ONNX model the way the server runs it (onnxruntime-node, blocks of ≥ 4 new
// hops after 48 hops of context, as OnnxVoiceMouth does) on the splits the data builders wrote,
// with the table issue 15 uses: 15-class and coarse accuracy, bilabials (PP) shown closed, and
// r between the mouth opening the probabilities imply and the reference viseme's opening.
// Usage: node --import tsx models/voice-visemes/eval-real.ts [model.onnx] [split ...]
// With no model argument it scores the shipped model and records the figures in manifest.json
// (metricsStreaming).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { VoiceVisemeModel, DEFAULT_VOICE_MODEL } from '../../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { MOUTH_SHAPES, VISEMES } from '../../pipeline/stages/lipsync/visemes.ts';
import { pearson } from '../../test/helpers/mouth.ts';
import { HOP, OUT, WIN } from './labels.ts';

const LOOKAHEAD = 2;
const CONTEXT_HOPS = 48;
const RUN_EVERY_HOPS = 4;
const coarse = (v: number) => (['sil', 'PP', 'FF'].includes(VISEMES[v]!) ? 0 : ['O', 'U', 'RR', 'CH'].includes(VISEMES[v]!) ? 2 : 1);
const OPEN = VISEMES.map((v) => MOUTH_SHAPES[v].open);

async function streamProbs(model: VoiceVisemeModel, audio: Float32Array): Promise<Float32Array[]> {
  const hops = Math.floor((audio.length - WIN) / HOP) + 1;
  const out: Float32Array[] = [];
  for (let next = 0; next < hops; ) {
    const complete = Math.min(hops, next + RUN_EVERY_HOPS);
    const first = Math.max(0, next - CONTEXT_HOPS);
    const probs = await model.run(audio.subarray(first * HOP, (complete - 1) * HOP + WIN));
    for (let t = next; t < complete; t++) out.push(probs[t - first]!);
    next = complete;
  }
  return out;
}

export async function scoreSplit(model: VoiceVisemeModel, split: string) {
  const pcm = new Int16Array(readFileSync(`${OUT}/${split}.pcm`).buffer.slice(0));
  const lab = new Uint8Array(readFileSync(`${OUT}/${split}.lab`));
  const index = JSON.parse(readFileSync(`${OUT}/${split}.json`, 'utf8')) as { audio: [number, number]; labels: [number, number] }[];
  let ok = 0, okCoarse = 0, total = 0, pp = 0, ppClosed = 0;
  const predOpen: number[] = [];
  const refOpen: number[] = [];
  for (const u of index) {
    const audio = Float32Array.from(pcm.subarray(u.audio[0], u.audio[0] + u.audio[1]), (s) => s / 32768);
    const labels = lab.subarray(u.labels[0], u.labels[0] + u.labels[1]);
    const probs = (await streamProbs(model, audio)).slice(LOOKAHEAD);
    const n = Math.min(probs.length, labels.length);
    for (let t = 0; t < n; t++) {
      const p = probs[t]!;
      let best = 0;
      for (let k = 1; k < p.length; k++) if (p[k]! > p[best]!) best = k;
      const ref = labels[t]!;
      if (best === ref) ok++;
      if (coarse(best) === coarse(ref)) okCoarse++;
      if (VISEMES[ref] === 'PP') {
        pp++;
        if (coarse(best) === 0) ppClosed++;
      }
      predOpen.push(p.reduce((s, v, k) => s + v * OPEN[k]!, 0));
      refOpen.push(OPEN[ref]!);
      total++;
    }
  }
  return { frames: total, accuracy15: +(ok / total).toFixed(4), accuracyCoarse: +(okCoarse / total).toFixed(4), bilabialsClosed: +(ppClosed / Math.max(pp, 1)).toFixed(4), rOpening: +pearson(predOpen, refOpen).toFixed(4) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? DEFAULT_VOICE_MODEL;
  const splits = process.argv.slice(3).length ? process.argv.slice(3) : ['real-test-en', 'real-val', 'test-flite-en', 'test-espeak-en', 'test-espeak-zh'];
  const model = await VoiceVisemeModel.load(file);
  const results: Record<string, unknown> = {};
  for (const split of splits) {
    results[split] = await scoreSplit(model, split);
    console.log(split, JSON.stringify(results[split]));
  }
  if (!process.argv[2]) {
    const manifestFile = path.join(path.dirname(DEFAULT_VOICE_MODEL), 'manifest.json');
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    manifest.metricsStreaming = { how: 'onnxruntime-node, blocks of ≥ 4 new hops after 48 hops of context (as OnnxVoiceMouth)', ...results };
    writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
  }
}
