// Takes in, checked takes out: each recording is decoded, measured (level, clipping, noise, length),
// compared with the prompt it should say, trimmed to its speech and kept at 48 kHz, so the
// dataset that leaves the studio is one a trainer or a zero-shot engine can use as is.
import { writeFile } from 'node:fs/promises';
import { AUDIO_RATE } from '../../pipeline/core/media.ts';
import { decodeWav, encodeWav } from '../../pipeline/core/wav.ts';
import type { VoiceVisemeModel } from '../../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import type { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import { Resampler } from '../../pipeline/stages/tts/resampler.ts';
import { levelChecks, measureTake, readingCheck } from '../../pipeline/stages/voice-studio/take-checks.ts';
import type { CosyVoiceConfig } from '../../pipeline/stages/tts/http/http-voice-config.ts';
import { HttpError } from '../errors.ts';
import type { CustomVoiceRecord, CustomVoiceStore, TakeRecord } from './custom-voice-store.ts';
import { promptList, promptText } from './voice-prompts.ts';

const MAX_SECONDS = 20;

export interface StudioDeps {
  store: CustomVoiceStore;
  espeak: EspeakEngine;
  /** The audio→viseme model the reading check compares with; without it the check is skipped. */
  visemeModel?: VoiceVisemeModel;
}

export class VoiceStudio {
  readonly #deps: StudioDeps;

  constructor(deps: StudioDeps) {
    this.#deps = deps;
  }

  /** Prompts with each one's take state, and where the person should resume. */
  progress(record: CustomVoiceRecord) {
    const prompts = [{ id: 'consent', text: record.consent.statement }, ...promptList(record.lang).prompts];
    const items = prompts.map((p, index) => ({ index, id: p.id, text: p.text, take: record.takes[index] ?? null }));
    const done = items.filter((i) => i.take?.ok).length;
    const next = items.find((i) => !i.take?.ok)?.index ?? null;
    return { total: items.length, done, next, prompts: items };
  }

  async submitTake(record: CustomVoiceRecord, index: number, body: Buffer): Promise<TakeRecord> {
    const text = promptText(record.lang, record.consent.statement, index);
    if (text === undefined) throw new HttpError(404, `no prompt ${index} for this voice`);
    if (index > 0 && !record.takes[0]?.ok) throw new HttpError(409, 'record the consent statement first (take 0): it has to pass its checks before any other take');
    let audio: { samples: Int16Array; sampleRate: number };
    try {
      audio = decodeWav(body, 'the take');
    } catch (err) {
      throw new HttpError(400, `${(err as Error).message} (send 16-bit PCM WAV, mono or stereo)`);
    }
    if (audio.sampleRate < 16_000) throw new HttpError(400, `the take is sampled at ${audio.sampleRate} Hz; record at 16 kHz or more (48 kHz preferred)`);
    if (audio.samples.length > MAX_SECONDS * audio.sampleRate) throw new HttpError(400, `the take is longer than ${MAX_SECONDS} s`);
    const levels = measureTake(audio.samples, audio.sampleRate);
    const checks = levelChecks(levels);
    const speech = audio.samples.subarray(levels.start, Math.max(levels.start, levels.end));
    if (this.#deps.visemeModel && speech.length > 0) {
      const reference = await this.#render(text, record.lang);
      checks.push(await readingCheck(this.#deps.visemeModel, speech, audio.sampleRate, reference, AUDIO_RATE));
    }
    const at48 = audio.sampleRate === AUDIO_RATE ? speech : new Resampler(audio.sampleRate, AUDIO_RATE).push(speech);
    await writeFile(this.#deps.store.takeFile(record.id, index), encodeWav(at48, AUDIO_RATE));
    const take: TakeRecord = {
      index,
      text,
      ok: checks.every((c) => c.ok),
      checks,
      seconds: Math.round((at48.length / AUDIO_RATE) * 100) / 100,
      snrDb: Math.round(levels.snrDb * 10) / 10,
      recordedAt: new Date().toISOString(),
    };
    record.takes[index] = take;
    await this.#deps.store.save(record);
    return take;
  }

  /** The best clip for zero-shot engines: a passing prompt take of 3–10 s with the cleanest sound. */
  reference(record: CustomVoiceRecord): TakeRecord | undefined {
    const usable = Object.values(record.takes).filter((t) => t.ok && t.index > 0 && t.seconds >= 3 && t.seconds <= 10);
    return usable.sort((a, b) => b.snrDb - a.snrDb || Math.abs(a.seconds - 6) - Math.abs(b.seconds - 6))[0];
  }

  /** The speech-server voice that clones this one zero-shot from its reference clip (undefined: none yet). */
  zeroShotConfig(record: CustomVoiceRecord): CosyVoiceConfig | undefined {
    const z = record.zeroShot;
    const ref = this.reference(record);
    if (!z || !ref || !record.takes[0]?.ok) return undefined;
    return { id: record.id, label: `${record.name} (zero-shot)`, langs: [record.lang], engine: 'cosyvoice', mode: 'zero_shot', url: z.url, sampleRate: z.sampleRate, promptWav: this.#deps.store.takeFile(record.id, ref.index), promptText: ref.text, ...(z.timeoutMs ? { timeoutMs: z.timeoutMs } : {}) };
  }

  async #render(text: string, lang: 'en' | 'zh'): Promise<Int16Array> {
    const parts: Int16Array[] = [];
    for await (const c of this.#deps.espeak.synthesize({ segments: [{ kind: 'text', text, rate: 1, lang }], lang }, new AbortController().signal)) parts.push(c.samples);
    const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return all;
  }
}
