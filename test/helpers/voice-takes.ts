// Recorded takes for voice-studio tests: eSpeak NG reads the sentence in another voice than the one
// the reading check renders with (a different speaker, pace and pitch), with room tone and pauses
// around it like a microphone recording; faults (clipping, noise) are applied the way they happen.
import { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import { Resampler } from '../../pipeline/stages/tts/resampler.ts';
import { detectLang } from '../../pipeline/stages/tts/tts-types.ts';
import { seededRandom } from '../../pipeline/core/random.ts';

export type TakeFault = 'none' | 'clipped' | 'noisy' | 'quiet';

export async function recordTake(espeak: EspeakEngine, text: string, opts: { fault?: TakeFault; rate?: number; seed?: number } = {}): Promise<Int16Array> {
  const lang = detectLang(text);
  const parts: Int16Array[] = [];
  for await (const c of espeak.synthesize({ segments: [{ kind: 'text', text, rate: 0.9, lang }], lang, voice: lang === 'en' ? 'en-us+f3' : undefined }, new AbortController().signal)) parts.push(c.samples);
  const speech = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) speech.set(p, (o += p.length) - p.length);
  const rate = opts.rate ?? 48_000;
  const voice = rate === 48_000 ? speech : new Resampler(48_000, rate).push(speech);
  const pad = Math.round(0.4 * rate);
  const out = new Int16Array(voice.length + 2 * pad);
  const random = seededRandom(opts.seed ?? 7);
  const fault = opts.fault ?? 'none';
  const gain = fault === 'clipped' ? 8 : fault === 'quiet' ? 0.05 : 0.8;
  // Room tone: −75 dBFS in a quiet room, −32 dBFS with a fan running next to the microphone.
  const noise = fault === 'noisy' ? 800 : 6;
  for (let i = 0; i < out.length; i++) {
    const s = (i >= pad && i < pad + voice.length ? voice[i - pad]! * gain : 0) + (random() * 2 - 1) * noise * 1.7;
    out[i] = Math.max(-32768, Math.min(32767, Math.round(s)));
  }
  return out;
}
