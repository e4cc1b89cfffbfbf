import type { WebSocketFactory, WebSocketLike } from './signalling.ts';
import type { SessionEventMap } from './types.ts';

export interface SessionEventsOptions {
  baseUrl: string;
  sessionId: string;
  token: string;
  WebSocket?: WebSocketFactory;
  /** Reconnect delays in ms, the last one repeating. */
  backoffMs?: number[];
}

type Listener<K extends keyof SessionEventMap> = (data: SessionEventMap[K]) => void;
type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * Typed session events with automatic reconnect: when the socket drops (network blip, proxy,
 * server restart) it reconnects with backoff and events resume. `state` listeners see each change.
 */
export class SessionEvents {
  readonly #opts: SessionEventsOptions;
  readonly #WebSocket: WebSocketFactory;
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly #stateListeners = new Set<(s: ConnectionState) => void>();
  #ws: WebSocketLike | undefined;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #state: ConnectionState = 'connecting';
  /** How many times the socket has (re)opened. */
  connects = 0;

  constructor(opts: SessionEventsOptions) {
    this.#opts = opts;
    this.#WebSocket = opts.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory);
    this.#connect();
  }

  get state(): ConnectionState {
    return this.#state;
  }

  on<K extends keyof SessionEventMap>(event: K, listener: Listener<K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (data: unknown) => void);
    return () => set!.delete(listener as (data: unknown) => void);
  }

  onState(listener: (s: ConnectionState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  #setState(s: ConnectionState): void {
    if (this.#state === s) return;
    this.#state = s;
    for (const l of this.#stateListeners) l(s);
  }

  #connect(): void {
    const url = `${this.#opts.baseUrl.replace(/^http/, 'ws')}/v1/sessions/${encodeURIComponent(this.#opts.sessionId)}/ws?token=${encodeURIComponent(this.#opts.token)}`;
    const ws = new this.#WebSocket(url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.connects++;
      this.#setState('open');
    };
    ws.onmessage = (ev) => {
      let msg: { event?: string; data?: unknown };
      try {
        msg = JSON.parse(String(ev.data));
      } catch {
        return;
      }
      if (!msg.event) return;
      for (const l of this.#listeners.get(msg.event) ?? []) l(msg.data);
      if (msg.event === 'session.closed') this.close();
    };
    ws.onerror = () => {};
    ws.onclose = (ev) => {
      if (this.#state === 'closed') return;
      // 4404: the session is gone; 1008: credentials refused. Retrying cannot help.
      if (ev.code === 4404 || ev.code === 1008) {
        this.close();
        return;
      }
      this.#setState('reconnecting');
      const delays = this.#opts.backoffMs ?? [250, 500, 1000, 2000, 5000];
      const delay = delays[Math.min(this.#attempt++, delays.length - 1)]!;
      this.#timer = setTimeout(() => this.#connect(), delay);
    };
  }

  close(): void {
    this.#setState('closed');
    clearTimeout(this.#timer);
    this.#ws?.close(1000, 'bye');
  }
}
