import { hashString } from '../../pipeline/core/random.ts';
import { payloadFromSession, WatermarkEmbedder } from '../../pipeline/stages/compose/watermark.ts';
import type { LiveSession } from '../sessions/live-session.ts';
import type { SessionExtension } from '../sessions/session-registry.ts';

/** The 16-bit provider number in the mark: ONAIR_PROVIDER_CODE, else a hash of the provider name. */
export function providerCode(provider: string, code?: number): number {
  if (code !== undefined) return code;
  const h = hashString(provider);
  return (h ^ (h >>> 16)) & 0xffff;
}

/**
 * Gives every presenter session its invisible watermark (provider + content id from the session
 * id, error-corrected), embedded in each composed frame before encoding, so recordings, RTMP
 * copies and WebRTC captures all carry it. `npm run watermark -- detect FILE` reads it back.
 */
export class WatermarkExtension implements SessionExtension {
  readonly #provider: number;

  constructor(provider: number) {
    this.#provider = provider;
  }

  async started(live: LiveSession): Promise<void> {
    const presenter = live.presenter;
    if (!presenter) return;
    presenter.watermark = new WatermarkEmbedder(live.record.video, payloadFromSession(live.record.id, this.#provider));
  }

  async deleted(): Promise<void> {}
}
