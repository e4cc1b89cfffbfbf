// Receives and checks an uploaded 3D avatar: a multipart form with `model` (GLB or VRM), an
// optional `name`, `depictsRealPerson` and, when it does, the person's `consent`. The whole model
// is checked (container, budget, humanoid bones, face morphs) before anything is written, so a
// refused upload leaves nothing on disk.
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import type { FastifyRequest } from 'fastify';
import type { AvatarConsent, ModelAvatarInfo } from '../../../client-sdk/src/types.ts';
import { checkModel, BUDGET } from '../../../pipeline/stages/avatar/three-d/model-check.ts';
import { loadHumanoid, ModelProblem } from '../../../pipeline/stages/avatar/three-d/load-humanoid.ts';
import { drainRequest } from '../../drain-request.ts';
import { HttpError } from '../../errors.ts';
import type { AvatarFiles } from '../avatar-files.ts';
import { parseConsent } from '../consent.ts';
import { modelFile } from './model-store.ts';

const HINT = 'send multipart/form-data with the "model" file (.glb or .vrm), optional "name", "depictsRealPerson" ("true"/"false") and, for a real person, "consent" (JSON)';
const LIMITS = { files: 1, fields: 4, parts: 6, fieldSize: 64 * 1024, fieldNameSize: 100 } as const;

export async function receiveModel(req: FastifyRequest, files: AvatarFiles, maxBytes = BUDGET.bytes): Promise<ModelAvatarInfo> {
  if (!req.isMultipart()) throw new HttpError(415, `expected multipart/form-data: ${HINT}`);
  if (Number(req.headers['content-length']) > maxBytes + 1024 * 1024) {
    await drainRequest(req.raw, 2 * maxBytes);
    throw new HttpError(413, `the model is larger than ${(maxBytes / 1024 / 1024).toFixed(0)} MB`);
  }
  let name: string | undefined;
  let rawConsent: string | undefined;
  let realPerson = false;
  let model: Buffer | undefined;
  let fileName = 'model';
  try {
    for await (const part of req.parts({ limits: { ...LIMITS, fileSize: maxBytes } })) {
      if (part.type === 'field') {
        const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
        if (part.fieldname === 'name') name = value.trim().slice(0, 100) || undefined;
        else if (part.fieldname === 'consent') rawConsent = value;
        else if (part.fieldname === 'depictsRealPerson') {
          if (value !== 'true' && value !== 'false') throw new HttpError(400, '"depictsRealPerson" must be "true" or "false"');
          realPerson = value === 'true';
        } else throw new HttpError(400, `unknown form field "${part.fieldname}": ${HINT}`);
        continue;
      }
      if (part.fieldname !== 'model') {
        part.file.resume();
        throw new HttpError(400, `unknown file field "${part.fieldname}": ${HINT}`);
      }
      fileName = part.filename || fileName;
      model = await part.toBuffer();
      if (part.file.truncated) throw new HttpError(413, `the model is larger than ${(maxBytes / 1024 / 1024).toFixed(0)} MB`);
    }
  } catch (err) {
    await drainRequest(req.raw, 2 * maxBytes);
    const e = err as Error & { code?: string; statusCode?: number };
    if (e.code === 'FST_REQ_FILE_TOO_LARGE') throw new HttpError(413, `the model is larger than ${(maxBytes / 1024 / 1024).toFixed(0)} MB`);
    throw err;
  }
  if (!model?.length) throw new HttpError(400, `the "model" file is missing or empty: ${HINT}`);
  // A likeness of a real person is only used with their recorded consent.
  let consent: Required<AvatarConsent> | undefined;
  if (realPerson) consent = parseConsent(rawConsent);
  else if (rawConsent !== undefined) throw new HttpError(400, '"consent" is only for a model that depicts a real person: set "depictsRealPerson" to "true"');
  let summary;
  let face: ModelAvatarInfo['face'];
  try {
    summary = checkModel(model);
    const built = await loadHumanoid(model.buffer.slice(model.byteOffset, model.byteOffset + model.byteLength) as ArrayBuffer, summary.format);
    face = built.face.convention;
  } catch (err) {
    if (err instanceof ModelProblem) throw new HttpError(400, `model refused: ${err.message}`);
    // The loader's own errors (a corrupt buffer, a missing accessor) are the file's fault too.
    throw new HttpError(400, `model refused: the file could not be read as glTF (${(err as Error).message})`);
  }
  const record: ModelAvatarInfo = {
    id: randomUUID(),
    name: name ?? fileName.replace(/\.(glb|vrm)$/i, ''),
    kind: '3d',
    format: summary.format,
    face,
    bytes: model.length,
    triangles: summary.triangles,
    morphTargets: summary.morphTargets,
    createdAt: new Date().toISOString(),
    depictsRealPerson: realPerson,
    ...(consent ? { consent } : {}),
  };
  await files.create(record.id);
  await writeFile(files.upload(record.id, modelFile(record.format)), model);
  return record;
}
