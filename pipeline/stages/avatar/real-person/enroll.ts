import { FaceLandmarker } from '../../face/face-landmarker.ts';
import { STABLE_POINTS } from '../../face/mesh-indices.ts';
import { writeAvatarPack, type AtlasEntry, type AvatarPack, type PackManifest } from './avatar-pack.ts';
import { eyeDistance, fitSimilarity, headPose, measureMouth, residual, type Similarity } from './geometry.ts';
import { chooseIdleLoop } from './idle-loop.ts';
import { fitLipModel, lipShape } from './lip-shape.ts';
import { applyChromaKey, applySegmentationMatte, estimateChromaKey, opaque, smoothMasksInTime } from './matte.ts';
import { cropMouth } from './mouth-blend.ts';
import { mouthRegion } from './mouth-region.ts';
import { DEFAULT_LIMITS, EnrollmentError, probeVideo, type EnrollLimits, type VideoInfo } from './probe.ts';
import { PersonSegmenter } from './segmenter.ts';
import { packSize, readRgbFrames } from './video-frames.ts';

export { EnrollmentError, probeVideo, DEFAULT_LIMITS, type EnrollLimits, type VideoInfo } from './probe.ts';
export type { PackManifest } from './avatar-pack.ts';

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
  /** Use only this part of the video (seconds), e.g. to hold out the rest for evaluation. */
  start?: number;
  duration?: number;
}

/** Share of frames that must show a face. */
export const MIN_FACE_FRACTION = 0.8;
const VALIDATION_SAMPLES = 24;
/** Atlas: (opening × width) bins over the person's range, and the best mouths kept per bin. */
const OPEN_BINS = 24;
const WIDTH_BINS = 14;
const PER_BIN = 6;

/**
 * Builds an avatar pack from an enrollment video into packDir. Throws EnrollmentError (message for
 * the user) for a bad video, or the signal's AbortError. CPU-heavy (FaceMesh on every frame): run
 * it in a child process, not in the server's event loop.
 */
