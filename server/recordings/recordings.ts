import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, rm, stat, statfs, readdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { AuditLog } from '../audit/audit-log.ts';
import { HttpError, notFound } from '../errors.ts';
import type { LiveSession } from '../sessions/live-session.ts';
import type { SessionExtension, SessionRegistry } from '../sessions/session-registry.ts';
import type { RecordStore } from '../store/record-store.ts';
import { RecordingSink } from './recording-sink.ts';

const run = promisify(execFile);

export type RecordingState = 'recording' | 'finalizing' | 'ready' | 'failed';

export interface RecordingRecord {
  id: string;
  sessionId: string;
  state: RecordingState;
  startedAt: string;
  endedAt?: string;
  /** Why it ended: stopped by the operator or with the session, a size limit, or a failure. */
  endReason?: 'stopped' | 'limit' | 'failed' | 'session-ended';
  bytes: number;
  durationSec?: number;
  /** The AIGC implicit label written into the file. */
  aigc: string;
  /** A C2PA manifest is embedded (signed with the operator's certificate). */
  signed: boolean;
  error?: string;
}

/** Signs a finished MP4 in place (C2PA); absent when no signer is configured. */
export type RecordingSigner = (file: string, record: RecordingRecord) => Promise<void>;

export interface RecordingsConfig {
  dir: string;
  /** One recording stops (state ready, endReason limit) when it reaches this size. */
  maxBytes: number;
  /** New recordings are refused (507) while finished ones take more than this. */
  maxTotalBytes: number;
  /** Finished recordings older than this are deleted. */
  retentionDays: number;
  /** Record every session from its start. */
  always: boolean;
}

export interface RecordingsDeps {
  config: RecordingsConfig;
  store: RecordStore<RecordingRecord>;
  registry: SessionRegistry;
  audit: AuditLog;
  aigc: (sessionId: string, recordingId: string) => string;
  signer?: RecordingSigner;
  log: { info(m: string): void; warn(m: string): void };
}

/** Free space below this refuses a new recording (the stream itself needs none). */
const MIN_FREE_BYTES = 512 * 1024 * 1024;

/**
 * Recordings of sessions for replays and compliance: started and stopped per session (or always),
 * written as fragmented MP4 by their own encoder, then finalised to a plain MP4 carrying the AIGC
 * metadata and (with a signer) a C2PA manifest. Listed, downloaded and deleted through the API, kept
 * within size and retention limits. A recording that fails ends alone; the session never notices.
 */
export class Recordings implements SessionExtension {
  readonly #deps: RecordingsDeps;
  readonly #active = new Map<string, { sink: RecordingSink; live: LiveSession }>();
  #sweeper: NodeJS.Timeout | undefined;
  readonly #finalizing = new Set<Promise<void>>();

  constructor(deps: RecordingsDeps) {
    this.#deps = deps;
    this.#sweeper = setInterval(() => void this.sweep(), 3_600_000);
    this.#sweeper.unref();
  }

