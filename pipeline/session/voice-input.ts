import { AUDIO_RATE } from '../core/media.ts';
import { Resampler } from '../stages/tts/resampler.ts';

/**
 * Playout delay for the operator's voice: absorbs network jitter and gives the mouth analysis its
 * look-ahead, so the voice and the mouth it drives leave the server together.
 */
export const VOICE_DELAY_SAMPLES = (AUDIO_RATE * 80) / 1000;
/** Voice activity: a chunk this loud (RMS, 16-bit) counts as speech… */
const VAD_RMS = 400;
/** …and the voice ends after this long without speech (muted push-to-talk sends silence). */
const HANGOVER_MS = 700;
const MAX_BUFFER = AUDIO_RATE; // 1 s: beyond that the operator's link is stalling; drop the oldest

/**
 * The operator's live voice as a jitter buffer of mono 48 kHz PCM, with voice activity detection:
 * it becomes active when speech arrives (with the last 80 ms as pre-roll, so onsets aren't lost)
 * and inactive after 700 ms without speech, so a muted or idle microphone never blocks the
 * presenter's own speech.
 */
export class VoiceInput {
  #chunks: Int16Array[] = [];
  #offset = 0;
  #buffered = 0;
  #lastLoud = -Infinity;
  #playing = false;
  #resampler: Resampler | undefined;
  #resamplerRate = AUDIO_RATE;
  readonly #now: () => number;
  /** Voice-stream positions (48 kHz samples since the first push): written and played/discarded. */
  written = 0;
  position = 0;
  dropped = 0;
  /** Sees each pushed block (mono 48 kHz) at arrival, e.g. to run a model ahead of playout. */
  onSamples: ((mono: Int16Array) => void) | undefined;

  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Adds received audio (any rate, interleaved channels) in arrival order. */
  push(samples: Int16Array, sampleRate: number, channels = 1): void {
    let mono = samples;
    if (channels > 1) {
      mono = new Int16Array(Math.floor(samples.length / channels));
      for (let i = 0; i < mono.length; i++) {
        let sum = 0;
        for (let c = 0; c < channels; c++) sum += samples[i * channels + c]!;
        mono[i] = Math.round(sum / channels);
      }
    } else mono = Int16Array.from(samples); // the sink may reuse its buffer
    if (sampleRate !== AUDIO_RATE) {
      if (!this.#resampler || this.#resamplerRate !== sampleRate) {
        this.#resampler = new Resampler(sampleRate, AUDIO_RATE);
        this.#resamplerRate = sampleRate;
      }
      mono = this.#resampler.push(mono);
    }
    let sum = 0;
    for (const v of mono) sum += v * v;
    if (mono.length && Math.sqrt(sum / mono.length) > VAD_RMS) this.#lastLoud = this.#now();
    this.#chunks.push(mono);
    this.#buffered += mono.length;
    this.written += mono.length;
    this.onSamples?.(mono);
    if (this.#buffered > MAX_BUFFER) {
      const n = this.#buffered - MAX_BUFFER;
      this.dropped += n;
      this.#discardQuietly(n);
    }
  }

  /** Whether the voice is playing out now (evaluated once per 10 ms chunk by the mixer). */
  get active(): boolean {
    const speaking = this.#now() - this.#lastLoud < HANGOVER_MS;
    if (!this.#playing) {
      // Idle: keep only the pre-roll, so the delay stays constant when speech starts.
      if (this.#buffered > VOICE_DELAY_SAMPLES) this.#discardQuietly(this.#buffered - VOICE_DELAY_SAMPLES);
      if (speaking && this.#buffered >= VOICE_DELAY_SAMPLES) this.#playing = true;
    } else if (!speaking) {
      this.#playing = false;
      this.#discardQuietly(this.#buffered);
    }
    return this.#playing;
  }

  #discardQuietly(n: number): void {
    while (n > 0 && this.#chunks.length) {
      const take = Math.min(n, this.#chunks[0]!.length - this.#offset);
      this.#advance(take);
      n -= take;
    }
  }

  /** Copies the next samples into out[offset…]; returns how many were available (rest is silence). */
  read(out: Int16Array, offset = 0): number {
    let n = 0;
    while (offset + n < out.length && this.#chunks.length) {
      const head = this.#chunks[0]!;
      const take = Math.min(head.length - this.#offset, out.length - offset - n);
      out.set(head.subarray(this.#offset, this.#offset + take), offset + n);
      n += take;
      this.#advance(take);
    }
    return n;
  }

  /** The next `count` samples without consuming them (look-ahead for the mouth). */
  peek(count: number): Int16Array {
    const out = new Int16Array(count);
    let n = 0;
    let offset = this.#offset;
    for (const chunk of this.#chunks) {
      const take = Math.min(chunk.length - offset, count - n);
      out.set(chunk.subarray(offset, offset + take), n);
      n += take;
      offset = 0;
      if (n >= count) break;
    }
    return out;
  }

  #advance(n: number): void {
    this.position += n;
    this.#offset += n;
    this.#buffered -= n;
    while (this.#chunks.length && this.#offset >= this.#chunks[0]!.length) {
      this.#offset -= this.#chunks[0]!.length;
      this.#chunks.shift();
    }
  }
}
