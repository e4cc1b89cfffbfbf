import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas, ImageData, loadImage } from '@napi-rs/canvas';
import type { Similarity } from './geometry.ts';
import type { LipModel } from './lip-shape.ts';
import { mouthRegion, type MouthRegion } from './mouth-region.ts';
import type { VideoInfo } from './probe.ts';

/** One atlas mouth: a canonical crop and what its shape measured. */
export interface AtlasEntry {
  /** Source frame index (for diagnostics). */
  frame: number;
  /** Mouth opening and width relative to the eye distance (see geometry.measureMouth). */
  open: number;
  width: number;
  /** Pose quality: |yaw| proxy plus the stable-landmark fit residual (lower is better). */
  poseCost: number;
  /** Its 40 lip points in canonical pixels. */
  lips: number[];
}

/** Summary written as manifest.json in the pack folder. */
export interface PackManifest {
  version: 1;
  width: number;
  height: number;
  fps: number;
  source: VideoInfo & { faceFraction: number; framesAnalysed: number };
  idle: { frames: number; startFrame: number; endFrame: number; crossfade: number };
  atlas: { entries: number; region: { x0: number; y0: number; w: number; h: number; scale: number } };
  /** The person's range of mouth shapes (low/rest/high), for mapping viseme targets onto it. */
  calibration: { openLo: number; openHi: number; widthLo: number; widthRest: number; widthHi: number };
  /** How the idle frames' alpha was made: chroma key (flat screen), person segmentation (any backdrop), or none (opaque). */
  matte: 'chroma' | 'segmentation' | 'none';
  analysisSeconds: number;
}

/** A loaded pack: everything the renderer needs, in memory. */
export interface AvatarPack {
  manifest: PackManifest;
  /** Idle loop frames, RGBA (alpha = matte). */
  idle: Uint8ClampedArray[];
  /** Per idle frame, the transform from its pixels to the canonical (reference) pose. */
  idleToCanon: Similarity[];
  /** Per idle frame, its 468 landmarks (x, y interleaved). */
  idleLandmarks: Float32Array[];
  /** Canonical landmarks (the reference frame's). */
  reference: Float32Array;
  region: MouthRegion;
  atlas: AtlasEntry[];
  lipModel: LipModel;
  /** RGB crops, region.w × region.h each. */
  crops: Uint8Array[];
}

export async function writeAvatarPack(dir: string, pack: AvatarPack): Promise<void> {
  const { manifest } = pack;
  await mkdir(path.join(dir, 'idle'), { recursive: true });
  const canvas = createCanvas(manifest.width, manifest.height);
  const ctx = canvas.getContext('2d');
  for (let i = 0; i < pack.idle.length; i++) {
    ctx.putImageData(new ImageData(pack.idle[i], manifest.width, manifest.height), 0, 0);
    await writeFile(path.join(dir, 'idle', `${String(i).padStart(4, '0')}.png`), await canvas.encode('png'));
  }
  const lm = new Float32Array(pack.idleLandmarks.length * 936);
  pack.idleLandmarks.forEach((p, i) => lm.set(p, i * 936));
  await writeFile(path.join(dir, 'idle-landmarks.f32'), Buffer.from(lm.buffer));
  await writeFile(path.join(dir, 'reference.f32'), Buffer.from(pack.reference.buffer, pack.reference.byteOffset, pack.reference.byteLength));
  const crops = Buffer.concat(pack.crops.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)));
  await writeFile(path.join(dir, 'atlas.rgb'), crops);
  await writeFile(path.join(dir, 'atlas.json'), JSON.stringify({ entries: pack.atlas, idleToCanon: pack.idleToCanon, lipModel: pack.lipModel }));
  // The manifest last: its presence marks a complete pack.
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
}

export async function loadAvatarPack(dir: string): Promise<AvatarPack> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as PackManifest;
  if (manifest.version !== 1) throw new Error(`unsupported avatar pack version ${manifest.version}`);
  const { width, height } = manifest;
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  const idle: Uint8ClampedArray[] = [];
  for (let i = 0; i < manifest.idle.frames; i++) {
    const img = await loadImage(await readFile(path.join(dir, 'idle', `${String(i).padStart(4, '0')}.png`)));
    ctx.clearRect(0, 0, width, height);
    ctx.drawImage(img, 0, 0);
    idle.push(new Uint8ClampedArray(ctx.getImageData(0, 0, width, height).data));
  }
  const lmBuf = await readFile(path.join(dir, 'idle-landmarks.f32'));
  const lm = new Float32Array(lmBuf.buffer.slice(lmBuf.byteOffset, lmBuf.byteOffset + lmBuf.byteLength));
  const idleLandmarks = idle.map((_, i) => lm.subarray(i * 936, (i + 1) * 936));
  const refBuf = await readFile(path.join(dir, 'reference.f32'));
  const reference = new Float32Array(refBuf.buffer.slice(refBuf.byteOffset, refBuf.byteOffset + refBuf.byteLength));
  const region = mouthRegion(reference);
  const r = manifest.atlas.region;
  if (r.x0 !== region.x0 || r.y0 !== region.y0 || r.w !== region.w || r.h !== region.h || (r.scale ?? 1) !== region.scale) {
    throw new Error(`avatar pack ${dir} was built with another mouth region (an older OnAir); enroll the video again`);
  }
  const meta = JSON.parse(await readFile(path.join(dir, 'atlas.json'), 'utf8')) as { entries: AtlasEntry[]; idleToCanon: Similarity[]; lipModel: LipModel };
  const raw = await readFile(path.join(dir, 'atlas.rgb'));
  const size = region.w * region.h * 3;
  if (raw.length !== size * meta.entries.length) throw new Error(`avatar pack ${dir}: atlas.rgb has ${raw.length} bytes, expected ${size * meta.entries.length}`);
  const crops = meta.entries.map((_, i) => new Uint8Array(raw.buffer, raw.byteOffset + i * size, size));
  return { manifest, idle, idleToCanon: meta.idleToCanon, idleLandmarks, reference, region, atlas: meta.entries, lipModel: meta.lipModel, crops };
}
