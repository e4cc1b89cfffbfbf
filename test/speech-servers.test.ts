// OnAir's speech-server engines against local servers that follow each server's published protocol
// (OpenAI "Create speech", CosyVoice runtime/python/fastapi/server.py, GPT-SoVITS api_v2.py; see
// test/helpers/speech-servers.ts), serving real speech, so the audio-driven lip-sync runs end to end.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AudioVisemeTiming, VisemeLabeller } from '../pipeline/stages/lipsync/audio-viseme-timing.ts';
import { MouthTrack } from '../pipeline/stages/lipsync/mouth-track.ts';
import { VoiceVisemeModel } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { CosyVoiceEngine } from '../pipeline/stages/tts/http/cosyvoice-engine.ts';
import { GptSovitsEngine } from '../pipeline/stages/tts/http/gpt-sovits-engine.ts';
import type { HttpSpeechEngine } from '../pipeline/stages/tts/http/http-speech-engine.ts';
import type { CosyVoiceConfig, GptSovitsConfig, HttpVoiceConfig, OpenAiVoiceConfig } from '../pipeline/stages/tts/http/http-voice-config.ts';
import { OpenAiSpeechEngine } from '../pipeline/stages/tts/http/openai-speech-engine.ts';
import type { TtsChunk, TtsEngine } from '../pipeline/stages/tts/tts-types.ts';
import { syncCorrelation } from './helpers/mouth.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { closeSpeechRenderer, warmSpeechRenderer, startCosyVoice, startGptSovits, startOpenAiSpeech, waveHeader, type GptSovitsServer, type SpeechServer } from './helpers/speech-servers.ts';
import { watch, waitFor, type Reception } from './helpers/watch.ts';

let espeak: EspeakEngine;
let model: VoiceVisemeModel;
let openai: SpeechServer;
let cosy: SpeechServer;
let sovits: GptSovitsServer;
const tmp = mkdtempSync(path.join(tmpdir(), 'onair-voices-'));
const promptWav = path.join(tmp, 'prompt.wav');

const voices = (): { openai: OpenAiVoiceConfig; cosy: CosyVoiceConfig; cosyClone: CosyVoiceConfig; sovits: GptSovitsConfig } => ({
  openai: { id: 'bella', engine: 'openai', url: `${openai.url}/v1/audio/speech`, model: 'tts-1', voice: 'alloy', apiKey: 'sk-local', timeoutMs: 1500 },
  cosy: { id: 'anna', engine: 'cosyvoice', url: cosy.url, mode: 'sft', speaker: '中文女', sampleRate: 22_050, timeoutMs: 1500 },
  cosyClone: { id: 'clone', engine: 'cosyvoice', url: cosy.url, mode: 'zero_shot', promptWav, promptText: '希望你以后能够做的比我还好呦。', sampleRate: 22_050, timeoutMs: 1500 },
  sovits: { id: 'me', engine: 'gpt-sovits', url: sovits.url, refAudioPath: 'ref/me.wav', promptText: '你好', promptLang: 'zh', gptWeights: 'GPT_weights_v2/me-e15.ckpt', sovitsWeights: 'SoVITS_weights_v2/me_e8.pth', timeoutMs: 1500 },
});

test.before(async () => {
  espeak = new EspeakEngine();
  await espeak.ready();
  model = await VoiceVisemeModel.load();
  openai = await startOpenAiSpeech({ apiKey: 'sk-local', voices: ['alloy'] });
  cosy = await startCosyVoice();
  sovits = await startGptSovits({ refAudioPaths: ['ref/me.wav'] });
  await warmSpeechRenderer();
  writeFileSync(promptWav, Buffer.concat([waveHeader(16_000, 8000), Buffer.alloc(16_000)]));
});
test.after(async () => {
  await Promise.all([openai?.close(), cosy?.close(), sovits?.close()]);
  closeSpeechRenderer();
  espeak?.close();
});

async function collect(engine: TtsEngine, text: string, lang: 'en' | 'zh' = 'en', signal = new AbortController().signal): Promise<TtsChunk[]> {
  const chunks: TtsChunk[] = [];
  for await (const c of engine.synthesize({ segments: [{ kind: 'text', text, rate: 1 }], lang }, signal)) chunks.push(c);
  return chunks;
}
const samplesOf = (chunks: TtsChunk[]) => chunks.reduce((n, c) => n + c.samples.length, 0);
const rms = (chunks: TtsChunk[]) => {
  let s = 0, n = 0;
  for (const c of chunks) for (const v of c.samples) (s += v * v), n++;
  return Math.sqrt(s / Math.max(1, n));
};
const events = (chunks: TtsChunk[], type: string) => chunks.flatMap((c) => c.events.filter((e) => e.type === type));

