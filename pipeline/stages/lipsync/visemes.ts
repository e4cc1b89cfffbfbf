// The 15 Oculus/Meta visemes, their mouth shapes, and the IPA → viseme mapping used for both
// English (eSpeak en-us IPA) and Mandarin (eSpeak cmn IPA, i.e. pinyin sounds).

export const VISEMES = ['sil', 'PP', 'FF', 'TH', 'DD', 'kk', 'CH', 'SS', 'nn', 'RR', 'aa', 'E', 'I', 'O', 'U'] as const;
export type Viseme = (typeof VISEMES)[number];

/** Mouth shape: open (jaw/lip gap), width (spread), round (protrusion/rounding), each 0..1. */
export interface MouthShape {
  open: number;
  width: number;
  round: number;
}

export const MOUTH_SHAPES: Record<Viseme, MouthShape> = {
  sil: { open: 0, width: 0.5, round: 0 },
  PP: { open: 0, width: 0.45, round: 0.15 },
  FF: { open: 0.1, width: 0.55, round: 0 },
  TH: { open: 0.18, width: 0.55, round: 0 },
  DD: { open: 0.28, width: 0.55, round: 0 },
  kk: { open: 0.32, width: 0.5, round: 0 },
  CH: { open: 0.25, width: 0.35, round: 0.6 },
  SS: { open: 0.15, width: 0.65, round: 0 },
  nn: { open: 0.22, width: 0.55, round: 0 },
  RR: { open: 0.28, width: 0.4, round: 0.5 },
  aa: { open: 0.9, width: 0.6, round: 0 },
  E: { open: 0.6, width: 0.75, round: 0 },
  I: { open: 0.38, width: 0.85, round: 0 },
  O: { open: 0.7, width: 0.35, round: 0.8 },
  U: { open: 0.35, width: 0.25, round: 1 },
};

// Longest match first: affricates and retroflexes before their single letters.
const CONSONANTS: [string, Viseme][] = [
  ['tʃ', 'CH'], ['dʒ', 'CH'], ['tɕ', 'CH'], ['dʑ', 'CH'], ['tʂ', 'CH'], ['ʈʂ', 'CH'], ['ts.', 'CH'], ['ʃ', 'CH'], ['ʒ', 'CH'], ['ɕ', 'CH'], ['ʂ', 'CH'], ['ʐ', 'CH'], ['s.', 'CH'], ['z.', 'CH'],
  ['ts', 'SS'], ['dz', 'SS'], ['s', 'SS'], ['z', 'SS'],
  ['p', 'PP'], ['b', 'PP'], ['m', 'PP'],
  ['f', 'FF'], ['v', 'FF'],
  ['θ', 'TH'], ['ð', 'TH'],
  ['t', 'DD'], ['d', 'DD'], ['ɾ', 'DD'], ['ʔ', 'DD'],
  ['k', 'kk'], ['g', 'kk'], ['ɡ', 'kk'], ['ŋ', 'kk'], ['x', 'kk'], ['χ', 'kk'], ['h', 'kk'], ['ɣ', 'kk'],
  ['n', 'nn'], ['l', 'nn'], ['ɫ', 'nn'], ['ɲ', 'nn'],
  ['ɹ', 'RR'], ['r', 'RR'], ['ɻ', 'RR'], ['ɚ', 'RR'], ['ɝ', 'RR'],
  ['j', 'I'], ['w', 'U'], ['ɥ', 'U'],
];

const VOWELS: Record<string, Viseme> = {
  a: 'aa', ɑ: 'aa', æ: 'aa', ʌ: 'aa', ɐ: 'aa', ä: 'aa',
  e: 'E', ɛ: 'E', ə: 'E', ɜ: 'E', ɤ: 'E',
  i: 'I', ɪ: 'I', ɨ: 'I',
  o: 'O', ɔ: 'O', ɒ: 'O',
  u: 'U', ʊ: 'U', ɯ: 'U', y: 'U', ʏ: 'U', ø: 'O',
};

/** Stress, length, syllabic, tone and eSpeak's retroflex-dot marks carry no mouth shape. */
function clean(phoneme: string): string {
  return phoneme.replace(/[ˈˌːˑ̩̯\u0300-\u036f1-5˥˦˧˨˩-]/g, '');
}

/**
 * One phoneme → one or two visemes (diphthongs such as "aɪ", "oʊ", "ua" glide between two shapes).
 * Empty or unknown phonemes (eSpeak marks pauses with "") are silence.
 */
export function phonemeToVisemes(phoneme: string): Viseme[] {
  const p = clean(phoneme);
  if (!p) return ['sil'];
  for (const [prefix, v] of CONSONANTS) if (p.startsWith(prefix)) return [v];
  const vowels = [...p].map((c) => VOWELS[c]).filter((v): v is Viseme => v !== undefined);
  if (vowels.length === 0) return ['sil'];
  return vowels.length > 1 && vowels[0] !== vowels.at(-1) ? [vowels[0]!, vowels.at(-1)!] : [vowels[0]!];
}
