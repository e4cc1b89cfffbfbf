import Fastify, { type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import { makeAuth } from './auth.ts';
import type { Config } from './config.ts';
import { HttpError } from './errors.ts';
import { WorkerPool } from './media/worker-pool.ts';
import { sessionRoutes } from './routes/sessions.ts';
import { presenterRoutes } from './routes/presenter.ts';
import { buildPageAssets, pageRoutes } from './routes/pages.ts';
import { AuditLog } from './audit/audit-log.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { voiceRoutes } from './routes/voices.ts';
import { customVoiceRoutes } from './routes/custom-voices.ts';
import { CustomVoiceStore } from './voices/custom-voice-store.ts';
import { VoiceStudio } from './voices/voice-studio.ts';
import { VoiceRouter } from '../pipeline/stages/tts/voice-router.ts';
import { VoiceVisemeModel } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { SessionRegistry } from './sessions/session-registry.ts';
import { viewerSignalling } from './signalling/viewer-ws.ts';
import { createSessionStore } from './store/redis-store.ts';
import type { SessionStore } from './store/session-store.ts';
import { createAvatarStore } from './store/avatar-store.ts';
import { AvatarFiles } from './avatars/avatar-files.ts';
import { AvatarLibrary } from './avatars/avatar-library.ts';
import { EnrollmentJobs } from './avatars/enrollment-jobs.ts';
import { avatarRoutes } from './routes/avatars.ts';
import { avatarModelRoutes } from './routes/avatar-models.ts';
import { createModelStore } from './avatars/models/model-store.ts';
import { createRoomStores } from './store/room-store.ts';
import { LiveRooms } from './live-room/live-rooms.ts';
import { liveRoomRoutes } from './routes/live-room.ts';
import { auditRoutes } from './routes/audit.ts';
import { aigcJson, aigcOutputMetadata } from './compliance/aigc.ts';
import { FileRecordStore, RedisRecordStore } from './store/record-store.ts';
import { Recordings, type RecordingRecord } from './recordings/recordings.ts';
import { recordingSigner } from './recordings/recording-signer.ts';
import { recordingRoutes } from './routes/recordings.ts';
import { providerCode, WatermarkExtension } from './compliance/watermark-extension.ts';
import path from 'node:path';

export interface OnAirApp {
  app: FastifyInstance;
  registry: SessionRegistry;
  pool: WorkerPool;
  store: SessionStore;
  avatarJobs: EnrollmentJobs;
  rooms: LiveRooms;
}

/** Builds the server: services first (store, workers, sessions), then routes. Not yet listening. */
export async function buildApp(config: Config, opts: { logger?: boolean } = {}): Promise<OnAirApp> {
  const app = Fastify({
    logger: opts.logger === false ? false : { level: config.logLevel },
    bodyLimit: 1024 * 1024,
    // Reject unknown fields instead of silently dropping them: a typo should be an error.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  const store = await createSessionStore(config.redisUrl);
  const pool = await WorkerPool.create(config.workers);
  pool.on('workerDied', (pid: number, err: Error) => app.log.error({ pid, err }, 'mediasoup worker died; replacing it'));
  // One eSpeak worker process serves every session: synthesis is ~100× faster than real time.
  const espeak = new EspeakEngine();
  await espeak.ready();
  const audit = await AuditLog.open({ file: config.auditLog, redisUrl: config.redisUrl, retentionDays: config.auditRetentionDays });
  // The audio→viseme model: the mouth for operator voice and for voices without phoneme timing;
  // without it the mouth follows an energy baseline.
  const voiceModel = await VoiceVisemeModel.load(config.voiceModel).catch((err: Error) => {
    app.log.warn(`voice model ${config.voiceModel} not loaded (${err.message}); using the energy baseline`);
    return undefined;
  });
  const customVoices = new CustomVoiceStore(config.customVoiceDir);
  const voiceStudio = new VoiceStudio({ store: customVoices, espeak, visemeModel: voiceModel });
  const tts = new VoiceRouter({
    customVoices: {
      modelPath: async (id) => ((await customVoices.get(id))?.model ? customVoices.modelFile(id) : undefined),
      list: async () => (await customVoices.list()).map((v) => ({ id: v.id, name: v.name, lang: v.lang, ready: !!v.model })),
    },
    espeak, piperDir: config.piperDir, localDir: config.localVoicesDir, localThreads: config.localVoiceThreads, httpVoices: config.httpVoices, visemeModel: voiceModel });
  // Real-person avatars: records in the store, files under avatarDir, enrollment in child processes.
  const avatarStore = await createAvatarStore(config.redisUrl, config.avatarDir);
  const avatarFiles = new AvatarFiles(config.avatarDir);
  const avatarJobs = new EnrollmentJobs(avatarStore, avatarFiles, app.log);
  // Uploaded 3D avatars (VRM/GLB): records beside the real-person ones, files in the same folders.
  const modelStore = await createModelStore(config.redisUrl, config.avatarDir);
  const avatars = new AvatarLibrary({ jobs: avatarJobs, files: avatarFiles, models: modelStore });
  const registry = new SessionRegistry(store, pool, config.rtc, config.video, tts, config.maxSessions, voiceModel, avatars);
  // Each presenter session's live room (show, audience, replies, moderation), kept in the store.
  const roomStores = await createRoomStores(config.redisUrl);
  const rooms = new LiveRooms({ audit, voices: tts, stores: roomStores, log: app.log });
  registry.use(rooms);
  registry.use(new WatermarkExtension(providerCode(config.provider, config.providerCode)));
  if (config.timecode) {
    // Measurement only: each presenter frame carries its number (see pipeline/core/timecode.ts).
    registry.use({ started: async (live) => void (live.presenter && (live.presenter.timecode = true)), deleted: async () => {} });
  }
  registry.outputMetadata = aigcOutputMetadata(config.provider);
  const recordingStore = config.redisUrl
    ? await RedisRecordStore.connect<RecordingRecord>(config.redisUrl, 'onair:recording:', 'onair:recordings')
    : await FileRecordStore.open<RecordingRecord>(path.join(config.recordings.dir, 'records.json'));
  const recordings = new Recordings({
    config: config.recordings,
    store: recordingStore,
    registry,
    audit,
    aigc: (sessionId, recordingId) => aigcJson({ ContentProducer: config.provider, ProduceID: sessionId, ContentPropagator: 'recording', PropagateID: recordingId }),
    signer: await recordingSigner(config, app.log),
    log: app.log,
  });
  registry.use(recordings);
  const auth = makeAuth(config.apiKey, registry);

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown }, req, reply) => {
    const status = err instanceof HttpError ? err.statusCode : err.validation ? 400 : (err.statusCode ?? 500);
    if (status >= 500) req.log.error(err);
    reply.code(status).send({
      error: status >= 500 ? 'Internal Server Error' : (err.name === 'HttpError' ? httpReason(status) : 'Bad Request'),
      message: status >= 500 ? 'internal error' : err.message,
      statusCode: status,
    });
  });
  app.setNotFoundHandler((req, reply) => {
    reply.code(404).send({ error: 'Not Found', message: `no route ${req.method} ${req.url.split('?')[0]}`, statusCode: 404 });
  });

  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  app.addHook('preClose', async () => {
    registry.closeAll();
    await recordings.close();
    // Stops a running enrollment but keeps its record `processing`: the next start re-runs it.
    await avatarJobs.close();
  });
  app.addHook('onClose', async () => {
    pool.close();
    tts.close();
    await store.close();
    await avatarStore.close();
    await modelStore.close();
    await roomStores.close();
    await recordingStore.close();
    await audit.close();
  });

  app.get('/health', async () => ({ ok: true, workers: pool.size, sessions: registry.liveCount, store: store.kind, voiceModel: voiceModel ? 'onnx' : 'baseline' }));
  sessionRoutes(app, registry, auth, rooms);
  presenterRoutes(app, registry, auth, audit, rooms);
  await app.register(async (scope) => liveRoomRoutes(scope, { rooms, registry, auth, audit }));
  auditRoutes(app, audit, auth);
  voiceRoutes(app, { voices: tts, auth });
  recordingRoutes(app, recordings, auth);
  pageRoutes(app, await buildPageAssets());
  viewerSignalling(app, registry, auth, rooms);
  // Multipart parsing only where uploads are expected.
  await app.register(async (scope) => {
    await scope.register(multipart);
    avatarRoutes(scope, { jobs: avatarJobs, files: avatarFiles, library: avatars, registry, audit, auth, maxBytes: config.avatarMaxBytes, models: modelStore });
    avatarModelRoutes(scope, { files: avatarFiles, models: modelStore, registry, audit, auth });
    customVoiceRoutes(scope, { store: customVoices, studio: voiceStudio, voices: tts, espeak, audit, auth });
  });
  // Zero-shot voices bound to the presenter's own reference clips come back with the server.
  for (const v of await customVoices.list()) {
    const zs = voiceStudio.zeroShotConfig(v);
    if (zs) tts.addHttpVoice(zs);
  }
  await avatarJobs.resume();
  await recordings.resume();
  // Sessions (and their shows) a previous run left in Redis come back live.
  await registry.restore(app.log);
  return { app, registry, pool, store, avatarJobs, rooms };
}

function httpReason(status: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 410: 'Gone', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 422: 'Unprocessable Entity', 429: 'Too Many Requests' } as Record<number, string>)[status] ?? 'Error';
}
