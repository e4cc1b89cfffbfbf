import { RedisRecordStore } from './record-store.ts';
import type { SessionRecord, SessionStore } from './session-store.ts';

export const RedisSessionStore = {
  connect: (url: string) => RedisRecordStore.connect<SessionRecord>(url, 'onair:session:', 'onair:sessions'),
};

export async function createSessionStore(redisUrl: string | undefined): Promise<SessionStore> {
  if (!redisUrl) {
    const { MemorySessionStore } = await import('./memory-store.ts');
    return new MemorySessionStore();
  }
  return RedisSessionStore.connect(redisUrl);
}
