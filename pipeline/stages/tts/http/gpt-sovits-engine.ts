// RVC-Boss GPT-SoVITS api_v2.py: POST /tts with JSON {text, text_lang, ref_audio_path, prompt_text,
// prompt_lang, text_split_method, speed_factor, media_type, streaming_mode}; a streamed WAV is one
// header (no length) then raw chunks; errors are 400 {message, Exception}. GET /set_gpt_weights and
// /set_sovits_weights (?weights_path=) switch the server to a fine-tuned voice.
import type { TtsEngine } from '../tts-types.ts';
import { HttpSpeechEngine, type SentenceRequest } from './http-speech-engine.ts';
import { openAudio, type AudioRequest, type PcmFormat } from './http-audio.ts';
import type { GptSovitsConfig } from './http-voice-config.ts';

/** Weights each GPT-SoVITS server has loaded (the server holds one model at a time). */
const loaded = new Map<string, { gpt?: string; sovits?: string }>();

export class GptSovitsEngine extends HttpSpeechEngine {
  declare readonly config: GptSovitsConfig;

  constructor(config: GptSovitsConfig, fallback: TtsEngine) {
    super(config, fallback);
  }

  get #base(): string {
    return this.config.url.replace(/\/$/, '');
  }

  protected override async prepare(signal: AbortSignal): Promise<void> {
    const c = this.config;
    const state = loaded.get(this.#base) ?? {};
    loaded.set(this.#base, state);
    for (const [kind, path] of [['gpt', c.gptWeights], ['sovits', c.sovitsWeights]] as const) {
      if (!path || state[kind] === path) continue;
      const res = await openAudio({ url: `${this.#base}/set_${kind}_weights?weights_path=${encodeURIComponent(path)}`, method: 'GET' }, { signal, timeoutMs: Math.max(30_000, c.timeoutMs ?? 0) });
      res.resume();
      state[kind] = path;
    }
  }

  protected async request(s: SentenceRequest): Promise<{ req: AudioRequest; format: PcmFormat }> {
    const c = this.config;
    const mediaType = c.mediaType ?? 'wav';
    const body = {
      text: s.text,
      text_lang: s.lang,
      ref_audio_path: c.refAudioPath,
      prompt_text: c.promptText ?? '',
      prompt_lang: c.promptLang,
      text_split_method: c.textSplitMethod ?? 'cut5',
      speed_factor: (c.speedFactor ?? 1) * s.rate,
      media_type: mediaType,
      streaming_mode: c.streamingMode ?? 2,
    };
    return {
      req: { url: `${this.#base}/tts`, method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(body)) },
      format: mediaType === 'wav' ? { kind: 'wav' } : { kind: 'raw', sampleRate: c.sampleRate ?? 32_000 },
    };
  }
}
