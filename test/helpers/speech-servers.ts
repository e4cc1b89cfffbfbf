// Local stand-ins for three speech servers, each following its published protocol byte for byte,
// serving real speech (eSpeak NG renders the requested text; no timing goes with it). OnAir's real
// HTTP engines are what the tests exercise.
// - OpenAI API reference, "Create speech": POST /v1/audio/speech, JSON {model, input, voice,
//   response_format, speed, instructions}; Bearer auth; `pcm` = raw s16le mono 24 kHz, `wav` a WAV
//   file; chunked as generated; errors {"error": {message, type, param, code}}.
// - FunAudioLLM/CosyVoice runtime/python/fastapi/server.py: GET /inference_sft (tts_text, spk_id),
//   /inference_zero_shot (tts_text, prompt_text, prompt_wav file), form-encoded bodies; the answer
//   is raw int16 PCM at the model rate (22050 Hz for CosyVoice-300M) per generated segment, no
//   content type; FastAPI's 422 {"detail": [{type, loc, msg, input}]} for a missing field, and a
//   plain "Internal Server Error" 500 when the model raises (an unknown spk_id).
// - RVC-Boss/GPT-SoVITS api_v2.py: POST /tts JSON; check_params' 400 {"message"}; streaming_mode
//   1–3 sends a WAV header made by Python's wave module (0 frames) then raw chunks; 0 sends one WAV;
//   GET /set_gpt_weights|/set_sovits_weights?weights_path= → {"message": "success"}; 32 kHz.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import { Resampler } from '../../pipeline/stages/tts/resampler.ts';
import { detectLang } from '../../pipeline/stages/tts/tts-types.ts';

export interface SpeechServerLog {
  method: string;
  path: string;
  fields: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  bytesSent: number;
  at: number;
  /** When the first audio byte went out (performance.now()). */
  firstByteAt?: number;
}

export interface Faults {
  /** Answer the next N requests with the server's own 5xx. */
  fail5xx?: number;
  /** Accept the next N requests and never answer. */
  hang?: number;
  /** Send some audio of the next N answers, then drop the connection. */
  dropMidway?: number;
}

export interface SpeechServer {
  url: string;
  log: SpeechServerLog[];
  faults: Faults;
  /** Audio per real-time second sent (1 = paced like a live generator). */
  speed: number;
  /** Wait before the first audio byte (model warm-up), ms. */
  firstByteMs: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer, entry: SpeechServerLog, s: SpeechServer) => Promise<unknown>;

/** eSpeak renders for the stand-ins (one worker for all of them). */
let espeak: EspeakEngine | undefined;
async function speech(text: string, rate: number, voiceVariant: string): Promise<Int16Array> {
  espeak ??= new EspeakEngine();
  const lang = detectLang(text);
  const parts: Int16Array[] = [];
  for await (const c of espeak.synthesize({ segments: [{ kind: 'text', text, rate: 1, lang }], lang, voice: lang === 'en' ? `en-us+${voiceVariant}` : undefined }, new AbortController().signal)) parts.push(c.samples);
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    all.set(p, o);
    o += p.length;
  }
  return new Resampler(48_000, rate).push(all);
}
/** Starts the renderer before the first request (its start-up would look like a slow server). */
export async function warmSpeechRenderer(): Promise<void> {
  await speech('warm up', 24_000, 'f3');
}
export function closeSpeechRenderer(): void {
  espeak?.close();
  espeak = undefined;
}

async function serve(handler: Handler): Promise<SpeechServer> {
  const state: SpeechServer = { url: '', log: [], faults: {}, speed: 3, firstByteMs: 80, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    const parts: Buffer[] = [];
    for await (const p of req) parts.push(p as Buffer);
    const url = new URL(req.url ?? '/', 'http://x');
    const entry: SpeechServerLog = { method: req.method ?? '', path: url.pathname, fields: {}, headers: req.headers, aborted: false, bytesSent: 0, at: performance.now() };
    state.log.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) entry.aborted = true;
    });
    if (state.faults.hang) {
      state.faults.hang--;
      return; // never answers
    }
    try {
      await handler(req, res, Buffer.concat(parts), entry, state);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end('Internal Server Error');
      else res.destroy(err as Error);
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = () => new Promise((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });
  return state;
}

