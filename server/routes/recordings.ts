import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Auth } from '../auth.ts';
import type { Recordings } from '../recordings/recordings.ts';
import { sessionParams } from './schemas.ts';

const recordingParams = { type: 'object', required: ['recordingId'], properties: { recordingId: { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } } } as const;

/** Start/stop per session, list, download (operator key), delete. */
export function recordingRoutes(app: FastifyInstance, recordings: Recordings, auth: Auth): void {
  const operator = { onRequest: auth.requireOperator };

  app.post<{ Params: { id: string } }>('/v1/sessions/:id/recordings', { ...operator, schema: { params: sessionParams } }, async (req, reply) => {
    const r = await recordings.start(req.params.id);
    reply.code(201);
    return r;
  });

  app.get<{ Params: { id: string } }>('/v1/sessions/:id/recordings', { ...operator, schema: { params: sessionParams } }, async (req) => ({ recordings: await recordings.list(req.params.id) }));

  app.get('/v1/recordings', operator, async () => ({ recordings: await recordings.list() }));

  app.get<{ Params: { recordingId: string } }>('/v1/recordings/:recordingId', { ...operator, schema: { params: recordingParams } }, async (req) => recordings.get(req.params.recordingId));

  app.post<{ Params: { recordingId: string } }>('/v1/recordings/:recordingId/stop', { ...operator, schema: { params: recordingParams } }, async (req) => recordings.stop(req.params.recordingId));

  app.get<{ Params: { recordingId: string } }>('/v1/recordings/:recordingId/file', { ...operator, schema: { params: recordingParams } }, async (req, reply) => {
    const file = await recordings.file(req.params.recordingId);
    const { size } = await stat(file);
    reply.header('content-type', 'video/mp4');
    reply.header('content-length', size);
    reply.header('content-disposition', `attachment; filename="onair-${req.params.recordingId}.mp4"`);
    return reply.send(createReadStream(file));
  });

  app.delete<{ Params: { recordingId: string } }>('/v1/recordings/:recordingId', { ...operator, schema: { params: recordingParams } }, async (req, reply) => {
    await recordings.delete(req.params.recordingId);
    reply.code(204);
  });
}
