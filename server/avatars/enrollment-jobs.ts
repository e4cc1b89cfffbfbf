import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { FastifyBaseLogger } from 'fastify';
import type { AvatarEvent, AvatarInfo } from '../../client-sdk/src/types.ts';
import type { PackManifest } from '../../pipeline/stages/avatar/real-person/enroll.ts';
import { HttpError, notFound } from '../errors.ts';
import type { AvatarRecord, AvatarStore } from '../store/avatar-store.ts';
import type { AvatarFiles } from './avatar-files.ts';
import type { EnrollMessage } from './enroll-messages.ts';

const CHILD = fileURLToPath(new URL('./enroll-process.ts', import.meta.url));
/** Progress is written to the store at most this often (the running job's record is served from memory). */
const SAVE_EVERY_MS = 1000;
/** How long a cancelled child gets to stop by itself before it is killed. */
const KILL_GRACE_MS = 3000;

export type AvatarEventName = AvatarEvent['event'];

/** What a waiting upload learns: the face check passed, or the job ended (or is still running). */
export interface ValidationOutcome {
  outcome: 'validated' | 'failed' | 'cancelled' | 'timeout';
  /** Absent only if the avatar was deleted meanwhile. */
  record?: AvatarRecord;
  /** For `failed`: the error is about the video (a 400), not the server. */
  userFacing?: boolean;
}

interface Running {
  id: string;
  record: AvatarRecord;
  child: ChildProcess;
  stop?: 'cancel' | 'shutdown';
  finished: Promise<void>;
}

const TERMINAL = new Set<AvatarInfo['state']>(['ready', 'failed', 'cancelled']);

/** The API view of a record: without where the upload is kept. */
export function avatarView(record: AvatarRecord): AvatarInfo {
  const { upload: _upload, ...view } = record;
  return view;
}

function packSummary(m: PackManifest): NonNullable<AvatarInfo['pack']> {
  return {
    width: m.width,
    height: m.height,
    fps: m.fps,
    idleFrames: m.idle.frames,
    atlasMouths: m.atlas.entries,
    matte: m.matte,
    faceFraction: m.source.faceFraction,
    analysisSeconds: m.analysisSeconds,
  };
}

type JobEvents = {
  update: [record: AvatarRecord, event: AvatarEventName];
  validated: [id: string];
  /** Just before a job's `avatar.failed` update: whether the reason is the video's (a 400) or the server's. */
  failure: [id: string, userFacing: boolean];
  /** The server is stopping: uploads waiting for the face check answer with what they have. */
  closing: [];
};

/**
 * Runs avatar enrollments, one at a time (each wants a whole core, and live streams need the
 * rest), each in a child process at low priority. Job state is the avatar record in the store, so
 * a restarted server picks up queued and interrupted jobs from their kept uploads (resume()).
 * Emits `update` (record, event name) on every change, for the progress websocket.
 */

export class EnrollmentJobs extends EventEmitter<JobEvents> {
  readonly #store: AvatarStore;
  readonly #files: AvatarFiles;
  readonly #log: FastifyBaseLogger;
  readonly #queue: string[] = [];
  /** The job being started or run; set synchronously so two jobs never start together. */
  #current: string | undefined;
  #currentRun: Promise<void> = Promise.resolve();
  /** Cancelled while starting, before its child existed. */
  #cancelStart: string | undefined;
  #running: Running | undefined;
  #closed = false;
  #saving: Promise<unknown> = Promise.resolve();
  #lastSave = 0;

  constructor(store: AvatarStore, files: AvatarFiles, log: FastifyBaseLogger) {
    super();
    this.setMaxListeners(0);
    this.#store = store;
    this.#files = files;
    this.#log = log;
  }

