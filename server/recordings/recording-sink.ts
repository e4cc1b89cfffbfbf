import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Writable } from 'node:stream';
import type { AudioChunk, MediaSink, VideoFormat, VideoFrame } from '../../pipeline/core/media.ts';
import { openingCard, OPENING_CARD_SECONDS } from '../../pipeline/stages/compose/disclosure.ts';
import { recordingFfmpegArgs } from '../egress/ffmpeg-args.ts';

/** More raw video than this queued for ffmpeg means the disk can't keep up: stop this recording. */
const MAX_QUEUED_SECONDS = 3;

/**
 * One recording being written: the session's raw frames and PCM piped into its own ffmpeg, which
 * writes fragmented MP4. The first seconds carry the opening disclosure. A failure (disk full,
 * ffmpeg dying, size limit) ends only this recording, with `failed` / `limit`; the session goes on.
 */
export class RecordingSink extends EventEmitter<{ ended: [{ reason: 'stopped' | 'limit' | 'failed'; error?: string }] }> implements MediaSink {
  readonly file: string;
  readonly #proc: ChildProcess;
  readonly #audio: Writable;
  readonly #maxQueued: number;
  #cardFrames: number;
  #stopping: 'stopped' | 'limit' | 'failed' | undefined;
  #stderr = '';
  bytes = 0;
  frames = 0;

  constructor(file: string, video: VideoFormat, metadata: Record<string, string>, readonly maxBytes: number) {
    super();
    this.file = file;
    this.#cardFrames = OPENING_CARD_SECONDS * video.fps;
    this.#maxQueued = video.width * video.height * 1.5 * video.fps * MAX_QUEUED_SECONDS;
    this.#proc = spawn('ffmpeg', recordingFfmpegArgs(video, file, metadata), { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    this.#audio = this.#proc.stdio[3] as Writable;
    this.#proc.stdin!.on('error', () => {});
    this.#audio.on('error', () => {});
    this.#proc.stderr!.setEncoding('utf8').on('data', (s: string) => (this.#stderr = (this.#stderr + s).slice(-500)));
    this.#proc.stdout!.setEncoding('utf8').on('data', (s: string) => {
      const m = /total_size=(\d+)/g;
      let last: RegExpExecArray | null = null;
      for (let x; (x = m.exec(s)); ) last = x;
      if (last) this.bytes = Number(last[1]);
      if (this.bytes > this.maxBytes && !this.#stopping) this.stop('limit');
    });
    this.#proc.on('error', (err) => this.#fail(`ffmpeg: ${err.message}`));
    this.#proc.on('exit', (code, signal) => {
      const reason = this.#stopping ?? 'failed';
      const error = reason === 'failed' || code !== 0 ? this.#stderr.trim().split('\n').pop() || `ffmpeg exited (${code ?? signal})` : undefined;
      this.emit('ended', { reason: code !== 0 && reason === 'stopped' ? 'failed' : reason, error });
    });
  }

  #fail(error: string): void {
    this.#stderr += `\n${error}`;
    if (!this.#stopping) this.#stopping = 'failed';
    this.#proc.kill('SIGKILL');
  }

  writeVideo(frame: VideoFrame): void {
    const stdin = this.#proc.stdin;
    if (this.#stopping || !stdin?.writable) return;
    if (stdin.writableLength > this.#maxQueued) return this.#fail('the disk could not keep up with the recording');
    const copy = Buffer.from(frame.data);
    if (this.#cardFrames > 0) {
      this.#cardFrames--;
      openingCard({ width: frame.width, height: frame.height, fps: 25 }).paste(copy, frame.width, frame.height);
    }
    stdin.write(copy);
    this.frames++;
  }

  writeAudio(chunk: AudioChunk): void {
    if (this.#stopping || !this.#audio.writable) return;
    this.#audio.write(Buffer.from(chunk.samples.buffer.slice(chunk.samples.byteOffset, chunk.samples.byteOffset + chunk.samples.byteLength)));
  }

  /** Ends the file cleanly (ffmpeg writes its last fragment); `ended` follows. */
  stop(reason: 'stopped' | 'limit' = 'stopped'): void {
    if (this.#stopping) return;
    this.#stopping = reason;
    this.#proc.stdin?.end();
    this.#audio.end();
    const kill = setTimeout(() => this.#proc.kill('SIGKILL'), 5000);
    this.#proc.once('exit', () => clearTimeout(kill));
  }
}
