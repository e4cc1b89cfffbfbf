import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A reason an enrollment video is refused; its message is shown to the user as is (HTTP 400). */
export class EnrollmentError extends Error {
  override name = 'EnrollmentError';
}

export interface VideoInfo {
  width: number;
  height: number;
  fps: number;
  /** Seconds. */
  duration: number;
  codec: string;
}

export interface EnrollLimits {
  minSeconds: number;
  maxSeconds: number;
  /** Shorter side of the picture, pixels. */
  minShortSide: number;
}

export const DEFAULT_LIMITS: EnrollLimits = { minSeconds: 10, maxSeconds: 600, minShortSide: 240 };

/**
 * Checks that a file is a decodable video within the limits, with ffprobe (container and stream
 * headers) and a decode of its last second (catches truncated uploads, whose headers still claim
 * the full length).
 */
export async function probeVideo(file: string, limits: EnrollLimits = DEFAULT_LIMITS): Promise<VideoInfo> {
  let json: { streams?: Record<string, string | number>[]; format?: { duration?: string; format_name?: string } };
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], { maxBuffer: 4 << 20 });
    json = JSON.parse(stdout);
  } catch {
    throw new EnrollmentError((await looksLikeVideoContainer(file)) ? 'the video is truncated or damaged: ffmpeg cannot read it' : 'the upload is not a video ffmpeg can read');
  }
  // Still images come through ffprobe as one-frame "video" streams of an image codec.
  // ffmpeg also reads plain text as "ANSI art" video (codec ansi/tty): not a recording either.
  const video = json.streams?.find((s) => s.codec_type === 'video' && !/^(png|mjpeg|bmp|gif|webp|tiff|ansi|tty|bintext|xbin|idf)$/.test(String(s.codec_name)));
  if (!video) throw new EnrollmentError(json.streams?.some((s) => s.codec_type === 'video') ? 'the upload is not a video ffmpeg can read (a still image or text?)' : 'the upload has no video stream');
  const width = Number(video.width);
  const height = Number(video.height);
  const [num, den] = String(video.avg_frame_rate || video.r_frame_rate || '0/1').split('/').map(Number);
  const fps = den ? num / den : num;
  const duration = Number(video.duration ?? json.format?.duration ?? 0);
  if (!(width > 0 && height > 0) || !(fps > 0)) throw new EnrollmentError('the video stream has no usable size or frame rate');
  if (!(duration > 0)) throw new EnrollmentError('the video has no duration (truncated or a still image?)');
  if (duration < limits.minSeconds) throw new EnrollmentError(`the video is ${duration.toFixed(1)} s long; at least ${limits.minSeconds} s is needed (1–3 min recommended)`);
  if (duration > limits.maxSeconds) throw new EnrollmentError(`the video is ${duration.toFixed(0)} s long; at most ${limits.maxSeconds} s is accepted`);
  if (Math.min(width, height) < limits.minShortSide) throw new EnrollmentError(`the video is ${width}×${height}; its shorter side must be at least ${limits.minShortSide} px`);
  // A truncated file keeps its header's duration; decoding the end shows whether the frames exist.
  try {
    const { stderr } = await run('ffmpeg', ['-v', 'error', '-xerror', '-ss', String(Math.max(0, duration - 1.5)), '-i', file, '-map', '0:v:0', '-f', 'null', '-'], { maxBuffer: 4 << 20 });
    if (/error|invalid|truncat/i.test(stderr)) throw new Error(stderr);
  } catch {
    throw new EnrollmentError('the video is truncated or damaged: its last second cannot be decoded');
  }
  const frames = await countDecodableFrames(file, duration);
  if (frames < Math.floor(duration * fps * 0.9)) throw new EnrollmentError(`the video is truncated or damaged: ${frames} of ~${Math.round(duration * fps)} frames decode`);
  return { width, height, fps, duration, codec: String(video.codec_name) };
}

/** MP4/MOV, Matroska/WebM, AVI, FLV, MPEG-TS signatures: a damaged video rather than some other file. */
async function looksLikeVideoContainer(file: string): Promise<boolean> {
  const { open } = await import('node:fs/promises');
  const fh = await open(file, 'r');
  try {
    const head = Buffer.alloc(12);
    await fh.read(head, 0, 12, 0);
    return head.subarray(4, 8).toString('latin1') === 'ftyp' || head.readUInt32BE(0) === 0x1a45dfa3 || head.subarray(0, 4).toString('latin1') === 'RIFF' || head.subarray(0, 3).toString('latin1') === 'FLV' || head[0] === 0x47;
  } finally {
    await fh.close();
  }
}

/** Frame count from the packet index (fast: no decode). */
async function countDecodableFrames(file: string, duration: number): Promise<number> {
  try {
    const { stdout } = await run('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-count_packets', '-show_entries', 'stream=nb_read_packets', '-of', 'csv=p=0', file], { maxBuffer: 1 << 20 });
    const n = Number.parseInt(stdout.trim(), 10);
    return Number.isFinite(n) ? n : 0;
  } catch {
    return Math.floor(duration);
  }
}
