// Shared by the data builders: per-hop viseme labels from timed segments, eSpeak NG renderings with
// their phoneme timing, and the split format train.py reads ({split}.pcm int16 16 kHz, {split}.lab
// uint8 viseme per 10 ms hop, {split}.json per-utterance index).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import createModule from '@echogarden/espeak-ng-emscripten';
import { phonemeToVisemes, VISEMES, type Viseme } from '../../pipeline/stages/lipsync/visemes.ts';
import { Resampler } from '../../pipeline/stages/tts/resampler.ts';

export const OUT = process.env.VV_DATA ?? '/tmp/onair-vv';
export const RATE = 16000;
export const HOP = 160; // 10 ms
export const WIN = 400; // 25 ms analysis window; a hop's label is taken at the window centre

export interface Utt {
  voice: string;
  lang: string;
  text: string;
  audio: Int16Array;
  labels: Uint8Array;
}

export /** Segments [start, end) in seconds with visemes → one label per hop. */
function labelHops(segments: { start: number; end: number; visemes: Viseme[] }[], samples: number): Uint8Array {
  const hops = Math.max(0, Math.floor((samples - WIN) / HOP) + 1);
  const labels = new Uint8Array(hops);
  let k = 0;
  for (let t = 0; t < hops; t++) {
    const time = (t * HOP + WIN / 2) / RATE;
    while (k + 1 < segments.length && segments[k]!.end <= time) k++;
    const seg = segments[k];
    let v: Viseme = 'sil';
    if (seg && time >= seg.start && time < seg.end) {
      const part = Math.min(seg.visemes.length - 1, Math.floor(((time - seg.start) / (seg.end - seg.start)) * seg.visemes.length));
      v = seg.visemes[part]!;
    }
    labels[t] = VISEMES.indexOf(v);
  }
  return labels;
}


const espeak = new (await createModule()).eSpeakNGWorker();
const espeakRate = espeak.get_samplerate() as number;

/** eSpeak NG speaking `text` with `voice` at `rate` wpm and `pitch` (0–100): 16 kHz audio and hop labels. */
export function espeakRender(voice: string, text: string, rate: number, pitch: number): { audio: Int16Array; labels: Uint8Array } {
  espeak.set_voice(voice);
  espeak.set_rate(rate);
  (espeak as unknown as { set_pitch(p: number): void }).set_pitch(pitch);
  const chunks: Int16Array[] = [];
  const phonemes: { ms: number; id: string }[] = [];
  espeak.synthesize(text, (samples, events) => {
    chunks.push(Int16Array.from(samples));
    for (const e of events) if (e.type === 'phoneme' && typeof e.id === 'string') phonemes.push({ ms: e.audio_position, id: e.id });
    return 0;
  });
  const audio = new Resampler(espeakRate, RATE).push(Int16Array.from(chunks.flatMap((c) => [...c])));
  const segments = phonemes.map((p, i) => ({ start: p.ms / 1000, end: (phonemes[i + 1]?.ms ?? p.ms + 80) / 1000, visemes: phonemeToVisemes(p.id) }));
  return { audio, labels: labelHops(segments, audio.length) };
}

export function save(split: string, utts: Utt[]): void {
  const index: object[] = [];
  let a = 0;
  let l = 0;
  for (const u of utts) {
    index.push({ voice: u.voice, lang: u.lang, text: u.text, audio: [a, u.audio.length], labels: [l, u.labels.length] });
    a += u.audio.length;
    l += u.labels.length;
  }
  const pcm = new Int16Array(a);
  const lab = new Uint8Array(l);
  a = 0;
  l = 0;
  for (const u of utts) {
    pcm.set(u.audio, a);
    lab.set(u.labels, l);
    a += u.audio.length;
    l += u.labels.length;
  }
  writeFileSync(path.join(OUT, `${split}.pcm`), Buffer.from(pcm.buffer));
  writeFileSync(path.join(OUT, `${split}.lab`), Buffer.from(lab.buffer));
  writeFileSync(path.join(OUT, `${split}.json`), JSON.stringify(index));
  console.log(`${split}: ${utts.length} utterances, ${(a / RATE / 60).toFixed(1)} min of audio`);
}

