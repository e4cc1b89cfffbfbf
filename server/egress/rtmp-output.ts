import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { AudioChunk, MediaSink, VideoFormat, VideoFrame } from '../../pipeline/core/media.ts';
import { rtmpFfmpegArgs } from './ffmpeg-args.ts';
import { openingCard, OPENING_CARD_SECONDS } from '../../pipeline/stages/compose/disclosure.ts';

export type RtmpState = 'starting' | 'live' | 'reconnecting' | 'closed';

export interface RtmpStatus {
  state: RtmpState;
  attempts: number;
  /** Encoder output bitrate as ffmpeg reports it, kbit/s. */
  bitrateKbps: number;
  framesSent: number;
  lastError?: string;
}

/** More than this much raw video queued for ffmpeg means it is stuck: restart it. */
const MAX_QUEUED_SECONDS = 2;
const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];
/** A connection that stayed up this long resets the backoff. */
const STABLE_MS = 10_000;

/**
 * One RTMP push: a supervised ffmpeg fed with the session's raw frames and PCM. When ffmpeg exits
 * (platform down, network error) it is restarted with backoff; the session itself never notices.
 */
export class RtmpOutput extends EventEmitter implements MediaSink {
  readonly id: string;
  readonly url: string;
  readonly #video: VideoFormat;
  readonly #metadata: Record<string, string>;
  /** Frames still to carry the opening disclosure (counted from each ffmpeg start). */
  #cardFrames = 0;
  readonly #maxQueuedBytes: number;
  #proc: ChildProcess | undefined;
  #audioPipe: Writable | undefined;
  #startedAt = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #stderrTail = '';
  readonly status: RtmpStatus = { state: 'starting', attempts: 0, bitrateKbps: 0, framesSent: 0 };

  constructor(id: string, url: string, video: VideoFormat, metadata: Record<string, string> = {}) {
    super();
    this.id = id;
    this.url = url;
    this.#video = video;
    this.#metadata = metadata;
    this.#maxQueuedBytes = video.width * video.height * 1.5 * video.fps * MAX_QUEUED_SECONDS;
    this.#start();
  }

  get pid(): number | undefined {
    return this.#proc?.pid;
  }

  #setState(state: RtmpState, error?: string): void {
    if (error !== undefined) this.status.lastError = error;
    if (this.status.state === state) return;
    this.status.state = state;
    this.emit('state', state, this.status);
  }

  #start(): void {
    this.status.attempts++;
    this.#startedAt = Date.now();
    this.#stderrTail = '';
    const proc = spawn('ffmpeg', rtmpFfmpegArgs(this.#video, this.url, undefined, this.#metadata), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    // Whoever joins through this connection sees the opening disclosure first.
    this.#cardFrames = OPENING_CARD_SECONDS * this.#video.fps;
    this.#proc = proc;
    this.#audioPipe = proc.stdio[3] as Writable;
    // Writes to a dead ffmpeg raise EPIPE; the exit handler deals with it.
    proc.stdin!.on('error', () => {});
    this.#audioPipe.on('error', () => {});
    proc.on('error', (err) => this.#setState('reconnecting', `ffmpeg: ${err.message}`));
    proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.#stderrTail = (this.#stderrTail + s).slice(-500)));
    proc.stdout!.setEncoding('utf8').on('data', (s: string) => this.#onProgress(s));
    proc.on('exit', (code, signal) => this.#onExit(proc, code, signal));
  }

  #onProgress(text: string): void {
    for (const line of text.split('\n')) {
      const [key, value] = line.split('=');
      if (key === 'bitrate' && value) this.status.bitrateKbps = Number.parseFloat(value) || 0;
      if (key === 'total_size' && Number(value) > 0) this.#setState('live');
    }
  }

  #onExit(proc: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#proc !== proc) return;
    this.#proc = undefined;
    this.#audioPipe = undefined;
    if (this.status.state === 'closed') return;
    const reason = this.#stderrTail.trim().split('\n').pop() || `ffmpeg exited (${code ?? signal})`;
    this.#setState('reconnecting', reason);
    if (Date.now() - this.#startedAt > STABLE_MS) this.status.attempts = 0;
    const delay = BACKOFF_MS[Math.min(this.status.attempts, BACKOFF_MS.length - 1)]!;
    this.#retryTimer = setTimeout(() => this.#start(), delay);
  }

  writeVideo(frame: VideoFrame): void {
    const stdin = this.#proc?.stdin;
    if (!stdin || !stdin.writable) return;
    if (stdin.writableLength > this.#maxQueuedBytes) {
      // ffmpeg is stuck (e.g. a TCP stall): restart rather than buffer without bound.
      this.#proc!.kill('SIGKILL');
      return;
    }
    const copy = Buffer.from(frame.data); // copy: the frame buffer is reused by the renderer
    if (this.#cardFrames > 0) {
      this.#cardFrames--;
      openingCard(this.#video).paste(copy, frame.width, frame.height);
    }
    stdin.write(copy);
    this.status.framesSent++;
  }

  writeAudio(chunk: AudioChunk): void {
    const pipe = this.#audioPipe;
    if (!pipe || !pipe.writable) return;
    pipe.write(Buffer.from(chunk.samples.buffer.slice(chunk.samples.byteOffset, chunk.samples.byteOffset + chunk.samples.byteLength)));
  }

  close(): void {
    if (this.status.state === 'closed') return;
    this.#setState('closed');
    clearTimeout(this.#retryTimer);
    const proc = this.#proc;
    if (!proc) return;
    proc.stdin?.end();
    this.#audioPipe?.end();
    // Give ffmpeg a moment to flush the FLV trailer, then make sure it is gone.
    const kill = setTimeout(() => proc.kill('SIGKILL'), 2000);
    proc.once('exit', () => clearTimeout(kill));
  }
}
