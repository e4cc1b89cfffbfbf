import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { METHODS, type Method, type ResponseMessage } from '../../client-sdk/src/protocol.ts';
import { roleOfRequest, type Auth } from '../auth.ts';
import { HttpError } from '../errors.ts';
import type { SessionRegistry } from '../sessions/session-registry.ts';
import type { LiveRooms } from '../live-room/live-rooms.ts';
import type { RoomNotice } from '../live-room/live-room.ts';
import { sessionParams } from '../routes/schemas.ts';

const MAX_MESSAGE_BYTES = 64 * 1024;

function send(socket: WebSocket, msg: object): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(msg));
}

/** `/v1/sessions/:id/ws`: the mediasoup-client join protocol for viewers (see client-sdk/src/protocol.ts). */
export function viewerSignalling(app: FastifyInstance, registry: SessionRegistry, auth: Auth, rooms: LiveRooms): void {
  app.get<{ Params: { id: string } }>(
    '/v1/sessions/:id/ws',
    { websocket: true, onRequest: auth.requireWatcher, schema: { params: sessionParams } },
    (socket, req) => {
      let live;
      try {
        live = registry.live(req.params.id);
      } catch (err) {
        socket.close(4404, (err as Error).message);
        return;
      }
      const session = live;
      const role = roleOfRequest(req);
      const peer = session.addViewer(role);
      const onSessionClosed = () => {
        send(socket, { event: 'session.closed', data: { id: session.record.id } });
        socket.close(1001, 'session closed');
      };
      session.once('close', onSessionClosed);
      // Speaking-state events go to every client of the session (panel, captions, integrations).
      const presenter = session.presenter;
      const forward = (['speech.started', 'speech.ended', 'speech.interrupted', 'speech.warning', 'voice.started', 'voice.ended'] as const).map((event) => {
        const listener = (data: unknown) => send(socket, { event, data });
        presenter?.on(event, listener);
        return () => presenter?.off(event, listener);
      });
      // Live-room events: the show for everyone; audience, moderation and presence for operators only.
      const room = rooms.find(req.params.id);
      const onNotice = (n: RoomNotice) => {
        if (!n.operatorOnly || role === 'operator') send(socket, { event: n.event, data: n.data });
      };
      room?.on('notice', onNotice);
      socket.on('close', () => {
        room?.off('notice', onNotice);
        forward.forEach((off) => off());
        session.off('close', onSessionClosed);
        session.removeViewer(peer);
      });
      socket.on('message', async (raw, isBinary) => {
        if (isBinary || (raw as Buffer).length > MAX_MESSAGE_BYTES) {
          send(socket, { event: 'error', data: { message: 'messages must be JSON text under 64 KiB' } });
          return;
        }
        let msg: { id?: unknown; method?: unknown; data?: unknown };
        try {
          msg = JSON.parse(String(raw));
        } catch {
          send(socket, { event: 'error', data: { message: 'malformed JSON' } });
          return;
        }
        if (typeof msg.id !== 'number') {
          send(socket, { event: 'error', data: { message: 'request needs a numeric id' } });
          return;
        }
        let response: ResponseMessage;
        try {
          if (!METHODS.includes(msg.method as Method)) throw new HttpError(400, `unknown method "${String(msg.method)}"`);
          const data = msg.data ?? {};
          if (typeof data !== 'object') throw new HttpError(400, 'data must be an object');
          response = { id: msg.id, ok: true, data: await peer.handle(msg.method as Method, data as never) };
        } catch (err) {
          // mediasoup throws TypeError for bad parameters: that is the client's fault, not ours.
          const status = err instanceof HttpError ? err.statusCode : err instanceof TypeError ? 400 : 500;
          const message = status === 500 ? 'internal error' : (err as Error).message;
          if (status === 500) req.log.error(err);
          response = { id: msg.id, ok: false, error: { status, message } };
        }
        send(socket, response);
      });
    },
  );
}
