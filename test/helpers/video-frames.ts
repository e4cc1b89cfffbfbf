import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openingCardRect } from '../../pipeline/stages/compose/disclosure.ts';

const run = promisify(execFile);

/** The first seconds of a video file as small gray frames (real ffmpeg decode). */
export async function grayFrames(file: string, seconds: number, w = 320, h = 180): Promise<{ width: number; height: number; data: Uint8Array }[]> {
  const { stdout } = await run('ffmpeg', ['-v', 'error', '-i', file, '-t', String(seconds), '-vf', `scale=${w}:${h}`, '-pix_fmt', 'gray', '-f', 'rawvideo', 'pipe:1'], { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024 });
  const frames = [];
  for (let o = 0; o + w * h <= stdout.length; o += w * h) frames.push({ width: w, height: h, data: new Uint8Array(stdout.subarray(o, o + w * h)) });
  return frames;
}

/** Mean luma of the opening disclosure band's top strip (above its text), in a gray or I420 frame. */
export function bandLuma(frame: { width: number; height: number; data: Uint8Array }): number {
  const r = openingCardRect({ width: frame.width, height: frame.height, fps: 25 });
  const y0 = r.y + Math.round(r.h * 0.04);
  const y1 = r.y + Math.round(r.h * 0.14);
  let sum = 0;
  let n = 0;
  for (let y = y0; y < y1; y++) for (let x = r.x + Math.round(r.w * 0.05); x < r.x + r.w * 0.95; x += 2) (sum += frame.data[y * frame.width + x]!), n++;
  return sum / n;
}
