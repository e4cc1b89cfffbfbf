import { execFile } from 'node:child_process';

export interface ProbedStream {
  codec_type: string;
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
}

/** Runs the real ffprobe on a URL (asynchronously: a sync spawn would starve the media threads). */
export function ffprobe(url: string, timeoutMs = 15_000): Promise<ProbedStream[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'ffprobe',
      ['-v', 'error', '-rw_timeout', String(timeoutMs * 1000), '-show_streams', '-of', 'json', url],
      { timeout: timeoutMs + 5000 },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`ffprobe ${url}: ${stderr || err.message}`));
        else resolve((JSON.parse(stdout).streams ?? []) as ProbedStream[]);
      },
    );
  });
}
