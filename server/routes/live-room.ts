import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AudienceEvent, ConnectorConfig, InsertRequest, LlmConfig, ModerationSettings, ReplyRule, ReplySettings, Rundown } from '../../client-sdk/src/live-room-types.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';
import { HttpError } from '../errors.ts';
import { drainRequest } from '../drain-request.ts';
import type { LiveRooms } from '../live-room/live-rooms.ts';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, webhookRefusal } from '../live-room/webhook-signature.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import {
  audienceBody,
  connectorBody,
  connectorParams,
  insertBody,
  insertParams,
  jumpBody,
  llmBody,
  MAX_BATCH,
  moderationBody,
  moderationCheckBody,
  presenceBody,
  replySettingsBody,
  rulesBody,
  rundownBody,
  spokenDisclosureBody,
} from './live-room-schemas.ts';
import type { SpokenDisclosureSettings } from '../live-room/spoken-disclosure.ts';
import { sessionParams, voiceProperty } from './schemas.ts';

type IdParams = { id: string };

export interface LiveRoomRouteDeps {
  rooms: LiveRooms;
  registry: SessionRegistry;
  auth: Auth;
  audit: AuditLog;
}

/** The show, inserts, audience webhook and connectors, reply rules, LLM, moderation and presence. */
export async function liveRoomRoutes(app: FastifyInstance, deps: LiveRoomRouteDeps): Promise<void> {
  const { rooms, registry, auth, audit } = deps;
  const operator = { onRequest: auth.requireOperator };
  const room = (id: string) => rooms.require(id, registry.isLive(id));
  const control = async (req: FastifyRequest<{ Params: IdParams }>, what: string) =>
    audit.append({ at: new Date().toISOString(), sessionId: req.params.id, action: 'show.control', source: 'operator', detail: what, client: req.ip });

  // ---------- the show ----------
  app.get<{ Params: IdParams }>('/v1/sessions/:id/show', { ...operator, schema: { params: sessionParams } }, async (req) => room(req.params.id).show.status());

  app.put<{ Params: IdParams; Body: Rundown }>(
    '/v1/sessions/:id/show',
    { ...operator, bodyLimit: 32 * 1024 * 1024, schema: { params: sessionParams, body: rundownBody } },
    async (req) => {
      const status = await room(req.params.id).show.load(req.body);
      await control(req, `rundown loaded: ${req.body.segments.length} segments, loops ${req.body.loops ?? 1}`);
      return status;
    },
  );

  for (const verb of ['start', 'pause', 'resume', 'skip', 'stop'] as const) {
    app.post<{ Params: IdParams }>(`/v1/sessions/:id/show/${verb}`, { ...operator, schema: { params: sessionParams } }, async (req) => {
      const status = await room(req.params.id).show[verb]();
      await control(req, verb);
      return status;
    });
  }

  app.post<{ Params: IdParams; Body: { segment: string | number } }>(
    '/v1/sessions/:id/show/jump',
    { ...operator, schema: { params: sessionParams, body: jumpBody } },
    async (req) => {
      const status = await room(req.params.id).show.jump(req.body.segment);
      await control(req, `jump to ${req.body.segment}`);
      return status;
    },
  );

  app.post<{ Params: IdParams; Body: Omit<InsertRequest, 'source'> }>(
    '/v1/sessions/:id/show/inserts',
    { ...operator, schema: { params: sessionParams, body: insertBody } },
    async (req, reply) => {
      const r = room(req.params.id);
      // A `now` insert is the operator taking over the air: on the record as such.
      if (req.body.mode === 'now') await audit.append({ at: new Date().toISOString(), sessionId: req.params.id, action: 'takeover', source: 'operator', text: req.body.text, client: req.ip });
      const insert = await r.show.insert({ ...req.body, source: 'operator' });
      reply.code(201);
      return insert;
    },
  );

  app.delete<{ Params: IdParams & { insertId: string } }>('/v1/sessions/:id/show/inserts/:insertId', { ...operator, schema: { params: insertParams } }, async (req, reply) => {
    await room(req.params.id).show.removeInsert(req.params.insertId);
    reply.code(204);
  });

  // ---------- audience: the signed webhook ----------
  await app.register(async (scope) => {
    // The signature covers the exact bytes sent, so the body is checked before it is parsed.
    scope.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit: 2 * 1024 * 1024 }, async (req: FastifyRequest, body: Buffer) => {
      const id = (req.params as IdParams).id;
      const r = rooms.find(id);
      if (!r) throw new HttpError(404, `session ${id} not found`);
      const refusal = webhookRefusal(r.webhookSecret, req.headers, body);
      if (refusal) throw new HttpError(401, refusal);
      try {
        return JSON.parse(body.toString('utf8'));
      } catch {
        throw new HttpError(400, 'body is not valid JSON');
      }
    });
    scope.post<{ Params: IdParams; Body: { events: (Omit<AudienceEvent, 'platform' | 'at'> & { platform?: string; at?: string })[] } }>(
      '/v1/sessions/:id/audience',
      {
        schema: { params: sessionParams, body: audienceBody },
        // Missing body / wrong content type: still a signature problem first.
        onRequest: async (req) => {
          if (typeof req.headers[SIGNATURE_HEADER] !== 'string' || typeof req.headers[TIMESTAMP_HEADER] !== 'string') {
            if (!rooms.find(req.params.id)) throw new HttpError(404, `session ${req.params.id} not found`);
            throw new HttpError(401, webhookRefusal('', req.headers, Buffer.alloc(0))!);
          }
        },
        errorHandler: async (err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
          if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
            // Read what the sender is still sending, so it gets to read the answer.
            await drainRequest(req.raw, 16 * 1024 * 1024);
            return reply.code(413).send({ statusCode: 413, error: 'Payload Too Large', message: `a batch is at most 2 MiB and ${MAX_BATCH} events` });
          }
          const status = err instanceof HttpError ? err.statusCode : err.validation ? 400 : (err.statusCode ?? 500);
          reply.code(status).send({ statusCode: status, error: status === 401 ? 'Unauthorized' : status === 404 ? 'Not Found' : status < 500 ? 'Bad Request' : 'Internal Server Error', message: status < 500 ? err.message : 'internal error' });
        },
      },
      async (req, reply) => {
        const now = new Date().toISOString();
        const events: AudienceEvent[] = req.body.events.map((e) => ({ ...e, platform: e.platform ?? 'webhook', at: e.at ?? now }));
        const results = room(req.params.id).receive(events);
        reply.code(202);
        return { accepted: events.length, results };
      },
    );
  });

  // Query strings are not coerced (coerceTypes: false), so the limit is checked as digits.
  app.get<{ Params: IdParams; Querystring: { limit?: string } }>(
    '/v1/sessions/:id/audience',
    { ...operator, schema: { params: sessionParams, querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'string', pattern: '^([1-9]|[1-9][0-9]|[12][0-9]{2}|300)$' } } } } },
    async (req) => {
      const r = room(req.params.id);
      return { stats: r.hub.stats, log: r.hub.log.slice(-Number(req.query.limit ?? 100)) };
    },
  );

  app.get<{ Params: IdParams }>('/v1/sessions/:id/audience/webhook', { ...operator, schema: { params: sessionParams } }, async (req) => ({
    path: `/v1/sessions/${req.params.id}/audience`,
    secret: room(req.params.id).webhookSecret,
    signature: `${SIGNATURE_HEADER}: sha256=hex(HMAC-SHA256(secret, "<${TIMESTAMP_HEADER}>.<raw body>"))`,
  }));

  app.post<{ Params: IdParams }>('/v1/sessions/:id/audience/webhook/rotate', { ...operator, schema: { params: sessionParams } }, async (req) => ({
    secret: await room(req.params.id).rotateWebhookSecret(),
  }));

  // ---------- connectors ----------
  app.get<{ Params: IdParams }>('/v1/sessions/:id/connectors', { ...operator, schema: { params: sessionParams } }, async (req) => ({ connectors: room(req.params.id).connectors() }));

  app.post<{ Params: IdParams; Body: ConnectorConfig }>(
    '/v1/sessions/:id/connectors',
    { ...operator, schema: { params: sessionParams, body: connectorBody } },
    async (req, reply) => {
      const status = await room(req.params.id).addConnector(req.body);
      reply.code(201);
      return status;
    },
  );

  app.delete<{ Params: IdParams & { connectorId: string } }>('/v1/sessions/:id/connectors/:connectorId', { ...operator, schema: { params: connectorParams } }, async (req, reply) => {
    await room(req.params.id).removeConnector(req.params.connectorId);
    reply.code(204);
  });

  // ---------- replies ----------
  app.get<{ Params: IdParams }>('/v1/sessions/:id/rules', { ...operator, schema: { params: sessionParams } }, async (req) => ({ rules: room(req.params.id).rules }));

  app.put<{ Params: IdParams; Body: { rules: ReplyRule[] } }>('/v1/sessions/:id/rules', { ...operator, schema: { params: sessionParams, body: rulesBody } }, async (req) => ({
    rules: await room(req.params.id).setRules(req.body.rules),
  }));

  app.get<{ Params: IdParams }>('/v1/sessions/:id/replies', { ...operator, schema: { params: sessionParams } }, async (req) => {
    const r = room(req.params.id);
    return { settings: r.hub.settings, llm: r.llm ?? null };
  });

  app.put<{ Params: IdParams; Body: Partial<ReplySettings> }>('/v1/sessions/:id/replies', { ...operator, schema: { params: sessionParams, body: replySettingsBody } }, async (req) => ({
    settings: await room(req.params.id).setReplySettings(req.body),
  }));

  app.put<{ Params: IdParams; Body: LlmConfig }>('/v1/sessions/:id/llm', { ...operator, schema: { params: sessionParams, body: llmBody } }, async (req) => {
    const r = room(req.params.id);
    await r.setLlm(req.body);
    return { llm: r.llm };
  });

  app.delete<{ Params: IdParams }>('/v1/sessions/:id/llm', { ...operator, schema: { params: sessionParams } }, async (req, reply) => {
    await room(req.params.id).setLlm(null);
    reply.code(204);
  });

  // ---------- moderation ----------
  app.get<{ Params: IdParams }>('/v1/sessions/:id/moderation', { ...operator, schema: { params: sessionParams } }, async (req) => {
    const r = room(req.params.id);
    return { ...r.moderator.settings, log: r.desk.log.slice(-100) };
  });

  app.put<{ Params: IdParams; Body: ModerationSettings }>(
    '/v1/sessions/:id/moderation',
    { ...operator, bodyLimit: 2 * 1024 * 1024, schema: { params: sessionParams, body: moderationBody } },
    async (req) => {
      const settings = await room(req.params.id).setModeration(req.body);
      await control(req, `moderation list set: ${settings.terms.length} terms${settings.externalUrl ? `, external ${settings.externalUrl}` : ''}`);
      return settings;
    },
  );

  // Try a line against the filter without saying it (the panel's "check" button).
  app.post<{ Params: IdParams; Body: { text: string } }>('/v1/sessions/:id/moderation/check', { ...operator, schema: { params: sessionParams, body: moderationCheckBody } }, async (req) =>
    room(req.params.id).moderator.check(req.body.text, 'check', true),
  );

  // ---------- spoken disclosure ----------
  app.get<{ Params: IdParams }>('/v1/sessions/:id/disclosure', { ...operator, schema: { params: sessionParams } }, async (req) => room(req.params.id).spokenDisclosure.settings);

  app.put<{ Params: IdParams; Body: Partial<SpokenDisclosureSettings> }>(
    '/v1/sessions/:id/disclosure',
    { ...operator, schema: { params: sessionParams, body: spokenDisclosureBody } },
    async (req) => room(req.params.id).setSpokenDisclosure(req.body),
  );

  // ---------- the session's voice ----------
  const voiceState = (id: string) => {
    const voice = room(id).desk.voice ?? null;
    // Viewers hear eSpeak NG when no voice is chosen or an eSpeak voice is: the panel says so plainly.
    return { voice, robotic: voice === null || !voice.includes(':') };
  };
  app.get<{ Params: IdParams }>('/v1/sessions/:id/voice', { ...operator, schema: { params: sessionParams } }, async (req) => voiceState(req.params.id));

  app.put<{ Params: IdParams; Body: { voice: string | null } }>(
    '/v1/sessions/:id/voice',
    { ...operator, schema: { params: sessionParams, body: { type: 'object', required: ['voice'], additionalProperties: false, properties: { voice: { anyOf: [voiceProperty, { type: 'null' }] } } } } },
    async (req) => {
      await room(req.params.id).desk.setVoice(req.body.voice ?? undefined);
      return voiceState(req.params.id);
    },
  );

  // ---------- operator presence ----------
  app.post<{ Params: IdParams; Body: { operator?: string } | null }>('/v1/sessions/:id/presence', { ...operator, schema: { params: sessionParams, body: presenceBody } }, async (req) =>
    room(req.params.id).presence.heartbeat(req.body?.operator),
  );

  app.delete<{ Params: IdParams }>('/v1/sessions/:id/presence', { ...operator, schema: { params: sessionParams } }, async (req) => room(req.params.id).presence.leave());
}
