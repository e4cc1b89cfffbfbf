// OpenAI's text-to-speech API shape, `POST /v1/audio/speech` (OpenAI API reference, "Create speech"):
// JSON {model, input, voice, response_format, speed, instructions}; `pcm` answers raw 16-bit mono
// 24 kHz, streamed as it is generated. Kokoro-FastAPI and many self-hosted servers speak it too.
import type { TtsEngine } from '../tts-types.ts';
import { HttpSpeechEngine, type SentenceRequest } from './http-speech-engine.ts';
import type { AudioRequest, PcmFormat } from './http-audio.ts';
import type { OpenAiVoiceConfig } from './http-voice-config.ts';

export class OpenAiSpeechEngine extends HttpSpeechEngine {
  declare readonly config: OpenAiVoiceConfig;

  constructor(config: OpenAiVoiceConfig, fallback: TtsEngine) {
    super(config, fallback);
  }

  protected async request(s: SentenceRequest): Promise<{ req: AudioRequest; format: PcmFormat }> {
    const c = this.config;
    const format = c.format ?? 'pcm';
    const body: Record<string, unknown> = { model: c.model, input: s.text, voice: c.voice, response_format: format, speed: Math.min(4, Math.max(0.25, (c.speed ?? 1) * s.rate)) };
    if (c.instructions) body.instructions = c.instructions;
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (c.apiKey) headers.authorization = `Bearer ${c.apiKey}`;
    return {
      req: { url: c.url, method: 'POST', headers, body: Buffer.from(JSON.stringify(body)) },
      format: format === 'wav' ? { kind: 'wav' } : { kind: 'raw', sampleRate: c.sampleRate ?? 24_000 },
    };
  }
}