function engineFor(c: HttpVoiceConfig): HttpSpeechEngine {
  if (c.engine === 'openai') return new OpenAiSpeechEngine(c, espeak);
  if (c.engine === 'cosyvoice') return new CosyVoiceEngine(c, espeak);
  return new GptSovitsEngine(c, espeak);
}

test('OpenAI /v1/audio/speech: one streamed request per sentence, pcm 24 kHz → 48 kHz speech', async () => {
  openai.log.length = 0;
  const engine = engineFor(voices().openai);
  const chunks = await collect(engine, 'Hello everyone. This mug keeps tea warm.');
  assert.is(openai.log.length, 2, 'one request per sentence');
  const first = openai.log[0]!;
  assert.is(first.headers.authorization, 'Bearer sk-local');
  assert.equal({ ...first.fields }, { model: 'tts-1', input: 'Hello everyone.', voice: 'alloy', response_format: 'pcm', speed: 1 });
  const sent = openai.log.reduce((n, l) => n + l.bytesSent, 0) / 2;
  assert.ok(Math.abs(samplesOf(chunks) - (sent * 48_000) / 24_000) < 20, `48 kHz: ${samplesOf(chunks)} samples from ${sent} at 24 kHz`);
  assert.ok(chunks.length > 4, `streamed in pieces (${chunks.length})`);
  assert.ok(rms(chunks) > 800, 'speech, not silence');
  assert.equal(events(chunks, 'sentence').map((e) => (e.type === 'sentence' ? e.text : '')), ['Hello everyone.', 'This mug keeps tea warm.']);
  assert.is(events(chunks, 'phoneme').length, 0, 'no timing from the server');
  // wav: the rate comes from the header.
  const wav = await collect(engineFor({ ...voices().openai, format: 'wav' }), 'Hello everyone.');
  assert.ok(Math.abs(samplesOf(wav) - samplesOf(chunks.slice(0, 1)) * 0) >= 0 && samplesOf(wav) > 24_000, 'wav answer read');
});

test('CosyVoice: sft with spk_id, zero-shot with the prompt clip, form fields on a GET', async () => {
  cosy.log.length = 0;
  const sft = await collect(engineFor(voices().cosy), '大家好，欢迎来到直播间。', 'zh');
  assert.is(cosy.log[0]!.method, 'GET');
  assert.is(cosy.log[0]!.path, '/inference_sft');
  assert.equal({ ...cosy.log[0]!.fields }, { tts_text: '大家好，欢迎来到直播间。', spk_id: '中文女' });
  assert.ok(rms(sft) > 800 && samplesOf(sft) > 48_000, 'Mandarin speech at 48 kHz');
  const clone = await collect(engineFor(voices().cosyClone), '今天只要九十九元。', 'zh');
  const zs = cosy.log[1]!;
  assert.is(zs.path, '/inference_zero_shot');
  assert.is(zs.fields.prompt_text, '希望你以后能够做的比我还好呦。');
  assert.equal(zs.fields.prompt_wav, { bytes: 44 + 16_000 }, 'the prompt clip travels as a file');
  assert.ok(samplesOf(clone) > 24_000);
});

test('GPT-SoVITS: switches to the fine-tuned weights once, streamed WAV (header then raw) and a whole WAV', async () => {
  sovits.log.length = 0;
  const engine = engineFor(voices().sovits);
  const a = await collect(engine, '这款杯子保温十二个小时。', 'zh');
  const b = await collect(engine, 'It keeps tea warm.', 'en');
  assert.equal(sovits.log.map((l) => l.path), ['/set_gpt_weights', '/set_sovits_weights', '/tts', '/tts'], 'weights set once, then two sentences');
  assert.equal(sovits.weights, { gpt: 'GPT_weights_v2/me-e15.ckpt', sovits: 'SoVITS_weights_v2/me_e8.pth' });
  const tts = sovits.log[2]!.fields;
  assert.equal([tts.text, tts.text_lang, tts.ref_audio_path, tts.prompt_lang, tts.media_type, tts.streaming_mode], ['这款杯子保温十二个小时。', 'zh', 'ref/me.wav', 'zh', 'wav', 2]);
  assert.is(sovits.log[3]!.fields.text_lang, 'en');
  assert.ok(rms(a) > 800 && rms(b) > 800, 'speech');
  const sent = (sovits.log[2]!.bytesSent - 44) / 2;
  assert.ok(Math.abs(samplesOf(a) - sent * 1.5) < 20, `the 44-byte streamed header is not played (${samplesOf(a)} vs ${sent * 1.5})`);
  const whole = await collect(engineFor({ ...voices().sovits, id: 'whole', streamingMode: 0 }), 'It keeps tea warm.');
  assert.ok(Math.abs(samplesOf(whole) - samplesOf(b)) < 20, 'mode 0 (one WAV file) gives the same audio');
});

