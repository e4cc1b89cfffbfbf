import { createCanvas, loadImage, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import wrtc from '@roamhq/wrtc';
import { noteWrappedBytes } from '../../core/gc-tuning.ts';
import type { VideoFormat } from '../../core/media.ts';
import type { Background } from './backgrounds.ts';
import { textFont } from './fonts.ts';

import { DEFAULT_LABEL_TEXT, OPENING_CARD_SECONDS, openingCardRect, renderOpeningCard } from './disclosure.ts';

export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type LabelPosition = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
export interface LabelStyle {
  position: LabelPosition;
  /** 1–2, relative to the default size (text 5 % of the short side). */
  scale: number;
  /** The wording; the API only accepts text with both parts (see labelTextProblem). */
  text: string;
}
export const DEFAULT_LABEL: LabelStyle = { position: 'top-left', scale: 1, text: DEFAULT_LABEL_TEXT };

export type Overlay =
  | { id: string; kind: 'text'; text: string; x: number; y: number; fontSize: number; color: string; background?: string }
  | { id: string; kind: 'image'; image: Image | Canvas; x: number; y: number; width: number; height: number };

export interface OverlaySpec {
  kind: 'text' | 'image';
  text?: string;
  /** Base64 PNG/JPEG/WebP for image overlays. */
  imageBase64?: string;
  x: number;
  y: number;
  width?: number;
  height?: number;
  fontSize?: number;
  color?: string;
  background?: string;
}

export async function buildOverlay(id: string, spec: OverlaySpec): Promise<Overlay> {
  if (spec.kind === 'text') {
    if (!spec.text) throw new RangeError('a text overlay needs text');
    return { id, kind: 'text', text: spec.text, x: spec.x, y: spec.y, fontSize: spec.fontSize ?? 36, color: spec.color ?? '#ffffff', background: spec.background };
  }
  if (!spec.imageBase64) throw new RangeError('an image overlay needs imageBase64');
  let image: Image;
  try {
    image = await loadImage(Buffer.from(spec.imageBase64, 'base64'));
  } catch {
    throw new RangeError('imageBase64 is not a decodable PNG, JPEG or WebP image');
  }
  // One dimension given: keep the image's aspect ratio.
  const aspect = image.width / image.height;
  const width = spec.width ?? (spec.height ? spec.height * aspect : image.width);
  const height = spec.height ?? width / aspect;
  return { id, kind: 'image', image, x: spec.x, y: spec.y, width, height };
}

/**
 * Background → avatar → overlays → caption → AI label, into one RGBA canvas, then I420 for the
 * encoders. The label is drawn last and unconditionally, so nothing can cover or remove it.
 */
export class Compositor {
  readonly format: VideoFormat;
  readonly #canvas: Canvas;
  readonly #ctx: SKRSContext2D;
  readonly #i420: Uint8Array;
  readonly #font: string;
  background: Background;
  label: LabelStyle = DEFAULT_LABEL;
  overlays: Overlay[] = [];
  captions = true;
  #composed = 0;
  #openingCard: Canvas | undefined;

  constructor(format: VideoFormat, background: Background) {
    this.format = format;
    this.background = background;
    this.#canvas = createCanvas(format.width, format.height);
    this.#ctx = this.#canvas.getContext('2d');
    this.#i420 = new Uint8Array((format.width * format.height * 3) / 2);
    this.#font = textFont();
  }

  /** Composes one frame; returns I420 (the returned buffer is reused on the next call). */
  /** `avatarBounds`: the part of the avatar canvas that is not transparent (drawing only it is cheaper). */
  compose(avatar: Canvas, caption: string | undefined, avatarBounds?: PixelRect): Uint8Array {
    const rgba = this.composeRgba(avatar, caption, avatarBounds);
    wrtc.nonstandard.rgbaToI420(
      { width: this.format.width, height: this.format.height, data: rgba },
      { width: this.format.width, height: this.format.height, data: this.#i420 },
    );
    return this.#i420;
  }

  composeRgba(avatar: Canvas, caption: string | undefined, avatarBounds?: PixelRect): Uint8Array {
    const { width, height } = this.format;
    const ctx = this.#ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    // Opaque base: a background with transparency must not leave premultiplied pixels behind.
    ctx.fillStyle = '#000000';
    ctx.fillRect(0, 0, width, height);
    this.background.draw(ctx, width, height);
    // Presenter: bottom-aligned, horizontally centred, full frame height.
    const scale = height / avatar.height;
    const aw = avatar.width * scale;
    const left = (width - aw) / 2;
    const b = avatarBounds;
    // A scaled draw costs per destination pixel: only the part with the presenter in it.
    if (b) {
      if (b.w > 0 && b.h > 0) ctx.drawImage(avatar, b.x, b.y, b.w, b.h, left + b.x * scale, b.y * scale, b.w * scale, b.h * scale);
    } else ctx.drawImage(avatar, left, 0, aw, height);
    for (const o of this.overlays) this.#drawOverlay(ctx, o);
    if (this.captions && caption) this.#drawCaption(ctx, caption);
    // The opening disclosure: the first seconds of every stream say it is AI-generated.
    if (this.#composed++ < OPENING_CARD_SECONDS * this.format.fps) {
      this.#openingCard ??= renderOpeningCard(this.format);
      const r = openingCardRect(this.format);
      ctx.drawImage(this.#openingCard, r.x, r.y, r.w, r.h);
    } else this.#openingCard = undefined;
    this.#drawLabel(ctx);
    // data() exposes Skia's pixels without the ~7–10 ms copy getImageData makes at 720p. They are
    // premultiplied, which equals straight RGBA here: the background makes every pixel opaque.
    const px = this.#canvas.data();
    noteWrappedBytes(px.byteLength);
    return new Uint8Array(px.buffer, px.byteOffset, px.byteLength);
  }

  #drawOverlay(ctx: SKRSContext2D, o: Overlay): void {
    if (o.kind === 'image') {
      ctx.drawImage(o.image, o.x, o.y, o.width, o.height);
      return;
    }
    ctx.font = `bold ${o.fontSize}px ${this.#font}`;
    ctx.textBaseline = 'top';
    if (o.background) {
      const w = ctx.measureText(o.text).width;
      ctx.fillStyle = o.background;
      ctx.beginPath();
      ctx.roundRect(o.x - o.fontSize * 0.4, o.y - o.fontSize * 0.25, w + o.fontSize * 0.8, o.fontSize * 1.5, o.fontSize * 0.3);
      ctx.fill();
    }
    ctx.fillStyle = o.color;
    ctx.fillText(o.text, o.x, o.y);
  }

  #drawCaption(ctx: SKRSContext2D, text: string): void {
    const { width, height } = this.format;
    const size = Math.round(height / 22);
    ctx.font = `${size}px ${this.#font}`;
    ctx.textBaseline = 'middle';
    const maxW = width * 0.8;
    const lines = wrap(ctx, text, maxW).slice(-2);
    const lineH = size * 1.35;
    const boxH = lines.length * lineH + size * 0.6;
    const y0 = height - boxH - height * 0.04;
    ctx.fillStyle = 'rgba(0,0,0,0.55)';
    ctx.beginPath();
    ctx.roundRect(width * 0.08, y0, width * 0.84, boxH, size * 0.4);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.textAlign = 'center';
    lines.forEach((line, i) => ctx.fillText(line, width / 2, y0 + size * 0.3 + lineH * (i + 0.5)));
    ctx.textAlign = 'left';
  }

  #drawLabel(ctx: SKRSContext2D): void {
    const r = labelRect(this.format, this.label);
    const size = r.h * LABEL_TEXT_RATIO;
    ctx.globalAlpha = 1;
    ctx.fillStyle = 'rgba(20,20,28,0.9)';
    ctx.beginPath();
    ctx.roundRect(r.x, r.y, r.w, r.h, r.h * 0.25);
    ctx.fill();
    ctx.fillStyle = '#ffd84d';
    ctx.beginPath();
    ctx.arc(r.x + r.h * 0.5, r.y + r.h * 0.5, r.h * 0.16, 0, Math.PI * 2);
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    ctx.font = `bold ${size}px ${this.#font}`;
    ctx.textBaseline = 'middle';
    ctx.textAlign = 'left';
    ctx.fillText(this.label.text, r.x + r.h * 0.85, r.y + r.h * 0.52, r.w - r.h);
  }
}

