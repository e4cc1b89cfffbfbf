// Labels recorded human speech for the audio→viseme model: Debian's Asterisk prompts (professional
// speakers reading short phone-menu sentences, with transcripts). Each recording is labelled by
// rendering its transcript with eSpeak NG in the same language (whose phoneme timing gives labels)
// and warping those labels onto the recording by dynamic time warping.
//   DTW: features per 10 ms hop = log-mel (24 bands, 60 Hz–3.8 kHz so 8 kHz recordings compare alike)
//   and log energy (weighted ×3), each normalised over the utterance; steps (1,1), (1,2), (2,1)
//   only, so local speed stays within 0.5–2×; leading/trailing silence trimmed first (−40 dB).
// The aligner's own noise is measured the same way between two eSpeak voices (where the truth is
// known) and written to recipe-real.json.
// Speakers (and what they are for):
//   it_IT_m_Carlo (G.722, 16 kHz)      training
//   ru_RU_f_IvrvoiceRU (G.722, 16 kHz) training
//   it_IT_f_Menardi (WAV, 8 kHz)       validation (model choice) — a speaker training never hears
//   en_US_f_Allison (G.722, 16 kHz)    the independent check: never in training or tuning
// Spanish (es_MX_f_Allison) is the check's own speaker, and neither es nor fr ships transcripts.
// Needs: apt-get install asterisk-core-sounds-{en,it,ru}-g722 asterisk-prompt-it-menardi-wav ffmpeg
// Usage: node --import tsx models/voice-visemes/real-speech.ts   (writes $VV_DATA/real-*.{pcm,lab,json})
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { VISEMES } from '../../pipeline/stages/lipsync/visemes.ts';
import { espeakRender, HOP, OUT, RATE, save, WIN, type Utt } from './labels.ts';

const SOUNDS = '/usr/share/asterisk/sounds';
interface Speaker {
  dir: string;
  ext: 'g722' | 'wav';
  lang: 'en' | 'it' | 'ru';
  espeak: string;
  split: 'real-train' | 'real-val' | 'real-test-en';
}
const SPEAKERS: Speaker[] = [
  { dir: 'it_IT_m_Carlo', ext: 'g722', lang: 'it', espeak: 'it', split: 'real-train' },
  { dir: 'ru_RU_f_IvrvoiceRU', ext: 'g722', lang: 'ru', espeak: 'ru', split: 'real-train' },
  { dir: 'it_IT_f_Menardi', ext: 'wav', lang: 'it', espeak: 'it', split: 'real-val' },
  { dir: 'en_US_f_Allison', ext: 'g722', lang: 'en', espeak: 'en-us', split: 'real-test-en' },
];
const MAX_PER_SPEAKER = Number(process.env.VV_REAL_MAX ?? 400);

function transcripts(lang: string): Map<string, string> {
  const text = gunzipSync(readFileSync(`/usr/share/doc/asterisk-core-sounds-${lang}/core-sounds-${lang}.txt.gz`)).toString('utf8');
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([\w/-]+):\s*(.+)$/.exec(line.replace(/^\uFEFF/, '').trim());
    // Prompts that are only a letter, a digit or a name read poorly against eSpeak: keep sentences.
    if (m && /[\p{L}]{2,}/u.test(m[2]!) && !m[2]!.includes('[')) out.set(m[1]!, m[2]!.replace(/\s+/g, ' '));
  }
  return out;
}

function decode(file: string): Int16Array {
  const args = file.endsWith('.g722') ? ['-f', 'g722', '-i', file] : ['-i', file];
  const raw = execFileSync('ffmpeg', ['-v', 'error', ...args, '-ac', '1', '-ar', String(RATE), '-f', 's16le', '-'], { maxBuffer: 1 << 28 });
  return new Int16Array(raw.buffer, raw.byteOffset, raw.length / 2).slice();
}

// ---- features: log-mel (24 bands up to 3.8 kHz) + log energy, per hop ----
const NFFT = 512;
const MEL = melBank(24, 60, 3800);
const HANN = Float64Array.from({ length: WIN }, (_, n) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / WIN));

function melBank(bands: number, lo: number, hi: number): Float64Array[] {
  const toMel = (f: number) => 2595 * Math.log10(1 + f / 700);
  const toHz = (m: number) => 700 * (10 ** (m / 2595) - 1);
  const pts = Array.from({ length: bands + 2 }, (_, i) => toHz(toMel(lo) + ((toMel(hi) - toMel(lo)) * i) / (bands + 1)));
  return Array.from({ length: bands }, (_, b) => {
    const w = new Float64Array(NFFT / 2 + 1);
    for (let k = 0; k < w.length; k++) {
      const f = (k * RATE) / NFFT;
      w[k] = Math.max(0, Math.min((f - pts[b]!) / (pts[b + 1]! - pts[b]!), (pts[b + 2]! - f) / (pts[b + 2]! - pts[b + 1]!)));
    }
    return w;
  });
}

