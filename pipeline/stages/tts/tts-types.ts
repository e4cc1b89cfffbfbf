// What every TTS engine produces: PCM at 48 kHz plus events timed in samples from the start of
// the utterance, so lip-sync and gestures can be placed on the same clock as the audio.

export type Lang = 'en' | 'zh';

export type SpeechEvent =
  | { type: 'phoneme'; at: number; phoneme: string }
  | { type: 'word'; at: number; textOffset: number; length: number }
  | { type: 'sentence'; at: number; text: string }
  | { type: 'mark'; at: number; name: string };

export interface TtsChunk {
  samples: Int16Array;
  events: SpeechEvent[];
}

/** One piece of an utterance after SSML parsing: text to say, a pause, or a named mark. */
export type SpeechSegment =
  | { kind: 'text'; text: string; rate: number }
  | { kind: 'break'; ms: number }
  | { kind: 'mark'; name: string };

export interface SynthesisRequest {
  segments: SpeechSegment[];
  lang: Lang;
  voice?: string;
}

export interface TtsEngine {
  readonly name: string;
  /** Streams the utterance; stops early (without throwing) when `signal` aborts. */
  synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk>;
  close(): void;
}

/** CJK characters anywhere → Mandarin; otherwise English. */
export function detectLang(text: string): Lang {
  return /[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh' : 'en';
}
