import { randomUUID } from 'node:crypto';
import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ImageBackground, SolidBackground, StudioBackground, VideoLoopBackground, type Background } from '../../pipeline/stages/compose/backgrounds.ts';
import { buildOverlay, type LabelPosition, type OverlaySpec } from '../../pipeline/stages/compose/compositor.ts';
import { labelTextProblem } from '../../pipeline/stages/compose/disclosure.ts';
import type { Lang } from '../../pipeline/stages/tts/tts-types.ts';
import type { LiveRooms } from '../live-room/live-rooms.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';
import { HttpError, notFound } from '../errors.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import { backgroundBody, captionsBody, labelBody, overlayBody, overlayParams, sessionParams, speakBody, voicePolicyBody } from './schemas.ts';

type IdParams = { id: string };
const MAX_OVERLAYS = 16;

export function presenterRoutes(app: FastifyInstance, registry: SessionRegistry, auth: Auth, audit: AuditLog, rooms: LiveRooms): void {
  const operator = { onRequest: auth.requireOperator };

  app.post<{ Params: IdParams; Body: { text: string; lang?: Lang | 'auto'; voice?: string; interrupt?: boolean; next?: boolean } }>(
    '/v1/sessions/:id/speak',
    { ...operator, schema: { params: sessionParams, body: speakBody } },
    async (req, reply) => {
      registry.presenter(req.params.id);
      const desk = rooms.get(req.params.id).desk;
      if (req.body.interrupt) await audit.append({ at: new Date().toISOString(), sessionId: req.params.id, action: 'takeover', source: 'operator', text: req.body.text, client: req.ip });
      const res = await desk.say({ ...req.body, source: 'operator', trusted: true, client: req.ip });
      if (!res.spoken) throw new HttpError(422, res.reason);
      reply.code(202);
      return { utteranceId: res.utteranceId, lang: res.lang, queued: res.queued };
    },
  );

  app.post<{ Params: IdParams }>('/v1/sessions/:id/interrupt', { ...operator, schema: { params: sessionParams } }, async (req) => {
    const interrupted = registry.presenter(req.params.id).interrupt();
    // The operator cut in: the show waits for them (resume it with POST …/show/resume).
    await rooms.find(req.params.id)?.show.hold();
    await audit.append({ at: new Date().toISOString(), sessionId: req.params.id, action: 'interrupt', source: 'operator', client: req.ip });
    return { interrupted };
  });

  // For the operator's voice: a short-lived token for the session websocket (keeps the API key out of URLs).
  app.post<{ Params: IdParams }>('/v1/sessions/:id/publish-token', { ...operator, schema: { params: sessionParams } }, async (req, reply) => {
    registry.presenter(req.params.id);
    reply.code(201);
    return registry.issuePublishToken(req.params.id);
  });

  // What the operator's live voice does to the presenter's own speech: cut it, or duck it under.
  app.put<{ Params: IdParams; Body: { policy: 'interrupt' | 'duck' } }>(
    '/v1/sessions/:id/voice-policy',
    { ...operator, schema: { params: sessionParams, body: voicePolicyBody } },
    async (req) => {
      registry.presenter(req.params.id).voicePolicy = req.body.policy;
      return { policy: req.body.policy };
    },
  );

  app.get<{ Params: IdParams }>('/v1/sessions/:id/audit', { ...operator, schema: { params: sessionParams } }, async (req) => {
    await registry.get(req.params.id);
    return { entries: await audit.forSession(req.params.id) };
  });

  app.put<{ Params: IdParams; Body: { preset?: 'studio'; color?: string; imageBase64?: string; videoBase64?: string } }>(
    '/v1/sessions/:id/background',
    { ...operator, bodyLimit: 24 * 1024 * 1024, schema: { params: sessionParams, body: backgroundBody } },
    async (req) => {
      const presenter = registry.presenter(req.params.id);
      const { format } = presenter;
      let background: Background;
      if (req.body.color) background = new SolidBackground(req.body.color);
      else if (req.body.imageBase64) {
        try {
          background = await ImageBackground.load(Buffer.from(req.body.imageBase64, 'base64'));
        } catch {
          throw new HttpError(400, 'imageBase64 is not a decodable PNG, JPEG or WebP image');
        }
      } else if (req.body.videoBase64) {
        const dir = await mkdtemp(path.join(tmpdir(), 'onair-bg-'));
        const file = path.join(dir, 'background');
        await writeFile(file, Buffer.from(req.body.videoBase64, 'base64'));
        background = new VideoLoopBackground(file, format.width, format.height, format.fps);
      } else background = new StudioBackground();
      const old = presenter.compositor.background;
      presenter.compositor.background = background;
      old.close();
      return { background: Object.keys(req.body)[0] };
    },
  );

  app.put<{ Params: IdParams; Body: { position?: LabelPosition; scale?: number; text?: string } }>(
    '/v1/sessions/:id/label',
    { ...operator, schema: { params: sessionParams, body: labelBody } },
    async (req) => {
      const compositor = registry.presenter(req.params.id).compositor;
      if (req.body.text !== undefined) {
        const problem = labelTextProblem(req.body.text);
        if (problem) throw new HttpError(400, problem);
      }
      compositor.label = { ...compositor.label, ...req.body };
      return { label: compositor.label };
    },
  );

  app.put<{ Params: IdParams; Body: { enabled: boolean } }>(
    '/v1/sessions/:id/captions',
    { ...operator, schema: { params: sessionParams, body: captionsBody } },
    async (req) => {
      registry.presenter(req.params.id).compositor.captions = req.body.enabled;
      return { captions: req.body.enabled };
    },
  );

  app.post<{ Params: IdParams; Body: OverlaySpec }>(
    '/v1/sessions/:id/overlays',
    { ...operator, bodyLimit: 8 * 1024 * 1024, schema: { params: sessionParams, body: overlayBody } },
    async (req, reply) => {
      const compositor = registry.presenter(req.params.id).compositor;
      if (compositor.overlays.length >= MAX_OVERLAYS) throw new HttpError(409, `a session has at most ${MAX_OVERLAYS} overlays`);
      let overlay;
      try {
        overlay = await buildOverlay(randomUUID(), req.body);
      } catch (err) {
        if (err instanceof RangeError) throw new HttpError(400, err.message);
        throw err;
      }
      compositor.overlays = [...compositor.overlays, overlay];
      reply.code(201);
      return { id: overlay.id };
    },
  );

  app.delete<{ Params: IdParams & { overlayId: string } }>(
    '/v1/sessions/:id/overlays/:overlayId',
    { ...operator, schema: { params: overlayParams } },
    async (req, reply) => {
      const compositor = registry.presenter(req.params.id).compositor;
      if (!compositor.overlays.some((o) => o.id === req.params.overlayId)) throw notFound(`overlay ${req.params.overlayId}`);
      compositor.overlays = compositor.overlays.filter((o) => o.id !== req.params.overlayId);
      reply.code(204);
    },
  );
}
