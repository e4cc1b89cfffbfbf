import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { HttpError, notFound } from '../errors.ts';
import type { LiveSession } from '../sessions/live-session.ts';
import type { SessionExtension } from '../sessions/session-registry.ts';
import type { RoomStores } from '../store/room-store.ts';
import { LiveRoom } from './live-room.ts';

/** The live rooms of this node's presenter sessions: opened when a session goes live, closed with it. */
export class LiveRooms implements SessionExtension {
  readonly #rooms = new Map<string, LiveRoom>();
  readonly #deps: { audit: AuditLog; voices: VoiceRouter; stores: RoomStores; log: { info(m: string): void; warn(m: string): void } };

  constructor(deps: { audit: AuditLog; voices: VoiceRouter; stores: RoomStores; log: { info(m: string): void; warn(m: string): void } }) {
    this.#deps = deps;
  }

  async started(live: LiveSession): Promise<void> {
    const presenter = live.presenter;
    if (!presenter) return;
    const room = await LiveRoom.open({ sessionId: live.record.id, presenter, ...this.#deps });
    this.#rooms.set(live.record.id, room);
    live.once('close', () => {
      this.#rooms.delete(live.record.id);
      void room.close();
    });
  }

  async deleted(id: string): Promise<void> {
    const room = this.#rooms.get(id);
    this.#rooms.delete(id);
    if (room) await room.destroy();
    else await Promise.all([this.#deps.stores.rooms.delete(id), this.#deps.stores.shows.delete(id)]);
  }

  /** The session's room; 404 unknown, 409 for a test-card session (no presenter). */
  get(id: string): LiveRoom {
    const room = this.#rooms.get(id);
    if (!room) throw notFound(`session ${id}`);
    return room;
  }

  find(id: string): LiveRoom | undefined {
    return this.#rooms.get(id);
  }

  /** For routes that must tell "no such session" from "a session without a presenter". */
  require(id: string, isLive: boolean): LiveRoom {
    const room = this.#rooms.get(id);
    if (room) return room;
    if (isLive) throw new HttpError(409, `session ${id} shows the test card and has no presenter`);
    throw notFound(`session ${id}`);
  }
}
