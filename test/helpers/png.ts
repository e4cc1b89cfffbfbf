import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import wrtc from '@roamhq/wrtc';

/** Writes a received I420 frame as a PNG (screenshots of what a viewer saw). */
export function savePng(file: string, frame: { width: number; height: number; data: Uint8Array }): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const rgba = new Uint8ClampedArray(frame.width * frame.height * 4);
  wrtc.nonstandard.i420ToRgba(frame, { width: frame.width, height: frame.height, data: rgba as unknown as Uint8Array });
  const canvas = createCanvas(frame.width, frame.height);
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(frame.width, frame.height);
  img.data.set(rgba);
  ctx.putImageData(img, 0, 0);
  writeFileSync(file, canvas.toBuffer('image/png'));
}

/** A copy of a frame that outlives the decoder's buffer. */
export function copyFrame(frame: { width: number; height: number; data: Uint8Array }): { width: number; height: number; data: Uint8Array } {
  return { width: frame.width, height: frame.height, data: Uint8Array.from(frame.data) };
}
