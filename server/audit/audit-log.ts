import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuditEntry, AvatarAuditEntry } from '../../client-sdk/src/types.ts';

export type { AuditEntry, AvatarAuditEntry };

/**
 * What the presenter was made to say, append-only JSON lines. Written before the speech is queued,
 * so nothing can be said without a record. Avatar enrollments are recorded here too, with the
 * consent of the person whose likeness the presenter is given.
 */
export class AuditLog {
  readonly file: string;
  #ready: Promise<unknown> | undefined;

  constructor(file: string) {
    this.file = file;
  }

  async append(entry: AuditEntry | AvatarAuditEntry): Promise<void> {
    this.#ready ??= mkdir(path.dirname(this.file), { recursive: true });
    await this.#ready;
    await appendFile(this.file, JSON.stringify(entry) + '\n');
  }

  async forSession(sessionId: string, limit = 200): Promise<AuditEntry[]> {
    let text = '';
    try {
      text = await readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    const entries: AuditEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as AuditEntry | AvatarAuditEntry;
        if ('sessionId' in e && e.sessionId === sessionId) entries.push(e);
      } catch {
        // a torn last line after a crash: skip it
      }
    }
    return entries.slice(-limit);
  }
}
