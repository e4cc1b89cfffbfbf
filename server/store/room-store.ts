import type { ConnectorConfig, LlmConfig, ModerationSettings, ReplyRule, ReplySettings } from '../../client-sdk/src/live-room-types.ts';
import type { ShowSnapshot } from '../live-room/show-runner.ts';
import type { SpokenDisclosureSettings } from '../live-room/spoken-disclosure.ts';
import { MemoryRecordStore, RedisRecordStore, type RecordStore } from './record-store.ts';

/** A session's live-room settings (rules, moderation, connectors…), by session id. */
export interface RoomRecord {
  id: string;
  webhookSecret: string;
  rules: ReplyRule[];
  replies: ReplySettings;
  llm?: LlmConfig;
  moderation: ModerationSettings;
  connectors: { id: string; config: ConnectorConfig }[];
  spokenDisclosure?: SpokenDisclosureSettings;
}

/** The show's position and insert queue, by session id: written after every line, kept apart from the settings. */
export interface ShowRecord extends ShowSnapshot {
  id: string;
}

export interface RoomStores {
  rooms: RecordStore<RoomRecord>;
  shows: RecordStore<ShowRecord>;
  close(): Promise<void>;
}

/** Redis with REDIS_URL (shows survive a restart), in-process otherwise (like session records). */
export async function createRoomStores(redisUrl: string | undefined): Promise<RoomStores> {
  const rooms = redisUrl ? await RedisRecordStore.connect<RoomRecord>(redisUrl, 'onair:room:', 'onair:rooms') : new MemoryRecordStore<RoomRecord>();
  const shows = redisUrl ? await RedisRecordStore.connect<ShowRecord>(redisUrl, 'onair:show:', 'onair:shows') : new MemoryRecordStore<ShowRecord>();
  return { rooms, shows, close: async () => void (await Promise.all([rooms.close(), shows.close()])) };
}
