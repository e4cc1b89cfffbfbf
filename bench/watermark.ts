// Invisible watermark: embed cost per 720p frame, picture cost before and after x264 (3 Mbps, as
// recorded/pushed, and a 1 Mbps re-encode), and blind detection time for a 4 s clip.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { payloadFromSession, WatermarkEmbedder } from '../pipeline/stages/compose/watermark.ts';
import { detectInPicture, detectWatermark, meanLuma } from '../pipeline/stages/compose/watermark-detect.ts';
import { DEFAULT_RTMP_SETTINGS } from '../server/egress/ffmpeg-args.ts';
import { fmt, percentile } from './lib/stats.ts';
import { decodeRaw, encodeRaw, FORMAT, FRAME, psnrY, renderClip as renderFrames } from '../test/helpers/watermark-clip.ts';

/** The steady-state picture, after the opening card. */
const renderClip = () => renderFrames(FRAMES, 75);

const FRAMES = 100;

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
