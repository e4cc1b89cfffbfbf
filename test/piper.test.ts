import { copyFileSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { PiperEngine, PiperVoiceError } from '../pipeline/stages/tts/piper-engine.ts';
import type { TtsChunk } from '../pipeline/stages/tts/tts-types.ts';
import { startServer } from './helpers/server.ts';
import { watch, waitFor } from './helpers/watch.ts';

const VOICES = path.resolve('models/piper-standin');
const single = path.join(VOICES, 'standin-voice.onnx');
const multi = path.join(VOICES, 'standin-voice-multi.onnx');
let espeak: EspeakEngine;

test.before(async () => {
  espeak = new EspeakEngine();
  await espeak.ready();
});
test.after(() => espeak?.close());

async function collect(engine: PiperEngine, text: string): Promise<TtsChunk[]> {
  const chunks: TtsChunk[] = [];
  for await (const c of engine.synthesize({ segments: [{ kind: 'text', text, rate: 1 }], lang: 'en' }, new AbortController().signal)) chunks.push(c);
  return chunks;
}

const rms = (s: Int16Array) => Math.sqrt(s.reduce((a, v) => a + v * v, 0) / Math.max(1, s.length));

test('loads a Piper-format voice and maps IPA to its phoneme ids', async () => {
  const voice = await PiperEngine.load(single, espeak);
  const map = voice.config.phoneme_id_map;
  const ids = voice.phonemeIds(['h', 'ə', 'ˈoʊ']);
  assert.equal(ids, [map['^']![0], map['_']![0], map['h']![0], map['_']![0], map['ə']![0], map['_']![0], map['ˈ']![0], map['_']![0], map['o']![0], map['_']![0], map['ʊ']![0], map['_']![0], map['$']![0]]);
  voice.close();
});

test('synthesizes sentences: audio at 48 kHz, phoneme timing stretched onto that audio', async () => {
  const voice = await PiperEngine.load(single, espeak);
  const chunks = await collect(voice, 'Hello world. This is a test.');
  assert.is(chunks.length, 2, 'one chunk per sentence');
  for (const c of chunks) {
    assert.ok(c.samples.length > 4800, `audio: ${c.samples.length} samples`);
    assert.ok(rms(c.samples) > 1000, 'not silent');
  }
  const first = chunks[0]!;
  const phonemes = first.events.filter((e) => e.type === 'phoneme');
  assert.ok(phonemes.length >= 6, `${phonemes.length} phonemes`);
  assert.ok(phonemes.every((e) => e.at >= 0 && e.at <= first.samples.length), 'events fall inside the audio');
  // The stand-in makes 256 samples at 22.05 kHz per id: the audio length follows the id count.
  const ids = voice.phonemeIds(phonemes.map((e) => (e.type === 'phoneme' ? e.phoneme : '')));
  assert.ok(Math.abs(first.samples.length - (ids.length * 256 * 48000) / 22050) < 10, 'length = ids × 256 at 22.05 kHz, resampled');
  const second = chunks[1]!.events.find((e) => e.type === 'sentence')!;
  assert.is(second.at, first.samples.length, 'second sentence starts where the first ends');
  voice.close();
});

test('multi-speaker voices get a speaker id (sid)', async () => {
  const low = await PiperEngine.load(multi, espeak, { speaker: 'low' });
  const high = await PiperEngine.load(multi, espeak, { speaker: 'high' });
  const a = (await collect(low, 'Speaker test.'))[0]!;
  const b = (await collect(high, 'Speaker test.'))[0]!;
  assert.ok(Math.abs(rms(b.samples) / rms(a.samples) - 2) < 0.05, 'the stand-in scales its output by (1 + sid) / 2');
  try {
    await PiperEngine.load(multi, espeak, { speaker: 'nobody' });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, PiperVoiceError);
    assert.match((err as Error).message, /unknown speaker/);
  }
  low.close();
  high.close();
});

test('bad voices are refused with a reason', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'piper-bad-'));
  const expectError = async (file: string, pattern: RegExp) => {
    try {
      await PiperEngine.load(file, espeak);
      assert.unreachable(file);
    } catch (err) {
      assert.instance(err, PiperVoiceError);
      assert.match((err as Error).message, pattern);
    }
  };
  await expectError(path.join(dir, 'missing.onnx'), /cannot read the voice config/);
  copyFileSync(single, path.join(dir, 'noconfig.onnx'));
  writeFileSync(path.join(dir, 'noconfig.onnx.json'), '{"audio": {}}');
  await expectError(path.join(dir, 'noconfig.onnx'), /lacks audio.sample_rate/);
  writeFileSync(path.join(dir, 'garbage.onnx'), 'not a model');
  writeFileSync(path.join(dir, 'garbage.onnx.json'), readFileSync(single + '.json'));
  await expectError(path.join(dir, 'garbage.onnx'), /cannot load ONNX model/);
});

test('a dead eSpeak worker is replaced and synthesis works again', async () => {
  const engine = new EspeakEngine();
  await engine.ready();
  try {
    process.kill(engine.pid!, 'SIGKILL');
    await waitFor(() => engine.starts === 2, 5000, 'restart');
    await engine.ready();
    let samples = 0;
    for await (const c of engine.synthesize({ segments: [{ kind: 'text', text: 'Back again.', rate: 1 }], lang: 'en' }, new AbortController().signal)) samples += c.samples.length;
    assert.ok(samples > 24000, `speech after restart (${samples} samples)`);
  } finally {
    engine.close();
  }
});

test('the server speaks with a Piper voice from ONAIR_PIPER_DIR', async () => {
  const server = await startServer({ ONAIR_PIPER_DIR: VOICES });
  try {
    const { body } = await server.api('POST', '/v1/sessions');
    const viewer = await watch(server.baseUrl, body.id, body.viewerToken);
    try {
      let res = await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: 'Hi', voice: 'piper:nope' });
      assert.is(res.status, 400);
      assert.match(res.body.message, /not found/);
      res = await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: 'Hello from a neural voice.', voice: 'piper:standin-voice' });
      assert.is(res.status, 202);
      await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === res.body.utteranceId), 15_000, 'speech.ended');
      await new Promise((r) => setTimeout(r, 500));
      assert.ok(viewer.audioRms.filter((r) => r > 1000).length > 20, 'the viewer hears the voice');
    } finally {
      viewer.stop();
    }
  } finally {
    await server.close();
  }
});

test.run();