/** Real FFT power spectrum of one windowed frame (radix-2, in place). */
function power(frame: Float64Array): Float64Array {
  const re = new Float64Array(NFFT);
  const im = new Float64Array(NFFT);
  re.set(frame);
  for (let i = 1, j = 0; i < NFFT; i++) {
    let bit = NFFT >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) [re[i], re[j]] = [re[j]!, re[i]!];
  }
  for (let len = 2; len <= NFFT; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < NFFT; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const wr = Math.cos(ang * k), wi = Math.sin(ang * k);
        const a = i + k, b = a + len / 2;
        const tr = re[b]! * wr - im[b]! * wi, ti = re[b]! * wi + im[b]! * wr;
        re[b] = re[a]! - tr; im[b] = im[a]! - ti;
        re[a] = re[a]! + tr; im[a] = im[a]! + ti;
      }
    }
  }
  const p = new Float64Array(NFFT / 2 + 1);
  for (let k = 0; k < p.length; k++) p[k] = re[k]! ** 2 + im[k]! ** 2;
  return p;
}

function features(audio: Int16Array): Float64Array[] {
  const hops = Math.max(0, Math.floor((audio.length - WIN) / HOP) + 1);
  const out: Float64Array[] = [];
  const frame = new Float64Array(WIN);
  for (let t = 0; t < hops; t++) {
    let e = 0;
    for (let n = 0; n < WIN; n++) {
      const x = audio[t * HOP + n]! / 32768;
      frame[n] = x * HANN[n]!;
      e += x * x;
    }
    const p = power(frame);
    const f = new Float64Array(MEL.length + 1);
    MEL.forEach((w, b) => {
      let s = 0;
      for (let k = 0; k < p.length; k++) s += w[k]! * p[k]!;
      f[b] = Math.log(s + 1e-8);
    });
    f[MEL.length] = Math.log(e / WIN + 1e-8);
    out.push(f);
  }
  // Per-utterance normalisation (offline alignment only), energy weighted ×3.
  const d = out[0]?.length ?? 0;
  for (let j = 0; j < d; j++) {
    let m = 0, v = 0;
    for (const f of out) m += f[j]!;
    m /= out.length || 1;
    for (const f of out) v += (f[j]! - m) ** 2;
    const sd = Math.sqrt(v / (out.length || 1)) + 1e-6;
    for (const f of out) f[j] = ((f[j]! - m) / sd) * (j === d - 1 ? 3 : 1);
  }
  return out;
}

/** [first, end) hops above −40 dB of the loudest, padded by 5 hops. */
function speechSpan(audio: Int16Array): [number, number] {
  const hops = Math.max(0, Math.floor((audio.length - WIN) / HOP) + 1);
  const e = Array.from({ length: hops }, (_, t) => {
    let s = 0;
    for (let n = 0; n < WIN; n++) s += (audio[t * HOP + n]! / 32768) ** 2;
    return 10 * Math.log10(s / WIN + 1e-10);
  });
  const top = Math.max(...e);
  const first = e.findIndex((x) => x > top - 40);
  let last = hops - 1;
  while (last > 0 && e[last]! <= top - 40) last--;
  return [Math.max(0, first - 5), Math.min(hops, last + 6)];
}

/** For each hop of `b`, the hop of `a` it aligns with (steps (1,1), (1,2), (2,1)); cost per step. */
function dtw(a: Float64Array[], b: Float64Array[]): { map: Int32Array; cost: number } | undefined {
  const n = a.length, m = b.length;
  if (n < 2 || m < 2 || n > 2 * m || m > 2 * n) return undefined;
  const D = new Float64Array(n * m).fill(Infinity);
  const from = new Uint8Array(n * m);
  const dist = (i: number, j: number) => {
    let s = 0;
    const x = a[i]!, y = b[j]!;
    for (let k = 0; k < x.length; k++) s += (x[k]! - y[k]!) ** 2;
    return Math.sqrt(s);
  };
  D[0] = dist(0, 0);
  for (let i = 1; i < n; i++) for (let j = 1; j < m; j++) {
    const c = dist(i, j);
    let best = D[(i - 1) * m + j - 1]! + 2 * c, f = 0;
    if (j >= 2) {
      const v = D[(i - 1) * m + j - 2]! + dist(i, j - 1) + c;
      if (v < best) (best = v), (f = 1);
    }
    if (i >= 2) {
      const v = D[(i - 2) * m + j - 1]! + dist(i - 1, j) + c;
      if (v < best) (best = v), (f = 2);
    }
    D[i * m + j] = best;
    from[i * m + j] = f;
  }
  if (!Number.isFinite(D[n * m - 1]!)) return undefined;
  const map = new Int32Array(m).fill(-1);
  let i = n - 1, j = m - 1;
  map[j] = i;
  while (i > 0 && j > 0) {
    const f = from[i * m + j];
    if (f === 0) (i -= 1), (j -= 1);
    else if (f === 1) (map[j - 1] = i), (i -= 1), (j -= 2);
    else (i -= 2), (j -= 1);
    if (j >= 0 && map[j] === -1) map[j] = i;
  }
  map[0] = 0;
  for (let k = 1; k < m; k++) if (map[k]! < 0) map[k] = map[k - 1]!;
  return { map, cost: D[n * m - 1]! / (n + m) };
}

