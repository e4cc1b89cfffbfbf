// `/v1/voices` (create) and `/v1/voices/custom…`: the presenter's own voice — a consent record
// first, then checked takes, a dataset export, and a trained model imported back under the same
// consent. Register inside a scope with @fastify/multipart (model import).
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import { PiperEngine } from '../../pipeline/stages/tts/piper-engine.ts';
import { VoiceError } from '../../pipeline/stages/tts/tts-types.ts';
import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { Auth } from '../auth.ts';
import { parseConsent } from '../avatars/consent.ts';
import { HttpError } from '../errors.ts';
import type { CustomVoiceRecord, CustomVoiceStore } from '../voices/custom-voice-store.ts';
import { exportDataset } from '../voices/dataset-export.ts';
import type { VoiceStudio } from '../voices/voice-studio.ts';

export interface CustomVoiceRouteDeps {
  store: CustomVoiceStore;
  studio: VoiceStudio;
  voices: VoiceRouter;
  espeak: EspeakEngine;
  audit: AuditLog;
  auth: Auth;
}

const MAX_TAKE_BYTES = 8 * 1024 * 1024;
const MAX_MODEL_BYTES = 300 * 1024 * 1024;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9a-f-]{36}$' } } } as const;
const takeParams = { type: 'object', required: ['id', 'index'], properties: { id: idParams.properties.id, index: { type: 'string', pattern: '^[0-9]{1,3}$' } } } as const;
const createBody = {
  type: 'object',
  required: ['name', 'lang'],
  additionalProperties: false,
  properties: { name: { type: 'string', minLength: 1, maxLength: 80 }, lang: { type: 'string', enum: ['en', 'zh'] }, consent: { type: 'object' } },
} as const;

