// One HTTP request to a speech server, read as a stream of 16-bit PCM: raw, or WAV (whole file, or
// the streaming kind whose header announces no length). node:http rather than fetch because the
// CosyVoice server takes its form fields on a GET, which fetch refuses to send.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

export interface AudioRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: Buffer;
}

/** What went wrong talking to a speech server (the message is meant for the operator). */
export class SpeechServerError extends Error {
  override name = 'SpeechServerError';
  readonly status: number | undefined;
  /** Worth another try: connection trouble, timeouts, 429 and 5xx. */
  readonly retryable: boolean;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
    this.retryable = status === undefined || status === 429 || status >= 500;
  }
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Sends the request; resolves with the response once a 2xx status arrives. `timeoutMs` bounds the
 * wait for the response head and, afterwards, any silence between body chunks. Aborting `signal`
 * destroys the socket, so the server sees the request cancelled.
 */
export function openAudio(req: AudioRequest, opts: { signal: AbortSignal; timeoutMs: number }): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const url = new URL(req.url);
    const client = url.protocol === 'https:' ? https : http;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body) headers['content-length'] = String(req.body.length);
    const outgoing = client.request(url, { method: req.method, headers, signal: opts.signal });
    const timer = setTimeout(() => outgoing.destroy(new SpeechServerError(`no answer from ${url.host} within ${opts.timeoutMs} ms`)), opts.timeoutMs);
    outgoing.on('error', (err) => {
      clearTimeout(timer);
      if (err instanceof SpeechServerError) reject(err);
      else if (opts.signal.aborted) reject(err);
      else reject(new SpeechServerError(`${url.host}: ${(err as NodeJS.ErrnoException).code ?? err.message}`));
    });
    outgoing.on('response', (res) => {
      clearTimeout(timer);
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        // A stalled stream is as bad as no answer: the presenter would go silent mid-sentence.
        res.setTimeout(opts.timeoutMs, () => res.destroy(new SpeechServerError(`${url.host} stopped sending audio for ${opts.timeoutMs} ms`)));
        resolve(res);
        return;
      }
      const parts: Buffer[] = [];
      let size = 0;
      res.on('data', (b: Buffer) => {
        if (size < MAX_ERROR_BODY) parts.push(b);
        size += b.length;
      });
      res.on('error', () => reject(new SpeechServerError(`${url.host} answered ${status}`, status)));
      res.on('end', () => reject(new SpeechServerError(`${url.host} answered ${status}: ${errorMessage(Buffer.concat(parts).toString('utf8'))}`, status)));
    });
    outgoing.end(req.body);
  });
}

/** The message in the error bodies these servers send: OpenAI {error:{message}}, FastAPI {detail}, GPT-SoVITS {message, Exception}. */
function errorMessage(body: string): string {
  try {
    const j = JSON.parse(body);
    const detail = Array.isArray(j.detail) ? j.detail.map((d: { msg?: string; loc?: unknown[] }) => `${d.loc?.join('.') ?? ''} ${d.msg ?? ''}`.trim()).join('; ') : j.detail;
    const msg = j.error?.message ?? j.message ?? detail ?? body;
    return String(j.Exception ? `${msg} (${j.Exception})` : msg).slice(0, 300);
  } catch {
    return body.trim().slice(0, 300) || '(empty body)';
  }
}

export type PcmFormat = { kind: 'raw'; sampleRate: number } | { kind: 'wav' };

/**
 * The body as mono Int16 chunks. WAV: the header gives the rate (stereo keeps its first channel);
 * a data size of 0 or 0xFFFFFFFF (streamed WAV) means "until the end".
 */
export async function* readPcm(res: AsyncIterable<Buffer>, format: PcmFormat, onRate: (rate: number) => void): AsyncIterable<Int16Array> {
  let pending: Buffer = Buffer.alloc(0);
  let channels = 1;
  let inHeader = format.kind === 'wav';
  let dataLeft = Infinity;
  if (format.kind === 'raw') onRate(format.sampleRate);
  for await (const piece of res) {
    pending = pending.length ? Buffer.concat([pending, piece]) : piece;
    if (inHeader) {
      const header = parseWavHeader(pending);
      if (header === 'more') continue;
      onRate(header.sampleRate);
      channels = header.channels;
      dataLeft = header.dataBytes === 0 || header.dataBytes === 0xffffffff ? Infinity : header.dataBytes;
      pending = pending.subarray(header.dataOffset);
      inHeader = false;
    }
    const frame = 2 * channels;
    const usable = Math.min(pending.length - (pending.length % frame), dataLeft === Infinity ? Infinity : dataLeft - (dataLeft % frame));
    if (usable <= 0) continue;
    const bytes = Buffer.from(pending.subarray(0, usable)); // aligned copy
    pending = pending.subarray(usable);
    dataLeft -= usable;
    const all = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
    yield channels === 1 ? all : all.filter((_, i) => i % channels === 0);
  }
  if (inHeader) throw new SpeechServerError('the answer ended before its WAV header did');
}

function parseWavHeader(buf: Buffer): { sampleRate: number; channels: number; dataOffset: number; dataBytes: number } | 'more' {
  if (buf.length < 12) return 'more';
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new SpeechServerError('expected a WAV stream (RIFF/WAVE) but got something else');
  let pos = 12;
  let fmt: { sampleRate: number; channels: number } | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === 'data') {
      if (!fmt) throw new SpeechServerError('WAV data before its fmt chunk');
      return { ...fmt, dataOffset: pos + 8, dataBytes: size };
    }
    if (pos + 8 + size > buf.length) return 'more';
    if (id === 'fmt ') {
      const audioFormat = buf.readUInt16LE(pos + 8);
      const bits = buf.readUInt16LE(pos + 22);
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || bits !== 16) throw new SpeechServerError(`WAV must be 16-bit PCM (format ${audioFormat}, ${bits} bits)`);
      fmt = { channels: buf.readUInt16LE(pos + 10), sampleRate: buf.readUInt32LE(pos + 12) };
    }
    pos += 8 + size + (size % 2);
  }
  return 'more';
}
