import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { HttpError } from './errors.ts';
import type { SessionRegistry } from './sessions/session-registry.ts';

export type Role = 'operator' | 'viewer';

function bearer(req: FastifyRequest, allowQuery: boolean): string | undefined {
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  // Browsers can't set headers on a websocket: viewers pass their (viewer) token in the query.
  if (allowQuery) return (req.query as { token?: string } | undefined)?.token;
  return undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Works out who is calling. Runs as an onRequest hook: credentials are checked before the body is
 * parsed or validated, so an unauthorised caller learns nothing about the API from error messages. The API key controls everything; a session's viewer token may only
 * watch that session. Unknown credentials are 401; a viewer token on a control endpoint is 403.
 */
export function makeAuth(apiKey: string, registry: SessionRegistry) {
  async function roleOf(req: FastifyRequest, allowQuery: boolean): Promise<Role> {
    const token = bearer(req, allowQuery);
    if (!token) throw new HttpError(401, 'missing bearer token');
    if (sameSecret(token, apiKey)) return 'operator';
    const sessionId = (req.params as { id?: string } | undefined)?.id;
    if (sessionId && registry.isPublishToken(sessionId, token)) return 'operator';
    if (sessionId && (await registry.isViewerToken(sessionId, token))) return 'viewer';
    throw new HttpError(401, 'invalid token');
  }
  return {
    async requireOperator(req: FastifyRequest): Promise<void> {
      if ((await roleOf(req, false)) !== 'operator') throw new HttpError(403, 'a viewer token can watch but not control a session');
    },
    /** Viewers and operators; the role is left on the request for the websocket handler. */
    async requireWatcher(req: FastifyRequest): Promise<void> {
      (req as FastifyRequest & { onairRole?: Role }).onairRole = await roleOf(req, true);
    },
  };
}
export type Auth = ReturnType<typeof makeAuth>;

export function roleOfRequest(req: FastifyRequest): Role {
  return (req as FastifyRequest & { onairRole?: Role }).onairRole ?? 'viewer';
}
