// What the control room's components share: the panel's client, the open session, its operator
// events and the UI language (given by panel.ts), plus small hooks over them.
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import type { OnAirClient } from '../../src/client.ts';
import { OnAirError } from '../../src/errors.ts';
import type { SessionEventMap } from '../../src/types.ts';
import { t, type UiLang } from '../i18n.ts';
import type { EventsState } from './operator-events.ts';

/** The session events as the room needs them (OperatorEvents in the panel). */
export interface RoomEventSource {
  on<K extends keyof SessionEventMap>(event: K, listener: (data: SessionEventMap[K]) => void): () => void;
  onState(listener: (s: EventsState) => void): () => void;
}

export interface RoomHost {
  client: OnAirClient;
  sessionId: string;
  events: RoomEventSource;
  lang: UiLang;
  /** The panel's event log. */
  log: (text: string) => void;
}

export const RoomContext = createContext<RoomHost | undefined>(undefined);

export function useRoom(): RoomHost {
  const host = useContext(RoomContext);
  if (!host) throw new Error('control room component outside the room');
  return host;
}

/** The translator for the current UI language. */
export function useT(): (key: string) => string {
  const { lang } = useRoom();
  return useCallback((key: string) => t(key, lang), [lang]);
}

/** Subscribes to a session event for the component's life (the latest `listener` is called). */
export function useEvent<K extends keyof SessionEventMap>(event: K, listener: (data: SessionEventMap[K]) => void): void {
  const { events } = useRoom();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => events.on(event, (d) => ref.current(d)), [events, event]);
}

/** Calls `load` now and again whenever the event socket comes back (events may have been missed). */
export function useLoad(load: () => Promise<void> | void): void {
  const { events } = useRoom();
  const ref = useRef(load);
  ref.current = load;
  useEffect(() => {
    void ref.current();
    let wasDown = false;
    return events.onState((s) => {
      if (s === 'reconnecting') wasDown = true;
      if (s === 'open' && wasDown) {
        wasDown = false;
        void ref.current();
      }
    });
  }, [events]);
}

export function errorText(err: unknown): string {
  return err instanceof OnAirError ? `${err.status ? `${err.status} ` : ''}${err.message}` : err instanceof Error ? err.message : String(err);
}

/**
 * Runs a card's actions: `run(fn)` catches failures into `error` (shown in the card and written to
 * the panel's log), `busy` is true meanwhile.
 */
export function useAction(): { run: (fn: () => Promise<unknown>) => Promise<void>; error: string; busy: boolean; setError: (e: string) => void } {
  const { log } = useRoom();
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const run = useCallback(
    async (fn: () => Promise<unknown>) => {
      setBusy(true);
      setError('');
      try {
        await fn();
      } catch (err) {
        const message = errorText(err);
        setError(message);
        log(`⚠ ${message}`);
      } finally {
        setBusy(false);
      }
    },
    [log],
  );
  return { run, error, busy, setError };
}

let keys = 0;
/** A key for list items the operator can reorder (stable across edits). */
export function newKey(): number {
  return ++keys;
}

/** The first `${prefix}N` not in `used`. */
export function freeId(prefix: string, used: Iterable<string | undefined>): string {
  const taken = new Set(used);
  let n = 1;
  while (taken.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

export function moved<T>(list: T[], from: number, to: number): T[] {
  if (to < 0 || to >= list.length) return list;
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item!);
  return copy;
}

export function time(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString();
}

/** "" → undefined, else the number (for optional numeric fields). */
export function optNumber(text: string): number | undefined {
  const s = text.trim();
  if (!s) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

export function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',')[1] ?? '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}
