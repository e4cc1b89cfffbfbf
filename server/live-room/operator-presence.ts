import { EventEmitter } from 'node:events';
import type { OperatorPresence as PresenceView } from '../../client-sdk/src/live-room-types.ts';

/** An operator counts as present for this long after their last heartbeat. */
export const PRESENCE_TIMEOUT_MS = 30_000;

/**
 * Whether a person is supervising the presenter (platform rules want one driving a virtual host):
 * the panel sends a heartbeat; presence starts with the first and ends when they stop coming.
 */
export class OperatorPresence extends EventEmitter<{ change: [PresenceView] }> {
  readonly #timeoutMs: number;
  #lastSeen = 0;
  #operator: string | undefined;
  #present = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(timeoutMs = PRESENCE_TIMEOUT_MS) {
    super();
    this.#timeoutMs = timeoutMs;
  }

  heartbeat(operator?: string): PresenceView {
    this.#lastSeen = Date.now();
    if (operator) this.#operator = operator;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#expire(), this.#timeoutMs);
    this.#timer.unref();
    if (!this.#present) {
      this.#present = true;
      this.emit('change', this.view);
    }
    return this.view;
  }

  /** The panel closed cleanly. */
  leave(): PresenceView {
    if (this.#timer) clearTimeout(this.#timer);
    this.#expire();
    return this.view;
  }

  #expire(): void {
    if (!this.#present) return;
    this.#present = false;
    this.emit('change', this.view);
  }

  get present(): boolean {
    return this.#present;
  }

  get view(): PresenceView {
    return { present: this.#present, ...(this.#lastSeen ? { lastSeen: new Date(this.#lastSeen).toISOString() } : {}), ...(this.#operator ? { operator: this.#operator } : {}) };
  }

  close(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.removeAllListeners();
  }
}
