import { spawn } from 'node:child_process';

/**
 * Decoded RGB24 frames of a video, one Buffer per frame, from the native ffmpeg. The buffer is
 * only valid until the next iteration (it is a view of the read buffer), so copy what you keep.
 * Aborting the signal kills ffmpeg.
 */
export async function* readRgbFrames(file: string, width: number, height: number, opts: { signal?: AbortSignal; filter?: string; start?: number; duration?: number } = {}): AsyncGenerator<Buffer> {
  const args = ['-v', 'error', '-nostdin'];
  if (opts.start) args.push('-ss', String(opts.start));
  args.push('-i', file);
  if (opts.duration) args.push('-t', String(opts.duration));
  args.push('-an', '-vf', `${opts.filter ? opts.filter + ',' : ''}scale=${width}:${height}:flags=area`, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-');
  const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (d) => (stderr = (stderr + d).slice(-2000)));
  const onAbort = () => ff.kill('SIGKILL');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const exited = new Promise<number | null>((resolve) => ff.on('close', resolve));
  const size = width * height * 3;
  let pending: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of ff.stdout as AsyncIterable<Buffer>) {
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      while (pending.length >= size) {
        yield pending.subarray(0, size);
        pending = pending.subarray(size);
      }
      opts.signal?.throwIfAborted();
    }
    opts.signal?.throwIfAborted();
    const code = await exited;
    if (code !== 0) throw new Error(`ffmpeg decode failed (${code}): ${stderr.trim()}`);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (ff.exitCode === null) ff.kill('SIGKILL');
  }
}

/** The pack's frame size: the source's, scaled down so the height is at most `maxHeight` (even numbers). */
export function packSize(width: number, height: number, maxHeight = 540): { width: number; height: number } {
  const k = Math.min(1, maxHeight / height);
  return { width: 2 * Math.round((width * k) / 2), height: 2 * Math.round((height * k) / 2) };
}