/**
 * Where the label sits, so tests can check those pixels in any frame. At scale 1 its text is 5 % of
 * the picture's shorter side (GB 45438-2025 asks for a prominent label; 5 % of the short side is
 * the size it sets for text prompts), and it only grows from there.
 */
export function labelRect(format: VideoFormat, style: Pick<LabelStyle, 'position' | 'scale'>): { x: number; y: number; w: number; h: number } {
  const short = Math.min(format.width, format.height);
  const h = Math.round((short * 0.05 * style.scale) / LABEL_TEXT_RATIO);
  const w = Math.round(h * 8);
  const m = Math.round(format.height / 36);
  const x = style.position.endsWith('left') ? m : format.width - w - m;
  const y = style.position.startsWith('top') ? m : format.height - h - m;
  return { x, y, w, h };
}

/** Text size as a share of the label box height. */
const LABEL_TEXT_RATIO = 0.7;

function wrap(ctx: SKRSContext2D, text: string, maxW: number): string[] {
  // Break between words for Latin, anywhere for CJK.
  const tokens = text.match(/[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+|\s+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const t of tokens) {
    const candidate = line + t;
    if (ctx.measureText(candidate).width > maxW && line.trim()) {
      lines.push(line.trim());
      line = t.trimStart();
    } else line = candidate;
  }
  if (line.trim()) lines.push(line.trim());
  return lines;
}
