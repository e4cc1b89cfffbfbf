// Comment feed: audience events (webhook and connectors) and what became of each — answered (by
// which rule, with which reply), cooldown, filtered, dropped, no-match, held — with the counters,
// and the LLM's progress when it answers.
import { useRef, useState } from 'preact/hooks';
import type { AudienceLogEntry, AudienceStats } from '../../src/live-room-types.ts';
import type { SessionEventMap } from '../../src/types.ts';
import { time, useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

const MAX_ENTRIES = 200;
const key = (e: AudienceLogEntry) => `${e.event.platform}:${e.event.id}`;

export function CommentFeed() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const { run, error } = useAction();
  const [entries, setEntries] = useState<AudienceLogEntry[]>([]);
  const [stats, setStats] = useState<AudienceStats | undefined>();
  const [llm, setLlm] = useState<SessionEventMap['llm.reply'] | undefined>();
  const statsTimer = useRef<ReturnType<typeof setTimeout>>();

  useLoad(() =>
    run(async () => {
      // The latest 100 (the server's default window).
      const { stats, log } = await client.audienceLog(sessionId);
      setStats(stats);
      setEntries([...log].reverse());
    }),
  );
  useEvent('audience.event', (entry) => {
    setEntries((list) => [entry, ...list.filter((e) => key(e) !== key(entry))].slice(0, MAX_ENTRIES));
    // The counters live on the server: fetched again once a burst of events has passed.
    clearTimeout(statsTimer.current);
    statsTimer.current = setTimeout(() => void client.audienceLog(sessionId).then((r) => setStats(r.stats), () => {}), 300);
  });
  useEvent('llm.reply', (d) => setLlm(d));

  const counters: [string, number][] = stats
    ? [
        ['fdReceived', stats.received],
        ['out_answered', stats.outcomes.answered],
        ['out_no-match', stats.outcomes['no-match']],
        ['out_cooldown', stats.outcomes.cooldown],
        ['out_filtered', stats.outcomes.filtered],
        ['out_dropped', stats.outcomes.dropped],
        ['out_held', stats.outcomes.held],
        ['fdDuplicates', stats.duplicates],
        ['fdSpoken', stats.spoken],
        ['fdQueued', stats.queue],
      ]
    : [];

  return (
    <section class="card room-card" id="feed">
      <h2>{tr('fdTitle')}</h2>
      <p class="stats mono">
        {counters.map(([k, n]) => (
          <span key={k} data-stat={k}>
            {tr(k)} <b>{n}</b>
          </span>
        ))}
      </p>
      <p class={`llm-status${llm?.state === 'failed' ? ' error' : ''}`} data-state={llm?.state ?? 'idle'}>
        {tr('fdLlm')}: {llm ? `${tr(`llm_${llm.state}`)}${llm.ms !== undefined ? ` (${llm.ms} ms)` : ''}${llm.text ? ` “${llm.text}”` : ''}${llm.error ? ` ${llm.error}` : ''}` : '—'}
      </p>
      {error && <p class="error">{error}</p>}
      <ol class="feed">
        {entries.length === 0 && <li class="note">{tr('fdEmpty')}</li>}
        {entries.map((e) => (
          <li key={key(e)} data-outcome={e.outcome} data-id={e.event.id}>
            <div>
              <span class="note">{time(e.event.at)}</span> <span class="platform note">{e.event.platform}</span> <b class="user">{e.event.userName}</b>
              {e.event.kind !== 'comment' && (
                <span class="kind">
                  {' '}
                  {tr(`kind_${e.event.kind}`)}
                  {e.event.amount !== undefined ? ` ×${e.event.amount}` : ''}
                  {e.event.unit ? ` ${e.event.unit}` : ''}
                </span>
              )}
              {e.event.text && <span class="text">: {e.event.text}</span>} <span class={`badge out-${e.outcome}`}>{tr(`out_${e.outcome}`)}</span>
              {e.ruleId && <span class="rule mono"> {e.ruleId}</span>}
            </div>
            {e.reply && <div class="reply">→ {e.reply}</div>}
            {e.reason && <div class="reason note">{e.reason}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
