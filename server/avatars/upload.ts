import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { AvatarConsent } from '../../client-sdk/src/types.ts';
import { HttpError } from '../errors.ts';
import type { AvatarFiles } from './avatar-files.ts';
import { parseConsent } from './consent.ts';
import { drainRequest } from '../drain-request.ts';

/** Multipart limits besides the video's size: one file and a couple of small fields. */
export const FORM_LIMITS = { files: 1, fields: 4, parts: 6, fieldSize: 64 * 1024, fieldNameSize: 100 } as const;

export interface ReceivedUpload {
  consent: Required<AvatarConsent>;
  name: string;
  /** File name of the video inside the avatar's folder. */
  upload: string;
  bytes: number;
}

const FORM_HINT = 'send multipart/form-data with a "consent" field (JSON), an optional "name" field, then the "video" file';

/**
 * Reads an enrollment form: `consent` (checked as soon as it arrives, so a form that puts it first
 * is refused before any video byte is stored), optional `name`, and the `video` file, streamed into
 * the avatar's folder and cut off at `maxBytes`. On any failure the folder is removed: a refused
 * upload leaves nothing behind.
 */
export async function receiveUpload(req: FastifyRequest, files: AvatarFiles, id: string, maxBytes: number): Promise<ReceivedUpload> {
  if (!req.isMultipart()) throw new HttpError(415, `expected multipart/form-data: ${FORM_HINT}`);
  // Declared too big for any form within the limit: refuse before storing a byte.
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes + FORM_OVERHEAD) {
    await drainRequest(req.raw, 2 * maxBytes);
    throw tooLarge(maxBytes);
  }
  let consent: Required<AvatarConsent> | undefined;
  let rawConsent: string | undefined;
  let name: string | undefined;
  let upload: string | undefined;
  let bytes = 0;
  try {
    for await (const part of req.parts({ limits: { ...FORM_LIMITS, fileSize: maxBytes } })) {
      if (part.type === 'field') {
        // A field sent with content-type application/json arrives already parsed.
        const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
        if (part.valueTruncated) throw new HttpError(400, `form field "${part.fieldname}" is longer than ${FORM_LIMITS.fieldSize / 1024} KiB`);
        if (part.fieldname === 'consent') consent = parseConsent((rawConsent = value));
        else if (part.fieldname === 'name') name = parseName(value);
        else throw new HttpError(400, `unknown form field "${part.fieldname}": ${FORM_HINT}`);
        continue;
      }
      if (part.fieldname !== 'video') {
        part.file.resume();
        throw new HttpError(400, `unknown file field "${part.fieldname}": ${FORM_HINT}`);
      }
      await files.create(id);
      // No extension from the client: ffmpeg then recognises the container by its content (a
      // ".txt" name would make it read text as "ANSI art" video).
      upload = 'upload';
      const counter = (chunk: Buffer) => (bytes += chunk.length);
      part.file.on('data', counter);
      await pipeline(part.file, createWriteStream(files.upload(id, upload)));
      if (part.file.truncated) throw tooLarge(maxBytes);
    }
    if (!upload) throw new HttpError(400, `the "video" file is missing: ${FORM_HINT}`);
    if (bytes === 0) throw new HttpError(400, 'the uploaded video is empty');
    consent ??= parseConsent(rawConsent);
    return { consent, name: name ?? consent.personName, upload, bytes };
  } catch (err) {
    await files.remove(id);
    await drainRequest(req.raw, 2 * maxBytes);
    throw asHttpError(err as Error & { code?: string }, maxBytes);
  }
}

/** Room for the form's other fields and part headers besides the video. */
const FORM_OVERHEAD = 1024 * 1024;

function parseName(value: string): string {
  const name = value.trim();
  if (!name || name.length > 100) throw new HttpError(400, 'form field "name" must be 1–100 characters');
  return name;
}

function tooLarge(maxBytes: number): HttpError {
  const mib = maxBytes / (1024 * 1024);
  const size = mib >= 1 ? `${Number(mib.toFixed(1))} MiB` : `${Math.ceil(maxBytes / 1024)} KiB`;
  return new HttpError(413, `the video is larger than the ${size} upload limit (ONAIR_AVATAR_MAX_BYTES); 1–3 minutes at 720p is plenty`);
}

/** The multipart plugin's and busboy's errors, as messages for the uploader. */
function asHttpError(err: Error & { code?: string }, maxBytes: number): Error {
  if (err instanceof HttpError) return err;
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return tooLarge(maxBytes);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new HttpError(400, `too many form parts: ${FORM_HINT}`);
    case 'FST_INVALID_JSON_FIELD_ERROR':
      return new HttpError(400, 'a consent record is required: the "consent" field is not valid JSON');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new HttpError(415, `expected multipart/form-data: ${FORM_HINT}`);
    case 'FST_MP_PREMATURE_CLOSE':
    case 'ERR_STREAM_PREMATURE_CLOSE':
      return new HttpError(400, 'the upload was cut off before it finished');
  }
  if (/multipart|boundary|part header|unexpected end/i.test(err.message)) return new HttpError(400, `malformed multipart body: ${err.message}`);
  return err;
}
