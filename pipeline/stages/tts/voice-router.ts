import { existsSync } from 'node:fs';
import path from 'node:path';
import type { EspeakEngine } from './espeak-engine.ts';
import { PiperEngine, PiperVoiceError } from './piper-engine.ts';
import type { SynthesisRequest, TtsChunk, TtsEngine } from './tts-types.ts';

const PIPER_PREFIX = 'piper:';
const NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Picks the engine for a request's voice: `piper:NAME` loads `NAME.onnx` (+ `.onnx.json`) from the
 * configured Piper voice folder once, anything else is an eSpeak NG voice.
 */
export class VoiceRouter implements TtsEngine {
  readonly name = 'voice-router';
  readonly espeak: EspeakEngine;
  readonly #piperDir: string | undefined;
  readonly #piper = new Map<string, Promise<PiperEngine>>();

  constructor(espeak: EspeakEngine, piperDir?: string) {
    this.espeak = espeak;
    this.#piperDir = piperDir;
  }

  /** The engine for `voice`; a PiperVoiceError says what is wrong with a Piper voice. */
  async resolve(voice: string | undefined): Promise<TtsEngine> {
    if (!voice?.startsWith(PIPER_PREFIX)) return this.espeak;
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

  async *synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const engine = await this.resolve(req.voice);
    yield* engine.synthesize(engine === this.espeak ? req : { ...req, voice: undefined }, signal);
  }

  close(): void {
    for (const p of this.#piper.values()) p.then((e) => e.close(), () => {});
    this.espeak.close();
  }
}
