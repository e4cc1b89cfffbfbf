import type { Avatar } from '../../pipeline/stages/avatar/avatar.ts';
import { CartoonAvatar } from '../../pipeline/stages/avatar/cartoon-avatar.ts';
import { loadAvatarPack, type AvatarPack } from '../../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { HttpError, notFound } from '../errors.ts';
import type { AvatarFiles } from './avatar-files.ts';
import type { EnrollmentJobs } from './enrollment-jobs.ts';

export const CARTOON = 'cartoon';

/** What SessionRegistry needs: an avatar for a presenter, by name. */
export interface AvatarProvider {
  /** `cartoon` or a ready avatar's id; 404 for an unknown id, 409 for one not ready. */
  create(avatar: string, height: number): Promise<Avatar>;
}

// The real-person renderer lands separately (pipeline/stages/avatar/real-person/). Imported by a
// computed specifier, so this server builds and runs (with the cartoon) before it exists.
type RealPersonAvatarClass = new (pack: AvatarPack) => Avatar;
const AVATAR_MODULE = '../../pipeline/stages/avatar/real-person/real-person-avatar.ts';

async function realPersonAvatarClass(): Promise<RealPersonAvatarClass> {
  try {
    return (await import(AVATAR_MODULE)).RealPersonAvatar as RealPersonAvatarClass;
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') throw new HttpError(503, 'this server cannot render real-person avatars yet');
    throw err;
  }
}

/**
 * Turns an avatar name into a renderer for a new presenter. Packs are loaded once per avatar and
 * shared by every session showing it (a pack is tens of MB of frames); each session gets its own
 * renderer, which holds the per-session playback state.
 */
export class AvatarLibrary implements AvatarProvider {
  readonly #jobs: EnrollmentJobs;
  readonly #files: AvatarFiles;
  readonly #packs = new Map<string, Promise<AvatarPack>>();

  constructor(jobs: EnrollmentJobs, files: AvatarFiles) {
    this.#jobs = jobs;
    this.#files = files;
  }

  async create(avatar: string, height: number): Promise<Avatar> {
    if (avatar === CARTOON) return new CartoonAvatar(height);
    const record = await this.#jobs.get(avatar);
    if (!record) throw notFound(`avatar ${avatar}`);
    if (record.state !== 'ready') throw new HttpError(409, `avatar ${avatar} is ${record.state}, not ready`);
    const RealPersonAvatar = await realPersonAvatarClass();
    let pack = this.#packs.get(avatar);
    if (!pack) {
      pack = loadAvatarPack(this.#files.packDir(avatar)).catch((err: NodeJS.ErrnoException) => {
        // E.g. servers sharing Redis but not the avatar folder.
        if (err.code === 'ENOENT') throw new HttpError(409, `avatar ${avatar} is ready but its pack is not on this server`);
        throw err;
      });
      this.#packs.set(avatar, pack);
      // A failed load is not cached: the next session tries again.
      pack.catch(() => this.#packs.delete(avatar));
    }
    return new RealPersonAvatar(await pack);
  }

  /** Drops a deleted avatar's pack (sessions showing it keep their own reference until they switch). */
  forget(avatar: string): void {
    this.#packs.delete(avatar);
  }
}
