import type { FastifyInstance } from 'fastify';
import { AUDIO_RATE } from '../../pipeline/core/media.ts';
import { encodeWav } from '../../pipeline/core/wav.ts';
import { detectLang, VoiceError } from '../../pipeline/stages/tts/tts-types.ts';
import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { Auth } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { voiceProperty } from './schemas.ts';

const previewBody = {
  type: 'object',
  required: ['voice', 'text'],
  additionalProperties: false,
  properties: { voice: voiceProperty, text: { type: 'string', minLength: 1, maxLength: 300 } },
} as const;

/** The voices a presenter can speak with (engine, languages, lip-sync timing, health) and previews of them. */
export function voiceRoutes(app: FastifyInstance, deps: { voices: VoiceRouter; auth: Auth }): void {
  const operator = { onRequest: deps.auth.requireOperator };
  app.get('/v1/voices', operator, async () => ({
    voices: await deps.voices.list(),
    /** What viewers hear when no voice is named or a speech server fails. */
    fallback: 'espeak-ng',
  }));

  // For the operator's ears only: synthesised here, never on air, so it needs no audit entry.
  app.post<{ Body: { voice: string; text: string } }>('/v1/voices/preview', { ...operator, schema: { body: previewBody } }, async (req, reply) => {
    const lang = detectLang(req.body.text);
    const parts: Int16Array[] = [];
    const warnings: string[] = [];
    try {
      for await (const c of deps.voices.synthesize({ segments: [{ kind: 'text', text: req.body.text, rate: 1, lang }], lang, voice: req.body.voice }, AbortSignal.timeout(30_000))) {
        parts.push(c.samples);
        for (const e of c.events) if (e.type === 'warning') warnings.push(e.message);
      }
    } catch (err) {
      if (err instanceof VoiceError) throw new HttpError(400, err.message);
      throw err;
    }
    const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) all.set(p, (o += p.length) - p.length);
    // The fallback voice may have spoken instead: the panel shows why.
    if (warnings.length) reply.header('x-onair-voice-warning', encodeURIComponent(warnings[0]!));
    reply.type('audio/wav');
    return encodeWav(all, AUDIO_RATE);
  });
}
