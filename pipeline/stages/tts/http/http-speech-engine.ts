// What the speech-server engines share: one request per sentence (first audio comes sooner, and an
// interrupt cancels the request in flight), audio resampled to 48 kHz as it streams in, retries for
// retryable failures, and a fallback voice so a failing server never silences the show.
import { AUDIO_RATE } from '../../../core/media.ts';
import { Resampler } from '../resampler.ts';
import { synthesizeSegments } from '../segments.ts';
import type { Lang, SpeechSegment, SynthesisRequest, TtsChunk, TtsEngine } from '../tts-types.ts';
import { openAudio, readPcm, SpeechServerError, type AudioRequest, type PcmFormat } from './http-audio.ts';
import type { HttpVoiceConfig } from './http-voice-config.ts';

/** After a failure the server is skipped for this long (no per-sentence timeouts in a row). */
const COOL_DOWN_MS = 20_000;

export interface SentenceRequest {
  text: string;
  lang: Lang;
  rate: number;
}

export abstract class HttpSpeechEngine implements TtsEngine {
  readonly name: string;
  /** These servers give audio only: lip-sync comes from the audio (see AudioVisemeTiming). */
  readonly timing = 'none' as const;
  readonly config: HttpVoiceConfig;
  readonly #fallback: TtsEngine;
  #downUntil = 0;
  #lastError = '';
  /** Requests made, failures, fallback sentences: for the panel and the bench. */
  readonly stats = { requests: 0, failures: 0, fallbacks: 0 };

  constructor(config: HttpVoiceConfig, fallback: TtsEngine) {
    this.config = config;
    this.name = `${config.engine}:${config.id}`;
    this.#fallback = fallback;
  }

  /** The HTTP request for one sentence and how to read its answer. */
  protected abstract request(s: SentenceRequest): Promise<{ req: AudioRequest; format: PcmFormat }>;

  /** Work before the first request of a sentence (GPT-SoVITS switches weights here). */
  protected async prepare(_signal: AbortSignal): Promise<void> {}

  /** Whether the server is being skipped after a failure, and why. */
  health(): { ok: boolean; error?: string } {
    return Date.now() < this.#downUntil ? { ok: false, error: this.#lastError } : { ok: true };
  }

  synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    return synthesizeSegments(req.segments, signal, (text, seg, offset) => this.#sentence(text, seg, req.lang, offset, signal));
  }

  async *#sentence(text: string, seg: Extract<SpeechSegment, { kind: 'text' }>, reqLang: Lang, offset: number, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const lang = seg.lang ?? reqLang;
    let produced = 0;
    let failure: string | undefined;
    if (Date.now() < this.#downUntil) failure = `${this.name} is unavailable (${this.#lastError})`;
    const tries = 1 + (this.config.retries ?? 1);
    for (let attempt = 1; !failure && attempt <= tries; attempt++) {
      try {
        for await (const samples of this.#stream({ text, lang, rate: seg.rate }, signal)) {
          const events: TtsChunk['events'] = produced === 0 ? [{ type: 'sentence', at: offset, text }] : [];
          produced += samples.length;
          yield { samples, events };
        }
        if (produced === 0 && !signal.aborted) throw new SpeechServerError('the answer held no audio');
        return;
      } catch (err) {
        if (signal.aborted) return;
        this.stats.failures++;
        const e = err as SpeechServerError;
        // Audio already played cannot be taken back: the rest of this sentence is lost, not repeated.
        if (produced > 0 || !e.retryable || attempt === tries) {
          failure = `${this.name}: ${e.message}`;
          this.#lastError = e.message;
          this.#downUntil = Date.now() + COOL_DOWN_MS;
        }
      }
    }
    if (signal.aborted || !failure) return;
    this.stats.fallbacks++;
    const warning = { type: 'warning' as const, at: offset + produced, message: produced ? `${failure}; the sentence was cut` : `${failure}; this sentence was spoken by the fallback voice` };
    if (produced > 0) {
      yield { samples: new Int16Array(0), events: [warning] };
      return;
    }
    let first = true;
    for await (const chunk of this.#fallback.synthesize({ segments: [{ kind: 'text', text, rate: seg.rate, lang }], lang }, signal)) {
      const events = chunk.events.map((e) => ({ ...e, at: e.at + offset }));
      if (first) events.unshift(warning);
      first = false;
      yield { samples: chunk.samples, events };
    }
  }

  async *#stream(s: SentenceRequest, signal: AbortSignal): AsyncIterable<Int16Array> {
    await this.prepare(signal);
    const { req, format } = await this.request(s);
    this.stats.requests++;
    const res = await openAudio(req, { signal, timeoutMs: this.config.timeoutMs ?? 8000 });
    let resampler: Resampler | undefined;
    try {
      for await (const pcm of readPcm(res, format, (rate) => (resampler = new Resampler(rate, AUDIO_RATE)))) {
        const out = resampler!.push(pcm);
        if (out.length) yield out;
      }
    } finally {
      res.destroy();
    }
  }

  close(): void {}
}
