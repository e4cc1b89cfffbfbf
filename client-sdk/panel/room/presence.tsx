// Presence: while a session is open the panel tells the server an operator is watching (a
// heartbeat every 10 s; a goodbye when the session is closed or the page goes away), and shows
// what the server believes — automatic replies can be held while nobody is present.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OperatorPresence } from '../../src/live-room-types.ts';
import { errorText, time, useEvent, useRoom, useT } from './context.ts';

export const HEARTBEAT_MS = 10_000;
const NAME_STORAGE = 'onair.operator';

export function PresenceBar() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const [presence, setPresence] = useState<OperatorPresence | undefined>();
  const [error, setError] = useState('');
  const [name, setName] = useState(() => localStorage.getItem(NAME_STORAGE) ?? '');
  const nameRef = useRef(name);
  nameRef.current = name;

  useEffect(() => {
    let stopped = false;
    const beat = () =>
      client.heartbeat(sessionId, nameRef.current.trim() || undefined).then(
        (p) => {
          if (stopped) return;
          setPresence(p);
          setError('');
        },
        (err) => !stopped && setError(errorText(err)),
      );
    void beat();
    const timer = setInterval(beat, HEARTBEAT_MS);
    const bye = () => void client.leave(sessionId).catch(() => {});
    window.addEventListener('pagehide', bye);
    return () => {
      stopped = true;
      clearInterval(timer);
      window.removeEventListener('pagehide', bye);
      bye();
    };
  }, [client, sessionId]);
  useEvent('operator.presence', (p) => setPresence(p));

  const present = presence?.present === true;
  return (
    <section class="card room-card wide presence-bar" id="presence">
      <span class={`presence${present ? ' on' : ''}`} data-present={String(present)}>
        {present ? '●' : '○'} {present ? tr('prPresent') : tr('prAbsent')}
      </span>
      {presence?.operator && <span class="mono">{presence.operator}</span>}
      {presence?.lastSeen && (
        <span class="note">
          {tr('prLastSeen')} {time(presence.lastSeen)}
        </span>
      )}
      <label>
        {tr('prName')}{' '}
        <input
          name="operatorName"
          size={14}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
          onChange={(e) => {
            localStorage.setItem(NAME_STORAGE, e.currentTarget.value.trim());
            void client.heartbeat(sessionId, e.currentTarget.value.trim() || undefined).then(setPresence, (err) => setError(errorText(err)));
          }}
        />
      </label>
      <span class="note">{tr('prHint')}</span>
      {error && <span class="error">{error}</span>}
    </section>
  );
}
