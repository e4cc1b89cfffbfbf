// Local neural voices through sherpa-onnx (VITS/Piper, Matcha, Kokoro, Kitten, ZipVoice) in this
// process: its async generate runs on a native thread, so the event loop keeps pacing media. One
// sentence per call (sherpa gives no timing; AudioVisemeTiming reads the mouth from the audio).
import { createRequire } from 'node:module';
import path from 'node:path';
import { AUDIO_RATE } from '../../../core/media.ts';
import { Resampler } from '../resampler.ts';
import { synthesizeSegments } from '../segments.ts';
import { VoiceError, type SynthesisRequest, type TtsChunk, type TtsEngine } from '../tts-types.ts';
import type { LocalVoice, LocalVoiceManifest } from './local-voice-config.ts';

interface GeneratedAudio {
  samples: Float32Array;
  sampleRate: number;
}
interface SherpaTts {
  sampleRate: number;
  numSpeakers: number;
  generateAsync(req: Record<string, unknown>): Promise<GeneratedAudio>;
}
interface SherpaModule {
  OfflineTts: { createAsync(config: Record<string, unknown>): Promise<SherpaTts> };
}

// CommonJS addon; loaded on first use so a server without local voices never touches it.
let sherpa: SherpaModule | undefined;
function sherpaModule(): SherpaModule {
  sherpa ??= createRequire(import.meta.url)('sherpa-onnx-node') as SherpaModule;
  return sherpa;
}

/** sherpa-onnx's OfflineTtsConfig for a voice folder. */
export function sherpaConfig(voice: LocalVoice, numThreads: number): Record<string, unknown> {
  const m = voice.manifest;
  const at = (rel: string | undefined) => (rel ? path.resolve(voice.dir, rel) : '');
  const family: Record<LocalVoiceManifest['family'], () => Record<string, unknown>> = {
    vits: () => ({ model: at(m.model), tokens: at(m.tokens), lexicon: at(m.lexicon), dataDir: at(m.dataDir), dictDir: at(m.dictDir), lengthScale: m.lengthScale ?? 1 }),
    matcha: () => ({ acousticModel: at(m.acousticModel), vocoder: at(m.vocoder), tokens: at(m.tokens), lexicon: at(m.lexicon), dataDir: at(m.dataDir), dictDir: at(m.dictDir) }),
    kokoro: () => ({ model: at(m.model), voices: at(m.voices), tokens: at(m.tokens), lexicon: at(m.lexicon), dataDir: at(m.dataDir), dictDir: at(m.dictDir), lang: m.lang ?? '' }),
    kitten: () => ({ model: at(m.model), voices: at(m.voices), tokens: at(m.tokens), dataDir: at(m.dataDir) }),
    zipvoice: () => ({ encoder: at(m.encoder), decoder: at(m.decoder), vocoder: at(m.vocoder), tokens: at(m.tokens), lexicon: at(m.lexicon), dataDir: at(m.dataDir) }),
  };
  return { model: { [m.family]: family[m.family](), numThreads, provider: 'cpu', debug: false }, ruleFsts: m.ruleFsts ? at(m.ruleFsts) : '', maxNumSentences: 1 };
}

export class SherpaEngine implements TtsEngine {
  readonly name: string;
  readonly timing = 'none' as const;
  readonly voice: LocalVoice;
  readonly #tts: SherpaTts;
  readonly #reference: { samples: Float32Array; sampleRate: number } | undefined;
  /** Sentences made and their cost: first audio and real-time factor for the bench and the panel. */
  readonly stats = { sentences: 0, audioSeconds: 0, computeMs: 0 };

  private constructor(voice: LocalVoice, tts: SherpaTts, reference?: { samples: Float32Array; sampleRate: number }) {
    this.voice = voice;
    this.name = `local:${voice.name}`;
    this.#tts = tts;
    this.#reference = reference;
  }

  static async load(voice: LocalVoice, opts: { numThreads?: number; readWav?: (file: string) => { samples: Float32Array; sampleRate: number } } = {}): Promise<SherpaEngine> {
    let tts: SherpaTts;
    try {
      tts = await sherpaModule().OfflineTts.createAsync(sherpaConfig(voice, opts.numThreads ?? 1));
    } catch (err) {
      throw new VoiceError(`local voice "${voice.name}" did not load: ${(err as Error).message}`);
    }
    const speaker = voice.manifest.speaker ?? 0;
    if (speaker < 0 || speaker >= Math.max(1, tts.numSpeakers)) throw new VoiceError(`local voice "${voice.name}": speaker ${speaker} is not in 0…${tts.numSpeakers - 1}`);
    const ref = voice.manifest.referenceAudio && opts.readWav ? opts.readWav(path.resolve(voice.dir, voice.manifest.referenceAudio)) : undefined;
    return new SherpaEngine(voice, tts, ref);
  }

  synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    return synthesizeSegments(req.segments, signal, (text, seg, offset) => this.#sentence(text, seg.rate, offset, signal));
  }

  async *#sentence(text: string, rate: number, offset: number, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const m = this.voice.manifest;
    const generationConfig: Record<string, unknown> = { sid: m.speaker ?? 0, speed: rate, silenceScale: 0.2 };
    if (this.#reference) Object.assign(generationConfig, { referenceAudio: this.#reference.samples, referenceSampleRate: this.#reference.sampleRate, referenceText: m.referenceText ?? '', numSteps: m.numSteps ?? 4 });
    const t0 = performance.now();
    const audio = await this.#tts.generateAsync({ text, generationConfig });
    if (signal.aborted) return;
    this.stats.sentences++;
    this.stats.computeMs += performance.now() - t0;
    this.stats.audioSeconds += audio.samples.length / audio.sampleRate;
    const pcm = Int16Array.from(audio.samples, (v) => Math.max(-32768, Math.min(32767, Math.round(v * 32767))));
    const samples = new Resampler(audio.sampleRate, AUDIO_RATE).push(pcm);
    yield { samples, events: [{ type: 'sentence', at: offset, text }] };
  }

  close(): void {}
}