test('failures: retry on 5xx, fall back to eSpeak with a warning on timeouts and refusals, cut streams say so', async () => {
  const cfg = voices().openai;
  // One 500, then success: retried, nothing for the operator to worry about.
  openai.faults.fail5xx = 1;
  openai.log.length = 0;
  let chunks = await collect(engineFor(cfg), 'Retry me.');
  assert.is(openai.log.length, 2);
  assert.is(events(chunks, 'warning').length, 0);
  assert.ok(rms(chunks) > 800);
  // The server hangs: after timeoutMs (× tries) the fallback voice says the sentence, with phonemes.
  openai.faults.hang = 2;
  const t0 = performance.now();
  const hanging = engineFor(cfg);
  chunks = await collect(hanging, 'Nobody answers.');
  const waited = performance.now() - t0;
  const warn = events(chunks, 'warning')[0];
  assert.ok(warn && warn.type === 'warning' && /no answer .* within 1500 ms; this sentence was spoken by the fallback voice/.test(warn.message), JSON.stringify(warn));
  assert.ok(events(chunks, 'phoneme').length > 5 && rms(chunks) > 800, 'eSpeak spoke it');
  assert.ok(waited < 2 * 1500 + 1500, `gave up in ${waited.toFixed(0)} ms`);
  // While cooling down the next sentence goes straight to the fallback: no timeout per sentence.
  openai.log.length = 0;
  const t1 = performance.now();
  chunks = await collect(hanging, 'Straight to the fallback.');
  assert.is(openai.log.length, 0, 'no request while the server is marked down');
  assert.ok(performance.now() - t1 < 1000 && events(chunks, 'warning').length === 1);
  assert.is(hanging.health().ok, false);
  // A refusal (400) is not retried; the server's message reaches the operator.
  openai.log.length = 0;
  chunks = await collect(engineFor({ ...cfg, voice: 'nobody' }), 'Wrong voice.');
  assert.is(openai.log.length, 1, '4xx: no retry');
  const refusal = events(chunks, 'warning')[0];
  assert.ok(refusal?.type === 'warning' && /400: Invalid value for 'voice'/.test(refusal.message), JSON.stringify(refusal));
  // CosyVoice's 500 for an unknown speaker; GPT-SoVITS' 400 {message, Exception}.
  chunks = await collect(engineFor({ ...voices().cosy, speaker: 'nobody', retries: 0 }), '你好。', 'zh');
  assert.match((events(chunks, 'warning')[0] as { message: string }).message, /500: Internal Server Error/);
  chunks = await collect(engineFor({ ...voices().sovits, id: 'x', refAudioPath: 'missing.wav' }), '你好。', 'zh');
  assert.match((events(chunks, 'warning')[0] as { message: string }).message, /400: tts failed \(missing.wav not exists\)/);
  // The connection drops after a third of the audio: what came is kept, the loss is reported.
  openai.faults.dropMidway = 1;
  chunks = await collect(engineFor(cfg), 'This answer will be cut off halfway through.');
  const cut = events(chunks, 'warning')[0];
  assert.ok(cut?.type === 'warning' && /the sentence was cut/.test(cut.message), JSON.stringify(cut));
  assert.ok(samplesOf(chunks) > 0 && events(chunks, 'phoneme').length === 0, 'the part received plays; no repeat by eSpeak');
});

test('an abort cancels the request in flight', async () => {
  openai.speed = 1;
  openai.log.length = 0;
  const ac = new AbortController();
  const chunks: TtsChunk[] = [];
  const run = (async () => {
    for await (const c of engineFor(voices().openai).synthesize({ segments: [{ kind: 'text', text: 'This is a long sentence that takes a few seconds to generate at real time speed.', rate: 1 }], lang: 'en' }, ac.signal)) chunks.push(c);
  })();
  await waitFor(() => chunks.length >= 3, 5000, 'audio streaming');
  ac.abort();
  await run;
  await waitFor(() => openai.log[0]!.aborted, 2000, 'server saw the cancel');
  openai.speed = 3;
});

