import { I420Canvas, BLACK, WHITE, type Yuv } from '../core/i420-draw.ts';
import { AUDIO_RATE, type MediaSource, type VideoFormat, type VideoFrame } from '../core/media.ts';

/** Bits of the frame counter drawn as black/white blocks; wraps after ~11 hours at 25 fps. */
export const FRAME_CODE_BITS = 20;
const TONE_HZ = 440;
const TONE_AMPLITUDE = 0.25 * 32767;

const BACKGROUND: Yuv = { y: 90, u: 150, v: 110 };
const BAR: Yuv = { y: 200, u: 60, v: 160 };
const LABEL_BG: Yuv = { y: 40, u: 128, v: 128 };

/** Block geometry of the frame code, shared by the writer and the reader. */
function codeGeometry(width: number) {
  const pitch = Math.floor(width / (FRAME_CODE_BITS + 4));
  const size = Math.floor(pitch * 0.8);
  return { x0: pitch, y0: pitch, pitch, size };
}

/**
 * The media path's stand-in source: a static background, a moving bar, the frame number as
 * text and as a machine-readable block code, the "AI PRESENTER" disclosure, and a 440 Hz tone.
 * It renders through the same MediaSource interface the presenter uses.
 */
export class TestCard implements MediaSource {
  readonly format: VideoFormat;
  readonly #canvas: I420Canvas;
  readonly #background: Uint8Array;

  constructor(format: VideoFormat = { width: 1280, height: 720, fps: 25 }) {
    this.format = format;
    this.#canvas = new I420Canvas(format.width, format.height);
    const bg = new I420Canvas(format.width, format.height);
    bg.fillRect(0, 0, format.width, format.height, BACKGROUND);
    const scale = Math.max(2, Math.floor(format.height / 90));
    bg.fillRect(0, format.height - scale * 12, format.width, scale * 12, LABEL_BG);
    bg.drawText('AI PRESENTER - TEST CARD', scale * 3, format.height - scale * 9.5, scale, WHITE);
    this.#background = bg.data;
  }

  renderVideo(index: number, pts: number): VideoFrame {
    const c = this.#canvas;
    const { width, height } = this.format;
    c.data.set(this.#background);
    const barWidth = Math.floor(width / 40);
    c.fillRect((index * barWidth) % width, height * 0.3, barWidth, height * 0.45, BAR);
    const { x0, y0, pitch, size } = codeGeometry(width);
    for (let bit = 0; bit < FRAME_CODE_BITS; bit++) {
      c.fillRect(x0 + bit * pitch, y0, size, size, (index >> bit) & 1 ? WHITE : BLACK);
    }
    const scale = Math.max(2, Math.floor(height / 72));
    c.drawText(`FRAME ${index}`, x0, y0 + pitch * 1.5, scale, WHITE);
    return { index, pts, width, height, data: c.data };
  }

  renderAudio(pts: number, samples: Int16Array): void {
    for (let i = 0; i < samples.length; i++) {
      samples[i] = Math.round(TONE_AMPLITUDE * Math.sin((2 * Math.PI * TONE_HZ * (pts + i)) / AUDIO_RATE));
    }
  }
}

/** Reads the frame number back from a (decoded, possibly lossy) I420 frame; -1 if unreadable. */
export function readFrameCode(frame: { width: number; height: number; data: Uint8Array }): number {
  const c = new I420Canvas(frame.width, frame.height, frame.data);
  const { x0, y0, pitch, size } = codeGeometry(frame.width);
  const inset = Math.floor(size / 4);
  let value = 0;
  for (let bit = 0; bit < FRAME_CODE_BITS; bit++) {
    const luma = c.meanLuma(x0 + bit * pitch + inset, y0 + inset, size - 2 * inset, size - 2 * inset);
    if (luma > 170) value |= 1 << bit;
    else if (luma > 70) return -1; // neither black nor white: not a test-card frame
  }
  return value;
}
