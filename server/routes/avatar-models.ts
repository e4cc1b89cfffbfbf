import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';
import { CARTOON } from '../avatars/avatar-library.ts';
import type { AvatarFiles } from '../avatars/avatar-files.ts';
import type { ModelStore } from '../avatars/models/model-store.ts';
import { receiveModel } from '../avatars/models/model-upload.ts';
import { notFound } from '../errors.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import { avatarParams } from './schemas.ts';

export interface AvatarModelRouteDeps {
  files: AvatarFiles;
  models: ModelStore;
  registry: SessionRegistry;
  audit: AuditLog;
  auth: Auth;
}

/** `/v1/avatars/models…`: bring your own 3D avatar (VRM 0.x / 1.0, GLB). Register with @fastify/multipart. */
export function avatarModelRoutes(app: FastifyInstance, deps: AvatarModelRouteDeps): void {
  const { files, models, registry, audit, auth } = deps;
  const operator = { onRequest: auth.requireOperator };
  const existing = async (id: string) => {
    const record = await models.get(id);
    if (!record) throw notFound(`3D avatar ${id}`);
    return record;
  };

  app.post('/v1/avatars/models', operator, async (req, reply) => {
    const record = await receiveModel(req, files);
    try {
      await audit.append({ at: record.createdAt, action: 'avatar.model.upload', avatarId: record.id, name: record.name, format: record.format, ...(record.consent ? { consent: record.consent } : {}), client: req.ip });
      await models.save(record);
    } catch (err) {
      await files.remove(record.id);
      throw err;
    }
    reply.code(201);
    return record;
  });

  app.get('/v1/avatars/models', operator, async () => ({ models: await models.list() }));

  app.get<{ Params: { id: string } }>('/v1/avatars/models/:id', { ...operator, schema: { params: avatarParams } }, async (req) => existing(req.params.id));

  app.delete<{ Params: { id: string } }>('/v1/avatars/models/:id', { ...operator, schema: { params: avatarParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    for (const sessionId of await registry.sessionsShowing(record.id)) {
      await registry.setAvatar(sessionId, CARTOON).catch((err: Error) => req.log.warn({ err, sessionId }, 'switching a session to the cartoon failed'));
    }
    await models.delete(record.id);
    await files.remove(record.id);
    await audit.append({ at: new Date().toISOString(), action: 'avatar.model.delete', avatarId: record.id, name: record.name, client: req.ip });
    reply.code(204);
  });
}
