import type { FastifyInstance } from 'fastify';
import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { Auth } from '../auth.ts';

/** The voices a presenter can speak with: engine, languages, how lip-sync is timed, and health. */
export function voiceRoutes(app: FastifyInstance, deps: { voices: VoiceRouter; auth: Auth }): void {
  app.get('/v1/voices', { onRequest: deps.auth.requireOperator }, async () => ({
    voices: await deps.voices.list(),
    /** What viewers hear when no voice is named or a speech server fails. */
    fallback: 'espeak-ng',
  }));
}
