import type { Method, Methods, NotificationMessage, ResponseMessage } from './protocol.ts';
import { OnAirError } from './errors.ts';

/** The subset of the WebSocket API used here: the browser's and the `ws` package's both fit. */
export interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

const REQUEST_TIMEOUT_MS = 10_000;

/** Request/response over one websocket, with notifications delivered to a callback. */
export class SignallingChannel {
  readonly #ws: WebSocketLike;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }>();
  #nextId = 1;
  onNotification: (msg: NotificationMessage) => void = () => {};
  onClose: (code: number, reason: string) => void = () => {};

  private constructor(ws: WebSocketLike) {
    this.#ws = ws;
    ws.onmessage = (ev) => this.#onMessage(String(ev.data));
    ws.onclose = (ev) => {
      for (const p of this.#pending.values()) {
        clearTimeout(p.timer);
        p.reject(new OnAirError(0, `signalling closed (${ev.code} ${ev.reason})`));
      }
      this.#pending.clear();
      this.onClose(ev.code, ev.reason);
    };
  }

  static open(url: string, WebSocketImpl: WebSocketFactory): Promise<SignallingChannel> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocketImpl(url);
      ws.onopen = () => resolve(new SignallingChannel(ws));
      ws.onerror = () => reject(new OnAirError(0, `cannot open signalling websocket ${url.replace(/token=[^&]+/, 'token=…')}`));
      ws.onclose = (ev) => reject(new OnAirError(ev.code === 1008 ? 401 : 0, `signalling refused: ${ev.code} ${ev.reason}`));
    });
  }

  request<M extends Method>(method: M, data: Methods[M]['req']): Promise<Methods[M]['res']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new OnAirError(0, `${method} timed out`));
      }, REQUEST_TIMEOUT_MS);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#ws.send(JSON.stringify({ id, method, data }));
    });
  }

  close(): void {
    this.#ws.close(1000, 'bye');
  }

  #onMessage(text: string): void {
    let msg: ResponseMessage | NotificationMessage;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if ('event' in msg) {
      this.onNotification(msg);
      return;
    }
    const pending = this.#pending.get(msg.id);
    if (!pending) return;
    this.#pending.delete(msg.id);
    clearTimeout(pending.timer);
    if (msg.ok) pending.resolve(msg.data);
    else pending.reject(new OnAirError(msg.error.status, msg.error.message));
  }
}
