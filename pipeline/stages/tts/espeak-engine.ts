import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AUDIO_RATE } from '../../core/media.ts';
import { AsyncQueue } from '../../core/async-queue.ts';
import { Resampler } from './resampler.ts';
import { synthesizeSegments } from './segments.ts';
import type { Lang, SpeechEvent, SynthesisRequest, TtsChunk, TtsEngine } from './tts-types.ts';

const WORKER = path.join(path.dirname(fileURLToPath(import.meta.url)), 'espeak-worker.ts');
const DEFAULT_VOICES: Record<Lang, string> = { en: 'en-us', zh: 'cmn' };

interface WorkerMessage {
  id?: number;
  ready?: boolean;
  sampleRate?: number;
  samples?: Int16Array;
  events?: { type: string; ms: number; textPosition: number; length: number; id: unknown }[];
  done?: boolean;
  error?: string;
}


/**
 * eSpeak NG in a child process; audio resampled to 48 kHz, events converted to 48 kHz samples.
 * If the worker dies, the requests in flight fail and a fresh worker is started.
 */
export class EspeakEngine implements TtsEngine {
  readonly name = 'espeak-ng';
  readonly #jobs = new Map<number, AsyncQueue<WorkerMessage>>();
  #proc!: ChildProcess;
  #ready!: Promise<number>;
  #nextId = 1;
  #closed = false;
  /** How many times the worker has been (re)started. */
  starts = 0;

  constructor() {
    this.#spawn();
  }

  #spawn(): void {
    this.starts++;
    const proc = fork(WORKER, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#proc = proc;
    this.#ready = new Promise((resolve, reject) => {
      proc.once('error', reject);
      proc.once('exit', (code) => reject(new Error(`espeak worker exited (${code})`)));
      proc.on('message', (msg: WorkerMessage) => {
        if (msg.ready) resolve(msg.sampleRate!);
        else if (msg.id !== undefined) {
          const q = this.#jobs.get(msg.id);
          q?.push(msg);
          if (msg.done || msg.error) q?.end();
        }
      });
    });
    this.#ready.catch(() => {});
    proc.on('exit', () => {
      for (const q of this.#jobs.values()) {
        q.push({ error: 'espeak worker exited' });
        q.end();
      }
      if (!this.#closed) setTimeout(() => this.#closed || this.#spawn(), 200);
    });
  }

  /** The worker's pid (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.#proc.pid;
  }

  /** Resolves when the worker has loaded (≈200 ms); synthesize() waits for it too. */
  ready(): Promise<number> {
    return this.#ready;
  }

  async *synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const rate = await this.#ready;
    yield* synthesizeSegments(req.segments, signal, (text, seg, offset) => {
      // An explicit voice applies to the request's language; runs in the other language use its default.
      const lang = seg.lang ?? req.lang;
      const voice = req.voice && lang === req.lang ? req.voice : DEFAULT_VOICES[lang];
      return this.#sentence(text, voice, seg.rate, rate, offset, signal);
    });
  }

  async *#sentence(text: string, voice: string, speed: number, rate: number, base: number, signal: AbortSignal): AsyncIterable<TtsChunk> {
    if (this.#closed) throw new Error('TTS engine closed');
    const id = this.#nextId++;
    const queue = new AsyncQueue<WorkerMessage>();
    this.#jobs.set(id, queue);
    const resampler = new Resampler(rate, AUDIO_RATE);
    try {
      this.#proc.send({ id, text, voice, rate: speed });
      for (let r = await queue.next(); !r.done; r = await queue.next()) {
        const msg = r.value;
        if (msg.error) throw new Error(`eSpeak: ${msg.error}`);
        if (signal.aborted) return;
        if (!msg.samples) continue;
        const samples = resampler.push(msg.samples);
        const events: SpeechEvent[] = [];
        for (const e of msg.events ?? []) {
          const at = base + Math.round((e.ms * AUDIO_RATE) / 1000);
          if (e.type === 'phoneme' && typeof e.id === 'string') events.push({ type: 'phoneme', at, phoneme: e.id });
          else if (e.type === 'word') events.push({ type: 'word', at, textOffset: e.textPosition - 1, length: e.length });
          else if (e.type === 'sentence') events.push({ type: 'sentence', at, text });
        }
        yield { samples, events };
      }
    } finally {
      this.#jobs.delete(id);
    }
  }

  /**
   * IPA phonemes of a sentence with eSpeak's timing (ms) and the total duration: the phonemizer
   * for neural voices (Piper), which need phoneme ids and give no alignment of their own.
   */
  async phonemize(text: string, voice: string, rate = 1): Promise<{ events: { type: 'phoneme' | 'word'; ms: number; phoneme?: string; textOffset?: number }[]; durationMs: number }> {
    const sampleRate = await this.#ready;
    const id = this.#nextId++;
    const queue = new AsyncQueue<WorkerMessage>();
    this.#jobs.set(id, queue);
    const events: { type: 'phoneme' | 'word'; ms: number; phoneme?: string; textOffset?: number }[] = [];
    let samples = 0;
    try {
      this.#proc.send({ id, text, voice, rate });
      for (let r = await queue.next(); !r.done; r = await queue.next()) {
        if (r.value.error) throw new Error(`eSpeak: ${r.value.error}`);
        samples += r.value.samples?.length ?? 0;
        for (const e of r.value.events ?? []) {
          if (e.type === 'phoneme' && typeof e.id === 'string') events.push({ type: 'phoneme', ms: e.ms, phoneme: e.id });
          else if (e.type === 'word') events.push({ type: 'word', ms: e.ms, textOffset: e.textPosition - 1 });
        }
      }
    } finally {
      this.#jobs.delete(id);
    }
    return { events, durationMs: (samples / sampleRate) * 1000 };
  }

  close(): void {
    this.#closed = true;
    this.#proc.kill();
  }
}
