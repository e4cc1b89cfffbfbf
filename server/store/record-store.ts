import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createClient } from 'redis';

/** Control-plane records (sessions, avatars) by id: in-process by default, Redis when configured. */
export interface RecordStore<T extends { id: string }> {
  readonly kind: 'memory' | 'redis' | 'file';
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

/**
 * Records in one JSON file, rewritten (write + rename, so never half-written) after each change:
 * durable on one server without Redis. Writes are serialised; reads come from memory.
 */
export class FileRecordStore<T extends { id: string }> implements RecordStore<T> {
  readonly kind = 'file' as const;
  readonly #file: string;
  readonly #records: Map<string, string>;
  #writing: Promise<void> = Promise.resolve();

  private constructor(file: string, records: Map<string, string>) {
    this.#file = file;
    this.#records = records;
  }

  static async open<T extends { id: string }>(file: string): Promise<FileRecordStore<T>> {
    const records = new Map<string, string>();
    try {
      for (const r of JSON.parse(await readFile(file, 'utf8')) as T[]) records.set(r.id, JSON.stringify(r));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`record file ${file} is unreadable: ${(err as Error).message}`);
    }
    return new FileRecordStore<T>(file, records);
  }

  #flush(): Promise<void> {
    const body = `[${[...this.#records.values()].join(',\n')}]\n`;
    const tmp = `${this.#file}.tmp`;
    this.#writing = this.#writing.then(async () => {
      await mkdir(path.dirname(this.#file), { recursive: true });
      await writeFile(tmp, body);
      await rename(tmp, this.#file);
    });
    return this.#writing;
  }

  async save(record: T): Promise<void> {
    this.#records.set(record.id, JSON.stringify(record));
    await this.#flush();
  }

  async get(id: string): Promise<T | undefined> {
    const raw = this.#records.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    if (this.#records.delete(id)) await this.#flush();
  }

  async list(): Promise<T[]> {
    return [...this.#records.values()].map((raw) => JSON.parse(raw));
  }

  async close(): Promise<void> {
    await this.#writing;
  }
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
