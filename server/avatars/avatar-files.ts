import { access, mkdir, readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * Where an avatar's files are: `<root>/<id>/` holds the kept upload (until the pack is built) and
 * `pack/`. One folder per avatar, so removing an avatar or a failed upload is one `rm -r`.
 */
export class AvatarFiles {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  dir(id: string): string {
    // Ids are server-made UUIDs; refusing anything else keeps a crafted id from escaping the root.
    if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw new Error(`bad avatar id ${JSON.stringify(id)}`);
    return path.join(this.root, id);
  }

  packDir(id: string): string {
    return path.join(this.dir(id), 'pack');
  }

  upload(id: string, file: string): string {
    return path.join(this.dir(id), path.basename(file));
  }

  async create(id: string): Promise<string> {
    const dir = this.dir(id);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  async exists(file: string): Promise<boolean> {
    return access(file).then(
      () => true,
      () => false,
    );
  }

  /** Removes everything of an avatar (upload, partial or finished pack). */
  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }

  async removeUpload(id: string, file: string): Promise<void> {
    await rm(this.upload(id, file), { force: true });
  }

  async removePack(id: string): Promise<void> {
    await rm(this.packDir(id), { recursive: true, force: true });
  }

  /**
   * Folders no record knows about and that hold no finished pack: uploads cut off by a crash.
   * (Finished packs are left alone even without a record: someone may still want them.)
   */
  async removeStrays(known: Set<string>): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.root);
    } catch {
      return [];
    }
    const removed: string[] = [];
    for (const name of entries) {
      if (known.has(name) || !/^[A-Za-z0-9-]{1,64}$/.test(name)) continue;
      if (await this.exists(path.join(this.root, name, 'pack', 'manifest.json'))) continue;
      await rm(path.join(this.root, name), { recursive: true, force: true });
      removed.push(name);
    }
    return removed;
  }
}
