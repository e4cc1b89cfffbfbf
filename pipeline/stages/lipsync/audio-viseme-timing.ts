// Lip-sync for voices that give audio only (neural TTS, speech servers): the audio→viseme model
// reads each synthesised chunk before it plays — it is produced ahead of playout — and the chunk
// goes on with viseme events, so the presenter's mouth track treats it like phoneme-timed speech.
import type { SynthesisRequest, TtsChunk, TtsEngine } from '../tts/tts-types.ts';
import type { VoiceVisemeModel } from './onnx-voice-mouth.ts';
import { VISEMES, type Viseme } from './visemes.ts';

const HOP = 160; // 16 kHz samples per hop (10 ms)
const WIN = 400;
/** Output hop t labels hop t − LOOKAHEAD (models/voice-visemes/manifest.json). */
const LOOKAHEAD = 2;
/** Audio before a chunk fed with it: covers the model's receptive field (33 hops). */
const CONTEXT_HOPS = 40;

/** One utterance's audio→viseme labelling, chunk by chunk (context carried across chunks). */
export class VisemeLabeller {
  readonly #model: VoiceVisemeModel;
  /** 16 kHz audio since the utterance began, trimmed to what the next chunk needs as context. */
  #audio = new Float32Array(0);
  #audioStart = 0;
  #carry: number[] = [];
  #last: Viseme | undefined;
  stats = { runs: 0, ms: 0 };

  constructor(model: VoiceVisemeModel) {
    this.#model = model;
  }

  /**
   * Visemes for the 48 kHz chunk that starts `offset` samples into the utterance, as keys (`at` in
   * 48 kHz samples from the utterance start) wherever the most likely viseme changes.
   */
  async label(samples48k: Int16Array, offset: number): Promise<{ at: number; viseme: Viseme }[]> {
    // 48 → 16 kHz: mean of each 3 (the model's mel bank stops at 7.6 kHz); leftovers carry over.
    const src = this.#carry.length ? Int16Array.from([...this.#carry, ...samples48k]) : samples48k;
    const n = Math.floor(src.length / 3);
    const fresh = new Float32Array(n);
    for (let i = 0; i < n; i++) fresh[i] = (src[3 * i]! + src[3 * i + 1]! + src[3 * i + 2]!) / 3 / 32768;
    this.#carry = Array.from(src.subarray(3 * n));
    const chunkStart = this.#audioStart + this.#audio.length; // 16 kHz index of fresh[0]
    const merged = new Float32Array(this.#audio.length + n);
    merged.set(this.#audio);
    merged.set(fresh, this.#audio.length);
    // Hops to label: those whose first sample lies in this chunk.
    const firstHop = Math.ceil(chunkStart / HOP);
    const endHop = Math.ceil((chunkStart + n) / HOP);
    const keys: { at: number; viseme: Viseme }[] = [];
    if (endHop > firstHop) {
      const inputHop = Math.max(0, firstHop - CONTEXT_HOPS);
      const from = inputHop * HOP - this.#audioStart;
      // The model looks LOOKAHEAD hops past each label; at a chunk's end that audio does not exist
      // yet, so silence stands in (the next chunk is labelled with the real audio as context).
      const needEnd = (endHop - 1 + LOOKAHEAD) * HOP + WIN - this.#audioStart;
      const input = new Float32Array(needEnd - from);
      input.set(merged.subarray(from, Math.min(merged.length, needEnd)));
      const t0 = performance.now();
      const probs = await this.#model.run(input);
      this.stats.runs++;
      this.stats.ms += performance.now() - t0;
      for (let hop = firstHop; hop < endHop; hop++) {
        const p = probs[hop - inputHop + LOOKAHEAD];
        if (!p) continue;
        let best = 0;
        for (let v = 1; v < VISEMES.length; v++) if (p[v]! > p[best]!) best = v;
        const viseme = VISEMES[best]!;
        if (viseme !== this.#last) keys.push({ at: Math.max(offset, hop * HOP * 3), viseme });
        this.#last = viseme;
      }
    }
    // Keep the context the next chunk needs.
    const keepFrom = Math.max(this.#audioStart, (endHop - CONTEXT_HOPS) * HOP);
    this.#audio = merged.slice(keepFrom - this.#audioStart);
    this.#audioStart = keepFrom;
    return keys;
  }
}

/** Wraps an engine whose chunks carry no phoneme timing: each chunk leaves with viseme events. */
export class AudioVisemeTiming implements TtsEngine {
  readonly name: string;
  readonly timing = 'phonemes' as const;
  readonly inner: TtsEngine;
  readonly #model: VoiceVisemeModel;

  constructor(inner: TtsEngine, model: VoiceVisemeModel) {
    this.inner = inner;
    this.name = inner.name;
    this.#model = model;
  }

  async *synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk> {
    const labeller = new VisemeLabeller(this.#model);
    let offset = 0;
    for await (const chunk of this.inner.synthesize(req, signal)) {
      // Chunks that already have phonemes (the fallback voice) keep them.
      if (chunk.samples.length && !chunk.events.some((e) => e.type === 'phoneme')) {
        const keys = await labeller.label(chunk.samples, offset);
        yield { samples: chunk.samples, events: [...chunk.events, ...keys.map((k) => ({ type: 'viseme' as const, ...k }))] };
      } else {
        if (chunk.samples.length) await labeller.label(chunk.samples, offset); // keeps the context continuous
        yield chunk;
      }
      offset += chunk.samples.length;
    }
  }

  close(): void {
    this.inner.close();
  }
}
