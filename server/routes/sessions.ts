import type { FastifyInstance } from 'fastify';
import type { Auth } from '../auth.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { LiveRooms } from '../live-room/live-rooms.ts';
import { createSessionBody, outputParams, rtmpOutputBody, sessionParams, setAvatarBody, setShotBody } from './schemas.ts';
import type { Shot } from '../../pipeline/stages/avatar/three-d/camera-shots.ts';

type IdParams = { id: string };

export function sessionRoutes(app: FastifyInstance, registry: SessionRegistry, auth: Auth, rooms: LiveRooms): void {
  const operator = { onRequest: auth.requireOperator };

  app.post<{ Body: { source?: 'presenter' | 'test-card'; avatar?: string } | null }>('/v1/sessions', { ...operator, schema: { body: createSessionBody } }, async (req, reply) => {
    const record = await registry.create(req.body?.source ?? 'presenter', req.body?.avatar);
    reply.code(201);
    return { ...record, watchPath: `/v1/sessions/${record.id}/ws` };
  });

  app.get<{ Params: IdParams }>('/v1/sessions/:id', { ...operator, schema: { params: sessionParams } }, async (req) => {
    const view = await registry.view(req.params.id);
    const room = rooms.find(req.params.id);
    if (!room) return view;
    const show = room.show.status();
    return { ...view, operator: room.presence.view, show: { state: show.state, position: show.position, segmentId: show.segmentId, inserts: show.inserts.length } };
  });

  // Switch the live presenter to another avatar (`cartoon` or a ready avatar id) without a break.
  app.put<{ Params: IdParams; Body: { avatar: string } }>(
    '/v1/sessions/:id/avatar',
    { ...operator, schema: { params: sessionParams, body: setAvatarBody } },
    async (req) => ({ avatar: (await registry.setAvatar(req.params.id, req.body.avatar)).avatar }),
  );

  // Camera framing of a 3D presenter: close-up, half or full body, with a short eased move.
  app.put<{ Params: IdParams; Body: { shot: Shot } }>(
    '/v1/sessions/:id/shot',
    { ...operator, schema: { params: sessionParams, body: setShotBody } },
    async (req) => ({ shot: (await registry.setShot(req.params.id, req.body.shot)).shot }),
  );

  app.delete<{ Params: IdParams }>('/v1/sessions/:id', { ...operator, schema: { params: sessionParams } }, async (req, reply) => {
    await registry.delete(req.params.id);
    reply.code(204);
  });

  app.post<{ Params: IdParams; Body: { url: string } }>(
    '/v1/sessions/:id/outputs/rtmp',
    { ...operator, schema: { params: sessionParams, body: rtmpOutputBody } },
    async (req, reply) => {
      const output = await registry.addRtmpOutput(req.params.id, req.body.url);
      reply.code(201);
      return output;
    },
  );

  app.delete<{ Params: IdParams & { outputId: string } }>(
    '/v1/sessions/:id/outputs/:outputId',
    { ...operator, schema: { params: outputParams } },
    async (req, reply) => {
      await registry.removeOutput(req.params.id, req.params.outputId);
      reply.code(204);
    },
  );
}
