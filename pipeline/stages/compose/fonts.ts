import { existsSync } from 'node:fs';
import { GlobalFonts } from '@napi-rs/canvas';

// WenQuanYi Micro Hei (Debian fonts-wqy-microhei; Apache-2.0 / GPLv3 with font exception) covers
// Latin and CJK, so the label, captions and overlays render Chinese as well as English.
const CANDIDATES = [
  '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc',
  '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc',
];

let family: string | undefined;

/** The font family to use for all text; registers the CJK font once. */
export function textFont(): string {
  if (family) return family;
  const path = CANDIDATES.find((p) => existsSync(p));
  if (path && GlobalFonts.registerFromPath(path, 'OnAirSans')) family = 'OnAirSans';
  else family = 'sans-serif'; // still renders Latin; CJK may show as boxes without the font
  return family;
}


export function hasCjkFont(): boolean {
  return textFont() === 'OnAirSans';
}
