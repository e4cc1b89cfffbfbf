// The panel's session events with operator credentials, so the operator-only events (audience,
// moderation, LLM, connectors, presence) arrive too. The socket is opened with a short-lived
// publish token (the API key never goes into a URL); since that token expires after a few minutes,
// every reconnect fetches a fresh one instead of retrying with the old.
import type { OnAirClient } from '../../src/client.ts';
import { OnAirError } from '../../src/errors.ts';
import { SessionEvents } from '../../src/events.ts';
import type { SessionEventMap } from '../../src/types.ts';

export type EventsState = SessionEvents['state'];
type Name = keyof SessionEventMap;
const BACKOFF_MS = [250, 500, 1000, 2000, 5000];

export class OperatorEvents {
  readonly #client: OnAirClient;
  readonly #sessionId: string;
  readonly #listeners = new Map<Name, Set<(data: unknown) => void>>();
  readonly #stateListeners = new Set<(s: EventsState) => void>();
  #inner: SessionEvents | undefined;
  #state: EventsState = 'connecting';
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #sessionClosed = false;
  /** False for a test-card session (no presenter, no publish token): show events only. */
  operator = true;

  private constructor(client: OnAirClient, sessionId: string) {
    this.#client = client;
    this.#sessionId = sessionId;
  }

  static async open(client: OnAirClient, sessionId: string): Promise<OperatorEvents> {
    const events = new OperatorEvents(client, sessionId);
    await events.#connect();
    return events;
  }

  get state(): EventsState {
    return this.#state;
  }

  on<K extends Name>(event: K, listener: (data: SessionEventMap[K]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      this.#listeners.set(event, (set = new Set()));
      this.#attach(event);
    }
    set.add(listener as (data: unknown) => void);
    return () => set.delete(listener as (data: unknown) => void);
  }

  onState(listener: (s: EventsState) => void): () => void {
    this.#stateListeners.add(listener);
    return () => this.#stateListeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    const inner = this.#inner;
    this.#inner = undefined;
    inner?.close();
    this.#setState('closed');
  }

  async #connect(): Promise<void> {
    let token: string;
    try {
      token = (await this.#client.publishToken(this.#sessionId)).token;
    } catch (err) {
      // A test-card session has no presenter, hence no publish token: its viewer token still gets the show events.
      if (!(err instanceof OnAirError && err.status === 409)) throw err;
      token = (await this.#client.getSession(this.#sessionId)).viewerToken;
      this.operator = false;
    }
    if (this.#closed) return;
    const inner = new SessionEvents({ baseUrl: this.#client.baseUrl, sessionId: this.#sessionId, token });
    this.#inner = inner;
    inner.on('session.closed', () => void (this.#sessionClosed = true));
    for (const name of this.#listeners.keys()) this.#attach(name);
    inner.onState((s) => {
      if (inner !== this.#inner || this.#closed) return;
      if (s === 'open') {
        this.#attempt = 0;
        this.#setState('open');
      } else if (s === 'closed' && this.#sessionClosed) {
        this.#setState('closed');
      } else if (s === 'reconnecting' || s === 'closed') {
        this.#renew();
      }
    });
  }

  /** The socket dropped: a new one with a new token, after a backoff. */
  #renew(): void {
    const old = this.#inner;
    this.#inner = undefined; // first: its own 'closed' must not come back here
    old?.close();
    this.#setState('reconnecting');
    const delay = BACKOFF_MS[Math.min(this.#attempt++, BACKOFF_MS.length - 1)]!;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#connect().catch((err) => {
        if (err instanceof OnAirError && err.status === 404) this.close(); // the session is gone
        else if (!this.#closed) this.#renew();
      });
    }, delay);
  }

  #attach(name: Name): void {
    this.#inner?.on(name, (data) => {
      for (const l of this.#listeners.get(name) ?? []) l(data);
    });
  }

  #setState(s: EventsState): void {
    if (this.#state === s) return;
    this.#state = s;
    for (const l of this.#stateListeners) l(s);
  }
}
