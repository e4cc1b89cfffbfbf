import type { SessionRecord, SessionStore } from './session-store.ts';

export class MemorySessionStore implements SessionStore {
  readonly kind = 'memory' as const;
  readonly #records = new Map<string, string>();

  async save(record: SessionRecord): Promise<void> {
    // Stored serialised, like Redis, so callers can't mutate the stored copy by accident.
    this.#records.set(record.id, JSON.stringify(record));
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const raw = this.#records.get(id);
    return raw === undefined ? undefined : JSON.parse(raw);
  }

  async delete(id: string): Promise<void> {
    this.#records.delete(id);
  }

  async list(): Promise<SessionRecord[]> {
    return [...this.#records.values()].map((raw) => JSON.parse(raw));
  }

  async close(): Promise<void> {}
}