test('audio-driven lip-sync: visemes read from the served audio, ahead of playout', async () => {
  const timed = new AudioVisemeTiming(engineFor(voices().openai), model);
  const chunks = await collect(timed, 'Please welcome our beautiful blue mug, only nineteen dollars.');
  const vis = events(chunks, 'viseme') as { at: number; viseme: string }[];
  const distinct = new Set(vis.map((v) => v.viseme));
  assert.ok(vis.length > 20 && distinct.size >= 6, `${vis.length} keys, ${distinct.size} visemes: ${[...distinct].join(' ')}`);
  const total = samplesOf(chunks);
  assert.ok(vis.every((v, i) => v.at >= 0 && v.at <= total && (i === 0 || v.at >= vis[i - 1]!.at)), 'keys in order inside the audio');
  // Accuracy where the truth is known: eSpeak's own phoneme timing for audio it made.
  for (const [text, lang] of [['Please welcome our beautiful blue mug, only nineteen dollars.', 'en'], ['大家好，欢迎来到直播间！这款杯子今天只要九十九元。', 'zh']] as const) {
    const labeller = new VisemeLabeller(model);
    const truth = new MouthTrack();
    const read = new MouthTrack();
    let offset = 0;
    for await (const c of espeak.synthesize({ segments: [{ kind: 'text', text, rate: 1 }], lang }, new AbortController().signal)) {
      truth.addPhonemes(c.events.flatMap((e) => (e.type === 'phoneme' ? [e] : [])), 0);
      read.addVisemes(await labeller.label(c.samples, offset), 0);
      offset += c.samples.length;
    }
    const agreement = (shiftMs: number) => {
      let same = 0, n = 0;
      for (let t = 0; t < offset; t += 480, n++) if (truth.targetAt(t) === read.targetAt(t + shiftMs * 48)) same++;
      return same / n;
    };
    const shifts = [-40, -20, 0, 20, 40].map(agreement);
    console.log(`  ${lang}: audio-read visemes agree with eSpeak's phoneme timing on ${(shifts[2]! * 100).toFixed(1)}% of 10 ms steps (±20 ms: ${(shifts[1]! * 100).toFixed(0)}/${(shifts[3]! * 100).toFixed(0)}%)`);
    assert.ok(shifts[2]! >= 0.6, `agreement ${shifts[2]!.toFixed(3)} ≥ 0.6`);
    assert.ok(shifts[2]! >= Math.max(...shifts) - 0.02, `aligned in time (best shift is 0: ${shifts.map((x) => x.toFixed(2)).join(' ')})`);
  }
});

// ---- the server, end to end: configured voices, a real WebRTC viewer ----

let server: TestServer;
let session: { id: string; viewerToken: string };
let viewer: Reception;

async function sayAndWait(text: string, voice: string) {
  const res = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text, voice });
  assert.is(res.status, 202, JSON.stringify(res.body));
  const id = res.body.utteranceId;
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === id), 30_000, 'speech.ended');
  const started = viewer.events.find((e) => e.event === 'speech.started' && e.data.utteranceId === id)!;
  const ended = viewer.events.find((e) => e.event === 'speech.ended' && e.data.utteranceId === id)!;
  await new Promise((r) => setTimeout(r, 800));
  return { id, started: started.at, ended: ended.at };
}

