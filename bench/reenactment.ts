// Self-reenactment quality of the real-person avatar (issue 5): enroll on all but the last 30 s of
// franck.mp4; for each held-out frame, drive the renderer with the mouth measured from that
// frame's own landmarks and compare with the real frame aligned to the base frame's pose (by the
// stable landmarks). Baseline: the base frame unchanged; upper bound: the real mouth pasted in with
// the same mask and colour match. Several renderer variants run in the same pass.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { OUTER_LIPS } from '../pipeline/stages/face/mesh-indices.ts';
import { loadAvatarPack } from '../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { enrollAvatar } from '../pipeline/stages/avatar/real-person/enroll.ts';
import { apply, eyeDistance, fitSimilarity, invert, measureMouth, type Similarity } from '../pipeline/stages/avatar/real-person/geometry.ts';
import { lipShape } from '../pipeline/stages/avatar/real-person/lip-shape.ts';
import { blendMouth, cropMouth } from '../pipeline/stages/avatar/real-person/mouth-blend.ts';
import { MouthRenderer, type MouthRenderOptions } from '../pipeline/stages/avatar/real-person/mouth-renderer.ts';
import type { MouthRegion } from '../pipeline/stages/avatar/real-person/mouth-region.ts';
import { readRgbFrames } from '../pipeline/stages/avatar/real-person/video-frames.ts';
import { lumaRegion, psnr, ssim } from './lib/image-metrics.ts';
import { fmt, percentile } from './lib/stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const HOLD_OUT = 30;
const DURATION = 200;
const packDir = process.env.REENACT_PACK ?? path.join(root, '.cache/bench-packs/franck-170');

type Box = { x: number; y: number; w: number; h: number };
interface Variant {
  name: string;
  /** `measure`: opening + width through the person's lip model (what TTS visemes drive); `lips`: the 40-point lip outline. */
  drive: 'measure' | 'lips';
  render?: MouthRenderOptions;
  renderer?: MouthRenderer;
  scores: number[][];
  ms: number[];
}

export async function reenactment(): Promise<void> {
  if (!existsSync(video)) throw new Error(`${video} missing: run bash server/setup/fetch-test-media.sh`);
  if (!existsSync(path.join(packDir, 'manifest.json'))) {
    const t0 = performance.now();
    const m = await enrollAvatar(video, packDir, { start: 0, duration: DURATION - HOLD_OUT });
    console.log(`enrolled the first ${DURATION - HOLD_OUT} s in ${fmt((performance.now() - t0) / 1000)} s: idle ${m.idle.frames} frames, atlas ${m.atlas.entries} mouths, matte ${m.matte}`);
  }
  const pack = await loadAvatarPack(packDir);
  const { width, height } = pack.manifest;
  const landmarker = await FaceLandmarker.load();
  const region = pack.region;
  const variants: Variant[] = [
    { name: 'rendered, opening+width drive (TTS path), K=3 TPS [default]', drive: 'measure', render: { k: 3, warp: 'tps' }, scores: [], ms: [] },
    { name: 'rendered, opening+width drive, K=1 affine', drive: 'measure', render: { k: 1, warp: 'affine' }, scores: [], ms: [] },
    { name: 'rendered, lip-outline drive, K=3 TPS', drive: 'lips', render: { k: 3, warp: 'tps' }, scores: [], ms: [] },
    { name: 'rendered, lip-outline drive, K=1 affine', drive: 'lips', render: { k: 1, warp: 'affine' }, scores: [], ms: [] },
    ...(process.env.REENACT_EXTRA_K ? [{ name: `rendered, lip-outline drive, K=${process.env.REENACT_EXTRA_K} TPS`, drive: 'lips' as const, render: { k: Number(process.env.REENACT_EXTRA_K), warp: 'tps' as const }, scores: [], ms: [] }] : []),
    { name: 'baseline: base frame unchanged', drive: 'measure', scores: [], ms: [] },
    { name: 'upper bound: real mouth pasted in', drive: 'measure', scores: [], ms: [] },
  ];
  for (const v of variants) if (v.render) v.renderer = new MouthRenderer(pack, v.render);
  const work = new Uint8ClampedArray(width * height * 4);
  let j = 0;
  for await (const frame of readRgbFrames(video, width, height, { start: DURATION - HOLD_OUT })) {
    const face = await landmarker.detect(frame, width, height);
    const idle = j++ % pack.idle.length;
    if (!face) continue;
    const baseToCanon = pack.idleToCanon[idle];
    const realToCanon = fitSimilarity(face.points, pack.reference);
    const box = regionBox(invert(baseToCanon), region, 0, width, height);
    const aligned = alignInto(frame, width, height, baseToCanon, invert(realToCanon), box);
    const regions = [box, relative(regionBox(invert(baseToCanon), region, 0.5, width, height), box), lipsBox(pack.idleLandmarks[idle], box)];
    const targets = { measure: variants[0].renderer!.selector.lipsFor(measureMouth(face.points)).slice(), lips: lipShape(face.points, realToCanon) };
    const base = pack.idle[idle];
    for (const v of variants) {
      work.set(base);
      const t = performance.now();
      if (v.renderer) v.renderer.render(work, width, height, baseToCanon, targets[v.drive]);
      else if (v.name.startsWith('upper')) blendMouth(work, width, height, baseToCanon, region, cropMouth(frame, width, height, realToCanon, region));
      v.ms.push(performance.now() - t);
      v.scores.push(score(work, width, aligned, regions));
    }
  }
  const mean = (rows: number[][], k: number) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  const b = regionBox(invert(pack.idleToCanon[0]), region, 0, width, height);
  console.log(`self-reenactment: ${variants[0].scores.length} held-out frames (the last ${HOLD_OUT} s, never seen by enrollment), pack ${width}×${height}, atlas ${pack.atlas.length} mouths; mean SSIM / PSNR (dB) of luma`);
  console.log(`  regions: A = the blended area's box (${b.w}×${b.h} px, seams count), B = the core the mask replaces ≥ 50 %, C = the lips' box (outer lip landmarks ± 0.12 eye distances)`);
  for (const v of variants) {
    const cells = [0, 1, 2].map((r) => `${r === 0 ? 'A' : r === 1 ? 'B' : 'C'} ${mean(v.scores, 2 * r).toFixed(3)} / ${mean(v.scores, 2 * r + 1).toFixed(1)}`).join('  ');
    const timing = v.renderer ? `  (mouth ${fmt(percentile(v.ms, 50), 2)} ms p50, ${fmt(percentile(v.ms, 95), 2)} ms p95)` : '';
    console.log(`  ${v.name.padEnd(62)} ${cells}${timing}`);
  }
  landmarker.dispose();
}

