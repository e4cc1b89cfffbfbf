// Self-reenactment quality of the real-person avatar (issue 5): enroll on all but the last 30 s of
// franck.mp4, then for each held-out frame drive the renderer with the mouth measured from that
// frame's own landmarks, and compare the mouth region with the real frame aligned to the base
// frame's pose (by the stable landmarks). Baseline: the base frame unchanged; upper bound: the
// real mouth pasted in with the same mask and colour match. Also render time per frame.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { loadAvatarPack } from '../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { enrollAvatar } from '../pipeline/stages/avatar/real-person/enroll.ts';
import { OUTER_LIPS } from '../pipeline/stages/face/mesh-indices.ts';
import { apply, eyeDistance, fitSimilarity, invert, measureMouth, type Similarity } from '../pipeline/stages/avatar/real-person/geometry.ts';
import { blendMouth, cropMouth, mixCrops } from '../pipeline/stages/avatar/real-person/mouth-blend.ts';
import { lipShape } from '../pipeline/stages/avatar/real-person/lip-shape.ts';
import { MouthSelector } from '../pipeline/stages/avatar/real-person/mouth-selector.ts';
import { readRgbFrames } from '../pipeline/stages/avatar/real-person/video-frames.ts';
import { lumaRegion, psnr, ssim } from './lib/image-metrics.ts';
import { percentile } from './lib/stats.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');
const HOLD_OUT = 30;
const K = Number(process.env.REENACT_K ?? 1);
/** `measure`: opening + width (what TTS visemes can drive); `lips`: the full 40-point lip outline. */
const DRIVE = process.env.REENACT_DRIVE === 'lips' ? 'lips' : 'measure';
const DURATION = 200;
const packDir = process.env.REENACT_PACK ?? path.join(root, '.cache/bench-packs/franck-170');

export async function reenactment(): Promise<void> {
  if (!existsSync(video)) throw new Error(`${video} missing: run bash server/setup/fetch-test-media.sh`);
  if (!existsSync(path.join(packDir, 'manifest.json'))) {
    const t0 = performance.now();
    const m = await enrollAvatar(video, packDir, { start: 0, duration: DURATION - HOLD_OUT });
    console.log(`enrolled ${DURATION - HOLD_OUT} s in ${((performance.now() - t0) / 1000).toFixed(1)} s: idle ${m.idle.frames} frames, atlas ${m.atlas.entries} mouths, matte ${m.matte}`);
  }
  const pack = await loadAvatarPack(packDir);
  const { width, height } = pack.manifest;
  const landmarker = await FaceLandmarker.load();
  const selector = new MouthSelector(pack.atlas, pack.manifest.calibration, pack.lipModel);
  const region = pack.region;
  const scores = { rendered: [] as number[][], baseline: [] as number[][], upper: [] as number[][] };
  const renderMs: number[] = [];
  const work = new Uint8ClampedArray(width * height * 4);
  let j = 0;
  const dumps: any[][] = [];
  for await (const frame of readRgbFrames(video, width, height, { start: DURATION - HOLD_OUT })) {
    const face = await landmarker.detect(frame, width, height);
    const idle = j++ % pack.idle.length;
    if (!face) continue;
    const baseToCanon = pack.idleToCanon[idle];
    const realToCanon = fitSimilarity(face.points, pack.reference);
    // The real frame in the base frame's pose, over the mouth box.
    const box = regionBox(invert(baseToCanon), region, width, height);
    const aligned = alignInto(frame, width, height, baseToCanon, invert(realToCanon), box);
    const base = pack.idle[idle];
    const t = performance.now();
    // Driven as TTS drives it: opening and width only, through the person's lip model.
    const target = DRIVE === 'lips' ? lipShape(face.points, realToCanon) : selector.lipsFor(measureMouth(face.points));
    work.set(base);
    if (K > 1) {
      const { choices, weights } = selector.selectNearest(target, K);
      const mixed = mixCrops(region, choices.map((c) => pack.crops[c.entry]), choices.map((c) => c.warp), weights);
      blendMouth(work, width, height, baseToCanon, region, mixed);
    } else {
      const choice = selector.select(target);
      blendMouth(work, width, height, baseToCanon, region, pack.crops[choice.entry], { warp: choice.warp });
    }
    renderMs.push(performance.now() - t);
    // Two regions: the whole blended area (seams count), and the lips' box (the mouth itself).
    const lips = lipsBox(pack.idleLandmarks[idle], box);
    const alignedLips = crop(aligned, box.w, lips);
    const score = (img: Uint8ClampedArray) => {
      const l = lumaRegion(img, width, 4, box.x, box.y, box.w, box.h);
      const m = crop(l, box.w, lips);
      return [ssim(l, aligned, box.w, box.h), psnr(l, aligned), ssim(m, alignedLips, lips.w, lips.h), psnr(m, alignedLips)];
    };
    scores.rendered.push(score(work));
    if (process.env.REENACT_DUMP && j % 90 === 1) dumps.push([Float64Array.from(aligned), lumaRegion(work, width, 4, box.x, box.y, box.w, box.h), lumaRegion(base, width, 4, box.x, box.y, box.w, box.h), box.w, box.h]);
    scores.baseline.push(score(base));
    work.set(base);
    blendMouth(work, width, height, baseToCanon, region, cropMouth(frame, width, height, realToCanon, region));
    scores.upper.push(score(work));
    if (process.env.REENACT_DUMP && j % 90 === 1) dumps[dumps.length - 1].push(lumaRegion(work, width, 4, box.x, box.y, box.w, box.h));
  }
  if (process.env.REENACT_DUMP) await dumpGrid(process.env.REENACT_DUMP, dumps);
  const mean = (rows: number[][], k: number) => rows.reduce((s, r) => s + r[k], 0) / rows.length;
  console.log(`self-reenactment, ${scores.rendered.length} held-out frames (last ${HOLD_OUT} s), mouth box ${regionBox(invert(pack.idleToCanon[0]), region, width, height).w}×${regionBox(invert(pack.idleToCanon[0]), region, width, height).h} px, atlas ${pack.atlas.length} mouths:`);
  console.log(`  (blend region = the whole feathered ellipse's box; lips box = outer lip landmarks ± 0.12 eye distances)`);
  for (const [name, rows] of Object.entries(scores)) console.log(`  ${name.padEnd(9)} blend region: SSIM ${mean(rows, 0).toFixed(3)}  PSNR ${mean(rows, 1).toFixed(1)} dB | lips box: SSIM ${mean(rows, 2).toFixed(3)}  PSNR ${mean(rows, 3).toFixed(1)} dB`);
  renderMs.sort((a, b) => a - b);
  console.log(`  mouth select + blend: p50 ${percentile(renderMs, 50).toFixed(2)} ms, p95 ${percentile(renderMs, 95).toFixed(2)} ms per frame`);
  landmarker.dispose();
}

