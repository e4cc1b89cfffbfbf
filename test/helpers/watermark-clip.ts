// A clip of the presenter as the live pipeline composes it, and the x264 round trips the watermark
// test and benchmark put it through (shared so both measure the same thing).
import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { CartoonAvatar } from '../../pipeline/stages/avatar/cartoon-avatar.ts';
import { StudioBackground } from '../../pipeline/stages/compose/backgrounds.ts';
import { Compositor } from '../../pipeline/stages/compose/compositor.ts';
import { gesturePoseAt } from '../../pipeline/stages/gesture/gesture-pose.ts';
import { IdleMotion } from '../../pipeline/stages/gesture/idle-motion.ts';
import { MOUTH_SHAPES, VISEMES } from '../../pipeline/stages/lipsync/visemes.ts';
import { DEFAULT_RTMP_SETTINGS } from '../../server/egress/ffmpeg-args.ts';

const run = promisify(execFile);
export const FORMAT = { width: 1280, height: 720, fps: 25 };
export const FRAME = (FORMAT.width * FORMAT.height * 3) / 2;
export const Y = FORMAT.width * FORMAT.height;

/** `frames` composed I420 frames (concatenated), after skipping the first `skip` (the opening card fades at 3 s). */
export function renderClip(frames: number, skip: number): Buffer {
  const avatar = new CartoonAvatar(FORMAT.height);
  const compositor = new Compositor(FORMAT, new StudioBackground());
  const idle = new IdleMotion(1);
  const out: Buffer[] = [];
  for (let f = 0; f < skip + frames; f++) {
    const pts = f * 1920;
    const pose = gesturePoseAt([{ at: 0, gesture: 'wave', side: 'right', durationMs: 1400, reason: 'clip' }], pts % 96000);
    const canvas = avatar.renderFrame({ ...pose, idle: idle.poseAt(pts), mouth: MOUTH_SHAPES[VISEMES[f % VISEMES.length]!] });
    const i420 = compositor.compose(canvas, f % 50 < 30 ? 'This blender costs only forty nine dollars today. 这款产品今天只要九十九元。' : undefined);
    if (f >= skip) out.push(Buffer.from(i420));
  }
  return Buffer.concat(out);
}

/** x264 as the RTMP/recording encoder runs it, at a given bitrate. */
export const x264 = (kbps: number) => [
  '-c:v', 'libx264', '-preset', DEFAULT_RTMP_SETTINGS.preset, '-tune', 'zerolatency', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
  '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`, '-x264-params', 'nal-hrd=cbr:force-cfr=1', '-bf', '0',
  '-g', String(FORMAT.fps * 2), '-keyint_min', String(FORMAT.fps * 2), '-sc_threshold', '0',
];

/** Raw I420 frames → H.264 mp4, the way the RTMP/recording encoder gets them (stdin). */
export function encodeRaw(raw: Buffer, out: string, kbps = DEFAULT_RTMP_SETTINGS.videoKbps): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${FORMAT.width}x${FORMAT.height}`, '-r', String(FORMAT.fps), '-i', 'pipe:0', ...x264(kbps), out], {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr!.on('data', (d) => (err += d));
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg ${code}: ${err}`))));
    p.stdin!.end(raw);
  });
}

export async function decodeRaw(file: string): Promise<Buffer> {
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { encoding: 'buffer', maxBuffer: 1 << 30 });
  return stdout;
}

/** Luma PSNR over all frames (from the mean squared error of the whole clip). */
export function psnrY(a: Buffer, b: Buffer): number {
  const frames = Math.min(a.length, b.length) / FRAME;
  let se = 0;
  for (let f = 0; f < frames; f++)
    for (let i = f * FRAME, end = f * FRAME + Y; i < end; i++) {
      const d = a[i]! - b[i]!;
      se += d * d;
    }
  return 10 * Math.log10((255 * 255) / (se / (frames * Y)));
}
