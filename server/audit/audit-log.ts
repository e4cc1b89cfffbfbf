import type { AuditEntry, AvatarAuditEntry, VoiceAuditEntry } from '../../client-sdk/src/types.ts';
import { verifyChain, type ChainReport } from './audit-chain.ts';
import { FileAuditSink, RedisAuditSink, type AuditSink, type Stored } from './audit-sinks.ts';

export type { AuditEntry, AvatarAuditEntry, VoiceAuditEntry };
type Entry = AuditEntry | AvatarAuditEntry | VoiceAuditEntry;

/** Entries are kept at least this long by default (China's labelling measures: logs ≥ 6 months). */
export const DEFAULT_RETENTION_DAYS = 183;

/**
 * What the presenter was made to say, append-only and tamper-evident: every entry carries a
 * sequence number and the hash of the one before it, so an edited, removed or inserted entry
 * breaks the chain (`verify`, `npm run audit -- verify`). Kept in a Redis stream with REDIS_URL,
 * else in a JSON-lines file. Written before the speech goes out, so nothing is said without a
 * record. Avatar enrollments are recorded here too, with the consent of the person depicted.
 */
export class AuditLog {
  readonly #sink: AuditSink<Entry>;
  #closed = false;

  private constructor(sink: AuditSink<Entry>) {
    this.#sink = sink;
  }

  static async open(opts: { file: string; redisUrl?: string; retentionDays?: number }): Promise<AuditLog> {
    const days = opts.retentionDays ?? DEFAULT_RETENTION_DAYS;
    return new AuditLog(opts.redisUrl ? await RedisAuditSink.connect<Entry>(opts.redisUrl, days) : new FileAuditSink<Entry>(opts.file));
  }

  get kind(): 'file' | 'redis' {
    return this.#sink.kind;
  }

  async append(entry: Entry): Promise<void> {
    if (this.#closed) throw new Error('audit log closed: nothing more may be said');
    await this.#sink.append(entry);
  }

  async forSession(sessionId: string, limit = 200): Promise<Stored<AuditEntry>[]> {
    return (await this.#sink.recent((e) => 'sessionId' in e && e.sessionId === sessionId, limit)) as Stored<AuditEntry>[];
  }

  /** Every entry, oldest first, optionally within [from, to) (ISO times). */
  async *export(range: { from?: string; to?: string } = {}): AsyncIterable<Stored<Entry>> {
    for await (const e of this.#sink.all()) {
      if (!e) continue;
      if (range.from && e.at < range.from) continue;
      if (range.to && e.at >= range.to) continue;
      yield e;
    }
  }

  async verify(): Promise<ChainReport> {
    const entries: (Stored<Entry> | undefined)[] = [];
    for await (const e of this.#sink.all()) entries.push(e);
    return verifyChain(entries as never);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sink.close();
  }
}
