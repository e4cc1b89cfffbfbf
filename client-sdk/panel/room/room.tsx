// The panel's control room: the server-side show (rundown, inserts), the voice, the audience (comment feed,
// reply rules, connectors), moderation and operator presence for the open session.
//
// Why Preact: these cards are stateful lists the operator edits while events stream in (positions,
// comments, moderation hits) — hand-wired DOM like the older cards gets hard to keep right at this
// size. Preact gives components and hooks for ~3 kB, needs no build step beyond the esbuild bundle
// the server already makes at start-up (JSX via `jsx: 'automatic'`), and renders real DOM, so the
// Chromium tests drive these cards exactly as they drive the rest of the panel.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t, type UiLang } from '../i18n.ts';
import { errorText, RoomContext, useRoom, useT, type RoomHost } from './context.ts';
import { ConnectorsCard } from './connectors.tsx';
import { CommentFeed } from './feed.tsx';
import { InsertBar } from './inserts.tsx';
import { ModerationCard } from './moderation.tsx';
import { PresenceBar } from './presence.tsx';
import { RulesEditor } from './rules.tsx';
import { RundownEditor } from './rundown.tsx';
import { VoiceCard } from './voices.tsx';

export type { RoomHost } from './context.ts';

function ControlRoom() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  // A test-card session has no presenter, hence no live room: say so instead of failing every card.
  const [available, setAvailable] = useState<boolean | string | undefined>();
  useEffect(() => {
    client.getShow(sessionId).then(
      () => setAvailable(true),
      (err) => setAvailable(errorText(err)),
    );
  }, [client, sessionId]);
  if (available === undefined) return null;
  if (available !== true) {
    return (
      <section class="card room-card wide">
        <h2>{tr('roomTitle')}</h2>
        <p class="note">
          {tr('roomUnavailable')} ({available})
        </p>
      </section>
    );
  }
  return (
    <>
      <PresenceBar />
      <RundownEditor />
      <InsertBar />
      <VoiceCard />
      <CommentFeed />
      <RulesEditor />
      <ModerationCard />
      <ConnectorsCard />
    </>
  );
}

/** Renders the control room for the open session into `container` (nothing when none is open). */
export function renderRoom(container: HTMLElement, host: RoomHost | undefined, lang: UiLang): void {
  render(
    host ? (
      <RoomContext.Provider value={host}>
        <ControlRoom key={host.sessionId} />
      </RoomContext.Provider>
    ) : (
      <p class="note room-empty">{t('roomNoSession', lang)}</p>
    ),
    container,
  );
}