export function customVoiceRoutes(app: FastifyInstance, deps: CustomVoiceRouteDeps): void {
  const { store, studio, audit, auth } = deps;
  const operator = { onRequest: auth.requireOperator };
  const existing = async (id: string) => {
    const record = await store.get(id);
    if (!record) throw new HttpError(404, `voice ${id} not found`);
    return record;
  };
  const summary = (r: CustomVoiceRecord) => {
    const p = studio.progress(r);
    const ref = studio.reference(r);
    return { id: r.id, voice: `custom:${r.id}`, name: r.name, lang: r.lang, consent: r.consent, createdAt: r.createdAt, progress: { total: p.total, done: p.done, next: p.next }, model: r.model ?? null, zeroShot: r.zeroShot ?? null, reference: ref ? { index: ref.index, text: ref.text, seconds: ref.seconds } : null };
  };

  // Takes arrive as WAV bodies (the studio page encodes its recording in the browser).
  app.addContentTypeParser(['audio/wav', 'audio/x-wav', 'audio/wave'], { parseAs: 'buffer', bodyLimit: MAX_TAKE_BYTES }, (_req, body, done) => done(null, body));

  app.post<{ Body: { name: string; lang: 'en' | 'zh'; consent: unknown } }>('/v1/voices', { ...operator, schema: { body: createBody } }, async (req, reply) => {
    // A voice of a real person is only made with their recorded consent (same record as a likeness).
    const consent = parseConsent(req.body.consent === undefined ? undefined : JSON.stringify(req.body.consent));
    const record = await store.create({ name: req.body.name.trim(), lang: req.body.lang, consent });
    await audit.append({ at: record.createdAt, action: 'voice.create', voiceId: record.id, name: record.name, lang: record.lang, consent, client: req.ip });
    reply.code(201);
    return summary(record);
  });

  app.get('/v1/voices/custom', operator, async () => ({ voices: (await store.list()).map(summary) }));

  app.get<{ Params: { id: string } }>('/v1/voices/custom/:id', { ...operator, schema: { params: idParams } }, async (req) => {
    const record = await existing(req.params.id);
    return { ...summary(record), prompts: studio.progress(record).prompts };
  });

  app.put<{ Params: { id: string; index: string }; Body: Buffer }>('/v1/voices/custom/:id/takes/:index', { ...operator, schema: { params: takeParams } }, async (req) => {
    if (!Buffer.isBuffer(req.body)) throw new HttpError(415, 'send the take as audio/wav');
    const record = await existing(req.params.id);
    const take = await studio.submitTake(record, Number(req.params.index), req.body);
    return { take, progress: summary(record).progress };
  });

  app.get<{ Params: { id: string; index: string } }>('/v1/voices/custom/:id/takes/:index', { ...operator, schema: { params: takeParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    const index = Number(req.params.index);
    if (!record.takes[index]) throw new HttpError(404, `no take ${index} yet`);
    reply.type('audio/wav');
    return readFile(store.takeFile(record.id, index));
  });

  app.get<{ Params: { id: string } }>('/v1/voices/custom/:id/reference.wav', { ...operator, schema: { params: idParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    const ref = studio.reference(record);
    if (!ref) throw new HttpError(404, 'no passing take of 3–10 s yet');
    reply.type('audio/wav');
    return readFile(store.takeFile(record.id, ref.index));
  });

  app.get<{ Params: { id: string } }>('/v1/voices/custom/:id/dataset', { ...operator, schema: { params: idParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    if (!record.takes[0]?.ok) throw new HttpError(409, 'the consent statement has not been recorded: nothing leaves the studio without it');
    const { zip, clips } = await exportDataset(store, record);
    if (clips === 0) throw new HttpError(409, 'no passing takes to export yet');
    await audit.append({ at: new Date().toISOString(), action: 'voice.export', voiceId: record.id, name: record.name, clips, client: req.ip });
    reply.type('application/zip').header('content-disposition', `attachment; filename="voice-${record.id}.zip"`);
    return Buffer.from(zip);
  });

  app.put<{ Params: { id: string } }>('/v1/voices/custom/:id/model', { ...operator, schema: { params: idParams } }, async (req) => {
    const record = await existing(req.params.id);
    if (!record.takes[0]?.ok) throw new HttpError(409, 'the consent statement has not been recorded: no model is bound to this voice without it');
    if (!req.isMultipart()) throw new HttpError(415, 'expected multipart/form-data with files "model" (.onnx) and "config" (.onnx.json)');
    const dir = path.dirname(store.modelFile(record.id));
    const staging = `${dir}.incoming`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const stagedModel = path.join(staging, 'voice.onnx');
    try {
      const got = new Set<string>();
      for await (const part of req.parts({ limits: { fileSize: MAX_MODEL_BYTES, files: 2, fields: 0 } })) {
        if (part.type !== 'file' || (part.fieldname !== 'model' && part.fieldname !== 'config')) throw new HttpError(400, `unexpected form part "${part.fieldname}": send files "model" and "config"`);
        const buf = await part.toBuffer();
        await writeFile(part.fieldname === 'model' ? stagedModel : `${stagedModel}.json`, buf);
        got.add(part.fieldname);
      }
      if (!got.has('model') || !got.has('config')) throw new HttpError(400, 'send both files: "model" (.onnx) and "config" (.onnx.json)');
      // Loaded once before it is accepted: a model that cannot speak never replaces one that can.
      let sampleRate: number;
      try {
        const engine = await PiperEngine.load(stagedModel, deps.espeak);
        sampleRate = engine.config.audio.sample_rate;
        engine.close();
      } catch (err) {
        throw new HttpError(400, err instanceof VoiceError ? err.message : `the model did not load: ${(err as Error).message}`);
      }
      await rm(dir, { recursive: true, force: true });
      await rename(staging, dir);
      record.model = { kind: 'piper', importedAt: new Date().toISOString(), sampleRate };
      await store.save(record);
      deps.voices.forget(`custom:${record.id}`);
      await audit.append({ at: record.model.importedAt, action: 'voice.model', voiceId: record.id, name: record.name, consent: record.consent, client: req.ip });
      return summary(record);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  });

  // Zero-shot: a CosyVoice server speaks with the reference clip the studio picked (its text as the prompt).
  const zeroShotBody = {
    type: 'object',
    required: ['engine', 'url', 'sampleRate'],
    additionalProperties: false,
    properties: { engine: { type: 'string', enum: ['cosyvoice'] }, url: { type: 'string', pattern: '^https?://', maxLength: 500 }, sampleRate: { type: 'integer', minimum: 8000, maximum: 48000 }, timeoutMs: { type: 'integer', minimum: 100, maximum: 120000 } },
  } as const;
  app.put<{ Params: { id: string }; Body: { engine: 'cosyvoice'; url: string; sampleRate: number; timeoutMs?: number } }>(
    '/v1/voices/custom/:id/zero-shot',
    { ...operator, schema: { params: idParams, body: zeroShotBody } },
    async (req) => {
      const record = await existing(req.params.id);
      if (!record.takes[0]?.ok) throw new HttpError(409, 'the consent statement has not been recorded: the voice cannot be used without it');
      if (!studio.reference(record)) throw new HttpError(409, 'no reference clip yet: record at least one passing take of 3–10 s');
      record.zeroShot = { ...req.body, boundAt: new Date().toISOString() };
      await store.save(record);
      const voice = deps.voices.addHttpVoice(studio.zeroShotConfig(record)!);
      await audit.append({ at: record.zeroShot.boundAt, action: 'voice.zero-shot', voiceId: record.id, name: record.name, consent: record.consent, client: req.ip });
      return { ...summary(record), zeroShotVoice: voice };
    },
  );

  app.delete<{ Params: { id: string } }>('/v1/voices/custom/:id', { ...operator, schema: { params: idParams } }, async (req, reply) => {
    const record = await existing(req.params.id);
    await store.remove(record.id);
    deps.voices.forget(`custom:${record.id}`);
    deps.voices.removeHttpVoice(`cosyvoice:${record.id}`);
    await audit.append({ at: new Date().toISOString(), action: 'voice.delete', voiceId: record.id, name: record.name, client: req.ip });
    reply.code(204);
  });
}
