import { createCanvas, type Canvas } from '@napi-rs/canvas';
import wrtc from '@roamhq/wrtc';
import type { VideoFormat } from '../../core/media.ts';
import { textFont } from './fonts.ts';

/**
 * The visible label's default wording. GB 45438-2025 §6 wants both parts in the text — "AI" or
 * "人工智能", and "生成" or "合成" — so "AI主播" alone does not qualify; the English half is for
 * viewers abroad (EU AI Act Art. 50).
 */
export const DEFAULT_LABEL_TEXT = 'AI生成 · AI-generated';

/** Why a label wording is refused (missing one of the two parts), or undefined when it qualifies. */
export function labelTextProblem(text: string): string | undefined {
  const t = text.normalize('NFKC');
  const ai = /AI|人工智能/.test(t);
  const generated = /生成|合成/.test(t);
  if (text.length > 40) return 'the label text is at most 40 characters';
  if (!ai && !generated) return 'the label must say "AI" (or 人工智能) and "生成" (or 合成), e.g. "AI生成"';
  if (!ai) return 'the label must say "AI" or "人工智能" (GB 45438-2025 §6)';
  if (!generated) return 'the label must say "生成" or "合成", e.g. "AI生成" — "AI" alone does not qualify (GB 45438-2025 §6)';
  return undefined;
}

/** How long the opening disclosure stays up at the start of a stream and of every RTMP (re)connect. */
export const OPENING_CARD_SECONDS = 3;

export const OPENING_CARD_LINES = ['本直播内容由人工智能生成 · AI生成', 'This live stream is AI-generated · AI presenter'];

/**
 * The opening card's box: a wide band across the lower part of the picture (the presenter's face
 * stays visible), even coordinates so it maps onto I420 chroma exactly.
 */
export function openingCardRect(format: VideoFormat): { x: number; y: number; w: number; h: number } {
  const even = (n: number) => Math.round(n / 2) * 2;
  const w = even(format.width * 0.84);
  const h = even(format.height * 0.2);
  return { x: even((format.width - w) / 2), y: even(format.height * 0.7), w, h };
}

/** The card as an RGBA canvas of its box's size. */
export function renderOpeningCard(format: VideoFormat): Canvas {
  const r = openingCardRect(format);
  const canvas = createCanvas(r.w, r.h);
  const ctx = canvas.getContext('2d');
  const font = textFont();
  ctx.fillStyle = '#14141c';
  ctx.fillRect(0, 0, r.w, r.h);
  ctx.fillStyle = '#ffd84d';
  ctx.fillRect(0, 0, Math.max(6, r.w * 0.012), r.h);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const sizes = [r.h * 0.3, r.h * 0.2];
  const ys = [r.h * 0.4, r.h * 0.74];
  OPENING_CARD_LINES.forEach((line, i) => {
    ctx.fillStyle = i === 0 ? '#ffffff' : '#ffd84d';
    ctx.font = `${i === 0 ? 'bold ' : ''}${Math.round(sizes[i]!)}px ${font}`;
    ctx.fillText(line, r.w / 2, ys[i]!, r.w * 0.9);
  });
  return canvas;
}

/**
 * The card pre-converted to I420 planes, pasted into raw frames (RTMP outputs draw it on their own
 * copy after every (re)connect, without touching what WebRTC viewers see).
 */
export class I420Card {
  readonly #rect: { x: number; y: number; w: number; h: number };
  readonly #planes: Uint8Array;

  constructor(format: VideoFormat) {
    this.#rect = openingCardRect(format);
    const { w, h } = this.#rect;
    const canvas = renderOpeningCard(format);
    const px = canvas.data();
    this.#planes = new Uint8Array((w * h * 3) / 2);
    wrtc.nonstandard.rgbaToI420({ width: w, height: h, data: new Uint8Array(px.buffer, px.byteOffset, px.byteLength) }, { width: w, height: h, data: this.#planes });
  }

  /** Pastes the card into an I420 frame of the format it was made for. */
  paste(frame: Uint8Array, width: number, height: number): void {
    const { x, y, w, h } = this.#rect;
    for (let row = 0; row < h; row++) frame.set(this.#planes.subarray(row * w, row * w + w), (y + row) * width + x);
    const cw = width / 2;
    const uFrame = width * height;
    const vFrame = uFrame + (width * height) / 4;
    const uCard = w * h;
    const vCard = uCard + (w * h) / 4;
    for (let row = 0; row < h / 2; row++) {
      const src = row * (w / 2);
      const dst = (y / 2 + row) * cw + x / 2;
      frame.set(this.#planes.subarray(uCard + src, uCard + src + w / 2), uFrame + dst);
      frame.set(this.#planes.subarray(vCard + src, vCard + src + w / 2), vFrame + dst);
    }
  }
}

const cards = new Map<string, I420Card>();
/** One pre-converted card per video format, shared by every output that pastes it. */
export function openingCard(format: VideoFormat): I420Card {
  const key = `${format.width}x${format.height}`;
  let card = cards.get(key);
  if (!card) cards.set(key, (card = new I420Card(format)));
  return card;
}
