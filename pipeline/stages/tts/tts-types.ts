// What every TTS engine produces: PCM at 48 kHz plus events timed in samples from the start of
// the utterance, so lip-sync and gestures can be placed on the same clock as the audio.

import type { Viseme } from '../lipsync/visemes.ts';

export type Lang = 'en' | 'zh';

export type SpeechEvent =
  | { type: 'phoneme'; at: number; phoneme: string }
  | { type: 'word'; at: number; textOffset: number; length: number }
  | { type: 'sentence'; at: number; text: string }
  | { type: 'mark'; at: number; name: string }
  /** A mouth shape from the audio itself (engines without phoneme timing; see AudioVisemeTiming). */
  | { type: 'viseme'; at: number; viseme: Viseme }
  /** Something the operator should know (a speech server failed, the fallback voice took over). */
  | { type: 'warning'; at: number; message: string };

export interface TtsChunk {
  samples: Int16Array;
  events: SpeechEvent[];
}

/** One piece of an utterance after SSML parsing: text to say, a pause, or a named mark. */
export type SpeechSegment =
  | { kind: 'text'; text: string; rate: number; lang?: Lang }
  | { kind: 'break'; ms: number }
  | { kind: 'mark'; name: string };

export interface SynthesisRequest {
  segments: SpeechSegment[];
  lang: Lang;
  voice?: string;
}

export interface TtsEngine {
  readonly name: string;
  /** 'none': chunks carry audio only, lip-sync must come from the audio. Default: phoneme events. */
  readonly timing?: 'phonemes' | 'none';
  /** Streams the utterance; stops early (without throwing) when `signal` aborts. */
  synthesize(req: SynthesisRequest, signal: AbortSignal): AsyncIterable<TtsChunk>;
  close(): void;
}

/** A voice that cannot be used: unknown, misconfigured or unreadable (an API answers 400). */
export class VoiceError extends Error {
  override name = 'VoiceError';
}

/** CJK characters anywhere → Mandarin; otherwise English. */
export function detectLang(text: string): Lang {
  return /[\u3400-\u9fff\uf900-\ufaff]/.test(text) ? 'zh' : 'en';
}

const CJK = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff01-\uff5e]/;
const LATIN = /[A-Za-z]/;

/**
 * Mixed Chinese/English text → runs with their own language, so "这款 iPhone 只要 99 元" is read by
 * the Mandarin voice with the English voice for "iPhone". Digits, spaces and punctuation stay with
 * the run they follow.
 */
export function splitByLanguage(segments: SpeechSegment[]): SpeechSegment[] {
  const out: SpeechSegment[] = [];
  for (const seg of segments) {
    if (seg.kind !== 'text' || seg.lang) {
      out.push(seg);
      continue;
    }
    let run = '';
    let lang: Lang | undefined;
    const flush = () => {
      if (run.trim()) out.push({ kind: 'text', text: run, rate: seg.rate, lang: lang ?? detectLang(seg.text) });
      run = '';
    };
    for (const ch of seg.text) {
      const chLang: Lang | undefined = CJK.test(ch) ? 'zh' : LATIN.test(ch) ? 'en' : undefined;
      if (chLang && lang && chLang !== lang) flush();
      if (chLang) lang = chLang;
      run += ch;
    }
    flush();
  }
  return out;
}
