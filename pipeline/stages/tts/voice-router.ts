import { existsSync } from 'node:fs';
import path from 'node:path';
import { AudioVisemeTiming } from '../lipsync/audio-viseme-timing.ts';
import type { VoiceVisemeModel } from '../lipsync/onnx-voice-mouth.ts';
import type { EspeakEngine } from './espeak-engine.ts';
import { CosyVoiceEngine } from './http/cosyvoice-engine.ts';
import { GptSovitsEngine } from './http/gpt-sovits-engine.ts';
import type { HttpSpeechEngine } from './http/http-speech-engine.ts';
import { HTTP_ENGINE_KINDS, type HttpVoiceConfig } from './http/http-voice-config.ts';
import { OpenAiSpeechEngine } from './http/openai-speech-engine.ts';
import { listLocalVoiceNames, readLocalVoice } from './local/local-voice-config.ts';
import { SherpaEngine } from './local/sherpa-engine.ts';
import { readWav } from '../../core/wav.ts';
import { PiperEngine, PiperVoiceError } from './piper-engine.ts';
import { VoiceError, type Lang, type SynthesisRequest, type TtsChunk, type TtsEngine } from './tts-types.ts';

const PIPER_PREFIX = 'piper:';
const LOCAL_PREFIX = 'local:';
const CUSTOM_PREFIX = 'custom:';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface VoiceRouterDeps {
  espeak: EspeakEngine;
  /** Folder of Piper voices (NAME.onnx + NAME.onnx.json). */
  piperDir?: string;
  /** Folder of sherpa-onnx voice folders (NAME/voice.json), used as voice "local:NAME". */
  localDir?: string;
  /** Threads each local voice may use (sherpa-onnx numThreads). */
  localThreads?: number;
  /** Speech-server voices (ONAIR_VOICES_FILE). */
  httpVoices?: HttpVoiceConfig[];
  /** The presenter's own voices: the imported model of `custom:ID`, if any. */
  customVoices?: { modelPath(id: string): Promise<string | undefined>; list(): Promise<{ id: string; name: string; lang: Lang; ready: boolean }[]> };
  /** The audio→viseme model that lip-syncs voices without phoneme timing. */
  visemeModel?: VoiceVisemeModel;
}

/** A voice as the API and the panel list it. */
export interface VoiceInfo {
  voice: string;
  engine: string;
  label: string;
  langs: Lang[];
  /** How the mouth is timed: phonemes from the engine, or read from the audio. */
  lipSync: 'phonemes' | 'audio';
  /** false while a speech server is being skipped after a failure (the fallback voice speaks). */
  ok: boolean;
  error?: string;
  /** Where a local voice's weights come from and their licence (from its voice.json). */
  licence?: string;
}

/**
 * Picks the engine for a request's voice: `piper:NAME` loads `NAME.onnx` from the Piper folder once,
 * `openai:ID` / `cosyvoice:ID` / `gpt-sovits:ID` are configured speech servers (falling back to
 * eSpeak when they fail), anything else is an eSpeak NG voice.
 */
export class VoiceRouter implements TtsEngine {
  readonly name = 'voice-router';
  readonly espeak: EspeakEngine;
  readonly #piperDir: string | undefined;
  readonly #piper = new Map<string, Promise<PiperEngine>>();
  readonly #http = new Map<string, { engine: HttpSpeechEngine; timed: TtsEngine }>();
  readonly #localDir: string | undefined;
  readonly #localThreads: number;
  readonly #local = new Map<string, Promise<{ engine: SherpaEngine; timed: TtsEngine }>>();
  readonly #visemeModel: VoiceVisemeModel | undefined;
  readonly #customVoices: VoiceRouterDeps['customVoices'];
  readonly #custom = new Map<string, Promise<PiperEngine>>();

  constructor(deps: VoiceRouterDeps) {
    this.espeak = deps.espeak;
    this.#visemeModel = deps.visemeModel;
    this.#piperDir = deps.piperDir;
    this.#localDir = deps.localDir;
    this.#localThreads = deps.localThreads ?? 1;
    this.#customVoices = deps.customVoices;
    for (const config of deps.httpVoices ?? []) this.addHttpVoice(config);
  }

  /** Adds (or replaces) a speech-server voice, e.g. a zero-shot voice made from the studio's reference clip. */
  addHttpVoice(config: HttpVoiceConfig): string {
    const engine = createHttpEngine(config, this.espeak);
    // Without the model the mouth still follows loudness (the mouth track's energy term).
    const timed = this.#visemeModel ? new AudioVisemeTiming(engine, this.#visemeModel) : engine;
    this.#http.get(engine.name)?.engine.close();
    this.#http.set(engine.name, { engine, timed });
    return engine.name;
  }

  removeHttpVoice(voice: string): void {
    this.#http.get(voice)?.engine.close();
    this.#http.delete(voice);
  }

