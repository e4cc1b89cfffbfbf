import type { Avatar } from '../../pipeline/stages/avatar/avatar.ts';
import { CartoonAvatar } from '../../pipeline/stages/avatar/cartoon-avatar.ts';
import { loadAvatarPack, type AvatarPack } from '../../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { RealPersonAvatar } from '../../pipeline/stages/avatar/real-person/real-person-avatar.ts';
import type { VideoFormat } from '../../pipeline/core/media.ts';
import { HttpError, notFound } from '../errors.ts';
import type { AvatarFiles } from './avatar-files.ts';
import type { EnrollmentJobs } from './enrollment-jobs.ts';
import { builtIn, hostGlb } from './built-in-hosts.ts';
import type { Shot } from '../../pipeline/stages/avatar/three-d/camera-shots.ts';
import { loadGlbHumanoid, loadHumanoid } from '../../pipeline/stages/avatar/three-d/load-humanoid.ts';
import { readFile } from 'node:fs/promises';
import { modelFile, type ModelStore } from './models/model-store.ts';
import { ThreeDAvatar, type HumanoidModel } from '../../pipeline/stages/avatar/three-d/three-d-avatar.ts';

export const CARTOON = 'cartoon';

/** What SessionRegistry needs: an avatar for a presenter, by name. */
export interface AvatarProvider {
  /** `cartoon`, a built-in 3D host or a ready avatar's id; 404 for an unknown id, 409 for one not ready. */
  create(avatar: string, video: VideoFormat, options?: AvatarOptions): Promise<Avatar>;
}

export interface AvatarOptions {
  /** A 3D avatar's first framing. */
  shot?: Shot;
}

/**
 * Turns an avatar name into a renderer for a new presenter. Packs are loaded once per avatar and
 * shared by every session showing it (a pack is tens of MB of frames); each session gets its own
 * renderer, which holds the per-session playback state.
 */
/** A 3D renderer for a session; a server that cannot render 3D (no Xvfb, no GL) says so with a 503. */
async function create3d(model: HumanoidModel, video: VideoFormat, options: AvatarOptions): Promise<Avatar> {
  try {
    return await ThreeDAvatar.create(model, { width: video.width, height: video.height, fps: video.fps, shot: options.shot });
  } catch (err) {
    throw new HttpError(503, `3D rendering is not available on this server: ${(err as Error).message}`);
  }
}

export interface AvatarLibraryDeps {
  jobs: EnrollmentJobs;
  files: AvatarFiles;
  models: ModelStore;
}

export class AvatarLibrary implements AvatarProvider {
  readonly #jobs: EnrollmentJobs;
  readonly #files: AvatarFiles;
  readonly #models: ModelStore;
  readonly #packs = new Map<string, Promise<AvatarPack>>();

  constructor(deps: AvatarLibraryDeps) {
    this.#jobs = deps.jobs;
    this.#files = deps.files;
    this.#models = deps.models;
  }

  async create(avatar: string, video: VideoFormat, options: AvatarOptions = {}): Promise<Avatar> {
    if (avatar === CARTOON) return new CartoonAvatar(video.height);
    if (builtIn(avatar)?.kind === '3d') {
      // Each session gets its own scene graph (its own pose) and GL context.
      const model = await loadGlbHumanoid(await hostGlb(avatar));
      return create3d(model, video, options);
    }
    const model = await this.#models.get(avatar);
    if (model) {
      const bytes = await readFile(this.#files.upload(model.id, modelFile(model.format))).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') throw new HttpError(409, `avatar ${avatar} is stored but its model file is not on this server`);
        throw err;
      });
      const built = await loadHumanoid(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, model.format);
      return create3d(built, video, options);
    }
    const record = await this.#jobs.get(avatar);
    if (!record) throw notFound(`avatar ${avatar}`);
    if (record.state !== 'ready') throw new HttpError(409, `avatar ${avatar} is ${record.state}, not ready`);
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
    return new RealPersonAvatar(await pack, video.fps);
  }

  /** Drops a deleted avatar's pack (sessions showing it keep their own reference until they switch). */
  forget(avatar: string): void {
    this.#packs.delete(avatar);
  }
}
