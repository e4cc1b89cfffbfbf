// CONTRACT (implementation in progress): see the exports below.
import type { EnrollLimits, VideoInfo } from './probe.ts';
export { EnrollmentError, probeVideo, DEFAULT_LIMITS, type EnrollLimits, type VideoInfo } from './probe.ts';

export type EnrollStage = 'validating' | 'analysing' | 'selecting' | 'extracting' | 'writing';
export interface EnrollProgress {
  stage: EnrollStage;
  /** Overall 0..1. */
  progress: number;
  detail?: string;
}

export interface EnrollOptions {
  signal?: AbortSignal;
  onProgress?: (p: EnrollProgress) => void;
  /** Called once the video passed validation (probe + a face in ≥ 80 % of sampled frames). */
  onValidated?: (info: VideoInfo) => void;
  limits?: EnrollLimits;
}

/** Summary written as manifest.json in the pack folder. */
export interface PackManifest {
  version: 1;
  width: number;
  height: number;
  fps: number;
  source: VideoInfo & { faceFraction: number };
  idleFrames: number;
  atlasMouths: number;
  matte: 'chroma' | 'none';
  analysisSeconds: number;
}

/**
 * Builds an avatar pack from an enrollment video into packDir. Throws EnrollmentError (message for
 * the user) for a bad video, or an AbortError when the signal aborts. CPU-heavy: run it in a
 * child process, not in the server's event loop.
 */
export async function enrollAvatar(videoPath: string, packDir: string, opts: EnrollOptions = {}): Promise<PackManifest> {
  void videoPath; void packDir; void opts;
  throw new Error('not implemented yet');
}