/** Writes PCM in ~100 ms pieces, paced at `speed`× real time, as a generating model would. */
async function streamPcm(res: http.ServerResponse, pcm: Int16Array, rate: number, s: SpeechServer, entry: SpeechServerLog, header?: Buffer): Promise<void> {
  await sleep(s.firstByteMs);
  entry.firstByteAt = performance.now();
  if (header && !res.destroyed) {
    res.write(header);
    entry.bytesSent += header.length;
  }
  const piece = Math.round(rate / 10);
  const drop = s.faults.dropMidway ? (s.faults.dropMidway--, Math.floor(pcm.length / 3)) : Infinity;
  for (let i = 0; i < pcm.length && !res.destroyed; i += piece) {
    if (i >= drop) {
      res.destroy();
      return;
    }
    const part = pcm.subarray(i, i + piece);
    const bytes = Buffer.from(part.buffer, part.byteOffset, part.byteLength);
    res.write(bytes);
    entry.bytesSent += bytes.length;
    await sleep(100 / s.speed);
  }
  if (!res.destroyed) res.end();
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The 44-byte header Python's wave module writes for 0 frames (GPT-SoVITS' wave_header_chunk). */
export function waveHeader(rate: number, frames = 0, channels = 1): Buffer {
  const h = Buffer.alloc(44);
  h.write('RIFF', 0);
  h.writeUInt32LE(36 + frames * 2 * channels, 4);
  h.write('WAVEfmt ', 8);
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(channels, 22);
  h.writeUInt32LE(rate, 24);
  h.writeUInt32LE(rate * 2 * channels, 28);
  h.writeUInt16LE(2 * channels, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36);
  h.writeUInt32LE(frames * 2 * channels, 40);
  return h;
}

const json = (res: http.ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));

