import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';

const range = {
  type: 'object',
  additionalProperties: false,
  properties: { from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' } },
} as const;

/** The whole audit log for compliance: an NDJSON export (chain fields included) and a chain check. */
export function auditRoutes(app: FastifyInstance, audit: AuditLog, auth: Auth): void {
  const operator = { onRequest: auth.requireOperator };

  app.get<{ Querystring: { from?: string; to?: string } }>('/v1/audit/export', { ...operator, schema: { querystring: range } }, async (req, reply) => {
    const lines = (async function* () {
      for await (const e of audit.export(req.query)) yield JSON.stringify(e) + '\n';
    })();
    reply.header('content-type', 'application/x-ndjson; charset=utf-8');
    reply.header('content-disposition', 'attachment; filename="onair-audit.ndjson"');
    return reply.send(Readable.from(lines));
  });

  app.get('/v1/audit/verify', operator, async () => ({ store: audit.kind, ...(await audit.verify()) }));
}
