// Validation by behaviour (no TFLite runtime here): on the blue-screen test video the chroma key
// (estimateChromaKey + applyChromaKey) is a ground-truth matte; the segmentation mask > 0.5 must
// agree with its alpha > 0.5. Used by convert-selfie.ts and test/segmentation.test.ts.
import { execFileSync } from 'node:child_process';
import { FaceLandmarker } from '../../pipeline/stages/face/face-landmarker.ts';
import { applyChromaKey, estimateChromaKey } from '../../pipeline/stages/avatar/real-person/matte.ts';
import { PersonSegmenter, type SegmentFit } from '../../pipeline/stages/avatar/real-person/segmenter.ts';
import { readRgbFrames } from '../../pipeline/stages/avatar/real-person/video-frames.ts';

/**
 * `video` (the blue-screen test video) with its backdrop replaced by a busy moving pattern (colour
 * bars, moving boxes, noise): ffmpeg chromakey of the screen's blue over testsrc2.
 */
export function makeBusyBackdropVideo(video: string, out: string, seconds: number): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', video, '-f', 'lavfi', '-i', 'testsrc2=s=360x288:r=24,hue=s=0.6,noise=alls=25:allf=t',
    '-filter_complex', '[0:v]chromakey=0x3880FC:0.18:0.06,despill=type=blue[fg];[1:v][fg]overlay=shortest=1,format=yuv420p',
    '-t', String(seconds), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-an', out]);
}

/** Intersection over union of mask > 0.5 and alpha > 0.5. */
export function iou(mask: Float32Array, alpha: Float32Array): number {
  let inter = 0, union = 0;
  for (let i = 0; i < mask.length; i++) {
    const a = mask[i]! > 0.5, b = alpha[i]! > 0.5;
    if (a && b) inter++;
    if (a || b) union++;
  }
  return union ? inter / union : 1;
}

export interface IoUResult { frames: number; mean: number; min: number; msPerFrame: number }

/**
 * IoU of the segmentation mask of `video` (decoded at 360×288, optionally through an ffmpeg filter
 * that replaces the backdrop) with the chroma-key matte of `keyVideo`'s same frames (the blue-screen
 * original). Every `step`-th frame, `frames` of them.
 */
export async function chromaIoU(keyVideo: string, opts: { frames?: number; step?: number; video?: string; filter?: string; fit?: SegmentFit; segmenter?: PersonSegmenter; landmarker?: FaceLandmarker } = {}): Promise<IoUResult> {
  const W = 360, H = 288;
  const frames = opts.frames ?? 20, step = opts.step ?? 10;
  const landmarker = opts.landmarker ?? (await FaceLandmarker.load());
  const segmenter = opts.segmenter ?? (await PersonSegmenter.load());
  const keyFrames: Uint8Array[] = [];
  let i = 0;
  for await (const f of readRgbFrames(keyVideo, W, H)) {
    if (i % step === 0) keyFrames.push(Uint8Array.from(f));
    if (keyFrames.length >= frames) break;
    i++;
  }
  const segFrames: Uint8Array[] = [];
  if (opts.video || opts.filter) {
    i = 0;
    for await (const f of readRgbFrames(opts.video ?? keyVideo, W, H, { filter: opts.filter })) {
      if (i % step === 0) segFrames.push(Uint8Array.from(f));
      if (segFrames.length >= frames) break;
      i++;
    }
  } else segFrames.push(...keyFrames);
  const scores: number[] = [];
  let ms = 0;
  for (let k = 0; k < Math.min(keyFrames.length, segFrames.length); k++) {
    const rgb = keyFrames[k]!;
    landmarker.reset();
    const face = await landmarker.detect(rgb, W, H);
    const key = estimateChromaKey(rgb, W, H);
    if (!face || !key) throw new Error(`frame ${k * step}: ${face ? 'no chroma key' : 'no face'}`);
    const rgba = applyChromaKey(rgb, W, H, key, face.points);
    const alpha = new Float32Array(W * H);
    for (let p = 0; p < alpha.length; p++) alpha[p] = rgba[4 * p + 3]! / 255;
    const t0 = performance.now();
    const mask = await segmenter.maskOf(segFrames[k]!, W, H, opts.fit);
    ms += performance.now() - t0;
    scores.push(iou(mask, alpha));
  }
  if (!opts.landmarker) landmarker.dispose();
  if (!opts.segmenter) await segmenter.dispose();
  return { frames: scores.length, mean: scores.reduce((a, b) => a + b, 0) / scores.length, min: Math.min(...scores), msPerFrame: ms / scores.length };
}
