import { MemoryRecordStore, RedisRecordStore, type RecordStore } from './record-store.ts';
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
export type AvatarStore = RecordStore<AvatarRecord>;

export function createAvatarStore(redisUrl: string | undefined): Promise<AvatarStore> {
  return redisUrl ? RedisRecordStore.connect<AvatarRecord>(redisUrl, 'onair:avatar:', 'onair:avatars') : Promise.resolve(new MemoryRecordStore<AvatarRecord>());
}
