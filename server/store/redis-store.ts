import { createClient } from 'redis';
import type { SessionRecord, SessionStore } from './session-store.ts';

type RedisClient = ReturnType<typeof createClient>;

const PREFIX = 'onair:session:';
const INDEX = 'onair:sessions';

export class RedisSessionStore implements SessionStore {
  readonly kind = 'redis' as const;
  readonly #client: RedisClient;

  private constructor(client: RedisClient) {
    this.#client = client;
  }

  static async connect(url: string): Promise<RedisSessionStore> {
    const client: RedisClient = createClient({ url });
    // Without a listener a connection error would crash the process; the client reconnects itself.
    client.on('error', (err: Error) => console.error(`redis: ${err.message}`));
    await client.connect();
    return new RedisSessionStore(client);
  }

  async save(record: SessionRecord): Promise<void> {
    await this.#client.multi().set(PREFIX + record.id, JSON.stringify(record)).sAdd(INDEX, record.id).exec();
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const raw = await this.#client.get(PREFIX + id);
    return raw == null ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    await this.#client.multi().del(PREFIX + id).sRem(INDEX, id).exec();
  }

  async list(): Promise<SessionRecord[]> {
    const ids = await this.#client.sMembers(INDEX);
    if (ids.length === 0) return [];
    const raws = await this.#client.mGet(ids.map((id) => PREFIX + id));
    return raws.filter((r): r is string => r != null).map((r) => JSON.parse(r));
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}

export async function createSessionStore(redisUrl: string | undefined): Promise<SessionStore> {
  if (!redisUrl) {
    const { MemorySessionStore } = await import('./memory-store.ts');
    return new MemorySessionStore();
  }
  return RedisSessionStore.connect(redisUrl);
}