/** The lips' bounding box in the base frame plus a margin, relative to `box`. */
function lipsBox(points: Float32Array, box: { x: number; y: number; w: number; h: number }) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const k of OUTER_LIPS) {
    minX = Math.min(minX, points[2 * k]); maxX = Math.max(maxX, points[2 * k]);
    minY = Math.min(minY, points[2 * k + 1]); maxY = Math.max(maxY, points[2 * k + 1]);
  }
  const m = 0.12 * eyeDistance(points);
  const x = Math.max(0, Math.round(minX - m) - box.x), y = Math.max(0, Math.round(minY - m) - box.y);
  return { x, y, w: Math.min(box.w, Math.round(maxX + m) - box.x) - x, h: Math.min(box.h, Math.round(maxY + m) - box.y) - y };
}

function crop(l: Float64Array, stride: number, r: { x: number; y: number; w: number; h: number }): Float64Array {
  const out = new Float64Array(r.w * r.h);
  for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) out[y * r.w + x] = l[(r.y + y) * stride + r.x + x];
  return out;
}

function regionBox(canonToBase: Similarity, region: { x0: number; y0: number; w: number; h: number; scale: number }, width: number, height: number) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const [u, v] of [[0, 0], [region.w / region.scale, 0], [0, region.h / region.scale], [region.w / region.scale, region.h / region.scale]]) {
    const [x, y] = apply(canonToBase, region.x0 + u, region.y0 + v);
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const x = Math.max(0, Math.round(minX)), y = Math.max(0, Math.round(minY));
  return { x, y, w: Math.min(width, Math.round(maxX)) - x, h: Math.min(height, Math.round(maxY)) - y };
}

/** Luma of the real frame resampled into base-frame pixels of `box` (base → canon → real). */
function alignInto(rgb: Uint8Array, width: number, height: number, baseToCanon: Similarity, canonToReal: Similarity, box: { x: number; y: number; w: number; h: number }): Float64Array {
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

/** Rows of [aligned real | rendered | base | real pasted], luma, 3× — to look at what goes wrong. */
async function dumpGrid(file: string, rows: any[][]): Promise<void> {
  const { createCanvas, ImageData } = await import('@napi-rs/canvas');
  const { writeFile } = await import('node:fs/promises');
  const [w, h] = [rows[0][3], rows[0][4]];
  const k = 3;
  const c = createCanvas(4 * w * k, rows.length * h * k);
  const ctx = c.getContext('2d');
  rows.forEach((r, ri) => {
    [r[0], r[1], r[2], r[5]].forEach((l: Float64Array, ci: number) => {
      const img = new Uint8ClampedArray(w * h * 4);
      for (let i = 0; i < w * h; i++) { img[4 * i] = img[4 * i + 1] = img[4 * i + 2] = l[i]; img[4 * i + 3] = 255; }
      const t = createCanvas(w, h);
      t.getContext('2d').putImageData(new ImageData(img, w, h), 0, 0);
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(t, ci * w * k, ri * h * k, w * k, h * k);
    });
  });
  await writeFile(file, await c.encode('png'));
}
