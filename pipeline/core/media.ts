// Media types shared by every stage. Audio is the master clock: all timestamps (pts) count
// 48 kHz samples, so video frame n sits at pts n * 48000 / fps and A/V sync holds by construction.

export const AUDIO_RATE = 48_000;
/** Audio moves in 10 ms chunks: what WebRTC's audio source expects and fine enough to cut on. */
export const AUDIO_CHUNK_SAMPLES = AUDIO_RATE / 100;

export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
}

/** A raw I420 (yuv420p) frame. `data` may be reused by its producer after the sinks return. */
export interface VideoFrame {
  index: number;
  pts: number;
  width: number;
  height: number;
  data: Uint8Array;
}

/** Mono signed 16-bit PCM at AUDIO_RATE. `samples` may be reused after the sinks return. */
export interface AudioChunk {
  pts: number;
  samples: Int16Array;
}

/** What produces a session's picture and sound: the test card now, the presenter later. */
export interface MediaSource {
  readonly format: VideoFormat;
  renderVideo(index: number, pts: number): VideoFrame;
  renderAudio(pts: number, samples: Int16Array): void;
}

/** A consumer of paced media (WebRTC publisher, RTMP encoder). Must not block. */
export interface MediaSink {
  writeVideo(frame: VideoFrame): void;
  writeAudio(chunk: AudioChunk): void;
}

export function i420Size(width: number, height: number): number {
  return width * height + 2 * (width / 2) * (height / 2);
}

export function samplesPerFrame(fps: number): number {
  return AUDIO_RATE / fps;
}
