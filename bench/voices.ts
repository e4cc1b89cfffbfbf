// Natural voices: (1) text accepted → first audible audio at a WebRTC viewer, per engine kind
// (eSpeak, Piper and sherpa-onnx stand-ins, and the OpenAI / CosyVoice / GPT-SoVITS protocol
// stand-ins with their first byte held back as a model would); (2) how well the audio→viseme path
// (AudioVisemeTiming, what voices without timing get) matches the phoneme-timed path on eSpeak
// voices the viseme model never trained on.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AudioVisemeTiming } from '../pipeline/stages/lipsync/audio-viseme-timing.ts';
import { MouthTrack } from '../pipeline/stages/lipsync/mouth-track.ts';
import { VoiceVisemeModel } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import type { Lang, SynthesisRequest, TtsChunk, TtsEngine } from '../pipeline/stages/tts/tts-types.ts';
import { pearson } from '../test/helpers/mouth.ts';
import { startServer } from '../test/helpers/server.ts';
import { closeSpeechRenderer, startCosyVoice, startGptSovits, startOpenAiSpeech, warmSpeechRenderer } from '../test/helpers/speech-servers.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { fmt, percentile } from './lib/stats.ts';

const RUNS = Number(process.env.TTS_RUNS ?? 8);
const FIRST_BYTE_MS = 150;
const LINES = ['Welcome back everyone, this mug keeps your tea warm.', '大家好，欢迎来到直播间。', 'Only nineteen dollars today, so grab one now!', '这款杯子今天只要十九块九。'];

async function firstAudio(): Promise<void> {
  const [openai, cosy, sovits] = await Promise.all([startOpenAiSpeech(), startCosyVoice(), startGptSovits()]);
  await warmSpeechRenderer();
  for (const s of [openai, cosy, sovits]) s.firstByteMs = FIRST_BYTE_MS;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'bench-voices-')), 'voices.json');
  writeFileSync(file, JSON.stringify({ voices: [
    { id: 'a', engine: 'openai', url: `${openai.url}/v1/audio/speech`, model: 'tts-1', voice: 'alloy' },
    { id: 'a', engine: 'cosyvoice', url: cosy.url, mode: 'sft', speaker: '中文女', sampleRate: 22050 },
    { id: 'a', engine: 'gpt-sovits', url: sovits.url, refAudioPath: 'ref.wav', promptLang: 'zh' },
  ] }));
  const server = await startServer({ ONAIR_VOICES_FILE: file, ONAIR_LOCAL_VOICES_DIR: path.resolve('models/sherpa-standin'), ONAIR_PIPER_DIR: path.resolve('models/piper-standin') });
  try {
    const { body } = await server.api('POST', '/v1/sessions');
    const viewer = await watch(server.baseUrl, body.id, body.viewerToken);
    await waitFor(() => viewer.frames.length > 25, 20_000, 'frames');
    console.log(`text accepted → first audible audio at the viewer (${RUNS} lines each; HTTP stand-ins hold their first byte ${FIRST_BYTE_MS} ms like a model warming up):`);
    const servers: Record<string, typeof openai> = { 'openai:a': openai, 'cosyvoice:a': cosy, 'gpt-sovits:a': sovits };
    for (const voice of [undefined, 'piper:standin-voice', 'local:standin-vits', 'openai:a', 'cosyvoice:a', 'gpt-sovits:a']) {
      const xs: number[] = [];
      const ttfb: number[] = [];
      const stand = voice ? servers[voice] : undefined;
      for (let i = 0; i < RUNS; i++) {
        const from = viewer.audioAt.length;
        const t0 = performance.now();
        const res = await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: LINES[i % LINES.length], ...(voice ? { voice } : {}) });
        await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === res.body.utteranceId), 20_000, 'speech.ended');
        const k = viewer.audioRms.findIndex((r, j) => j >= from && r > 300);
        if (k >= 0) xs.push(viewer.audioAt[k]! - t0);
        // The stand-in's own share: from the first request of the line to its first audio byte.
        const first = stand?.log.find((l) => l.at >= t0);
        if (first?.firstByteAt) ttfb.push(first.firstByteAt - t0);
        await new Promise((r) => setTimeout(r, 300));
      }
      const serverShare = ttfb.length ? `; the stand-in's first byte came ${fmt(percentile(ttfb, 50), 0)} ms after the request (p50)` : '';
      console.log(`  ${(voice ?? 'espeak-ng (default)').padEnd(22)} p50 ${fmt(percentile(xs, 50), 0)} ms  p95 ${fmt(percentile(xs, 95), 0)} ms  (${xs.length}/${RUNS} heard${serverShare})`);
    }
    viewer.stop();
  } finally {
    await server.close();
    await Promise.all([openai.close(), cosy.close(), sovits.close()]);
    closeSpeechRenderer();
  }
}

