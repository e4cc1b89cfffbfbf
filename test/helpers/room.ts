import WebSocket from 'ws';
import { signWebhook } from '../../server/live-room/webhook-signature.ts';
import { API_KEY } from './server.ts';

/** POSTs audience events to the session's webhook, signed as OnAir documents (HMAC-SHA256 of "timestamp.body"). */
export async function postAudience(baseUrl: string, sessionId: string, secret: string, events: unknown[], opts: { timestamp?: number; sign?: boolean; rawBody?: string } = {}): Promise<{ status: number; body: any }> {
  const body = opts.rawBody ?? JSON.stringify({ events });
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.sign !== false) {
    headers['x-onair-timestamp'] = String(ts);
    headers['x-onair-signature'] = signWebhook(secret, ts, body);
  }
  const res = await fetch(`${baseUrl}/v1/sessions/${sessionId}/audience`, { method: 'POST', headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {}
  return { status: res.status, body: parsed };
}

export interface OperatorFeed {
  events: { at: number; event: string; data: any }[];
  close: () => void;
}

/** The session's websocket with operator credentials: show events plus the operator-only ones. */
export async function operatorFeed(baseUrl: string, sessionId: string): Promise<OperatorFeed> {
  const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/v1/sessions/${sessionId}/ws?token=${encodeURIComponent(API_KEY)}`);
  const events: OperatorFeed['events'] = [];
  ws.on('message', (raw) => {
    const msg = JSON.parse(String(raw));
    if (msg.event) events.push({ at: performance.now(), event: msg.event, data: msg.data });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { events, close: () => ws.close() };
}

/** Mean absolute luma difference of two I420 frames inside a rectangle. */
export function lumaDiff(a: { width: number; data: Uint8Array }, b: { width: number; data: Uint8Array }, r: { x: number; y: number; w: number; h: number }): number {
  let sum = 0;
  let n = 0;
  for (let y = r.y; y < r.y + r.h; y += 2) {
    for (let x = r.x; x < r.x + r.w; x += 2) {
      sum += Math.abs(a.data[y * a.width + x]! - b.data[y * b.width + x]!);
      n++;
    }
  }
  return sum / n;
}
