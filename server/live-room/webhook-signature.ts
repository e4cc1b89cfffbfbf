import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-onair-signature';
export const TIMESTAMP_HEADER = 'x-onair-timestamp';
/** Requests older (or newer) than this are refused: a captured request can't be replayed later. */
export const MAX_SKEW_SEC = 300;

/** `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${rawBody}`) — what a sender puts in X-OnAir-Signature. */
export function signWebhook(secret: string, timestamp: number | string, body: Buffer | string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Why a webhook request is refused, or undefined when its signature and timestamp are good. */
export function webhookRefusal(secret: string, headers: Record<string, string | string[] | undefined>, body: Buffer, now = Date.now()): string | undefined {
  const ts = headers[TIMESTAMP_HEADER];
  const sig = headers[SIGNATURE_HEADER];
  if (typeof sig !== 'string' || typeof ts !== 'string') return `unsigned: send ${TIMESTAMP_HEADER} (unix seconds) and ${SIGNATURE_HEADER} (sha256=HMAC-SHA256 of "timestamp.body")`;
  if (!/^\d{1,12}$/.test(ts)) return `${TIMESTAMP_HEADER} must be unix seconds`;
  if (Math.abs(now / 1000 - Number(ts)) > MAX_SKEW_SEC) return `stale request: ${TIMESTAMP_HEADER} is more than ${MAX_SKEW_SEC} s from the server's clock`;
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(sig);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'bad signature';
  return undefined;
}
