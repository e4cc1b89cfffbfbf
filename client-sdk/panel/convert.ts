// Trims and converts an enrollment video in the browser with ffmpeg.wasm, so a phone video (HEVC,
// .mov, 4K, 60 fps, hundreds of MB) goes up as a small H.264 MP4. Everything comes from this
// server (/assets/ffmpeg/…, see server/routes/pages.ts) and is loaded only when a conversion starts.
import type { FFmpeg } from '@ffmpeg/ffmpeg';

type FFmpegModule = typeof import('@ffmpeg/ffmpeg');

const BASE = '/assets/ffmpeg/';
const asset = (name: string) => new URL(BASE + name, location.href).href;

/**
 * At most 720 px on the short side (landscape or portrait, even sizes for yuv420p). The server's
 * enrollment works at 720p and below; bigger only makes the upload and the conversion slower.
 */
const SCALE = "scale='if(gt(iw,ih),-2,2*trunc(min(720,iw)/2))':'if(gt(iw,ih),2*trunc(min(720,ih)/2),-2)'";

export interface ConvertProgress {
  phase: 'loading' | 'converting';
  /** 0..1 of the output's expected duration (converting). */
  fraction: number;
  /** Seconds of output written so far. */
  seconds: number;
}

export interface ConvertOptions {
  /** Seconds into the input. */
  start: number;
  /** Seconds into the input; to its end when absent. */
  end?: number;
  onProgress?: (p: ConvertProgress) => void;
}

export interface ConvertResult {
  file: File;
  /** Seconds of video in the output. */
  duration: number;
  /** The input's duration as ffmpeg read it, when it said. */
  inputDuration?: number;
}

export class ConvertStopped extends Error {
  constructor() {
    super('stopped');
  }
}

const seconds = (hms: string) => hms.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);

/** One conversion at a time; `stop()` ends it (the worker and its memory go with it). */
export class ClipConverter {
  #ffmpeg: FFmpeg | undefined;
  #stopped = false;

  get running(): boolean {
    return this.#ffmpeg !== undefined;
  }

  stop(): void {
    this.#stopped = true;
    this.#ffmpeg?.terminate();
    this.#ffmpeg = undefined;
  }

  async convert(source: File, opts: ConvertOptions): Promise<ConvertResult> {
    if (this.#ffmpeg) throw new Error('a conversion is already running');
    this.#stopped = false;
    const report = opts.onProgress ?? (() => {});
    report({ phase: 'loading', fraction: 0, seconds: 0 });
    // A runtime import of the files this server serves, not bundled: the class starts its worker
    // from `new URL('./worker.js', import.meta.url)`, which must resolve next to it.
    const entry = asset('index.js');
    const mod = (await import(/* @vite-ignore */ entry)) as FFmpegModule;
    if (this.#stopped) throw new ConvertStopped();
    const ffmpeg = new mod.FFmpeg();
    this.#ffmpeg = ffmpeg;
    const lines: string[] = [];
    let inputDuration: number | undefined;
    let expected = opts.end !== undefined ? opts.end - opts.start : undefined;
    let written = 0;
    const progress = (s: number) => {
      if (!(s > written)) return;
      written = s;
      report({ phase: 'converting', fraction: expected ? Math.min(1, s / expected) : 0, seconds: s });
    };
    ffmpeg.on('log', ({ message }) => {
      lines.push(message);
      if (lines.length > 200) lines.shift();
      const duration = /Duration: (\d+:\d+:\d+(?:\.\d+)?)/.exec(message);
      if (duration && inputDuration === undefined) {
        inputDuration = seconds(duration[1]!);
        expected ??= Math.max(0, inputDuration - opts.start);
      }
      const time = /time=\s*(\d+:\d+:\d+(?:\.\d+)?)/.exec(message);
      if (time) progress(seconds(time[1]!));
    });
    // `time` is the output's position in microseconds.
    ffmpeg.on('progress', ({ time }) => progress(time / 1e6));
    try {
      // Explicit URLs: the class's default is a CDN.
      await ffmpeg.load({ coreURL: asset('ffmpeg-core.js'), wasmURL: asset('ffmpeg-core.wasm') });
      report({ phase: 'converting', fraction: 0, seconds: 0 });
      // WORKERFS reads the file where it is (no copy of a 500 MB video into the wasm heap). A
      // plain name: the user's may hold anything; the extension helps ffmpeg guess the container.
      const ext = /\.[A-Za-z0-9]{1,5}$/.exec(source.name)?.[0] ?? '';
      const input = new File([source], `input${ext.toLowerCase()}`, { type: source.type });
      await ffmpeg.createDir('/in');
      await ffmpeg.mount(mod.FFFSType.WORKERFS, { files: [input] }, '/in');
      const args = [
        '-hide_banner',
        ...(opts.start > 0 ? ['-ss', opts.start.toFixed(3)] : []),
        '-i', `/in/${input.name}`,
        ...(opts.end !== undefined ? ['-t', (opts.end - opts.start).toFixed(3)] : []),
        '-map', '0:v:0',
        '-vf', SCALE,
        '-fpsmax', '30',
        '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '23', '-pix_fmt', 'yuv420p',
        '-an', '-movflags', '+faststart',
        '/out.mp4',
      ];
      const code = await ffmpeg.exec(args);
      if (code !== 0) {
        const reason = lines.filter((l) => /error|invalid|no such|not supported|unknown|could not/i.test(l)).slice(-3).join(' · ');
        throw new Error(reason || lines.slice(-3).join(' · ') || `ffmpeg exited with ${code}`);
      }
      const data = await ffmpeg.readFile('/out.mp4');
      if (typeof data === 'string' || data.byteLength === 0) throw new Error('ffmpeg wrote no video (is the start past the end of the clip?)');
      const base = source.name.replace(/\.[^.]*$/, '') || 'avatar';
      const file = new File([new Uint8Array(data)], `${base}.mp4`, { type: 'video/mp4' });
      return { file, duration: written || expected || 0, inputDuration };
    } catch (err) {
      if (this.#stopped) throw new ConvertStopped();
      throw err;
    } finally {
      // Frees the worker and its wasm memory (hundreds of MB after a big video).
      if (this.#ffmpeg === ffmpeg) {
        ffmpeg.terminate();
        this.#ffmpeg = undefined;
      }
    }
  }
}
