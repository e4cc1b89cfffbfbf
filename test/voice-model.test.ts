import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_VOICE_MODEL, OnnxVoiceMouth, VoiceVisemeModel } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { phonemeToVisemes, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { pearson } from './helpers/mouth.ts';

const manifest = JSON.parse(readFileSync(DEFAULT_VOICE_MODEL.replace(/voice-visemes\.onnx$/, 'manifest.json'), 'utf8'));

async function speech(text: string, voice: string) {
  const tts = new EspeakEngine();
  const chunks: Int16Array[] = [];
  const phonemes: { at: number; phoneme: string }[] = [];
  for await (const c of tts.synthesize({ segments: [{ kind: 'text', text, rate: 1 }], lang: 'en', voice }, new AbortController().signal)) {
    chunks.push(c.samples);
    for (const e of c.events) if (e.type === 'phoneme') phonemes.push(e);
  }
  tts.close();
  const audio = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) audio.set(c, (o += c.length) - c.length);
  return { audio, phonemes };
}

test('the committed model matches its manifest', () => {
  const digest = createHash('sha256').update(readFileSync(DEFAULT_VOICE_MODEL)).digest('hex');
  assert.is(digest, manifest.sha256);
  assert.equal(manifest.visemes, [...VISEMES]);
  assert.ok(manifest.bytes < 2_000_000, 'small enough to commit');
});

test('streaming in onnxruntime-node: visemes of an unseen voice, and a mouth that follows the audio', async () => {
  const model = await VoiceVisemeModel.load();
  const mouth = new OnnxVoiceMouth(model);
  // en-us+f5 is held out of training (models/voice-visemes/make-data.ts).
  const { audio, phonemes } = await speech('Look at this lovely teapot, it is only twenty dollars today.', 'en-us+f5');
  // Arrives as a live voice would: 10 ms blocks, with time in between for the asynchronous inference.
  for (let i = 0, k = 0; i < audio.length; i += 480, k++) {
    mouth.observe(audio.subarray(i, i + 480));
    if (k % 4 === 3) await new Promise((r) => setTimeout(r, 4));
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(mouth.stats.runs > 10, `${mouth.stats.runs} streaming runs`);

  const opens: number[] = [];
  const energies: number[] = [];
  for (let pos = 0; pos + 1920 <= audio.length; pos += 1920) {
    const frame = audio.subarray(pos, pos + 1920);
    opens.push(mouth.mouthFor(frame, audio.subarray(pos + 1920, pos + 2880), pos).open);
    energies.push(Math.sqrt(frame.reduce((a, s) => a + s * s, 0) / frame.length));
  }
  const r = pearson(opens, energies);
  assert.ok(r >= 0.6, `mouth follows the voice: r = ${r.toFixed(3)}`);

  // Frame accuracy of the runtime path against eSpeak's own phoneme timing (15 visemes and coarse groups).
  const probsModel = await model.run(Float32Array.from({ length: Math.floor(audio.length / 3) }, (_, i) => (audio[3 * i]! + audio[3 * i + 1]! + audio[3 * i + 2]!) / 3 / 32768));
  let correct = 0;
  let total = 0;
  for (let t = 2; t < probsModel.length; t++) {
    const hop = t - 2;
    const at = ((hop * 160 + 200) / 16000) * 48000;
    let k = 0;
    while (k + 1 < phonemes.length && phonemes[k + 1]!.at <= at) k++;
    const p = phonemes[k]!;
    const next = phonemes[k + 1]?.at ?? p.at + 4000;
    const vs = phonemeToVisemes(p.phoneme);
    const ref = vs[Math.min(vs.length - 1, Math.floor(((at - p.at) / (next - p.at)) * vs.length))]!;
    const pred = probsModel[t]!.indexOf(Math.max(...probsModel[t]!));
    if (VISEMES[pred] === ref) correct++;
    total++;
  }
  const acc = correct / total;
  console.log(`  held-out eSpeak voice: ${(acc * 100).toFixed(1)} % frame accuracy (15 visemes), r(mouth, energy) = ${r.toFixed(3)}, ${(mouth.stats.msTotal / mouth.stats.runs).toFixed(2)} ms per run of 4 hops`);
  assert.ok(acc > 0.4, `well above chance (most frequent class ≈ 18 %): ${(acc * 100).toFixed(1)} %`);
});

test.run();