export async function enrollAvatar(videoPath: string, packDir: string, opts: EnrollOptions = {}): Promise<PackManifest> {
  const started = performance.now();
  const { signal } = opts;
  const progress = (stage: EnrollStage, p: number, detail?: string) => opts.onProgress?.({ stage, progress: Math.min(1, p), detail });
  progress('validating', 0);
  const info = await probeVideo(videoPath, opts.limits ?? DEFAULT_LIMITS);
  const start = opts.start ?? 0;
  const duration = Math.min(opts.duration ?? info.duration, info.duration - start);
  const { width, height } = packSize(info.width, info.height);
  const landmarker = await FaceLandmarker.load();
  try {
    // A quick look first, so a video without a face is refused in seconds rather than minutes.
    const sampled = await sampleFaceFraction(landmarker, videoPath, width, height, start, duration, signal);
    if (sampled < MIN_FACE_FRACTION) throw new EnrollmentError(faceMessage(sampled));
    opts.onValidated?.(info);

    // 1. Landmarks for every frame.
    const expected = Math.max(1, Math.round(duration * info.fps));
    const points: (Float32Array | undefined)[] = [];
    landmarker.reset();
    for await (const frame of readRgbFrames(videoPath, width, height, { signal, start, duration })) {
      const face = await landmarker.detect(frame, width, height);
      points.push(face?.points);
      if (points.length % 24 === 0) progress('analysing', 0.05 + 0.8 * (points.length / expected), `${points.length}/${expected} frames`);
    }
    signal?.throwIfAborted();
    const faceFraction = points.filter(Boolean).length / Math.max(1, points.length);
    if (faceFraction < MIN_FACE_FRACTION) throw new EnrollmentError(faceMessage(faceFraction));

    // 2. Idle loop and reference pose.
    progress('selecting', 0.86);
    const loop = chooseIdleLoop(points, info.fps);
    const reference = points[loop.start]!;
    const toCanon: (Similarity | undefined)[] = points.map((p) => (p ? fitSimilarity(p, reference) : undefined));
    const region = mouthRegion(reference);

    // 3. Atlas: mouths from near-frontal, well-fitting frames, spread over the person's shapes.
    const refPose = headPose(reference);
    const s = eyeDistance(reference);
    const candidates: (AtlasEntry & { bin: number })[] = [];
    const measures = points.map((p) => (p ? measureMouth(p) : undefined));
    const opens = measures.filter(Boolean).map((m) => m!.open).sort((a, b) => a - b);
    const widths = measures.filter(Boolean).map((m) => m!.width).sort((a, b) => a - b);
    const q = (arr: number[], f: number) => arr[Math.min(arr.length - 1, Math.floor(arr.length * f))];
    const calibration = {
      openLo: q(opens, 0.03),
      openHi: q(opens, 0.98),
      widthLo: q(widths, 0.02),
      widthRest: q(widths, 0.5),
      widthHi: q(widths, 0.98),
    };
    points.forEach((p, i) => {
      if (!p) return;
      const pose = headPose(p);
      const fit = residual(toCanon[i]!, p, reference, STABLE_POINTS) / s;
      const poseCost = Math.abs(pose.yaw - refPose.yaw) * 4 + Math.abs(pose.roll - refPose.roll) + fit * 10;
      if (poseCost > 0.45) return;
      const m = measures[i]!;
      const ob = Math.min(OPEN_BINS - 1, Math.max(0, Math.floor(((m.open - calibration.openLo) / (calibration.openHi - calibration.openLo)) * OPEN_BINS)));
      const wb = Math.min(WIDTH_BINS - 1, Math.max(0, Math.floor(((m.width - calibration.widthLo) / (calibration.widthHi - calibration.widthLo)) * WIDTH_BINS)));
      candidates.push({ frame: i, open: m.open, width: m.width, poseCost, lips: Array.from(lipShape(p, toCanon[i]!), (v) => Math.round(v * 100) / 100), bin: ob * WIDTH_BINS + wb });
    });
    const byBin = new Map<number, (AtlasEntry & { bin: number })[]>();
    for (const c of candidates) byBin.set(c.bin, [...(byBin.get(c.bin) ?? []), c]);
    const atlas: AtlasEntry[] = [];
    for (const list of byBin.values()) {
      list.sort((a, b) => a.poseCost - b.poseCost);
      // Spread picks in time within a bin: neighbouring frames are near-duplicates.
      const picked: typeof list = [];
      for (const c of list) {
        if (picked.length >= PER_BIN) break;
        if (picked.every((p) => Math.abs(p.frame - c.frame) > info.fps / 4)) picked.push(c);
      }
      for (const { bin: _bin, ...entry } of picked) atlas.push(entry);
    }
    atlas.sort((a, b) => a.frame - b.frame);
    const lipModel = fitLipModel(candidates.map((c) => ({ open: c.open, width: c.width, lips: Float32Array.from(c.lips) })));
    if (atlas.length < 8) throw new EnrollmentError(`only ${atlas.length} usable mouth shapes were found; record the person facing the camera and talking`);

    // 4. Second pass: the idle frames and the atlas crops.
    progress('extracting', 0.88);
    const idleStart = loop.start - loop.crossfade;
    const raw = new Map<number, Uint8Array>();
    const crops = new Map<number, Uint8Array>();
    const atlasFrames = new Set(atlas.map((a) => a.frame));
    let index = 0;
    for await (const frame of readRgbFrames(videoPath, width, height, { signal, start, duration })) {
      if (index >= idleStart && index < loop.end) raw.set(index, Uint8Array.from(frame));
      if (atlasFrames.has(index)) crops.set(index, cropMouth(frame, width, height, toCanon[index]!, region));
      index++;
      if (index > loop.end && index > atlas[atlas.length - 1].frame) break;
    }
    signal?.throwIfAborted();

    progress('writing', 0.95);
    const key = estimateChromaKey(raw.get(loop.start)!, width, height);
    const idleRgb: Uint8Array[] = [];
    const idleLandmarks: Float32Array[] = [];
    const length = loop.end - loop.start;
    for (let j = 0; j < length; j++) {
      const i = loop.start + j;
      let rgb = raw.get(i)!;
      let lm = points[i]!;
      // The last frames fade into the ones just before the loop start, so the jump back is seamless.
      const fadeFrom = length - loop.crossfade;
      if (j >= fadeFrom) {
        const w = (j - fadeFrom + 1) / (loop.crossfade + 1);
        const other = loop.start - (length - j);
        rgb = mix(rgb, raw.get(other)!, w);
        lm = mixPoints(lm, points[other]!, w);
      }
      idleRgb.push(rgb);
      idleLandmarks.push(lm);
    }
    // No flat screen to key: segment the person (models/selfie-segmentation), masks smoothed in time.
    let masks: Float32Array[] | undefined;
    if (!key && PersonSegmenter.available()) {
      const segmenter = await PersonSegmenter.load();
      try {
        const perFrame: Float32Array[] = [];
        for (const rgb of idleRgb) perFrame.push(await segmenter.maskOf(rgb, width, height));
        masks = smoothMasksInTime(perFrame);
      } finally {
        await segmenter.dispose();
      }
    }
    const idle = idleRgb.map((rgb, j) => (key ? applyChromaKey(rgb, width, height, key, idleLandmarks[j]!) : masks ? applySegmentationMatte(rgb, width, height, masks[j]!, idleLandmarks[j]!) : opaque(rgb, width, height)));
    const manifest: PackManifest = {
      version: 1,
      width,
      height,
      fps: info.fps,
      source: { ...info, faceFraction, framesAnalysed: points.length },
      idle: { frames: idle.length, startFrame: loop.start, endFrame: loop.end, crossfade: loop.crossfade },
      atlas: { entries: atlas.length, region: { x0: region.x0, y0: region.y0, w: region.w, h: region.h, scale: region.scale } },
      calibration,
      matte: key ? 'chroma' : masks ? 'segmentation' : 'none',
      analysisSeconds: (performance.now() - started) / 1000,
    };
    const pack: AvatarPack = {
      manifest,
      idle,
      idleLandmarks,
      idleToCanon: idleLandmarks.map((p) => fitSimilarity(p, reference)),
      reference,
      region,
      atlas,
      lipModel,
      crops: atlas.map((a) => crops.get(a.frame)!),
    };
    await writeAvatarPack(packDir, pack);
    manifest.analysisSeconds = (performance.now() - started) / 1000;
    progress('writing', 1);
    return manifest;
  } finally {
    landmarker.dispose();
  }
}

function faceMessage(fraction: number): string {
  return `a face was found in only ${Math.round(fraction * 100)} % of the frames; at least ${MIN_FACE_FRACTION * 100} % is needed (one person, facing the camera, face well lit and in frame)`;
}

/** Share of evenly spaced frames with a face (each detected from scratch). */
async function sampleFaceFraction(landmarker: FaceLandmarker, file: string, width: number, height: number, start: number, duration: number, signal?: AbortSignal): Promise<number> {
  let found = 0;
  let total = 0;
  const rate = VALIDATION_SAMPLES / duration;
  for await (const frame of readRgbFrames(file, width, height, { signal, start, duration, filter: `fps=${rate.toFixed(6)}` })) {
    landmarker.reset();
    if (await landmarker.detect(frame, width, height)) found++;
    total++;
  }
  landmarker.reset();
  return total ? found / total : 0;
}

function mix(a: Uint8Array, b: Uint8Array, w: number): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * (1 - w) + b[i] * w + 0.5;
  return out;
}

function mixPoints(a: Float32Array, b: Float32Array, w: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] * (1 - w) + b[i] * w;
  return out;
}