export function startOpenAiSpeech(opts: { apiKey?: string; voices?: string[] } = {}): Promise<SpeechServer> {
  return serve(async (req, res, body, entry, s) => {
    if (req.method !== 'POST' || entry.path !== '/v1/audio/speech') return json(res, 404, { error: { message: `Invalid URL (${req.method} ${entry.path})`, type: 'invalid_request_error', param: null, code: null } });
    if (opts.apiKey && req.headers.authorization !== `Bearer ${opts.apiKey}`) return json(res, 401, { error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
    let b: Record<string, unknown>;
    try {
      b = JSON.parse(body.toString('utf8'));
    } catch {
      return json(res, 400, { error: { message: 'We could not parse the JSON body of your request.', type: 'invalid_request_error', param: null, code: null } });
    }
    entry.fields = b;
    for (const k of ['model', 'input', 'voice']) if (typeof b[k] !== 'string' || !b[k]) return json(res, 400, { error: { message: `Missing required parameter: '${k}'.`, type: 'invalid_request_error', param: k, code: 'missing_required_parameter' } });
    if (opts.voices && !opts.voices.includes(b.voice as string)) return json(res, 400, { error: { message: `Invalid value for 'voice': '${String(b.voice)}'.`, type: 'invalid_request_error', param: 'voice', code: 'invalid_value' } });
    const format = (b.response_format as string) ?? 'mp3';
    if (format !== 'pcm' && format !== 'wav') return json(res, 400, { error: { message: `this stand-in serves pcm and wav, not ${format}`, type: 'invalid_request_error', param: 'response_format', code: null } });
    if (s.faults.fail5xx) {
      s.faults.fail5xx--;
      return json(res, 500, { error: { message: 'The server had an error while processing your request. Sorry about that!', type: 'server_error', param: null, code: null } });
    }
    const pcm = await speech(String(b.input), 24_000, 'f3');
    res.writeHead(200, { 'content-type': format === 'pcm' ? 'audio/pcm' : 'audio/wav', 'transfer-encoding': 'chunked' });
    await streamPcm(res, pcm, 24_000, s, entry, format === 'wav' ? waveHeader(24_000, pcm.length) : undefined);
  });
}

export function startCosyVoice(opts: { speakers?: string[] } = {}): Promise<SpeechServer> {
  const speakers = opts.speakers ?? ['中文女', '中文男', '英文女'];
  const routes: Record<string, string[]> = { '/inference_sft': ['tts_text', 'spk_id'], '/inference_zero_shot': ['tts_text', 'prompt_text', 'prompt_wav'], '/inference_cross_lingual': ['tts_text', 'prompt_wav'], '/inference_instruct': ['tts_text', 'spk_id', 'instruct_text'] };
  return serve(async (req, res, body, entry, s) => {
    const needed = routes[entry.path];
    if (!needed) return json(res, 404, { detail: 'Not Found' });
    if (req.method !== 'GET') return json(res, 405, { detail: 'Method Not Allowed' });
    // FastAPI Form()/File() read urlencoded or multipart bodies.
    const form = await new Request('http://x/', { method: 'POST', body: new Uint8Array(body), headers: { 'content-type': req.headers['content-type'] ?? 'application/octet-stream' } }).formData().catch(() => new FormData());
    for (const k of needed) {
      const v = form.get(k);
      if (v === null) return json(res, 422, { detail: [{ type: 'missing', loc: ['body', k], msg: 'Field required', input: null }] });
      entry.fields[k] = typeof v === 'string' ? v : { bytes: (await v.arrayBuffer()).byteLength };
    }
    if (entry.fields.spk_id !== undefined && !speakers.includes(String(entry.fields.spk_id))) throw new Error(`KeyError: '${String(entry.fields.spk_id)}'`);
    if (entry.fields.prompt_wav && (entry.fields.prompt_wav as { bytes: number }).bytes < 44) throw new Error('prompt_wav is not audio');
    if (s.faults.fail5xx) {
      s.faults.fail5xx--;
      throw new Error('CUDA out of memory');
    }
    const pcm = await speech(String(entry.fields.tts_text), 22_050, 'm3');
    res.writeHead(200, { 'transfer-encoding': 'chunked' });
    await streamPcm(res, pcm, 22_050, s, entry);
  });
}

export interface GptSovitsServer extends SpeechServer {
  weights: { gpt?: string; sovits?: string };
}

export async function startGptSovits(opts: { refAudioPaths?: string[] } = {}): Promise<GptSovitsServer> {
  const weights: GptSovitsServer['weights'] = {};
  const server = (await serve(async (req, res, body, entry, s) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && (entry.path === '/set_gpt_weights' || entry.path === '/set_sovits_weights')) {
      const kind = entry.path === '/set_gpt_weights' ? 'gpt' : 'sovits';
      const p = url.searchParams.get('weights_path');
      entry.fields = { weights_path: p };
      if (!p) return json(res, 400, { message: `${kind} weight path is required` });
      if (!p.endsWith(kind === 'gpt' ? '.ckpt' : '.pth')) return json(res, 400, { message: `change ${kind} weight failed`, Exception: `${p} is not a ${kind} weights file` });
      weights[kind] = p;
      return json(res, 200, { message: 'success' });
    }
    if (entry.path !== '/tts' || req.method !== 'POST') return json(res, 404, { detail: 'Not Found' });
    let b: Record<string, any>;
    try {
      b = JSON.parse(body.toString('utf8'));
    } catch {
      return json(res, 422, { detail: [{ type: 'json_invalid', loc: ['body', 0], msg: 'JSON decode error', input: {} }] });
    }
    entry.fields = b;
    if (!b.ref_audio_path) return json(res, 400, { message: 'ref_audio_path is required' });
    if (!b.text) return json(res, 400, { message: 'text is required' });
    if (!b.text_lang) return json(res, 400, { message: 'text_lang is required' });
    if (!['zh', 'en', 'ja', 'ko', 'yue', 'auto'].includes(String(b.text_lang).toLowerCase())) return json(res, 400, { message: `text_lang: ${b.text_lang} is not supported in version v2` });
    if (!b.prompt_lang) return json(res, 400, { message: 'prompt_lang is required' });
    const media = b.media_type ?? 'wav';
    if (!['wav', 'raw', 'ogg', 'aac'].includes(media)) return json(res, 400, { message: `media_type: ${media} is not supported` });
    if (opts.refAudioPaths && !opts.refAudioPaths.includes(b.ref_audio_path)) return json(res, 400, { message: 'tts failed', Exception: `${b.ref_audio_path} not exists` });
    if (s.faults.fail5xx) {
      s.faults.fail5xx--;
      return json(res, 400, { message: 'tts failed', Exception: 'CUDA out of memory' });
    }
    const mode = b.streaming_mode === true ? 1 : Number(b.streaming_mode ?? 0);
    const pcm = await speech(String(b.text), 32_000, 'f2');
    res.writeHead(200, { 'content-type': `audio/${media}`, ...(mode ? { 'transfer-encoding': 'chunked' } : {}) });
    if (mode === 0) {
      // Not streamed: the whole file at once (soundfile's WAV), after the whole generation.
      await sleep(s.firstByteMs + (pcm.length / 32_000) * (1000 / s.speed));
      entry.firstByteAt = performance.now();
      const data = Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      const out = media === 'wav' ? Buffer.concat([waveHeader(32_000, pcm.length), data]) : data;
      entry.bytesSent = out.length;
      res.end(out);
      return;
    }
    await streamPcm(res, pcm, 32_000, s, entry, media === 'wav' ? waveHeader(32_000) : undefined);
  })) as GptSovitsServer;
  server.weights = weights;
  return server;
}
