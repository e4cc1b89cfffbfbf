import path from 'node:path';
import { FileRecordStore, RedisRecordStore, type RecordStore } from './record-store.ts';
import type { AvatarInfo } from '../../client-sdk/src/types.ts';

/** An avatar as stored: the API view plus where its kept upload is while the job is unfinished. */
export interface AvatarRecord extends AvatarInfo {
  /** File name of the uploaded video inside the avatar's folder; dropped once the pack is built. */
  upload?: string;
}

/**
 * Where avatar records live: Redis when REDIS_URL is set, else a JSON file in the avatar folder.
 * Avatars are lasting assets (unlike sessions), so either way they and their unfinished jobs
 * survive a restart: queued and processing records are re-run from their kept upload.
 */
export type AvatarStore = RecordStore<AvatarRecord>;

export function createAvatarStore(redisUrl: string | undefined, avatarDir: string): Promise<AvatarStore> {
  return redisUrl ? RedisRecordStore.connect<AvatarRecord>(redisUrl, 'onair:avatar:', 'onair:avatars') : FileRecordStore.open<AvatarRecord>(path.join(avatarDir, 'records.json'));
}