  /** The freshest record: the running job's in-memory copy (progress), else the store's. */
  async get(id: string): Promise<AvatarRecord | undefined> {
    if (this.#running?.id === id) return structuredClone(this.#running.record);
    return this.#store.get(id);
  }

  async list(): Promise<AvatarRecord[]> {
    const records = await this.#store.list();
    return records.map((r) => (this.#running?.id === r.id ? structuredClone(this.#running.record) : r)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /** Whether this job is the one running (or starting) now, rather than waiting its turn. */
  isActive(id: string): boolean {
    return this.#current === id;
  }

  /** Stores a new avatar record (state `queued`) and queues its enrollment. */
  async add(record: AvatarRecord): Promise<void> {
    await this.#store.save(record);
    this.enqueue(record.id);
  }

  enqueue(id: string): void {
    if (!this.#queue.includes(id) && this.#current !== id) this.#queue.push(id);
    this.#pump();
  }

  /** Resolves when the job passed the face check, ended, or `timeoutMs` passed. */
  waitValidated(id: string, timeoutMs: number): Promise<ValidationOutcome> {
    return new Promise((resolve) => {
      let userFacing: boolean | undefined;
      const done = async (outcome: ValidationOutcome['outcome'], record?: AvatarRecord) => {
        clearTimeout(timer);
        this.off('validated', onValidated);
        this.off('update', onUpdate);
        this.off('failure', onFailure);
        this.off('closing', onClosing);
        resolve({ outcome, record: record ?? (await this.get(id).catch(() => undefined)), userFacing });
      };
      const onValidated = (vid: string) => vid === id && void done('validated');
      const onFailure = (fid: string, isUserFacing: boolean) => fid === id && (userFacing = isUserFacing);
      const onUpdate = (record: AvatarRecord, event: AvatarEventName) => {
        if (record.id !== id) return;
        if (event === 'avatar.failed') void done('failed', record);
        else if (event === 'avatar.cancelled') void done('cancelled', record);
        else if (event === 'avatar.ready') void done('validated', record);
      };
      const onClosing = () => void done('timeout');
      const timer = setTimeout(onClosing, timeoutMs);
      this.on('closing', onClosing);
      this.on('validated', onValidated);
      this.on('update', onUpdate);
      this.on('failure', onFailure);
    });
  }

  /** Stops a queued or running job: state `cancelled`, its files removed. */
  async cancel(id: string): Promise<AvatarRecord> {
    const record = await this.get(id);
    if (!record) throw notFound(`avatar ${id}`);
    if (TERMINAL.has(record.state)) throw new HttpError(409, `avatar ${id} is already ${record.state}`);
    const running = this.#running;
    if (running?.id === id) {
      running.stop = 'cancel';
      this.#kill(running.child);
      await running.finished;
      return (await this.#store.get(id)) ?? record;
    }
    if (this.#current === id) {
      this.#cancelStart = id;
      await this.#currentRun;
      return (await this.#store.get(id)) ?? record;
    }
    const queued = this.#queue.indexOf(id);
    if (queued >= 0) this.#queue.splice(queued, 1);
    return this.#finish(record, 'cancelled');
  }

  /** Cancels if unfinished, then removes the record and every file of the avatar. */
  async remove(id: string): Promise<AvatarRecord> {
    const record = await this.get(id);
    if (!record) throw notFound(`avatar ${id}`);
    if (!TERMINAL.has(record.state)) await this.cancel(id).catch(() => {});
    await this.#files.remove(id);
    await this.#saving;
    await this.#store.delete(id);
    return record;
  }

  /**
   * At server start: re-queues jobs that were queued or running when the last server stopped
   * (oldest first), fails those whose upload is gone, and removes folders of uploads cut off by a
   * crash before their record was written.
   */
  async resume(): Promise<void> {
    const records = (await this.#store.list()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const record of records) {
      if (TERMINAL.has(record.state)) continue;
      if (record.upload && (await this.#files.exists(this.#files.upload(record.id, record.upload)))) {
        Object.assign(record, { state: 'queued', stage: 'queued', progress: 0 });
        await this.#store.save(record);
        this.#queue.push(record.id);
        this.#log.info({ avatar: record.id }, 'avatar enrollment re-queued after a restart');
      } else {
        await this.#finish(record, 'failed', 'the uploaded video was lost before enrollment finished; please upload it again');
      }
    }
    const strays = await this.#files.removeStrays(new Set(records.map((r) => r.id)));
    if (strays.length) this.#log.info({ strays }, 'removed avatar folders of interrupted uploads');
    this.#pump();
  }

  /** Server shutdown: stops the running child but keeps its record `processing`, so a restart re-runs it. */
  async close(): Promise<void> {
    this.#closed = true;
    this.emit('closing');
    const running = this.#running;
    if (running) {
      running.stop = 'shutdown';
      this.#kill(running.child);
      await running.finished;
    }
    await this.#saving;
  }

  #pump(): void {
    if (this.#current !== undefined || this.#closed) return;
    const id = this.#queue.shift();
    if (id === undefined) return;
    this.#current = id;
    this.#currentRun = this.#run(id)
      .catch((err: Error) => this.#log.error({ err, avatar: id }, 'avatar enrollment job failed'))
      .finally(() => {
        this.#current = undefined;
        this.#pump();
      });
  }

  async #run(id: string): Promise<void> {
    const record = await this.#store.get(id);
    if (!record || TERMINAL.has(record.state)) return;
    if (!record.upload || !(await this.#files.exists(this.#files.upload(id, record.upload)))) {
      await this.#finish(record, 'failed', 'the uploaded video was lost before enrollment finished; please upload it again');
      return;
    }
    Object.assign(record, { state: 'processing', stage: 'validating', progress: 0 });
    delete record.error;
    await this.#files.removePack(id); // what an interrupted earlier run left
    await this.#store.save(record);
    if (this.#closed) return; // shutting down: stays `processing`, the next start re-runs it
    if (this.#cancelStart === id) {
      this.#cancelStart = undefined;
      await this.#finish(record, 'cancelled');
      return;
    }
    this.emit('update', structuredClone(record), 'avatar.progress');

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, this.#files.upload(id, record.upload), this.#files.packDir(id)], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Its own process group, so cancelling also stops the ffmpeg decoders it started.
      detached: true,
    });
    let output = '';
    const keep = (d: Buffer) => (output = (output + d.toString()).slice(-8000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    let endFinished!: () => void;
    const running: Running = { id, record, child, finished: new Promise<void>((r) => (endFinished = r)) };
    this.#running = running;
    try {
      const outcome = await new Promise<EnrollMessage | { type: 'exit'; code: number | null; signal: string | null }>((resolve) => {
        let final: EnrollMessage | undefined;
        child.on('message', (msg: EnrollMessage) => {
          if (msg.type === 'validated') {
            this.emit('validated', id);
          } else if (msg.type === 'progress') {
            record.stage = msg.stage;
            // Monotonic: a bar that jumps back looks broken.
            record.progress = Math.min(0.99, Math.max(record.progress, msg.progress));
            this.#progress(record);
          } else {
            final = msg;
          }
        });
        child.once('error', (err) => resolve({ type: 'error', message: `cannot start the enrollment process: ${err.message}`, userFacing: false }));
        child.once('exit', (code, signal) => resolve(final ?? { type: 'exit', code, signal }));
      });
      this.#running = undefined;
      if (running.stop === 'shutdown') return; // stays `processing`: the next start re-runs it
      if (running.stop === 'cancel') {
        await this.#finish(record, 'cancelled');
      } else if (outcome.type === 'done') {
        record.pack = packSummary(outcome.manifest);
        await this.#finish(record, 'ready');
      } else if (outcome.type === 'error') {
        if (!outcome.userFacing) this.#log.error({ avatar: id, error: outcome.message }, 'avatar enrollment crashed');
        this.emit('failure', id, outcome.userFacing);
        await this.#finish(record, 'failed', outcome.userFacing ? outcome.message : 'enrollment failed because of a server error (see the server log)');
      } else {
        this.#log.error({ avatar: id, code: outcome.type === 'exit' ? outcome.code : undefined, output }, 'avatar enrollment process died');
        this.emit('failure', id, false);
        await this.#finish(record, 'failed', 'the enrollment process stopped unexpectedly (see the server log)');
      }
    } finally {
      this.#running = undefined;
      endFinished();
    }
  }

  #progress(record: AvatarRecord): void {
    this.emit('update', structuredClone(record), 'avatar.progress');
    const now = Date.now();
    if (now - this.#lastSave < SAVE_EVERY_MS) return;
    this.#lastSave = now;
    this.#persist(record);
  }

  /** Store writes in order; a failed write is logged, never thrown into a job. */
  #persist(record: AvatarRecord): Promise<unknown> {
    const copy = structuredClone(record);
    this.#saving = this.#saving.then(() => this.#store.save(copy)).catch((err: Error) => this.#log.error({ err, avatar: record.id }, 'saving the avatar record failed'));
    return this.#saving;
  }

  /** Ends a job: keeps only the pack when ready, nothing when failed or cancelled. */
  async #finish(record: AvatarRecord, state: 'ready' | 'failed' | 'cancelled', error?: string): Promise<AvatarRecord> {
    if (state === 'ready') {
      if (record.upload) await this.#files.removeUpload(record.id, record.upload);
      record.progress = 1;
      record.stage = 'done';
    } else {
      await this.#files.remove(record.id);
      record.stage = state;
    }
    delete record.upload;
    record.state = state;
    record.finishedAt = new Date().toISOString();
    if (error) record.error = error;
    await this.#persist(record);
    this.emit('update', structuredClone(record), `avatar.${state}`);
    return record;
  }

  #kill(child: ChildProcess): void {
    const signal = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig);
      } catch {
        child.kill(sig);
      }
    };
    signal('SIGTERM');
    const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && signal('SIGKILL'), KILL_GRACE_MS);
    child.once('exit', () => clearTimeout(timer));
  }
}
