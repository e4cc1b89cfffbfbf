import path from 'node:path';
import type { ModelAvatarInfo } from '../../../client-sdk/src/types.ts';
import { FileRecordStore, RedisRecordStore, type RecordStore } from '../../store/record-store.ts';

/** Uploaded 3D avatars: records in Redis (REDIS_URL) or a JSON file beside the avatar folders. */
export type ModelStore = RecordStore<ModelAvatarInfo>;

export function createModelStore(redisUrl: string | undefined, avatarDir: string): Promise<ModelStore> {
  return redisUrl ? RedisRecordStore.connect<ModelAvatarInfo>(redisUrl, 'onair:model:', 'onair:models') : FileRecordStore.open<ModelAvatarInfo>(path.join(avatarDir, 'models.json'));
}

/** The model file inside the avatar's folder. */
export const modelFile = (format: ModelAvatarInfo['format']) => (format === 'glb' ? 'model.glb' : 'model.vrm');
