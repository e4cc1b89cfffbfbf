import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { createClient } from 'redis';
import { chain, GENESIS, type Chained } from './audit-chain.ts';

export type Stored<T> = T & Chained;

/** Where audit entries are kept: append-only, hash-chained, read back newest last. */
export interface AuditSink<T extends object> {
  readonly kind: 'file' | 'redis';
  append(entry: T): Promise<Stored<T>>;
  /** Every entry, oldest first (export, verify). */
  all(): AsyncIterable<Stored<T> | undefined>;
  /** The newest entries that pass `filter`, oldest first, at most `limit`. */
  recent(filter: (e: Stored<T>) => boolean, limit: number): Promise<Stored<T>[]>;
  close(): Promise<void>;
}

/**
 * JSON lines in a file. The head (last seq and hash) is read from the file's last line at open, so
 * a restarted server continues the chain; appends are serialised.
 */
export class FileAuditSink<T extends object> implements AuditSink<T> {
  readonly kind = 'file' as const;
  readonly file: string;
  #head: Promise<{ seq: number; hash: string }>;
  #writing: Promise<unknown> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
    this.#head = lastLine(file).then((line) => {
      if (!line) return { seq: 0, hash: GENESIS };
      const e = JSON.parse(line) as Partial<Chained>;
      // A log written before entries were chained: start a chain after it.
      return typeof e.seq === 'number' && typeof e.hash === 'string' ? { seq: e.seq, hash: e.hash } : { seq: 0, hash: GENESIS };
    });
  }

  append(entry: T): Promise<Stored<T>> {
    const done = this.#writing.then(async () => {
      const stored = chain(entry, await this.#head);
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, JSON.stringify(stored) + '\n');
      this.#head = Promise.resolve({ seq: stored.seq, hash: stored.hash });
      return stored;
    });
    this.#writing = done.catch(() => {});
    return done;
  }

  async *all(): AsyncIterable<Stored<T> | undefined> {
    let input;
    try {
      await stat(this.file);
      input = createReadStream(this.file, 'utf8');
    } catch {
      return;
    }
    for await (const line of createInterface({ input, crlfDelay: Infinity })) {
      if (!line) continue;
      try {
        yield JSON.parse(line) as Stored<T>;
      } catch {
        yield undefined; // a torn or damaged line: verification reports it
      }
    }
  }

  async recent(filter: (e: Stored<T>) => boolean, limit: number): Promise<Stored<T>[]> {
    const out: Stored<T>[] = [];
    for await (const e of this.all()) {
      if (e && filter(e)) {
        out.push(e);
        if (out.length > limit) out.shift();
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.#writing;
  }
}

/** The last complete JSON line of a file, read from the end so a big log opens fast (a torn last line is skipped). */
async function lastLine(file: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const { size } = await handle.stat();
    for (let chunk = 65536; ; chunk *= 4) {
      const start = Math.max(0, size - chunk);
      const buf = Buffer.alloc(size - start);
      await handle.read(buf, 0, buf.length, start);
      const lines = buf.toString('utf8').split('\n').filter((l) => l.trim());
      if (start > 0) lines.shift(); // may begin mid-line
      for (let i = lines.length - 1; i >= 0; i--) {
        try {
          JSON.parse(lines[i]!);
          return lines[i];
        } catch {}
      }
      if (start === 0) return undefined;
    }
  } finally {
    await handle.close();
  }
}

type RedisClient = ReturnType<typeof createClient>;

/**
 * A Redis stream (`onair:audit`), one field `e` per entry, with the chain head in `onair:audit:head`.
 * Appends are optimistic transactions (WATCH the head), so servers sharing the Redis keep one chain.
 * Entries older than the retention are trimmed (MINID); the chain is verified from the first kept one.
 */
export class RedisAuditSink<T extends object> implements AuditSink<T> {
  readonly kind = 'redis' as const;
  static readonly STREAM = 'onair:audit';
  static readonly HEAD = 'onair:audit:head';
  readonly #client: RedisClient;
  readonly #retentionMs: number;
  #appends = 0;

  private constructor(client: RedisClient, retentionMs: number) {
    this.#client = client;
    this.#retentionMs = retentionMs;
  }

  static async connect<T extends object>(url: string, retentionDays: number): Promise<RedisAuditSink<T>> {
    const client: RedisClient = createClient({ url });
    client.on('error', (err: Error) => console.error(`redis (audit): ${err.message}`));
    await client.connect();
    return new RedisAuditSink<T>(client, retentionDays * 86_400_000);
  }

  #writing: Promise<unknown> = Promise.resolve();

  /** Serialised on this connection (WATCH is per connection); other servers retry on conflict. */
  append(entry: T): Promise<Stored<T>> {
    const done = this.#writing.then(() => this.#appendOnce(entry));
    this.#writing = done.catch(() => {});
    return done;
  }

  async #appendOnce(entry: T): Promise<Stored<T>> {
    const c = this.#client;
    for (let attempt = 0; attempt < 50; attempt++) {
      await c.watch(RedisAuditSink.HEAD);
      const raw = await c.get(RedisAuditSink.HEAD);
      const head = raw ? (JSON.parse(String(raw)) as { seq: number; hash: string }) : { seq: 0, hash: GENESIS };
      const s = chain(entry, head);
      const ok = await c
        .multi()
        .xAdd(RedisAuditSink.STREAM, '*', { e: JSON.stringify(s) })
        .set(RedisAuditSink.HEAD, JSON.stringify({ seq: s.seq, hash: s.hash }))
        .exec()
        .then((r) => r !== null, () => false);
      if (ok) {
        if (++this.#appends % 1000 === 1) void this.#trim();
        return s;
      }
    }
    throw new Error('audit log busy: could not append after 50 attempts');
  }

  async #trim(): Promise<void> {
    const minId = `${Date.now() - this.#retentionMs}-0`;
    await this.#client.xTrim(RedisAuditSink.STREAM, 'MINID', minId).catch(() => {});
  }

  async *all(): AsyncIterable<Stored<T> | undefined> {
    let start = '-';
    for (;;) {
      const page = (await this.#client.xRange(RedisAuditSink.STREAM, start, '+', { COUNT: 1000 })) ?? [];
      for (const m of page) {
        try {
          yield JSON.parse(String(m.message.e)) as Stored<T>;
        } catch {
          yield undefined;
        }
      }
      if (page.length < 1000) return;
      start = `(${page.at(-1)!.id}`;
    }
  }

  async recent(filter: (e: Stored<T>) => boolean, limit: number): Promise<Stored<T>[]> {
    const out: Stored<T>[] = [];
    let end = '+';
    // Newest first, a page at a time, until enough match or 50 000 entries were looked at.
    for (let looked = 0; looked < 50_000; ) {
      const page = (await this.#client.xRevRange(RedisAuditSink.STREAM, end, '-', { COUNT: 1000 })) ?? [];
      for (const m of page) {
        try {
          const e = JSON.parse(String(m.message.e)) as Stored<T>;
          if (filter(e)) out.push(e);
        } catch {}
        if (out.length >= limit) return out.reverse();
      }
      looked += page.length;
      if (page.length < 1000) break;
      end = `(${page.at(-1)!.id}`;
    }
    return out.reverse();
  }

  async close(): Promise<void> {
    await this.#client.quit();
  }
}
