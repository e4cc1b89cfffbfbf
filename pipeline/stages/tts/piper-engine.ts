import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { AUDIO_RATE } from '../../core/media.ts';
import type { EspeakEngine } from './espeak-engine.ts';
import { synthesizeSegments } from './segments.ts';
import { Resampler } from './resampler.ts';
import { VoiceError, type SpeechEvent, type SynthesisRequest, type TtsChunk, type TtsEngine } from './tts-types.ts';

/** The parts of a Piper voice's `.onnx.json` that synthesis needs. */
export interface PiperConfig {
  audio: { sample_rate: number };
  espeak: { voice: string };
  inference?: { noise_scale?: number; length_scale?: number; noise_w?: number };
  phoneme_id_map: Record<string, number[]>;
  num_speakers?: number;
  speaker_id_map?: Record<string, number>;
}

export class PiperVoiceError extends VoiceError {
  override name = 'PiperVoiceError';
}

const REQUIRED_INPUTS = ['input', 'input_lengths', 'scales'];

/**
 * A Piper/VITS ONNX voice run with onnxruntime-node. eSpeak NG phonemizes (as Piper does) and its
 * phoneme timing, stretched to the generated audio's length, drives lip-sync. One chunk per
 * sentence: VITS generates whole sentences.
 */
export class PiperEngine implements TtsEngine {
  readonly name: string;
  readonly config: PiperConfig;
  readonly #session: ort.InferenceSession;
  readonly #espeak: EspeakEngine;
  readonly #speaker: number | undefined;

  private constructor(name: string, session: ort.InferenceSession, config: PiperConfig, espeak: EspeakEngine, speaker: number | undefined) {
    this.name = name;
    this.#session = session;
    this.config = config;
    this.#espeak = espeak;
    this.#speaker = speaker;
  }

  /** Loads `model.onnx` and its `model.onnx.json`; checks they fit together. */
  static async load(modelPath: string, espeak: EspeakEngine, opts: { speaker?: string | number; executionProviders?: string[] } = {}): Promise<PiperEngine> {
    let config: PiperConfig;
    try {
      config = JSON.parse(await readFile(`${modelPath}.json`, 'utf8'));
    } catch (err) {
      throw new PiperVoiceError(`cannot read the voice config ${modelPath}.json: ${(err as Error).message}`);
    }
    if (!config?.audio?.sample_rate || !config.phoneme_id_map || !config.espeak?.voice) {
      throw new PiperVoiceError(`${modelPath}.json lacks audio.sample_rate, phoneme_id_map or espeak.voice`);
    }
    for (const special of ['^', '_', '$']) {
      if (!config.phoneme_id_map[special]) throw new PiperVoiceError(`phoneme_id_map lacks "${special}"`);
    }
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(modelPath, { executionProviders: opts.executionProviders ?? ['cpu'] });
    } catch (err) {
      throw new PiperVoiceError(`cannot load ONNX model ${modelPath}: ${(err as Error).message}`);
    }
    const missing = REQUIRED_INPUTS.filter((n) => !session.inputNames.includes(n));
    if (missing.length) throw new PiperVoiceError(`${modelPath} is not a Piper voice: missing inputs ${missing.join(', ')}`);
    let speaker: number | undefined;
    if (session.inputNames.includes('sid')) {
      const s = opts.speaker ?? 0;
      speaker = typeof s === 'number' ? s : config.speaker_id_map?.[s];
      if (speaker === undefined || speaker < 0 || speaker >= (config.num_speakers ?? 1)) throw new PiperVoiceError(`unknown speaker "${s}"`);
    }
    return new PiperEngine(`piper:${modelPath.split('/').pop()}`, session, config, espeak, speaker);
  }

  /** IPA → Piper ids: ^ _ (id _)* $, skipping symbols the voice doesn't know. */
  phonemeIds(phonemes: string[]): number[] {
    const map = this.config.phoneme_id_map;
    const ids = [...map['^']!, ...map['_']!];
    for (const p of phonemes) {
      for (const ch of p) {
        const id = map[ch];
        if (id) ids.push(...id, ...map['_']!);
      }
    }
    ids.push(...map['$']!);
    return ids;
  }

  synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    return synthesizeSegments(req.segments, signal, (text, seg, offset) => this.#sentence(text, seg.rate, offset));
  }

  async *#sentence(sentence: string, rate: number, offset: number): AsyncIterable<TtsChunk> {
    const inf = this.config.inference ?? {};
    const timed = await this.#espeak.phonemize(sentence, this.config.espeak.voice, rate);
    const phonemes = timed.events.filter((e) => e.type === 'phoneme').map((e) => e.phoneme!);
    const ids = this.phonemeIds(phonemes);
    const feeds: Record<string, ort.Tensor> = {
      input: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
      input_lengths: new ort.Tensor('int64', BigInt64Array.from([BigInt(ids.length)]), [1]),
      scales: new ort.Tensor('float32', Float32Array.from([inf.noise_scale ?? 0.667, (inf.length_scale ?? 1) / rate, inf.noise_w ?? 0.8]), [3]),
    };
    if (this.#speaker !== undefined) feeds.sid = new ort.Tensor('int64', BigInt64Array.from([BigInt(this.#speaker)]), [1]);
    const result = await this.#session.run(feeds);
    const audio = result[this.#session.outputNames[0]!]!.data as Float32Array;
    const pcm = Int16Array.from(audio, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
    const samples = new Resampler(this.config.audio.sample_rate, AUDIO_RATE).push(pcm);
    // Stretch eSpeak's timing onto the voice's audio so lip-sync follows this voice.
    const stretch = timed.durationMs > 0 ? samples.length / ((timed.durationMs * AUDIO_RATE) / 1000) : 1;
    const at = (ms: number) => offset + Math.round(((ms * AUDIO_RATE) / 1000) * stretch);
    const events: SpeechEvent[] = [{ type: 'sentence', at: offset, text: sentence }];
    for (const e of timed.events) {
      if (e.type === 'phoneme') events.push({ type: 'phoneme', at: at(e.ms), phoneme: e.phoneme! });
      else events.push({ type: 'word', at: at(e.ms), textOffset: e.textOffset!, length: 0 });
    }
    yield { samples, events };
  }

  close(): void {
    void this.#session.release();
  }
}
