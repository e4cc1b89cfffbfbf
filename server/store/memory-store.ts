import { MemoryRecordStore } from './record-store.ts';
import type { SessionRecord } from './session-store.ts';

export class MemorySessionStore extends MemoryRecordStore<SessionRecord> {}
