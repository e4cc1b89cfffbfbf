import { createClient } from 'redis';
import type { AvatarInfo } from '../../client-sdk/src/types.ts';

/** An avatar as stored: the API view plus where its kept upload is while the job is unfinished. */
export interface AvatarRecord extends AvatarInfo {
  /** File name of the uploaded video inside the avatar's folder; dropped once the pack is built. */
  upload?: string;
}

/**
 * Where avatar records live: in-process by default, Redis when REDIS_URL is set (then enrollment
 * jobs survive a server restart: queued and processing records are re-run from their upload).
 */
export interface AvatarStore {
  readonly kind: 'memory' | 'redis';
  save(record: AvatarRecord): Promise<void>;
  get(id: string): Promise<AvatarRecord | undefined>;
  delete(id: string): Promise<void>;
  list(): Promise<AvatarRecord[]>;
  close(): Promise<void>;
}

export class MemoryAvatarStore implements AvatarStore {
  readonly kind = 'memory' as const;
  readonly #records = new Map<string, string>();

  async save(record: AvatarRecord): Promise<void> {
    // Serialised like in Redis, so a caller can't change the stored copy by accident.
    this.#records.set(record.id, JSON.stringify(record));
  }

  async get(id: string): Promise<AvatarRecord | undefined> {
    const raw = this.#records.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async list(): Promise<AvatarRecord[]> {
    return [...this.#records.values()].map((raw) => JSON.parse(raw));
  }

  async close(): Promise<void> {}
}

type RedisClient = ReturnType<typeof createClient>;
const PREFIX = 'onair:avatar:';
const INDEX = 'onair:avatars';

export class RedisAvatarStore implements AvatarStore {
  readonly kind = 'redis' as const;
  readonly #client: RedisClient;

  private constructor(client: RedisClient) {
    this.#client = client;
  }

  static async connect(url: string): Promise<RedisAvatarStore> {
    const client: RedisClient = createClient({ url });
    // Without a listener a connection error would crash the process; the client reconnects itself.
    client.on('error', (err: Error) => console.error(`redis (avatars): ${err.message}`));
    await client.connect();
    return new RedisAvatarStore(client);
  }

  async save(record: AvatarRecord): Promise<void> {
    await this.#client.multi().set(PREFIX + record.id, JSON.stringify(record)).sAdd(INDEX, record.id).exec();
  }

  async get(id: string): Promise<AvatarRecord | undefined> {
    const raw = await this.#client.get(PREFIX + id);
    return raw == null ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    await this.#client.multi().del(PREFIX + id).sRem(INDEX, id).exec();
  }

  async list(): Promise<AvatarRecord[]> {
    const ids = await this.#client.sMembers(INDEX);
    if (ids.length === 0) return [];
    const raws = await this.#client.mGet(ids.map((id) => PREFIX + id));
    return raws.filter((r): r is string => r != null).map((r) => JSON.parse(r));
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}

export function createAvatarStore(redisUrl: string | undefined): Promise<AvatarStore> {
  return redisUrl ? RedisAvatarStore.connect(redisUrl) : Promise.resolve(new MemoryAvatarStore());
}