  /** The engine for `voice`; a VoiceError says what is wrong with it. */
  async resolve(voice: string | undefined): Promise<TtsEngine> {
    if (!voice || !voice.includes(':')) return this.espeak;
    const kind = voice.slice(0, voice.indexOf(':'));
    if (HTTP_ENGINE_KINDS.includes(kind as HttpVoiceConfig['engine'])) {
      const entry = this.#http.get(voice);
      if (!entry) throw new VoiceError(`voice "${voice}" is not configured (ONAIR_VOICES_FILE lists: ${[...this.#http.keys()].join(', ') || 'none'})`);
      return entry.timed;
    }
    if (voice.startsWith(CUSTOM_PREFIX)) return this.#loadCustom(voice.slice(CUSTOM_PREFIX.length));
    if (voice.startsWith(LOCAL_PREFIX)) return (await this.#loadLocal(voice.slice(LOCAL_PREFIX.length))).timed;
    if (!voice.startsWith(PIPER_PREFIX)) throw new VoiceError(`unknown voice engine "${kind}"`);
    const name = voice.slice(PIPER_PREFIX.length);
    if (!this.#piperDir) throw new PiperVoiceError('no Piper voices are configured (set ONAIR_PIPER_DIR)');
    if (!NAME.test(name)) throw new PiperVoiceError(`invalid Piper voice name "${name}"`);
    const file = path.join(this.#piperDir, `${name}.onnx`);
    if (!existsSync(file)) throw new PiperVoiceError(`Piper voice "${name}" not found in ${this.#piperDir}`);
    let engine = this.#piper.get(name);
    if (!engine) {
      engine = PiperEngine.load(file, this.espeak);
      this.#piper.set(name, engine);
      engine.catch(() => this.#piper.delete(name));
    }
    return engine;
  }

  async #loadCustom(id: string): Promise<PiperEngine> {
    let engine = this.#custom.get(id);
    if (!engine) {
      const file = await this.#customVoices?.modelPath(id);
      if (!file) throw new VoiceError(`custom voice "${id}" has no imported model yet (record, export, train, then import it)`);
      engine = PiperEngine.load(file, this.espeak);
      this.#custom.set(id, engine);
      engine.catch(() => this.#custom.delete(id));
    }
    return engine;
  }

  #loadLocal(name: string): Promise<{ engine: SherpaEngine; timed: TtsEngine }> {
    if (!this.#localDir) return Promise.reject(new VoiceError('no local voices are configured (set ONAIR_LOCAL_VOICES_DIR)'));
    let entry = this.#local.get(name);
    if (!entry) {
      const voice = readLocalVoice(this.#localDir, name); // throws VoiceError with the reason
      entry = SherpaEngine.load(voice, { numThreads: this.#localThreads, readWav: toFloat }).then((engine) => ({ engine, timed: this.#visemeModel ? new AudioVisemeTiming(engine, this.#visemeModel) : engine }));
      this.#local.set(name, entry);
      entry.catch(() => this.#local.delete(name));
    }
    return entry;
  }

  /** Drops a loaded custom voice (its model was replaced or the voice deleted). */
  forget(voice: string): void {
    const id = voice.slice(CUSTOM_PREFIX.length);
    this.#custom.get(id)?.then((e) => e.close(), () => {});
    this.#custom.delete(id);
  }

  /** Whether eSpeak voices should get mixed zh/en text split by language (neural voices read it whole). */
  isEspeak(voice: string | undefined): boolean {
    return !voice || !voice.includes(':');
  }

  /** Every voice a request may name (eSpeak's defaults, configured servers); Piper voices by folder. */
  async list(): Promise<VoiceInfo[]> {
    const out: VoiceInfo[] = [
      { voice: 'en-us', engine: 'espeak-ng', label: 'eSpeak NG English (robotic fallback)', langs: ['en'], lipSync: 'phonemes', ok: true },
      { voice: 'cmn', engine: 'espeak-ng', label: 'eSpeak NG Mandarin (robotic fallback)', langs: ['zh'], lipSync: 'phonemes', ok: true },
    ];
    for (const v of (await this.#customVoices?.list()) ?? []) {
      out.push({ voice: `custom:${v.id}`, engine: 'piper (own voice)', label: v.name, langs: [v.lang], lipSync: 'phonemes', ok: v.ready, ...(v.ready ? {} : { error: 'no model imported yet' }) });
    }
    for (const name of this.#localDir ? listLocalVoiceNames(this.#localDir) : []) {
      try {
        const m = readLocalVoice(this.#localDir!, name).manifest;
        out.push({ voice: `local:${name}`, engine: `sherpa-onnx ${m.family}`, label: m.label ?? name, langs: m.langs ?? ['zh', 'en'], lipSync: this.#visemeModel ? 'audio' : 'phonemes', ok: true, ...(m.licence ? { licence: m.licence } : {}) });
      } catch (err) {
        out.push({ voice: `local:${name}`, engine: 'sherpa-onnx', label: name, langs: [], lipSync: 'audio', ok: false, error: (err as Error).message });
      }
    }
    for (const [voice, { engine, timed }] of this.#http) {
      const h = engine.health();
      out.push({ voice, engine: engine.config.engine, label: engine.config.label ?? engine.config.id, langs: engine.config.langs ?? ['zh', 'en'], lipSync: timed === engine ? 'phonemes' : 'audio', ok: h.ok, ...(h.error ? { error: h.error } : {}) });
    }
    return out;
  }

  async *synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const engine = await this.resolve(req.voice);
    yield* engine.synthesize(engine === this.espeak ? req : { ...req, voice: undefined }, signal);
  }

  close(): void {
    for (const p of [...this.#piper.values(), ...this.#custom.values()]) p.then((e) => e.close(), () => {});
    for (const { engine } of this.#http.values()) engine.close();
    this.espeak.close();
  }
}

function toFloat(file: string): { samples: Float32Array; sampleRate: number } {
  const { samples, sampleRate } = readWav(file);
  return { samples: Float32Array.from(samples, (v) => v / 32768), sampleRate };
}

function createHttpEngine(config: HttpVoiceConfig, fallback: TtsEngine): HttpSpeechEngine {
  switch (config.engine) {
    case 'openai':
      return new OpenAiSpeechEngine(config, fallback);
    case 'cosyvoice':
      return new CosyVoiceEngine(config, fallback);
    case 'gpt-sovits':
      return new GptSovitsEngine(config, fallback);
  }
}