const SENTENCES: Record<Lang, string[]> = {
  en: ['Please welcome our beautiful blue mug, only nineteen dollars.', 'Would you like to see the red one again?', 'Every order today ships free within two days!', 'The fabric is soft, light and easy to wash.', 'My favourite part is the quiet motor.'],
  zh: ['大家好，欢迎来到直播间！', '这款杯子可以保温十二个小时。', '今天下单的朋友可以再减二十元。', '你喜欢这个颜色吗？', '库存只剩最后五十件了！'],
};

/** The engine's own chunks, phoneme events stripped: what a voice without timing looks like. */
class AudioOnly implements TtsEngine {
  readonly name = 'audio-only';
  readonly timing = 'none' as const;
  constructor(readonly inner: TtsEngine) {}
  async *synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    for await (const c of this.inner.synthesize(req, signal)) yield { samples: c.samples, events: c.events.filter((e) => e.type !== 'phoneme' && e.type !== 'word') };
  }
  close(): void {}
}

async function visemeAccuracy(): Promise<void> {
  const espeak = new EspeakEngine();
  await espeak.ready();
  const model = await VoiceVisemeModel.load();
  console.log('audio→viseme path vs phoneme-timed path, per 10 ms (eSpeak voices the viseme model never trained on):');
  for (const [voice, lang] of [['en-us+f5', 'en'], ['en-gb-x-rp+m7', 'en'], ['cmn+m7', 'zh']] as const) {
    let same = 0, n = 0;
    const openA: number[] = [], openB: number[] = [];
    let labelMs = 0, audioS = 0;
    for (const text of SENTENCES[lang]) {
      const truth = new MouthTrack();
      const read = new MouthTrack();
      const chunks: TtsChunk[] = [];
      const req = { segments: [{ kind: 'text' as const, text, rate: 1, lang }], lang, voice };
      for await (const c of espeak.synthesize(req, new AbortController().signal)) chunks.push(c);
      truth.addPhonemes(chunks.flatMap((c) => c.events.flatMap((e) => (e.type === 'phoneme' ? [e] : []))), 0);
      // The same audio through AudioVisemeTiming, as a speech-server voice would get it.
      const replay: TtsEngine = { name: 'replay', close() {}, async *synthesize() { yield* chunks; } };
      const t0 = performance.now();
      for await (const c of new AudioVisemeTiming(new AudioOnly(replay), model).synthesize(req, new AbortController().signal)) read.addVisemes(c.events.flatMap((e) => (e.type === 'viseme' ? [e] : [])), 0);
      labelMs += performance.now() - t0;
      const all = chunks.flatMap((c) => [...c.samples]);
      audioS += all.length / 48_000;
      for (let t = 0; t + 1920 <= all.length; t += 480) {
        n++;
        if (truth.targetAt(t) === read.targetAt(t)) same++;
        let s = 0;
        for (let k = t; k < t + 1920; k++) s += all[k]! * all[k]!;
        const rms = Math.sqrt(s / 1920);
        openA.push(truth.mouthAt(t, rms).open);
        openB.push(read.mouthAt(t, rms).open);
      }
    }
    console.log(`  ${voice.padEnd(15)} viseme agreement ${fmt((100 * same) / n, 1)} %  mouth-opening r ${fmt(pearson(openA, openB), 3)}  labelling ${fmt(labelMs / audioS, 1)} ms per audio second`);
  }
  console.log('  a synthesizer it never saw (flite slt/rms/awb/kal16, from models/voice-visemes/manifest.json): 41.4 % 15-class, 62.6 % coarse — see issue 15');
  espeak.close();
}

export async function benchVoices(): Promise<void> {
  await visemeAccuracy();
  await firstAudio();
}