  /** After a restart: recordings that were being written are finalised from what reached the disk. */
  async resume(): Promise<void> {
    await mkdir(this.#deps.config.dir, { recursive: true });
    for (const r of await this.#deps.store.list()) {
      if (r.state === 'recording' || r.state === 'finalizing') void this.#finalize(r, r.endReason === 'limit' ? 'limit' : 'stopped', r.state === 'recording' ? 'the server stopped while recording' : undefined);
    }
    await this.sweep();
  }

  async started(live: LiveSession): Promise<void> {
    live.once('close', () => {
      for (const [id, a] of this.#active) if (a.live === live) this.#stopActive(id, 'session-ended');
    });
    if (this.#deps.config.always && live.presenter) await this.start(live.record.id).catch((err: Error) => this.#deps.log.warn(`always-record: ${err.message}`));
  }

  async deleted(): Promise<void> {}

  #fileOf(id: string, ext: 'fmp4' | 'mp4'): string {
    return path.join(this.#deps.config.dir, `${id}.${ext}`);
  }

  async start(sessionId: string): Promise<RecordingRecord> {
    const live = this.#deps.registry.live(sessionId);
    for (const a of this.#active.values()) if (a.live === live) throw new HttpError(409, `session ${sessionId} is already being recorded`);
    const { dir, maxTotalBytes, maxBytes } = this.#deps.config;
    await mkdir(dir, { recursive: true });
    const fs = await statfs(dir);
    if (fs.bavail * fs.bsize < MIN_FREE_BYTES) throw new HttpError(507, `not enough disk space for a recording in ${dir}`);
    const used = (await this.#deps.store.list()).reduce((n, r) => n + r.bytes, 0);
    if (used >= maxTotalBytes) throw new HttpError(507, `recordings use ${Math.round(used / 2 ** 20)} MiB of the ${Math.round(maxTotalBytes / 2 ** 20)} MiB allowed; delete some first`);
    const id = randomUUID();
    const record: RecordingRecord = { id, sessionId, state: 'recording', startedAt: new Date().toISOString(), bytes: 0, aigc: this.#deps.aigc(sessionId, id), signed: false };
    const sink = new RecordingSink(this.#fileOf(id, 'fmp4'), live.record.video, { AIGC: record.aigc }, maxBytes);
    live.pacer.addSink(sink);
    this.#active.set(id, { sink, live });
    sink.once('ended', ({ reason, error }) => {
      live.pacer.removeSink(sink);
      this.#active.delete(id);
      if (error) this.#deps.log.warn(`recording ${id} of session ${sessionId}: ${error}`);
      const done = this.#finalize(record, reason, error);
      this.#finalizing.add(done);
      void done.finally(() => this.#finalizing.delete(done));
    });
    await this.#deps.store.save(record);
    await this.#deps.audit.append({ at: record.startedAt, sessionId, action: 'show.control', source: 'operator', detail: `recording ${id} started`, client: 'server' });
    return record;
  }

  async stop(id: string): Promise<RecordingRecord> {
    const record = await this.get(id);
    if (!this.#active.has(id)) throw new HttpError(409, `recording ${id} is ${record.state}, not recording`);
    await this.#stopActive(id, 'stopped');
    return this.waitFor(id, ['ready', 'failed'], 60_000);
  }

  async #stopActive(id: string, reason: 'stopped' | 'session-ended'): Promise<void> {
    const a = this.#active.get(id);
    if (!a) return;
    const record = await this.#deps.store.get(id);
    if (record) {
      record.state = 'finalizing';
      record.endReason = reason;
      await this.#deps.store.save(record);
    }
    a.sink.stop('stopped');
  }

  /** fMP4 → plain MP4 (faststart, metadata kept) → C2PA signature → ready. */
  async #finalize(start: RecordingRecord, reason: 'stopped' | 'limit' | 'failed', error?: string): Promise<void> {
    const record = (await this.#deps.store.get(start.id)) ?? start;
    record.state = 'finalizing';
    record.endedAt ??= new Date().toISOString();
    record.endReason = record.endReason === 'session-ended' ? 'session-ended' : reason;
    await this.#deps.store.save(record);
    const fmp4 = this.#fileOf(record.id, 'fmp4');
    const mp4 = this.#fileOf(record.id, 'mp4');
    try {
      await run('ffmpeg', ['-v', 'error', '-y', '-i', fmp4, '-map', '0', '-c', 'copy', '-movflags', '+faststart+use_metadata_tags', '-metadata', `AIGC=${record.aigc}`, mp4]);
      await rm(fmp4, { force: true });
      const probe = await run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', mp4]);
      record.durationSec = Number.parseFloat(probe.stdout) || 0;
      if (this.#deps.signer) {
        await this.#deps.signer(mp4, record);
        record.signed = true;
      }
      record.bytes = (await stat(mp4)).size;
      record.state = 'ready';
      if (reason === 'failed' && error) record.error = error;
    } catch (err) {
      record.state = 'failed';
      record.error = `${error ? `${error}; ` : ''}finalising failed: ${(err as Error).message.split('\n').slice(-2).join(' ')}`;
      this.#deps.log.warn(`recording ${record.id}: ${record.error}`);
      record.bytes = await stat(mp4).then((s) => s.size, () => stat(fmp4).then((s) => s.size, () => 0));
    }
    await this.#deps.store.save(record);
  }

  async waitFor(id: string, states: RecordingState[], timeoutMs: number): Promise<RecordingRecord> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.get(id);
      if (states.includes(r.state) || Date.now() > until) return r;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  async get(id: string): Promise<RecordingRecord> {
    const r = await this.#deps.store.get(id);
    if (!r) throw notFound(`recording ${id}`);
    const active = this.#active.get(id);
    return active ? { ...r, bytes: active.sink.bytes } : r;
  }

  async list(sessionId?: string): Promise<RecordingRecord[]> {
    const all = await this.#deps.store.list();
    return Promise.all(all.filter((r) => !sessionId || r.sessionId === sessionId).sort((a, b) => a.startedAt.localeCompare(b.startedAt)).map((r) => this.get(r.id)));
  }

  /** The finished file to download (409 while it is still being written). */
  async file(id: string): Promise<string> {
    const r = await this.get(id);
    if (r.state !== 'ready') throw new HttpError(409, `recording ${id} is ${r.state}`);
    return this.#fileOf(id, 'mp4');
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    if (this.#active.has(id)) {
      await this.#stopActive(id, 'stopped');
      await this.waitFor(id, ['ready', 'failed'], 30_000);
    }
    await rm(this.#fileOf(id, 'mp4'), { force: true });
    await rm(this.#fileOf(id, 'fmp4'), { force: true });
    await this.#deps.store.delete(id);
  }

  /** Deletes finished recordings past the retention period, and stray files no record knows. */
  async sweep(): Promise<void> {
    const cutoff = Date.now() - this.#deps.config.retentionDays * 86_400_000;
    const records = await this.#deps.store.list();
    for (const r of records) {
      if ((r.state === 'ready' || r.state === 'failed') && Date.parse(r.endedAt ?? r.startedAt) < cutoff) await this.delete(r.id).catch(() => {});
    }
    const known = new Set(records.map((r) => r.id));
    for (const f of await readdir(this.#deps.config.dir).catch(() => [] as string[])) {
      const id = f.replace(/\.(f?mp4)$/, '');
      if (id !== f && !known.has(id)) await rm(path.join(this.#deps.config.dir, f), { force: true });
    }
  }

  /** Shutdown: active recordings end cleanly and are finalised (bounded wait; the next start finishes the rest). */
  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    await Promise.all([...this.#active.keys()].map((id) => this.#stopActive(id, 'stopped')));
    const deadline = Date.now() + 8000;
    while ((this.#active.size || this.#finalizing.size) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
}
