// The presenter's own voices: one folder per voice under the voices root, holding its record
// (voice.json: consent, takes and their checks, the imported model), its takes as WAV files and,
// once trained elsewhere and imported, its model. Deleting a voice deletes the folder.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AvatarConsent, TakeInfo } from '../../client-sdk/src/types.ts';

/** A checked take, as the API returns it. */
export type TakeRecord = TakeInfo;

export interface CustomVoiceRecord {
  id: string;
  name: string;
  lang: 'en' | 'zh';
  consent: Required<AvatarConsent>;
  createdAt: string;
  /** By prompt index; 0 is the person reading the consent statement. */
  takes: Record<string, TakeRecord>;
  model?: { kind: 'piper'; importedAt: string; sampleRate: number };
  /** A zero-shot server that speaks with this voice's reference clip (voice `cosyvoice:ID`). */
  zeroShot?: { engine: 'cosyvoice'; url: string; sampleRate: number; timeoutMs?: number; boundAt: string };
}

const ID = /^[0-9a-f-]{36}$/;

export class CustomVoiceStore {
  readonly root: string;

  constructor(root: string) {
    this.root = path.resolve(root);
  }

  dir(id: string): string {
    if (!ID.test(id)) throw new Error(`bad voice id ${id}`);
    return path.join(this.root, id);
  }

  takeFile(id: string, index: number): string {
    return path.join(this.dir(id), 'takes', `${String(index).padStart(3, '0')}.wav`);
  }

  modelFile(id: string): string {
    return path.join(this.dir(id), 'model', 'voice.onnx');
  }

  async create(fields: Omit<CustomVoiceRecord, 'id' | 'createdAt' | 'takes'>): Promise<CustomVoiceRecord> {
    const record: CustomVoiceRecord = { ...fields, id: randomUUID(), createdAt: new Date().toISOString(), takes: {} };
    await mkdir(path.join(this.dir(record.id), 'takes'), { recursive: true });
    await this.save(record);
    return record;
  }

  async get(id: string): Promise<CustomVoiceRecord | undefined> {
    if (!ID.test(id)) return undefined;
    try {
      return JSON.parse(await readFile(path.join(this.dir(id), 'voice.json'), 'utf8')) as CustomVoiceRecord;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<CustomVoiceRecord[]> {
    if (!existsSync(this.root)) return [];
    const ids = (await readdir(this.root)).filter((d) => ID.test(d));
    const records = await Promise.all(ids.map((id) => this.get(id)));
    return records.filter((r): r is CustomVoiceRecord => r !== undefined).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Written to a temporary file and renamed: a crash never leaves half a record. */
  async save(record: CustomVoiceRecord): Promise<void> {
    const file = path.join(this.dir(record.id), 'voice.json');
    await writeFile(`${file}.tmp`, JSON.stringify(record, null, 2));
    await rename(`${file}.tmp`, file);
  }

  async remove(id: string): Promise<void> {
    await rm(this.dir(id), { recursive: true, force: true });
  }
}
