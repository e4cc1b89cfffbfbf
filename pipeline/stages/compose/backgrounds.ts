import { spawn, type ChildProcess } from 'node:child_process';
import { createCanvas, loadImage, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';

export interface Background {
  draw(ctx: SKRSContext2D, width: number, height: number): void;
  close(): void;
}

export class SolidBackground implements Background {
  constructor(readonly color: string) {}
  draw(ctx: SKRSContext2D, width: number, height: number): void {
    ctx.fillStyle = this.color;
    ctx.fillRect(0, 0, width, height);
  }
  close(): void {}
}

/** The default studio backdrop: a soft gradient with a floor line, drawn once and cached. */
export class StudioBackground implements Background {
  #cache: Canvas | undefined;
  draw(ctx: SKRSContext2D, width: number, height: number): void {
    if (!this.#cache || this.#cache.width !== width || this.#cache.height !== height) {
      const c = createCanvas(width, height);
      const g = c.getContext('2d');
      const grad = g.createLinearGradient(0, 0, 0, height);
      grad.addColorStop(0, '#f6efe6');
      grad.addColorStop(1, '#e3d4c3');
      g.fillStyle = grad;
      g.fillRect(0, 0, width, height);
      g.fillStyle = 'rgba(255,255,255,0.35)';
      for (let i = 0; i < 5; i++) {
        g.beginPath();
        g.arc(width * (0.1 + i * 0.2), height * 0.25, height * 0.12, 0, Math.PI * 2);
        g.fill();
      }
      this.#cache = c;
    }
    ctx.drawImage(this.#cache, 0, 0);
  }
  close(): void {}
}

/** A still image (PNG/JPEG/WebP), scaled to cover the frame. */
export class ImageBackground implements Background {
  readonly #image: Image;
  private constructor(image: Image) {
    this.#image = image;
  }
  static async load(source: Buffer | string): Promise<ImageBackground> {
    return new ImageBackground(await loadImage(source));
  }
  draw(ctx: SKRSContext2D, width: number, height: number): void {
    const img = this.#image;
    const scale = Math.max(width / img.width, height / img.height);
    const w = img.width * scale;
    const h = img.height * scale;
    ctx.drawImage(img, (width - w) / 2, (height - h) / 2, w, h);
  }
  close(): void {}
}

/**
 * A looping video: ffmpeg decodes it to RGBA at the output size and rate; the newest complete frame
 * is drawn. ffmpeg is paused by pipe backpressure, so at most a couple of frames are buffered.
 */
export class VideoLoopBackground implements Background {
  readonly #proc: ChildProcess;
  readonly #frameBytes: number;
  readonly #canvas: Canvas;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #latest: Buffer | undefined;
  #drawn: Buffer | undefined;

  constructor(path: string, width: number, height: number, fps: number) {
    this.#frameBytes = width * height * 4;
    this.#canvas = createCanvas(width, height);
    this.#proc = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-re', '-stream_loop', '-1', '-i', path, '-an', '-vf', `scale=${width}:${height}:force_original_aspect_ratio=increase,crop=${width}:${height},fps=${fps}`, '-pix_fmt', 'rgba', '-f', 'rawvideo', 'pipe:1'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    this.#proc.stdout!.on('data', (chunk: Buffer) => this.#onData(chunk));
  }

  #onData(chunk: Buffer): void {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    while (this.#pendingBytes >= this.#frameBytes) {
      const all = Buffer.concat(this.#pending);
      this.#latest = all.subarray(0, this.#frameBytes);
      const rest = all.subarray(this.#frameBytes);
      this.#pending = rest.length ? [rest] : [];
      this.#pendingBytes = rest.length;
    }
  }

  draw(ctx: SKRSContext2D, width: number, height: number): void {
    if (this.#latest && this.#latest !== this.#drawn) {
      const g = this.#canvas.getContext('2d');
      const img = g.createImageData(width, height);
      img.data.set(this.#latest);
      g.putImageData(img, 0, 0);
      this.#drawn = this.#latest;
    }
    if (this.#drawn) ctx.drawImage(this.#canvas, 0, 0);
    else {
      ctx.fillStyle = '#000';
      ctx.fillRect(0, 0, width, height);
    }
  }

  close(): void {
    this.#proc.kill('SIGKILL');
  }
}
