import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { TestCard } from '../../pipeline/sources/test-card.ts';
import type { MediaSource, VideoFormat } from '../../pipeline/core/media.ts';
import { PresenterSource } from '../../pipeline/session/presenter-source.ts';
import { CartoonAvatar } from '../../pipeline/stages/avatar/cartoon-avatar.ts';
import type { AvatarProvider } from '../avatars/avatar-library.ts';
import type { Avatar } from '../../pipeline/stages/avatar/avatar.ts';
import { StudioBackground } from '../../pipeline/stages/compose/backgrounds.ts';
import type { TtsEngine } from '../../pipeline/stages/tts/tts-types.ts';
import { OnnxVoiceMouth, type VoiceVisemeModel } from '../../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { EnergyTiltMouth } from '../../pipeline/stages/lipsync/voice-mouth.ts';
import type { RtcConfig } from '../config.ts';
import { HttpError, notFound } from '../errors.ts';
import type { WorkerPool } from '../media/worker-pool.ts';
import type { SessionRecord, SessionStore } from '../store/session-store.ts';
import { LiveSession } from './live-session.ts';
import { hasShots, type Shot } from '../../pipeline/stages/avatar/three-d/camera-shots.ts';

export interface SessionView extends SessionRecord {
  live: boolean;
  viewers: number;
  presenter?: ReturnType<PresenterSource['status']>;
  outputs: (SessionRecord['outputs'][number] & { state?: string; bitrateKbps?: number; lastError?: string })[];
}

/** What other services (the live room) hang on a session: set up when it goes live, dropped when it is deleted. */
export interface SessionExtension {
  started(live: LiveSession): Promise<void>;
  deleted(id: string): Promise<void>;
}

/** Creates, finds and ends sessions: records in the store, media in LiveSessions on this node. */
export class SessionRegistry {
  readonly #extensions: SessionExtension[] = [];
  #shuttingDown = false;
  readonly #store: SessionStore;
  readonly #pool: WorkerPool;
  readonly #rtc: RtcConfig;
  readonly #video: VideoFormat;
  readonly #live = new Map<string, LiveSession>();
  readonly #tts: TtsEngine;
  readonly #maxSessions: number;
  readonly #voiceModel: VoiceVisemeModel | undefined;
  readonly #avatars: AvatarProvider;
  #starting = 0;

  constructor(
    store: SessionStore,
    pool: WorkerPool,
    rtc: RtcConfig,
    video: VideoFormat,
    tts: TtsEngine,
    maxSessions = Infinity,
    voiceModel?: VoiceVisemeModel,
    avatars: AvatarProvider = { create: async (_avatar, video) => new CartoonAvatar(video.height) },
  ) {
    this.#avatars = avatars;
    this.#tts = tts;
    this.#maxSessions = maxSessions;
    this.#voiceModel = voiceModel;
    this.#store = store;
    this.#pool = pool;
    this.#rtc = rtc;
    this.#video = video;
  }

  /** Metadata written into each RTMP output's stream (the AIGC implicit label, set by the app). */
  outputMetadata: (sessionId: string, outputId: string, url: string) => Record<string, string> = () => ({});

  use(extension: SessionExtension): void {
    this.#extensions.push(extension);
  }

  /** `avatar`: `cartoon` (default) or a ready real-person avatar's id; test-card sessions have none. */
  async create(source: SessionRecord['source'] = 'presenter', avatar?: string): Promise<SessionRecord> {
    if (source === 'test-card' && avatar !== undefined) throw new HttpError(400, 'a test-card session has no avatar');
    // Counting sessions still starting too, so a burst of requests can't overshoot the limit.
    if (this.#live.size + this.#starting >= this.#maxSessions) {
      throw new HttpError(429, `server at capacity (${this.#maxSessions} live sessions); try again later`);
    }
    this.#starting++;
    try {
      return await this.#create(source, avatar ?? 'cartoon');
    } finally {
      this.#starting--;
    }
  }