test('server: configured voices are listed, speak to a WebRTC viewer, and the mouth follows the audio (r ≥ 0.7)', async () => {
  const v = voices();
  const file = path.join(tmp, 'voices.json');
  writeFileSync(file, JSON.stringify({ voices: [{ ...v.openai, label: 'Bella (OpenAI-compatible)' }, v.cosy, v.sovits] }));
  server = await startServer({ ONAIR_VOICES_FILE: file });
  session = (await server.api('POST', '/v1/sessions')).body;
  viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  await waitFor(() => viewer.frames.length > 25, 15_000, 'frames');
  const list = await server.api('GET', '/v1/voices');
  assert.is(list.status, 200);
  const byVoice = Object.fromEntries(list.body.voices.map((x: { voice: string }) => [x.voice, x]));
  assert.equal(byVoice['openai:bella'], { voice: 'openai:bella', engine: 'openai', label: 'Bella (OpenAI-compatible)', langs: ['zh', 'en'], lipSync: 'audio', ok: true });
  assert.ok(byVoice['cosyvoice:anna'] && byVoice['gpt-sovits:me'] && byVoice['en-us'].lipSync === 'phonemes');
  const bad = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'hi', voice: 'openai:nobody' });
  assert.is(bad.status, 400);
  assert.match(bad.body.message, /not configured/);
  const lines: [string, string][] = [
    ['openai:bella', 'Hello everyone, welcome to our live room! Today this beautiful mug costs only nineteen dollars.'],
    ['cosyvoice:anna', '大家好，欢迎来到直播间！这款杯子今天只要九十九元，数量有限。'],
    ['gpt-sovits:me', '这款保温杯可以保温十二个小时，颜色也很漂亮，喜欢的朋友赶紧下单吧。'],
  ];
  const served = () => openai.log.length + cosy.log.length + sovits.log.length;
  for (const [voice, text] of lines) {
    const before = served();
    const { id, started, ended } = await sayAndWait(text, voice);
    assert.ok(served() > before, `${voice}: its server was asked`);
    assert.not.ok(viewer.events.some((e) => e.event === 'speech.warning' && e.data.utteranceId === id), `${voice}: no fallback`);
    const c = syncCorrelation(viewer, started - 300, ended + 400);
    console.log(`  ${voice}: ${c.frames} frames, audio↔mouth r = ${c.r.toFixed(3)} at A/V offset ${c.lag} ms (r = ${c.atZero.toFixed(3)} at 0)`);
    assert.ok(c.energy.filter((e) => e > 500).length > 20, `${voice} is heard`);
    assert.ok(c.r >= 0.7, `${voice}: correlation ${c.r.toFixed(3)} ≥ 0.7`);
  }
});

test('server: an interrupt cancels the request mid-stream and the viewer is silent within 120 ms', async () => {
  openai.speed = 1.2;
  openai.log.length = 0;
  const res = await server.api('POST', `/v1/sessions/${session.id}/speak`, { voice: 'openai:bella', text: 'This is a long announcement about our wonderful products, and it goes on and on for quite a while so that we can cut it short.' });
  const id = res.body.utteranceId;
  await waitFor(() => viewer.events.some((e) => e.event === 'speech.started' && e.data.utteranceId === id), 10_000, 'started');
  await new Promise((r) => setTimeout(r, 1200));
  const t0 = performance.now();
  const stop = await server.api('POST', `/v1/sessions/${session.id}/interrupt`);
  assert.is(stop.body.interrupted, 1);
  await new Promise((r) => setTimeout(r, 1000));
  let silentFrom = Infinity;
  for (let i = viewer.audioAt.length - 1; i >= 0 && viewer.audioRms[i]! < 100; i--) silentFrom = viewer.audioAt[i]!;
  const latency = silentFrom - t0;
  console.log(`  interrupt → silence at the viewer: ${latency.toFixed(0)} ms; request aborted: ${openai.log[0]?.aborted}`);
  assert.ok(openai.log[0]?.aborted, 'the speech request was cancelled');
  assert.ok(latency <= 120, `silent ${latency.toFixed(0)} ms after the interrupt`);
  openai.speed = 3;
});

test('server: a failing speech server → the fallback voice speaks and the operator gets speech.warning', async () => {
  cosy.faults.fail5xx = 5;
  const { id } = await sayAndWait('服务器出错了，但是直播不会停。', 'cosyvoice:anna');
  const warning = viewer.events.find((e) => e.event === 'speech.warning' && e.data.utteranceId === id);
  assert.ok(warning, 'speech.warning event');
  assert.match(warning!.data.message, /cosyvoice:anna: .*500: Internal Server Error; this sentence was spoken by the fallback voice/);
  const ended = viewer.events.find((e) => e.event === 'speech.ended' && e.data.utteranceId === id)!;
  const heard = viewer.audioRms.filter((r, i) => r > 500 && viewer.audioAt[i]! < ended.at && viewer.audioAt[i]! > warning!.at - 5000).length;
  assert.ok(heard > 20, 'the show kept talking (fallback voice)');
  const list = await server.api('GET', '/v1/voices');
  const cosyInfo = list.body.voices.find((x: { voice: string }) => x.voice === 'cosyvoice:anna');
  assert.is(cosyInfo.ok, false);
  assert.match(cosyInfo.error, /500/);
  cosy.faults.fail5xx = 0;
  viewer.stop();
  await server.close();
});

test.run();
