import { createCanvas, loadImage, type Canvas, type Image, type SKRSContext2D } from '@napi-rs/canvas';
import type { VideoFormat } from '../../core/media.ts';
import type { Overlay } from './compositor.ts';
import { textFont } from './fonts.ts';

export interface ProductCardContent {
  name: string;
  price?: string;
  sellingPoints?: string[];
  countdownTo?: string;
  stockLine?: string;
}

export const PRODUCT_CARD_ID = 'product-card';

/** Where the card sits: right of the presenter, above the captions (tests look there). */
export function productCardRect(format: VideoFormat): { x: number; y: number; w: number; h: number } {
  const w = Math.round(format.width * 0.27);
  const x = format.width - w - Math.round(format.width * 0.025);
  const y = Math.round(format.height * 0.15);
  const h = Math.round(format.height * 0.68);
  return { x, y, w, h };
}

function fitLines(ctx: SKRSContext2D, text: string, maxW: number, maxLines: number): string[] {
  const tokens = text.match(/[\u3400-\u9fff\uff00-\uffef\u3000-\u303f]|[^\s\u3400-\u9fff\uff00-\uffef\u3000-\u303f]+|\s+/g) ?? [];
  const lines: string[] = [];
  let line = '';
  for (const t of tokens) {
    if (ctx.measureText(line + t).width > maxW && line.trim()) {
      lines.push(line.trim());
      line = t.trimStart();
      if (lines.length === maxLines) break;
    } else line += t;
  }
  if (line.trim() && lines.length < maxLines) lines.push(line.trim());
  return lines;
}

export function countdownText(to: string, now: number): string {
  const left = Math.max(0, Math.floor((Date.parse(to) - now) / 1000));
  const h = Math.floor(left / 3600);
  const m = Math.floor((left % 3600) / 60);
  const s = left % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `⏱ ${h ? `${h}:` : ''}${pad(m)}:${pad(s)}`;
}

/**
 * The segment's product as a card (image, name, price, selling points, countdown or stock line),
 * drawn once per change (and once a second while a countdown runs) — never per frame.
 */
export class ProductCard {
  readonly #format: VideoFormat;
  readonly #content: ProductCardContent;
  readonly #image: Image | undefined;

  private constructor(format: VideoFormat, content: ProductCardContent, image: Image | undefined) {
    this.#format = format;
    this.#content = content;
    this.#image = image;
  }

  /** A RangeError when imageBase64 isn't a decodable image. */
  static async create(format: VideoFormat, content: ProductCardContent, imageBase64?: string): Promise<ProductCard> {
    let image: Image | undefined;
    if (imageBase64) {
      try {
        image = await loadImage(Buffer.from(imageBase64, 'base64'));
      } catch {
        throw new RangeError(`product "${content.name}": imageBase64 is not a decodable PNG, JPEG or WebP image`);
      }
    }
    return new ProductCard(format, content, image);
  }

  get ticking(): boolean {
    return this.#content.countdownTo !== undefined && Date.parse(this.#content.countdownTo) > Date.now();
  }

  overlay(now = Date.now()): Overlay {
    const canvas = this.render(now);
    const r = productCardRect(this.#format);
    return { id: PRODUCT_CARD_ID, kind: 'image', image: canvas, x: r.x, y: r.y, width: r.w, height: canvas.height };
  }

  render(now = Date.now()): Canvas {
    const r = productCardRect(this.#format);
    const font = textFont();
    const pad = Math.round(r.w * 0.07);
    const inner = r.w - 2 * pad;
    const measure = createCanvas(8, 8).getContext('2d');
    const c = this.#content;
    const nameSize = Math.round(r.w * 0.09);
    const pointSize = Math.round(r.w * 0.058);
    measure.font = `bold ${nameSize}px ${font}`;
    const nameLines = fitLines(measure, c.name, inner, 2);
    measure.font = `${pointSize}px ${font}`;
    const points = (c.sellingPoints ?? []).slice(0, 4).flatMap((p) => fitLines(measure, `• ${p}`, inner, 2));
    const imageH = this.#image ? Math.min(r.h * 0.42, (inner * this.#image.height) / this.#image.width) : 0;
    const priceSize = Math.round(r.w * 0.13);
    const extra = c.countdownTo || c.stockLine ? pointSize * 2.2 : 0;
    const h = Math.min(
      r.h,
      Math.round(pad + (imageH ? imageH + pad * 0.6 : 0) + nameLines.length * nameSize * 1.25 + (c.price ? priceSize * 1.3 : 0) + points.length * pointSize * 1.4 + extra + pad),
    );
    const canvas = createCanvas(r.w, h);
    const ctx = canvas.getContext('2d');
    ctx.beginPath();
    ctx.roundRect(0, 0, r.w, h, r.w * 0.05);
    ctx.clip(); // the accent bar keeps the card's rounded corners
    ctx.fillStyle = 'rgba(255,255,255,0.94)';
    ctx.fillRect(0, 0, r.w, h);
    ctx.fillStyle = '#e8452c';
    ctx.fillRect(0, 0, r.w, Math.max(4, r.w * 0.018));
    let y = pad;
    if (this.#image && imageH) {
      const iw = (imageH * this.#image.width) / this.#image.height;
      ctx.drawImage(this.#image, (r.w - iw) / 2, y, iw, imageH);
      y += imageH + pad * 0.6;
    }
    ctx.textBaseline = 'top';
    ctx.fillStyle = '#1d1d24';
    ctx.font = `bold ${nameSize}px ${font}`;
    for (const l of nameLines) {
      ctx.fillText(l, pad, y);
      y += nameSize * 1.25;
    }
    if (c.price) {
      ctx.fillStyle = '#e8452c';
      ctx.font = `bold ${priceSize}px ${font}`;
      ctx.fillText(c.price, pad, y);
      y += priceSize * 1.3;
    }
    ctx.fillStyle = '#3a3a44';
    ctx.font = `${pointSize}px ${font}`;
    for (const l of points) {
      ctx.fillText(l, pad, y);
      y += pointSize * 1.4;
    }
    const footer = c.countdownTo ? countdownText(c.countdownTo, now) : c.stockLine;
    if (footer) {
      ctx.fillStyle = '#e8452c';
      ctx.beginPath();
      ctx.roundRect(pad, y + pointSize * 0.2, inner, pointSize * 1.7, pointSize * 0.4);
      ctx.fill();
      ctx.fillStyle = '#ffffff';
      ctx.font = `bold ${pointSize}px ${font}`;
      ctx.textBaseline = 'middle';
      ctx.fillText(footer, pad + pointSize * 0.5, y + pointSize * 1.05, inner - pointSize);
    }
    return canvas;
  }
}
