// Reads the AI label in a received frame with tesseract (chi_sim + eng), as a person would.
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { labelRect, type LabelPosition } from '../../pipeline/stages/compose/compositor.ts';
import { savePng } from './png.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(tmpdir(), 'onair-ocr-'));

export async function ocrLabel(frame: { width: number; height: number; data: Uint8Array }, label: { position: LabelPosition; scale: number } = { position: 'top-left', scale: 1 }): Promise<string> {
  // WebRTC may lower the resolution on a busy machine: the label scales with the picture.
  const r = labelRect({ width: frame.width, height: frame.height, fps: 25 }, label);
  const png = path.join(tmp, `frame-${Date.now()}.png`);
  const crop = path.join(tmp, `label-${Date.now()}.png`);
  savePng(png, frame);
  await run('ffmpeg', ['-v', 'error', '-y', '-i', png, '-vf', `crop=${r.w}:${r.h}:${r.x}:${r.y},scale=-1:150,negate`, crop]);
  const { stdout } = await run('tesseract', [crop, '-', '-l', 'chi_sim+eng', '--psm', '7']);
  if (!stdout.trim()) console.log(`  (OCR read nothing in ${crop})`);
  return stdout.trim();
}
