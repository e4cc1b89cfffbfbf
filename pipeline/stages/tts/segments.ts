import { AUDIO_RATE } from '../../core/media.ts';
import type { SpeechSegment, TtsChunk } from './tts-types.ts';

/** Splits text into sentences so long scripts stream and can be cancelled between sentences. */
export function splitSentences(text: string): string[] {
  const parts = text.match(/[^.!?。！？；;\n]+[.!?。！？；;\n]*/g) ?? [];
  return parts.map((s) => s.trim()).filter((s) => s.length > 0);
}

/**
 * The part every engine shares: walks the SSML segments, turns breaks into silence and marks into
 * events, and hands each sentence of text to the engine with its offset (48 kHz samples since the
 * utterance started). Stops between chunks once `signal` aborts.
 */
export async function* synthesizeSegments(
  segments: SpeechSegment[],
  signal: AbortSignal,
  sentence: (text: string, seg: Extract<SpeechSegment, { kind: 'text' }>, offset: number) => AsyncIterable<TtsChunk>,
): AsyncIterable<TtsChunk> {
  let offset = 0;
  for (const seg of segments) {
    if (signal.aborted) return;
    if (seg.kind === 'break') {
      const n = Math.round((seg.ms * AUDIO_RATE) / 1000);
      yield { samples: new Int16Array(n), events: [] };
      offset += n;
    } else if (seg.kind === 'mark') {
      yield { samples: new Int16Array(0), events: [{ type: 'mark', at: offset, name: seg.name }] };
    } else {
      for (const text of splitSentences(seg.text)) {
        for await (const chunk of sentence(text, seg, offset)) {
          if (signal.aborted) return;
          offset += chunk.samples.length;
          yield chunk;
        }
      }
    }
  }
}
