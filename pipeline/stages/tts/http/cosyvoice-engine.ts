// FunAudioLLM CosyVoice's FastAPI server (runtime/python/fastapi/server.py): /inference_sft
// (tts_text, spk_id), /inference_zero_shot (+ prompt_text, prompt_wav file), /inference_cross_lingual,
// /inference_instruct (+ instruct_text). Form fields on a GET, as its client.py sends them; the
// answer is raw int16 PCM at the model's rate, streamed per generated segment.
import { readFile } from 'node:fs/promises';
import type { TtsEngine } from '../tts-types.ts';
import { HttpSpeechEngine, type SentenceRequest } from './http-speech-engine.ts';
import { SpeechServerError, type AudioRequest, type PcmFormat } from './http-audio.ts';
import type { CosyVoiceConfig } from './http-voice-config.ts';

export class CosyVoiceEngine extends HttpSpeechEngine {
  declare readonly config: CosyVoiceConfig;
  #prompt: Promise<Buffer> | undefined;

  constructor(config: CosyVoiceConfig, fallback: TtsEngine) {
    super(config, fallback);
  }

  protected async request(s: SentenceRequest): Promise<{ req: AudioRequest; format: PcmFormat }> {
    const c = this.config;
    const form = new FormData();
    form.set('tts_text', s.text);
    if (c.mode === 'sft' || c.mode === 'instruct') form.set('spk_id', c.speaker!);
    if (c.mode === 'zero_shot') form.set('prompt_text', c.promptText!);
    if (c.mode === 'instruct') form.set('instruct_text', c.instruct ?? '');
    if (c.mode === 'zero_shot' || c.mode === 'cross_lingual') {
      this.#prompt ??= readFile(c.promptWav!).catch((err: Error) => {
        this.#prompt = undefined;
        throw new SpeechServerError(`cannot read the prompt clip ${c.promptWav}: ${err.message}`, 400);
      });
      form.set('prompt_wav', new Blob([new Uint8Array(await this.#prompt)]), 'prompt_wav');
    }
    // Serialised by the platform's own multipart encoder (boundary included).
    const encoded = new Response(form);
    const body = Buffer.from(await encoded.arrayBuffer());
    const url = `${c.url.replace(/\/$/, '')}/inference_${c.mode}`;
    return { req: { url, method: c.method ?? 'GET', headers: { 'content-type': encoded.headers.get('content-type')! }, body }, format: { kind: 'raw', sampleRate: c.sampleRate } };
  }
}
