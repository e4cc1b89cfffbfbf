import {
  AUDIO_CHUNK_SAMPLES,
  AUDIO_RATE,
  samplesPerFrame,
  type MediaSink,
  type MediaSource,
} from '../core/media.ts';

/** If the event loop stalls longer than this, skip ahead instead of bursting stale media. */
const MAX_LAG_SAMPLES = (AUDIO_RATE * 300) / 1000;
const TICK_MS = 10;

export interface PacerStats {
  videoFrames: number;
  audioChunks: number;
  resyncs: number;
}

/**
 * The only reader of the wall clock in the pipeline. It advances one sample counter and pulls
 * audio chunks and video frames from the source when their pts is due, so frame n always goes out
 * with samples n * 48000 / fps: no drift, however long the session runs.
 */
export class MediaPacer {
  readonly #source: MediaSource;
  readonly #sinks = new Set<MediaSink>();
  readonly #audio = new Int16Array(AUDIO_CHUNK_SAMPLES);
  readonly #samplesPerFrame: number;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #startMs = 0;
  #startPts = 0;
  #audioPts = 0;
  #nextFrame = 0;
  readonly stats: PacerStats = { videoFrames: 0, audioChunks: 0, resyncs: 0 };

  constructor(source: MediaSource, now: () => number = () => performance.now()) {
    this.#source = source;
    this.#now = now;
    this.#samplesPerFrame = samplesPerFrame(source.format.fps);
  }

  get running(): boolean {
    return this.#timer !== undefined;
  }

  addSink(sink: MediaSink): void {
    this.#sinks.add(sink);
  }

  removeSink(sink: MediaSink): void {
    this.#sinks.delete(sink);
  }

  start(): void {
    if (this.#timer) return;
    this.#startMs = this.#now();
    this.#startPts = this.#audioPts;
    this.#timer = setInterval(() => this.tick(), TICK_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Emits everything due by now. Public so a test can drive it with a fake clock. */
  tick(): void {
    const due = this.#startPts + Math.floor(((this.#now() - this.#startMs) * AUDIO_RATE) / 1000);
    if (due - this.#audioPts > MAX_LAG_SAMPLES) {
      // Stalled (GC, CPU starvation): drop the backlog rather than flood the encoders with it.
      const skip = due - this.#audioPts - AUDIO_CHUNK_SAMPLES;
      this.#audioPts += skip - (skip % AUDIO_CHUNK_SAMPLES);
      this.#nextFrame = Math.ceil(this.#audioPts / this.#samplesPerFrame);
      this.stats.resyncs++;
    }
    while (this.#audioPts + AUDIO_CHUNK_SAMPLES <= due) {
      while (this.#nextFrame * this.#samplesPerFrame <= this.#audioPts) this.#emitFrame();
      this.#source.renderAudio(this.#audioPts, this.#audio);
      const chunk = { pts: this.#audioPts, samples: this.#audio };
      for (const sink of this.#sinks) sink.writeAudio(chunk);
      this.#audioPts += AUDIO_CHUNK_SAMPLES;
      this.stats.audioChunks++;
    }
  }

  #emitFrame(): void {
    const index = this.#nextFrame++;
    const frame = this.#source.renderVideo(index, index * this.#samplesPerFrame);
    for (const sink of this.#sinks) sink.writeVideo(frame);
    this.stats.videoFrames++;
  }
}
