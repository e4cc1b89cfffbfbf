import { createHash } from 'node:crypto';

/** Hash of the entry before the first one: a chain starts here. */
export const GENESIS = '0'.repeat(64);

/** Chain fields added to every audit entry. */
export interface Chained {
  /** 1, 2, 3… without gaps. */
  seq: number;
  /** Hash of the previous entry (GENESIS for the first). */
  prev: string;
  /** sha256 over `prev` and the entry's canonical JSON (every field but `hash`). */
  hash: string;
}

/** JSON with keys sorted at every level, so the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function entryHash(prev: string, body: object): string {
  return createHash('sha256').update(prev).update('\n').update(canonicalJson(body)).digest('hex');
}

/** Links an entry to the one before it. */
export function chain<T extends object>(entry: T, head: { seq: number; hash: string }): T & Chained {
  const body = { ...entry, seq: head.seq + 1, prev: head.hash };
  return { ...body, hash: entryHash(head.hash, body) };
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  /** The first entry that breaks the chain, and how. */
  problem?: { seq: number | undefined; line: number; reason: string };
}

/**
 * Walks a chain: an edited entry no longer matches its hash, a removed one leaves a gap in `seq`
 * and a `prev` that points at nothing, an inserted or reordered one breaks both. A chain whose
 * oldest entries were trimmed by retention starts from its first kept entry.
 */
export function verifyChain(entries: Iterable<(Partial<Chained> & Record<string, unknown>) | undefined>): ChainReport {
  let prev: { seq: number; hash: string } | undefined;
  let line = 0;
  let n = 0;
  for (const e of entries) {
    line++;
    if (!e) return { ok: false, entries: n, problem: { seq: undefined, line, reason: 'unreadable entry' } };
    const { hash, ...body } = e;
    if (typeof e.seq !== 'number' || typeof e.prev !== 'string' || typeof hash !== 'string') {
      return { ok: false, entries: n, problem: { seq: e.seq as number | undefined, line, reason: 'entry without chain fields' } };
    }
    if (entryHash(e.prev, body) !== hash) return { ok: false, entries: n, problem: { seq: e.seq, line, reason: 'entry was edited (hash mismatch)' } };
    if (prev) {
      if (e.seq !== prev.seq + 1) return { ok: false, entries: n, problem: { seq: e.seq, line, reason: `entries missing between seq ${prev.seq} and ${e.seq}` } };
      if (e.prev !== prev.hash) return { ok: false, entries: n, problem: { seq: e.seq, line, reason: 'entry does not follow the one before it' } };
    } else if (e.seq === 1 && e.prev !== GENESIS) {
      return { ok: false, entries: n, problem: { seq: 1, line, reason: 'first entry does not start the chain' } };
    }
    prev = { seq: e.seq, hash };
    n++;
  }
  return { ok: true, entries: n };
}