function score(img: Uint8ClampedArray, width: number, aligned: Float64Array, [box, ...inner]: Box[]): number[] {
  const l = lumaRegion(img, width, 4, box.x, box.y, box.w, box.h);
  const out = [ssim(l, aligned, box.w, box.h), psnr(l, aligned)];
  for (const r of inner) {
    const a = crop(l, box.w, r), b = crop(aligned, box.w, r);
    out.push(ssim(a, b, r.w, r.h), psnr(a, b));
  }
  return out;
}

/** The lips' bounding box in the base frame plus a margin, relative to `box`. */
function lipsBox(points: Float32Array, box: Box): Box {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const k of OUTER_LIPS) {
    minX = Math.min(minX, points[2 * k]); maxX = Math.max(maxX, points[2 * k]);
    minY = Math.min(minY, points[2 * k + 1]); maxY = Math.max(maxY, points[2 * k + 1]);
  }
  const m = 0.12 * eyeDistance(points);
  return relative({ x: Math.round(minX - m), y: Math.round(minY - m), w: Math.round(maxX - minX + 2 * m), h: Math.round(maxY - minY + 2 * m) }, box);
}

/** `r` (absolute) as a box inside `box`, clipped to it. */
function relative(r: Box, box: Box): Box {
  const x = Math.max(0, r.x - box.x), y = Math.max(0, r.y - box.y);
  return { x, y, w: Math.min(box.w, r.x - box.x + r.w) - x, h: Math.min(box.h, r.y - box.y + r.h) - y };
}

function crop(l: Float64Array, stride: number, r: Box): Float64Array {
  const out = new Float64Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) out[y * r.w + x] = l[(r.y + y) * stride + r.x + x];
  return out;
}

/** Base-frame box of the mask's pixels with weight above `min` (0: the whole crop box). */
function regionBox(canonToBase: Similarity, region: MouthRegion, min: number, width: number, height: number): Box {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (let v = 0; v <= region.h; v++) {
    for (let u = 0; u <= region.w; u++) {
      if (min > 0 && !(region.mask[Math.min(region.h - 1, v) * region.w + Math.min(region.w - 1, u)] >= min)) continue;
      const [x, y] = apply(canonToBase, region.x0 + u / region.scale, region.y0 + v / region.scale);
      minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
    }
  }
  const x = Math.max(0, Math.round(minX)), y = Math.max(0, Math.round(minY));
  return { x, y, w: Math.min(width, Math.round(maxX)) - x, h: Math.min(height, Math.round(maxY)) - y };
}

/** Luma of the real frame resampled into base-frame pixels of `box` (base → canon → real). */
function alignInto(rgb: Uint8Array, width: number, height: number, baseToCanon: Similarity, canonToReal: Similarity, box: Box): Float64Array {
  const out = new Float64Array(box.w * box.h);
  for (let y = 0; y < box.h; y++) {
    for (let x = 0; x < box.w; x++) {
      const [cx, cy] = apply(baseToCanon, box.x + x, box.y + y);
      const [rx, ry] = apply(canonToReal, cx, cy);
      const x0 = Math.min(width - 2, Math.max(0, Math.floor(rx))), y0 = Math.min(height - 2, Math.max(0, Math.floor(ry)));
      const fx = Math.min(1, Math.max(0, rx - x0)), fy = Math.min(1, Math.max(0, ry - y0));
      let v = 0;
      for (const [dx, dy, wt] of [[0, 0, (1 - fx) * (1 - fy)], [1, 0, fx * (1 - fy)], [0, 1, (1 - fx) * fy], [1, 1, fx * fy]] as const) {
        const o = ((y0 + dy) * width + x0 + dx) * 3;
        v += wt * (0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2]);
      }
      out[y * box.w + x] = v;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) await reenactment();