/** Labels of `ref` (eSpeak) warped onto `audio`; silence outside the speech span. */
function warpLabels(ref: { audio: Int16Array; labels: Uint8Array }, audio: Int16Array): { labels: Uint8Array; cost: number } | undefined {
  const [r0, r1] = speechSpan(ref.audio);
  const [a0, a1] = speechSpan(audio);
  const fr = features(ref.audio).slice(r0, r1);
  const fa = features(audio).slice(a0, a1);
  const res = dtw(fr, fa);
  if (!res) return undefined;
  const hops = Math.max(0, Math.floor((audio.length - WIN) / HOP) + 1);
  const labels = new Uint8Array(hops); // 0 = sil
  for (let j = 0; j < res.map.length; j++) labels[a0 + j] = ref.labels[r0 + res.map[j]!] ?? 0;
  return { labels, cost: res.cost };
}

function agreement(x: Uint8Array, y: Uint8Array): { acc15: number; coarse: number } {
  const coarse = (v: number) => (['sil', 'PP', 'FF'].includes(VISEMES[v]!) ? 0 : ['O', 'U', 'RR', 'CH'].includes(VISEMES[v]!) ? 2 : 1);
  let a = 0, c = 0;
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    if (x[i] === y[i]) a++;
    if (coarse(x[i]!) === coarse(y[i]!)) c++;
  }
  return { acc15: a / n, coarse: c / n };
}

mkdirSync(OUT, { recursive: true });
const recipe: Record<string, unknown> = { speakers: SPEAKERS, maxPerSpeaker: MAX_PER_SPEAKER };

// 1. The aligner's own noise: eSpeak voice B's true labels vs voice A's labels warped onto B.
const noise: { acc15: number; coarse: number }[] = [];
const pairs: [string, string, string][] = [['it', 'it+m3', 'it'], ['ru', 'ru+f2', 'ru'], ['en-us', 'en-gb+m3', 'en']];
for (const [va, vb, lang] of pairs) {
  const texts = [...transcripts(lang).values()].slice(40, 80);
  for (const text of texts) {
    const a = espeakRender(va, text, 150, 50);
    const b = espeakRender(vb, text, 185, 35);
    const w = warpLabels(a, b.audio);
    if (w) noise.push(agreement(w.labels, b.labels));
  }
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / (xs.length || 1);
recipe.alignerNoise = { utterances: noise.length, accuracy15: +mean(noise.map((x) => x.acc15)).toFixed(4), accuracyCoarse: +mean(noise.map((x) => x.coarse)).toFixed(4) };
console.log('aligner noise between two eSpeak voices:', recipe.alignerNoise);

// 2. The recordings.
const splits = new Map<string, Utt[]>();
const kept: Record<string, { kept: number; dropped: number; medianCost: number }> = {};
for (const sp of SPEAKERS) {
  const tr = transcripts(sp.lang);
  const costs: { utt: Utt; cost: number }[] = [];
  let dropped = 0;
  for (const [id, text] of tr) {
    if (costs.length >= MAX_PER_SPEAKER) break;
    const file = path.join(SOUNDS, sp.dir, `${id}.${sp.ext}`);
    if (!existsSync(file)) continue;
    const audio = decode(file);
    const w = warpLabels(espeakRender(sp.espeak, text, 160, 50), audio);
    if (!w) {
      dropped++;
      continue;
    }
    costs.push({ utt: { voice: `asterisk:${sp.dir}`, lang: sp.lang, text, audio, labels: w.labels }, cost: w.cost });
  }
  // The worst-aligned tenth (wrong transcript, extra words) is left out.
  const sorted = [...costs].sort((a, b) => a.cost - b.cost);
  const limit = sorted[Math.floor(sorted.length * 0.9)]?.cost ?? Infinity;
  const good = costs.filter((c) => c.cost < limit);
  kept[sp.dir] = { kept: good.length, dropped: dropped + costs.length - good.length, medianCost: +(sorted[Math.floor(sorted.length / 2)]?.cost ?? 0).toFixed(3) };
  console.log(sp.dir, kept[sp.dir]);
  splits.set(sp.split, [...(splits.get(sp.split) ?? []), ...good.map((c) => c.utt)]);
}
recipe.recordings = kept;
for (const [split, utts] of splits) save(split, utts);
writeFileSync(path.join(OUT, 'recipe-real.json'), JSON.stringify(recipe, null, 2));
