import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { EnrollmentError, probeVideo } from '../../pipeline/stages/avatar/real-person/enroll.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';
import { HttpError, notFound } from '../errors.ts';
import { CARTOON, type AvatarLibrary } from '../avatars/avatar-library.ts';
import type { AvatarFiles } from '../avatars/avatar-files.ts';
import { avatarView, type AvatarEventName, type EnrollmentJobs } from '../avatars/enrollment-jobs.ts';
import { receiveUpload } from '../avatars/upload.ts';
import { BUILT_IN_AVATARS } from '../avatars/built-in-hosts.ts';
import type { ModelStore } from '../avatars/models/model-store.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { AvatarRecord } from '../store/avatar-store.ts';
import { avatarParams } from './schemas.ts';

/** How long an upload's answer waits for the face check (it normally passes within seconds). */
const VALIDATION_WAIT_MS = 120_000;

export interface AvatarRouteDeps {
  jobs: EnrollmentJobs;
  files: AvatarFiles;
  library: AvatarLibrary;
  registry: SessionRegistry;
  audit: AuditLog;
  auth: Auth;
  maxBytes: number;
  /** Uploaded 3D avatars, listed beside the real-person ones. */
  models: ModelStore;
}

type IdParams = { id: string };

const EVENT_OF_STATE: Record<AvatarRecord['state'], AvatarEventName> = {
  queued: 'avatar.progress',
  processing: 'avatar.progress',
  ready: 'avatar.ready',
  failed: 'avatar.failed',
  cancelled: 'avatar.cancelled',
};

/** `/v1/avatars…`: real-person avatar enrollment (register inside a scope with @fastify/multipart). */
export function avatarRoutes(app: FastifyInstance, deps: AvatarRouteDeps): void {
  const { jobs, files, library, registry, audit, auth } = deps;
  const operator = { onRequest: auth.requireOperator };
  const existing = async (id: string) => {
    const record = await jobs.get(id);
    if (!record) throw notFound(`avatar ${id}`);
    return record;
  };

  app.post('/v1/avatars', operator, async (req, reply) => {
    const id = randomUUID();
    const received = await receiveUpload(req, files, id, deps.maxBytes);
    let video;
    try {
      video = await probeVideo(files.upload(id, received.upload));
    } catch (err) {
      await files.remove(id);
      if (err instanceof EnrollmentError) throw new HttpError(400, err.message);
      throw err;
    }
    const record: AvatarRecord = {
      id,
      name: received.name,
      state: 'queued',
      stage: 'queued',
      progress: 0,
      consent: received.consent,
      createdAt: new Date().toISOString(),
      video,
      upload: received.upload,
    };
    try {
      // No likeness is processed without its consent on record.
      await audit.append({ at: record.createdAt, action: 'avatar.enroll', avatarId: id, name: record.name, consent: record.consent, client: req.ip });
      await jobs.add(record);
    } catch (err) {
      await files.remove(id);
      throw err;
    }
    // Running now: answer once the face check passed, so a video without a usable face is a 400
    // here rather than a failed job later. Waiting behind another job: answer `queued` right away.
    if (jobs.isActive(id)) {
      const result = await jobs.waitValidated(id, VALIDATION_WAIT_MS);
      if (result.outcome === 'failed') {
        await jobs.remove(id);
        if (result.userFacing) throw new HttpError(400, result.record?.error ?? 'the video was refused');
        throw new Error(`avatar enrollment failed: ${result.record?.error}`);
      }
    }
    reply.code(202);
    return avatarView((await jobs.get(id)) ?? record);
  });

  // Uploaded avatars, and the presenters every server has (`builtIn`: the cartoon, the 3D hosts).
  app.get('/v1/avatars', operator, async () => ({
    avatars: (await jobs.list()).map((r) => ({ ...avatarView(r), kind: '2d-real-person' as const })),
    models: await deps.models.list(),
    builtIn: BUILT_IN_AVATARS,
  }));

  app.get<{ Params: IdParams }>('/v1/avatars/:id', { ...operator, schema: { params: avatarParams } }, async (req) => avatarView(await existing(req.params.id)));

  app.post<{ Params: IdParams }>('/v1/avatars/:id/cancel', { ...operator, schema: { params: avatarParams } }, async (req) => avatarView(await jobs.cancel(req.params.id)));

  app.delete<{ Params: IdParams }>('/v1/avatars/:id', { ...operator, schema: { params: avatarParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    // Deleting a likeness (e.g. consent withdrawn) takes it off air at once: its sessions fall back to the cartoon.
    for (const sessionId of await registry.sessionsShowing(record.id)) {
      await registry.setAvatar(sessionId, CARTOON).catch((err: Error) => req.log.warn({ err, sessionId }, 'switching a session to the cartoon failed'));
    }
    await jobs.remove(record.id);
    library.forget(record.id);
    await audit.append({ at: new Date().toISOString(), action: 'avatar.delete', avatarId: record.id, name: record.name, client: req.ip });
    reply.code(204);
  });

  // Progress events; the operator's header is required (the panel polls GET instead: no API key in URLs).
  app.get<{ Params: IdParams }>(
    '/v1/avatars/:id/ws',
    {
      websocket: true,
      ...operator,
      schema: { params: avatarParams },
      // Before the upgrade, so an unknown avatar is a plain 404.
      preValidation: async (req) => void (await existing((req.params as IdParams).id)),
    },
    (socket: WebSocket, req) => {
      const id = req.params.id;
      const send = (record: AvatarRecord, event: AvatarEventName) => {
        if (socket.readyState !== socket.OPEN) return;
        socket.send(JSON.stringify({ event, data: avatarView(record) }));
        if (event !== 'avatar.progress') socket.close(1000, record.state);
      };
      const onUpdate = (record: AvatarRecord, event: AvatarEventName) => record.id === id && send(record, event);
      jobs.on('update', onUpdate);
      socket.on('close', () => jobs.off('update', onUpdate));
      void jobs.get(id).then(
        (record) => (record ? send(record, EVENT_OF_STATE[record.state]) : socket.close(4404, `avatar ${id} not found`)),
        () => socket.close(1011, 'internal error'),
      );
    },
  );
}
