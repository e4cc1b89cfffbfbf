import { createClient } from 'redis';

/** Control-plane records (sessions, avatars) by id: in-process by default, Redis when configured. */
export interface RecordStore<T extends { id: string }> {
  readonly kind: 'memory' | 'redis';
  save(record: T): Promise<void>;
  get(id: string): Promise<T | undefined>;
  delete(id: string): Promise<void>;
  list(): Promise<T[]>;
  close(): Promise<void>;
}

export class MemoryRecordStore<T extends { id: string }> implements RecordStore<T> {
  readonly kind = 'memory' as const;
  readonly #records = new Map<string, string>();

  async save(record: T): Promise<void> {
    // Stored serialised, like Redis, so callers can't mutate the stored copy by accident.
    this.#records.set(record.id, JSON.stringify(record));
  }

  async get(id: string): Promise<T | undefined> {
    const raw = this.#records.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async list(): Promise<T[]> {
    return [...this.#records.values()].map((raw) => JSON.parse(raw));
  }

  async close(): Promise<void> {}
}

type RedisClient = ReturnType<typeof createClient>;

/** JSON records under `prefix + id`, with a set `index` of ids for listing. */
export class RedisRecordStore<T extends { id: string }> implements RecordStore<T> {
  readonly kind = 'redis' as const;
  readonly #client: RedisClient;
  readonly #prefix: string;
  readonly #index: string;

  private constructor(client: RedisClient, prefix: string, index: string) {
    this.#client = client;
    this.#prefix = prefix;
    this.#index = index;
  }

  static async connect<T extends { id: string }>(url: string, prefix: string, index: string): Promise<RedisRecordStore<T>> {
    const client: RedisClient = createClient({ url });
    // Without a listener a connection error would crash the process; the client reconnects itself.
    client.on('error', (err: Error) => console.error(`redis (${index}): ${err.message}`));
    await client.connect();
    return new RedisRecordStore<T>(client, prefix, index);
  }

  async save(record: T): Promise<void> {
    await this.#client.multi().set(this.#prefix + record.id, JSON.stringify(record)).sAdd(this.#index, record.id).exec();
  }

  async get(id: string): Promise<T | undefined> {
    const raw = await this.#client.get(this.#prefix + id);
    return raw == null ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    await this.#client.multi().del(this.#prefix + id).sRem(this.#index, id).exec();
  }

  async list(): Promise<T[]> {
    const ids = await this.#client.sMembers(this.#index);
    if (ids.length === 0) return [];
    const raws = await this.#client.mGet(ids.map((id) => this.#prefix + id));
    return raws.filter((r): r is string => r != null).map((r) => JSON.parse(r));
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}
