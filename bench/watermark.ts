// Invisible watermark: embed cost per 720p frame, picture cost before and after x264 (3 Mbps, as
// recorded/pushed, and a 1 Mbps re-encode), and blind detection time for a 4 s clip.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CartoonAvatar } from '../pipeline/stages/avatar/cartoon-avatar.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { gesturePoseAt } from '../pipeline/stages/gesture/gesture-pose.ts';
import { MOUTH_SHAPES, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { payloadFromSession, WatermarkEmbedder } from '../pipeline/stages/compose/watermark.ts';
import { detectInPicture, detectWatermark, meanLuma } from '../pipeline/stages/compose/watermark-detect.ts';
import { DEFAULT_RTMP_SETTINGS } from '../server/egress/ffmpeg-args.ts';
import { fmt, percentile } from './lib/stats.ts';

const run = promisify(execFile);
const FORMAT = { width: 1280, height: 720, fps: 25 };
const FRAME = (FORMAT.width * FORMAT.height * 3) / 2;
const Y = FORMAT.width * FORMAT.height;
const FRAMES = 100;

function renderClip(): Buffer {
  const avatar = new CartoonAvatar(FORMAT.height);
  const compositor = new Compositor(FORMAT, new StudioBackground());
  const idle = new IdleMotion(1);
  const out: Buffer[] = [];
  for (let f = 0; f < 75 + FRAMES; f++) {
    const pts = f * 1920;
    const pose = gesturePoseAt([{ at: 0, gesture: 'wave', side: 'right', durationMs: 1400, reason: 'bench' }], pts % 96000);
    const canvas = avatar.renderFrame({ ...pose, idle: idle.poseAt(pts), mouth: MOUTH_SHAPES[VISEMES[f % VISEMES.length]!] });
    const i420 = compositor.compose(canvas, f % 50 < 30 ? 'This blender costs only forty nine dollars today. 这款产品今天只要九十九元。' : undefined);
    if (f >= 75) out.push(Buffer.from(i420)); // after the opening card: the steady-state picture
  }
  return Buffer.concat(out);
}

const x264 = (kbps: number) => [
  '-c:v', 'libx264', '-preset', DEFAULT_RTMP_SETTINGS.preset, '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
  '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`, '-x264-params', 'nal-hrd=cbr:force-cfr=1', '-bf', '0',
  '-g', String(FORMAT.fps * 2), '-keyint_min', String(FORMAT.fps * 2), '-sc_threshold', '0',
];

function encodeRaw(raw: Buffer, out: string, kbps: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${FORMAT.width}x${FORMAT.height}`, '-r', String(FORMAT.fps), '-i', 'pipe:0', ...x264(kbps), out], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg exited ${code}`))));
    p.stdin.end(raw);
  });
}

async function decodeRaw(file: string): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  return stdout;
}

function psnrY(a: Buffer, b: Buffer): number {
  const frames = Math.min(a.length, b.length) / FRAME;
  let se = 0;
  for (let f = 0; f < frames; f++)
    for (let i = f * FRAME, end = f * FRAME + Y; i < end; i++) {
      const d = a[i]! - b[i]!;
      se += d * d;
    }
  return 10 * Math.log10((255 * 255) / (se / (frames * Y)));
}

export async function benchWatermark(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'onair-wm-bench-'));
  try {
    const payload = payloadFromSession('bench-session', 42);
    const plain = renderClip();
    const t0 = performance.now();
    const embedder = new WatermarkEmbedder(FORMAT, payload);
    const buildMs = performance.now() - t0;
    // Embed cost: every frame of the clip, five times over (fresh copies, so values never saturate).
    const ms: number[] = [];
    let marked = Buffer.alloc(0);
    for (let round = 0; round < 5; round++) {
      marked = Buffer.from(plain);
      for (let f = 0; f < FRAMES; f++) {
        const frame = marked.subarray(f * FRAME, (f + 1) * FRAME);
        const s = performance.now();
        embedder.embed(frame);
        ms.push(performance.now() - s);
      }
    }
    console.log(`embed 720p (${(embedder.density * 100).toFixed(0)} % of luma pixels ±1, pattern built once in ${fmt(buildMs, 0)} ms), ${ms.length} frames: p50 ${fmt(percentile(ms, 50), 2)} ms, p95 ${fmt(percentile(ms, 95), 2)} ms per frame`);

    const before = psnrY(marked, plain);
    const rows: string[] = [];
    for (const kbps of [DEFAULT_RTMP_SETTINGS.videoKbps, 1000]) {
      await encodeRaw(plain, path.join(dir, `plain-${kbps}.mp4`), kbps);
      await encodeRaw(marked, path.join(dir, `marked-${kbps}.mp4`), kbps);
      const encPlain = await decodeRaw(path.join(dir, `plain-${kbps}.mp4`));
      const encMarked = await decodeRaw(path.join(dir, `marked-${kbps}.mp4`));
      const a = psnrY(encPlain, plain);
      const b = psnrY(encMarked, plain);
      rows.push(`x264 ${kbps} kbps: unmarked ${fmt(a, 2)} dB, marked ${fmt(b, 2)} dB → loss ${fmt(a - b, 2)} dB (marked encode vs marked frames ${fmt(psnrY(encMarked, marked), 2)} dB)`);
    }
    console.log(`PSNR Y vs the unmarked frames: marked before encoding ${fmt(before, 2)} dB; ${rows.join('; ')}`);

    const file = path.join(dir, `marked-${DEFAULT_RTMP_SETTINGS.videoKbps}.mp4`);
    const d0 = performance.now();
    const { mean, width, height, frames } = await meanLuma(file, 10);
    const d1 = performance.now();
    const analysis = detectInPicture(mean, width, height, { expected: payload });
    const total = await detectWatermark(file, { expected: payload });
    console.log(
      `detect, 4 s 720p clip (${frames} frames): ${fmt(total.ms!, 0)} ms total (ffmpeg decode + mean ${fmt(d1 - d0, 0)} ms, search over scales/offsets + decode ${fmt(analysis.ms!, 0)} ms); found ${total.found}, ${total.bitErrors}/48 bit errors, confidence ${fmt(total.confidence, 1)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchWatermark();
  process.exit(0);
}
