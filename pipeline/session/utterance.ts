import type { GestureCue } from '../stages/gesture/gesture-planner.ts';
import type { SpeechEvent, SynthesisRequest, TtsEngine } from '../stages/tts/tts-types.ts';
import { planGestures } from '../stages/gesture/gesture-planner.ts';
import { AUDIO_RATE } from '../core/media.ts';

/** Audio synthesised ahead of playback is capped here; TTS waits when it's reached. */
const MAX_AHEAD_SAMPLES = 5 * AUDIO_RATE;

/**
 * One line to say: its synthesis runs ahead into a bounded buffer as soon as it's queued; playback
 * reads from the buffer. Events and gesture cues are kept relative to the utterance start.
 */
export class Utterance {
  readonly id: string;
  readonly text: string;
  readonly abort = new AbortController();
  readonly #chunks: Int16Array[] = [];
  #chunkOffset = 0;
  #buffered = 0;
  #written = 0;
  #wake: (() => void) | undefined;
  synthesisDone = false;
  error: Error | undefined;
  /** Events not yet handed to the player (it drains them). */
  pendingEvents: SpeechEvent[] = [];
  pendingCues: GestureCue[] = [];

  constructor(id: string, text: string) {
    this.id = id;
    this.text = text;
  }

  get buffered(): number {
    return this.#buffered;
  }

  /** Starts synthesis; resolves when done, aborted, or failed (never throws). */
  async synthesize(engine: TtsEngine, req: SynthesisRequest, seed: number): Promise<void> {
    let sentence: { text: string; words: { at: number; textOffset: number }[]; marks: { at: number; name: string }[] } | undefined;
    const marksBeforeText: { at: number; name: string }[] = [];
    const planSentence = () => {
      if (sentence) this.pendingCues.push(...planGestures(sentence.text, sentence.words, sentence.marks, seed));
      sentence = undefined;
    };
    try {
      for await (const chunk of engine.synthesize(req, this.abort.signal)) {
        if (this.abort.signal.aborted) break;
        for (const e of chunk.events) {
          if (e.type === 'sentence') {
            planSentence();
            sentence = { text: e.text, words: [], marks: marksBeforeText.splice(0) };
          } else if (e.type === 'word') sentence?.words.push({ at: e.at, textOffset: e.textOffset });
          else if (e.type === 'mark') (sentence ? sentence.marks : marksBeforeText).push({ at: e.at, name: e.name });
        }
        this.pendingEvents.push(...chunk.events);
        if (chunk.samples.length) {
          this.#chunks.push(chunk.samples);
          this.#buffered += chunk.samples.length;
          this.#written += chunk.samples.length;
        }
        while (this.#buffered > MAX_AHEAD_SAMPLES && !this.abort.signal.aborted) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
      }
      planSentence();
      if (marksBeforeText.length) this.pendingCues.push(...planGestures('', [], marksBeforeText, seed));
    } catch (err) {
      this.error = err as Error;
    } finally {
      this.synthesisDone = true;
    }
  }

  /** Copies up to out.length samples into `out` at `offset`; returns how many were available. */
  read(out: Int16Array, offset: number): number {
    let n = 0;
    while (n < out.length - offset && this.#chunks.length) {
      const head = this.#chunks[0]!;
      const take = Math.min(head.length - this.#chunkOffset, out.length - offset - n);
      out.set(head.subarray(this.#chunkOffset, this.#chunkOffset + take), offset + n);
      n += take;
      this.#chunkOffset += take;
      if (this.#chunkOffset >= head.length) {
        this.#chunks.shift();
        this.#chunkOffset = 0;
      }
    }
    this.#buffered -= n;
    if (this.#wake && this.#buffered <= MAX_AHEAD_SAMPLES) {
      const wake = this.#wake;
      this.#wake = undefined;
      wake();
    }
    return n;
  }

  /** True when everything synthesised has been played. */
  get drained(): boolean {
    return this.synthesisDone && this.#buffered === 0;
  }

  cancel(): void {
    this.abort.abort();
    this.#wake?.();
  }
}
