/**
 * Picks 100 phonetically balanced recording prompts per language from the candidate lists.
 * Run: node --import tsx server/voices/prompts/select-prompts.ts  → writes en.json and zh.json here.
 *
 * Phonemes come from the same eSpeak NG engine OnAir speaks with, so "coverage" is measured in
 * the units the rest of the pipeline (visemes, alignment) actually sees.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EspeakEngine } from '../../../pipeline/stages/tts/espeak-engine.ts';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const TARGET = 100;
const MIN_SHARE = 10; // of 100: questions and exclamations each get at least this many…
const MAX_SHARE = 25; // …and at most this many, so statements stay the bulk (Azure guidance)
const W_UNI = 3; // a new phoneme is worth more than a new pair: rare phonemes must not be missed
const W_BI = 1;

type Kind = 'statement' | 'question' | 'exclamation';
interface Candidate {
  text: string;
  kind: Kind;
  phonemes: number;
  units: string[]; // "u:x" unigrams and "b:x y" bigrams, deduplicated
}

const kindOf = (text: string): Kind =>
  /[?？]$/.test(text) ? 'question' : /[!！]$/.test(text) ? 'exclamation' : 'statement';

const weight = (unit: string): number => (unit.startsWith('u:') ? W_UNI : W_BI);

/** Weighted count of the candidate's units not yet in `covered`. */
function gain(c: Candidate, covered: Map<string, number>): number {
  let g = 0;
  for (const u of c.units) if (!covered.get(u)) g += weight(u);
  return g;
}

async function analyse(engine: EspeakEngine, file: string, voice: string): Promise<Candidate[]> {
  const lines = readFileSync(path.join(DIR, file), 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  const out: Candidate[] = [];
  for (const text of lines) {
    const r = await engine.phonemize(text, voice, 1);
    // Stress, length and tone marks are not separate sounds to record; strip them before counting.
    const ph = r.events
      .filter((e) => e.type === 'phoneme' && e.phoneme)
      .map((e) => e.phoneme!.replace(/[ˈˌː1-5]/g, '').trim())
      .filter(Boolean);
    // "(en)"/"(cmn)" mark eSpeak switching language for a word it cannot read (e.g. a character
    // missing from its cmn dictionary): that transcription is wrong, so the sentence can't be scored.
    if (ph.some((p) => p.startsWith('('))) {
      console.warn(`skipped (eSpeak switched language): ${text}`);
      continue;
    }
    const units = new Set<string>();
    ph.forEach((p, i) => {
      units.add(`u:${p}`);
      if (i > 0) units.add(`b:${ph[i - 1]} ${p}`);
    });
    out.push({ text, kind: kindOf(text), phonemes: ph.length, units: [...units] });
  }
  return out;
}

function select(pool: Candidate[]): Candidate[] {
  const covered = new Map<string, number>(); // unit → how many chosen sentences contain it
  const chosen: Candidate[] = [];
  const count = (k: Kind) => chosen.filter((c) => c.kind === k).length;
  const add = (c: Candidate) => {
    chosen.push(c);
    for (const u of c.units) covered.set(u, (covered.get(u) ?? 0) + 1);
  };
  const remove = (c: Candidate) => {
    chosen.splice(chosen.indexOf(c), 1);
    for (const u of c.units) covered.set(u, covered.get(u)! - 1);
  };
  const best = (ok: (c: Candidate) => boolean): Candidate | undefined => {
    let top: Candidate | undefined;
    let topGain = -1;
    for (const c of pool) {
      if (chosen.includes(c) || !ok(c)) continue;
      const g = gain(c, covered);
      if (g > topGain || (g === topGain && c.phonemes < top!.phonemes)) [top, topGain] = [c, g];
    }
    return top;
  };

  while (chosen.length < TARGET) {
    const c = best((c) => c.kind === 'statement' || count(c.kind) < MAX_SHARE);
    if (!c) break;
    add(c);
  }
  // Quota repair: swap the statement whose removal loses least coverage for the best-covering
  // candidate of the missing type, until that type reaches its minimum (or runs out).
  for (const k of ['question', 'exclamation'] as const) {
    while (count(k) < MIN_SHARE) {
      const statements = chosen.filter((c) => c.kind === 'statement');
      if (!statements.length) break;
      const loss = (c: Candidate) => c.units.reduce((s, u) => s + (covered.get(u) === 1 ? weight(u) : 0), 0);
      const weakest = statements.reduce((a, b) => (loss(b) < loss(a) ? b : a));
      remove(weakest);
      const c = best((c) => c.kind === k);
      if (!c) {
        add(weakest);
        break;
      }
      add(c);
      console.log(`quota: ${k} "${c.text}" replaces statement "${weakest.text}"`);
    }
  }
  return chosen;
}

async function main(): Promise<void> {
  const engine = new EspeakEngine();
  await engine.ready();
  try {
    for (const { lang, voice } of [
      { lang: 'en', voice: 'en-us' },
      { lang: 'zh', voice: 'cmn' },
    ]) {
      const source = `candidates-${lang}.txt`;
      const pool = await analyse(engine, source, voice);
      const chosen = select(pool);
      const distinct = (items: Candidate[], prefix: string) =>
        new Set(items.flatMap((c) => c.units.filter((u) => u.startsWith(prefix)))).size;
      const coverage = {
        phonemes: `${distinct(chosen, 'u:')}/${distinct(pool, 'u:')}`,
        bigrams: `${distinct(chosen, 'b:')}/${distinct(pool, 'b:')}`,
        questions: chosen.filter((c) => c.kind === 'question').length,
        exclamations: chosen.filter((c) => c.kind === 'exclamation').length,
      };
      const doc = {
        lang,
        source,
        selection:
          `Greedy set cover over eSpeak NG (${voice}) phonemes, stress/length/tone marks stripped: each step adds the ` +
          `candidate with the most uncovered units (new phoneme x${W_UNI}, new within-sentence phoneme bigram x${W_BI}), ` +
          `ties to fewer phonemes; questions and exclamations each kept between ${MIN_SHARE} and ${MAX_SHARE} of ${TARGET}.`,
        coverage,
        prompts: chosen.map((c, i) => ({ id: `${lang}-${String(i + 1).padStart(3, '0')}`, text: c.text })),
      };
      writeFileSync(path.join(DIR, `${lang}.json`), JSON.stringify(doc, null, 2) + '\n');
      console.log(`${lang}: ${pool.length} candidates → ${chosen.length} prompts`, coverage);
    }
  } finally {
    engine.close();
  }
}

await main();
