import { AUDIO_RATE } from '../../core/media.ts';
import { hashString, seededRandom } from '../../core/random.ts';

export const GESTURES = ['wave', 'point', 'open-palms', 'count', 'beat', 'nod', 'present'] as const;
export type Gesture = (typeof GESTURES)[number];

export interface GestureCue {
  /** Utterance-relative start, in 48 kHz samples. */
  at: number;
  gesture: Gesture;
  /** Which arm leads: the planner varies it so the presenter doesn't repeat itself. */
  side: 'left' | 'right';
  durationMs: number;
  /** What caused it, for logs and tests. */
  reason: string;
}

interface Rule {
  gesture: Gesture;
  pattern: RegExp;
  reason: string;
  durationMs: number;
}

// Text cues, English and Chinese. Order matters only for ties at the same character.
const RULES: Rule[] = [
  { gesture: 'wave', reason: 'greeting', durationMs: 1400, pattern: /\b(hello|hi|hey|welcome|good (morning|afternoon|evening)|bye|goodbye)\b|你好|大家好|欢迎|再见|拜拜/gi },
  { gesture: 'point', reason: 'this product', durationMs: 1200, pattern: /\b(this|these) (product|one|item|dress|phone|set|bag|deal)s?\b|这款|这个|这件|这套|这些/gi },
  { gesture: 'count', reason: 'number or price', durationMs: 1100, pattern: /[$¥€£]\s?\d[\d,.]*|\d[\d,.]*\s?(元|块|dollars?|yuan|%|percent|折)|\b\d+(\.\d+)?\b|[一二三四五六七八九十百千万]+(元|块|折|件)/gi },
  { gesture: 'open-palms', reason: 'question', durationMs: 1200, pattern: /[^.!?。！？]*[?？]|吗[。？?]?|呢[？?]/g },
  { gesture: 'beat', reason: 'emphasis', durationMs: 700, pattern: /!|！|\b(only|amazing|best|free|now|today|limited|never|must)\b|只要|超值|限时|马上|免费|最|特价|秒杀/gi },
];

const MIN_GAP_MS = 600;

export interface WordTiming {
  /** Utterance-relative sample where the word starts. */
  at: number;
  /** Character offset of the word in `text`. */
  textOffset: number;
}

/**
 * Plans gestures for one sentence: explicit marks always win; text cues add gestures at the word
 * they start on. Overlaps are resolved by dropping the later cue. Deterministic for a given seed.
 */
export function planGestures(
  text: string,
  words: WordTiming[],
  marks: { at: number; name: string }[],
  seed: number,
): GestureCue[] {
  const random = seededRandom(seed ^ hashString(text));
  const side = (): 'left' | 'right' => (random() < 0.5 ? 'left' : 'right');
  const cues: GestureCue[] = [];
  for (const m of marks) {
    const name = m.name.startsWith('gesture:') ? m.name.slice(8) : undefined;
    if (name && (GESTURES as readonly string[]).includes(name)) {
      cues.push({ at: m.at, gesture: name as Gesture, side: side(), durationMs: 1200, reason: 'mark' });
    }
  }
  const timeOf = (offset: number): number => {
    let at = words[0]?.at ?? 0;
    for (const w of words) if (w.textOffset <= offset) at = w.at;
    return at;
  };
  const found: { offset: number; rule: Rule }[] = [];
  for (const rule of RULES) {
    for (const m of text.matchAll(rule.pattern)) found.push({ offset: m.index ?? 0, rule });
  }
  found.sort((a, b) => a.offset - b.offset);
  for (const f of found) {
    // Emphasis is common: take it only some of the time, so beats don't become a tic.
    if (f.rule.gesture === 'beat' && random() < 0.4) continue;
    cues.push({ at: timeOf(f.offset), gesture: f.rule.gesture, side: side(), durationMs: f.rule.durationMs, reason: f.rule.reason });
  }
  cues.sort((a, b) => a.at - b.at || (a.reason === 'mark' ? -1 : 1));
  const kept: GestureCue[] = [];
  for (const c of cues) {
    const prev = kept.at(-1);
    if (prev && c.at < prev.at + ((prev.durationMs + MIN_GAP_MS) * AUDIO_RATE) / 1000) {
      if (c.reason === 'mark' && prev.reason !== 'mark') kept[kept.length - 1] = c;
      continue;
    }
    kept.push(c);
  }
  return kept;
}