  async #create(source: SessionRecord['source'], avatarName: string): Promise<SessionRecord> {
    const record: SessionRecord = {
      id: randomUUID(),
      viewerToken: randomBytes(24).toString('base64url'),
      createdAt: new Date().toISOString(),
      video: { ...this.#video },
      source,
      ...(source === 'presenter' ? { avatar: avatarName } : {}),
      outputs: [],
    };
    // Resolved first: an unknown or unfinished avatar is a 404/409 before any media is set up.
    const avatar = source === 'presenter' ? await this.#avatars.create(avatarName, record.video, { shot: record.shot }) : undefined;
    await this.#start(record, avatar);
    await this.#store.save(record);
    return record;
  }

  async #start(record: SessionRecord, avatar: Avatar | undefined): Promise<LiveSession> {
    const media: MediaSource =
      record.source === 'test-card'
        ? new TestCard(record.video)
        : new PresenterSource(
            record.video,
            this.#tts,
            avatar!,
            new StudioBackground(),
            Number.parseInt(record.id.slice(0, 8), 16),
            this.#voiceModel ? new OnnxVoiceMouth(this.#voiceModel) : new EnergyTiltMouth(),
          );
    const live = await LiveSession.start(record, this.#pool.next(), media, this.#rtc);
    live.once('close', () => {
      this.#live.delete(record.id);
      // A durable store keeps the records of sessions stopped by a shutdown: the next start resumes them.
      if (!(this.#shuttingDown && this.#store.kind === 'redis')) this.#store.delete(record.id).catch(() => {});
    });
    this.#live.set(record.id, live);
    try {
      for (const ext of this.#extensions) await ext.started(live);
    } catch (err) {
      live.close();
      throw err;
    }
    return live;
  }

  /**
   * Brings back the sessions a previous run of this server left in the store (Redis): same id,
   * viewer token, avatar and RTMP outputs; the live room resumes its show. With the in-process
   * store there is nothing to restore.
   */
  async restore(log: { warn(msg: string): void; info(msg: string): void }): Promise<number> {
    if (this.#store.kind !== 'redis') return 0;
    let restored = 0;
    for (const record of await this.#store.list()) {
      if (this.#live.has(record.id)) continue;
      try {
        let avatar: Avatar | undefined;
        if (record.source === 'presenter') {
          avatar = await this.#avatars.create(record.avatar ?? 'cartoon', record.video, { shot: record.shot }).catch(async (err: Error) => {
            log.warn(`session ${record.id}: avatar ${record.avatar} unavailable (${err.message}); showing the cartoon`);
            record.avatar = 'cartoon';
            return this.#avatars.create('cartoon', record.video);
          });
        }
        const live = await this.#start(record, avatar);
        for (const o of record.outputs) live.addRtmpOutput(o.url, o.id, this.outputMetadata(record.id, o.id, o.url));
        await this.#store.save(record);
        restored++;
      } catch (err) {
        log.warn(`session ${record.id} could not be restored: ${(err as Error).message}`);
      }
    }
    if (restored) log.info(`restored ${restored} session(s) from the store`);
    return restored;
  }

  async get(id: string): Promise<SessionRecord> {
    const record = await this.#store.get(id);
    if (!record) throw notFound(`session ${id}`);
    return record;
  }

  async view(id: string): Promise<SessionView> {
    const record = await this.get(id);
    const live = this.#live.get(id);
    const statuses = new Map(live?.outputStatuses().map((s) => [s.id, s]));
    return {
      ...record,
      // Records from before avatars existed: their presenter is the cartoon.
      ...(record.source === 'presenter' ? { avatar: record.avatar ?? 'cartoon' } : {}),
      live: live !== undefined,
      viewers: live?.viewerCount ?? 0,
      presenter: live?.presenter?.status(),
      outputs: record.outputs.map((o) => {
        const s = statuses.get(o.id);
        return { ...o, state: s?.state, bitrateKbps: s?.bitrateKbps, lastError: s?.lastError };
      }),
    };
  }

  /** The running session on this node, or a 404. */
  live(id: string): LiveSession {
    const live = this.#live.get(id);
    if (!live) throw notFound(`session ${id}`);
    return live;
  }

  /** The session's presenter, or a 404 / 409 (test-card sessions have none). */
  presenter(id: string): PresenterSource {
    const presenter = this.live(id).presenter;
    if (!presenter) throw new HttpError(409, `session ${id} shows the test card and has no presenter`);
    return presenter;
  }

  /** Switches a live presenter to another avatar (`cartoon` or a ready avatar id) between frames. */
  async setAvatar(id: string, avatarName: string): Promise<SessionRecord> {
    const presenter = this.presenter(id);
    const record = await this.get(id);
    const avatar = await this.#avatars.create(avatarName, this.#video, { shot: record.shot });
    presenter.setAvatar(avatar);
    record.avatar = avatarName;
    await this.#store.save(record);
    return record;
  }

  /** Changes a 3D presenter's framing with a short camera move; kept for later avatar switches. */
  async setShot(id: string, shot: Shot): Promise<SessionRecord> {
    const presenter = this.presenter(id);
    if (!hasShots(presenter.avatar)) throw new HttpError(409, `session ${id} shows a 2D avatar, whose framing is fixed; camera shots apply to 3D presenters`);
    const record = await this.get(id);
    presenter.avatar.setShot(shot);
    record.shot = shot;
    await this.#store.save(record);
    return record;
  }

  /** Ids of live sessions showing this avatar (to switch them away when it is deleted). */
  async sessionsShowing(avatarName: string): Promise<string[]> {
    const ids: string[] = [];
    for (const id of this.#live.keys()) if ((await this.#store.get(id))?.avatar === avatarName) ids.push(id);
    return ids;
  }

  async delete(id: string): Promise<void> {
    await this.get(id);
    this.#live.get(id)?.close();
    await this.#store.delete(id);
    for (const ext of this.#extensions) await ext.deleted(id);
  }

  async addRtmpOutput(id: string, url: string): Promise<{ id: string; url: string; state: string }> {
    const live = this.live(id);
    const record = await this.get(id);
    if (record.outputs.length >= 4) throw new HttpError(409, 'a session has at most 4 outputs');
    const outputId = randomUUID();
    const output = live.addRtmpOutput(url, outputId, this.outputMetadata(id, outputId, url));
    record.outputs.push({ id: output.id, kind: 'rtmp', url, createdAt: new Date().toISOString() });
    await this.#store.save(record);
    return { id: output.id, url, state: output.status.state };
  }

  async removeOutput(id: string, outputId: string): Promise<void> {
    const record = await this.get(id);
    const index = record.outputs.findIndex((o) => o.id === outputId);
    if (index < 0) throw notFound(`output ${outputId}`);
    this.#live.get(id)?.removeOutput(outputId);
    record.outputs.splice(index, 1);
    await this.#store.save(record);
  }

  readonly #publishTokens = new Map<string, { sessionId: string; expires: number }>();

  /**
   * A short-lived token that lets a browser send the operator's voice over the session websocket
   * without putting the API key in a URL.
   */
  async issuePublishToken(id: string, ttlMs = 5 * 60_000): Promise<{ token: string; expiresAt: string }> {
    this.live(id);
    const now = Date.now();
    for (const [t, v] of this.#publishTokens) if (v.expires < now) this.#publishTokens.delete(t);
    const token = randomBytes(24).toString('base64url');
    this.#publishTokens.set(token, { sessionId: id, expires: now + ttlMs });
    return { token, expiresAt: new Date(now + ttlMs).toISOString() };
  }

  isPublishToken(id: string, token: string): boolean {
    const entry = this.#publishTokens.get(token);
    return entry !== undefined && entry.sessionId === id && entry.expires > Date.now();
  }

  /** Constant-time check of a session's viewer token. */
  async isViewerToken(id: string, token: string): Promise<boolean> {
    const record = await this.#store.get(id);
    if (!record) return false;
    const a = Buffer.from(record.viewerToken);
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  isLive(id: string): boolean {
    return this.#live.has(id);
  }

  get liveCount(): number {
    return this.#live.size;
  }

  /** Server shutdown: media stops; with Redis the records stay so the next start resumes the sessions. */
  closeAll(): void {
    this.#shuttingDown = true;
    for (const live of [...this.#live.values()]) live.close();
  }
}
