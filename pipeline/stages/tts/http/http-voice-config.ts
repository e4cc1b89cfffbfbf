// The speech-server voices an operator configures (ONAIR_VOICES_FILE): one entry per voice, each
// naming its engine kind and how to reach it. Checked once at start so a typo is a clear message.
import { readFileSync } from 'node:fs';
import type { Lang } from '../tts-types.ts';

interface Common {
  /** Used as `voice: "<engine>:<id>"`. */
  id: string;
  /** A human name for the panel. */
  label?: string;
  url: string;
  /** Wait for the answer (and between audio chunks) before giving up; default 8000. */
  timeoutMs?: number;
  /** Extra tries after a retryable failure (connection, timeout, 429, 5xx); default 1. */
  retries?: number;
  /** Languages the voice speaks; default both. */
  langs?: Lang[];
}

/** OpenAI's `POST /v1/audio/speech` (also Kokoro-FastAPI, many self-hosted and hosted servers). */
export interface OpenAiVoiceConfig extends Common {
  engine: 'openai';
  model: string;
  voice: string;
  apiKey?: string;
  /** `pcm` is raw 16-bit mono at `sampleRate` (24 kHz in OpenAI's API); `wav` carries its rate. */
  format?: 'pcm' | 'wav';
  sampleRate?: number;
  speed?: number;
  instructions?: string;
}

/** FunAudioLLM CosyVoice `runtime/python/fastapi/server.py` (raw int16 PCM at the model's rate). */
export interface CosyVoiceConfig extends Common {
  engine: 'cosyvoice';
  mode: 'sft' | 'zero_shot' | 'cross_lingual' | 'instruct';
  /** sft / instruct: a speaker id the model knows (e.g. 中文女). */
  speaker?: string;
  /** zero_shot / cross_lingual: the reference clip (a WAV file on this machine) and, for zero_shot, what it says. */
  promptWav?: string;
  promptText?: string;
  instruct?: string;
  /** 22050 for CosyVoice-300M, 24000 for CosyVoice2/3. */
  sampleRate: number;
  /** The upstream server declares GET routes (form body); some forks use POST. */
  method?: 'GET' | 'POST';
}

/** RVC-Boss GPT-SoVITS `api_v2.py` `/tts`, optionally switching to fine-tuned weights first. */
export interface GptSovitsConfig extends Common {
  engine: 'gpt-sovits';
  /** Reference clip, a path on the GPT-SoVITS server. */
  refAudioPath: string;
  promptText?: string;
  promptLang: string;
  /** 0 off, 1–3 streamed (see api_v2.py); default 2. */
  streamingMode?: 0 | 1 | 2 | 3;
  mediaType?: 'wav' | 'raw';
  /** For mediaType raw: the model's output rate (32000 for v2 models). */
  sampleRate?: number;
  textSplitMethod?: string;
  speedFactor?: number;
  gptWeights?: string;
  sovitsWeights?: string;
}

export type HttpVoiceConfig = OpenAiVoiceConfig | CosyVoiceConfig | GptSovitsConfig;
export type HttpEngineKind = HttpVoiceConfig['engine'];
export const HTTP_ENGINE_KINDS: HttpEngineKind[] = ['openai', 'cosyvoice', 'gpt-sovits'];

const ID = /^[A-Za-z0-9_.-]{1,64}$/;

/** Reads and checks the voices file; throws with the entry and the field that is wrong. */
export function loadHttpVoices(file: string): HttpVoiceConfig[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read voices file ${file}: ${(err as Error).message}`);
  }
  const list = (parsed as { voices?: unknown }).voices;
  if (!Array.isArray(list)) throw new Error(`${file}: expected {"voices": [...]}`);
  return list.map((v, i) => checkVoice(v, `${file} voices[${i}]`));
}

export function checkVoice(v: unknown, where: string): HttpVoiceConfig {
  const o = v as Record<string, unknown>;
  const fail = (msg: string): never => {
    throw new Error(`${where}: ${msg}`);
  };
  if (!o || typeof o !== 'object') fail('not an object');
  if (typeof o.id !== 'string' || !ID.test(o.id)) fail('id must be 1–64 letters, digits, _ . -');
  if (!HTTP_ENGINE_KINDS.includes(o.engine as HttpEngineKind)) fail(`engine must be one of ${HTTP_ENGINE_KINDS.join(', ')}`);
  try {
    const u = new URL(String(o.url));
    if (u.protocol !== 'http:' && u.protocol !== 'https:') fail('url must be http(s)');
  } catch {
    fail(`url "${String(o.url)}" is not a URL`);
  }
  const str = (k: string) => typeof o[k] === 'string' && (o[k] as string).length > 0;
  if (o.engine === 'openai' && (!str('model') || !str('voice'))) fail('openai voices need model and voice');
  if (o.engine === 'cosyvoice') {
    if (!['sft', 'zero_shot', 'cross_lingual', 'instruct'].includes(String(o.mode))) fail('cosyvoice mode must be sft, zero_shot, cross_lingual or instruct');
    if (typeof o.sampleRate !== 'number') fail('cosyvoice voices need sampleRate (22050 CosyVoice-300M, 24000 CosyVoice2)');
    if ((o.mode === 'sft' || o.mode === 'instruct') && !str('speaker')) fail(`cosyvoice ${String(o.mode)} needs speaker`);
    if ((o.mode === 'zero_shot' || o.mode === 'cross_lingual') && !str('promptWav')) fail(`cosyvoice ${String(o.mode)} needs promptWav`);
    if (o.mode === 'zero_shot' && !str('promptText')) fail('cosyvoice zero_shot needs promptText');
  }
  if (o.engine === 'gpt-sovits' && (!str('refAudioPath') || !str('promptLang'))) fail('gpt-sovits voices need refAudioPath and promptLang');
  return o as unknown as HttpVoiceConfig;
}
