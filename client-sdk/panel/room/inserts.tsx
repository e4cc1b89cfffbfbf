// Insert bar: a line outside the rundown, after the segment (Append), after the line playing
// (Next) or at once (Now, a takeover); the waiting inserts (removable) and the latest ones said.
import { useRef, useState } from 'preact/hooks';
import type { InsertMode, QueuedInsert, ShowEventMap } from '../../src/live-room-types.ts';
import { useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

type Done = ShowEventMap['show.insert'] & { at: number };
const RECENT = 8;

export function InsertBar() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const { run, error, busy } = useAction();
  const [text, setText] = useState('');
  const [lang, setLang] = useState<'auto' | 'en' | 'zh'>('auto');
  const [queue, setQueue] = useState<QueuedInsert[]>([]);
  const [playingId, setPlayingId] = useState<string | undefined>();
  const [recent, setRecent] = useState<Done[]>([]);
  // Inserts already said or dropped: a late POST response must not put them back in the queue.
  const finished = useRef(new Set<string>());

  useLoad(() =>
    run(async () => {
      const s = await client.getShow(sessionId);
      setQueue(s.inserts);
      setPlayingId(s.playing?.insertId);
    }),
  );
  const enqueue = (ins: QueuedInsert) => setQueue((q) => (finished.current.has(ins.id) || q.some((x) => x.id === ins.id) ? q : ins.mode === 'now' ? [ins, ...q] : [...q, ins]));
  useEvent('show.insert', (d) => {
    if (d.state === 'queued') enqueue({ id: d.insertId, text: d.text, mode: d.mode, source: d.source, at: new Date().toISOString() });
    else if (d.state === 'playing') setPlayingId(d.insertId);
    else {
      finished.current.add(d.insertId);
      setQueue((q) => q.filter((x) => x.id !== d.insertId));
      setPlayingId((p) => (p === d.insertId ? undefined : p));
      setRecent((r) => [{ ...d, at: Date.now() }, ...r.filter((x) => x.insertId !== d.insertId)].slice(0, RECENT));
    }
  });

  const send = (mode: InsertMode) =>
    run(async () => {
      if (!text.trim()) return;
      const ins = await client.insertLine(sessionId, { text, mode, ...(lang !== 'auto' ? { lang } : {}) });
      enqueue(ins);
      setText('');
    });

  return (
    <section class="card room-card" id="inserts">
      <h2>{tr('insTitle')}</h2>
      <textarea name="insertText" rows={2} placeholder={tr('insPlaceholder')} value={text} onInput={(e) => setText(e.currentTarget.value)} />
      <div class="row">
        <button type="button" data-act="append" disabled={busy} title={tr('insAppendHint')} onClick={() => send('append')}>
          {tr('insAppend')}
        </button>
        <button type="button" data-act="next" disabled={busy} title={tr('insNextHint')} onClick={() => send('next')}>
          {tr('insNext')}
        </button>
        <button type="button" data-act="now" class="takeover" disabled={busy} title={tr('insNowHint')} onClick={() => send('now')}>
          {tr('insNow')}
        </button>
        <select name="insertLang" value={lang} onChange={(e) => setLang(e.currentTarget.value as typeof lang)}>
          <option value="auto">auto</option>
          <option value="en">English</option>
          <option value="zh">中文</option>
        </select>
      </div>
      {error && <p class="error">{error}</p>}
      <h3>
        {tr('insQueue')} <span class="note">({queue.length})</span>
      </h3>
      <ul class="queue">
        {queue.length === 0 && <li class="note">{tr('insEmpty')}</li>}
        {queue.map((ins) => (
          <li key={ins.id} data-id={ins.id} data-state={ins.id === playingId ? 'playing' : 'queued'}>
            <span class={`badge mode-${ins.mode}`}>{tr(`ins_${ins.mode}`)}</span> {ins.id === playingId && <b class="badge state-playing">{tr('insOnAir')}</b>} <span class="text">{ins.text}</span>{' '}
            {ins.source && ins.source !== 'operator' && <span class="note">[{ins.source}]</span>}
            {ins.id !== playingId && (
              <button type="button" data-act="removeInsert" title={tr('remove')} onClick={() => run(async () => (await client.removeInsert(sessionId, ins.id), setQueue((q) => q.filter((x) => x.id !== ins.id))))}>
                ✕
              </button>
            )}
          </li>
        ))}
      </ul>
      {recent.length > 0 && (
        <>
          <h3>{tr('insRecent')}</h3>
          <ul class="recent">
            {recent.map((d) => (
              <li key={d.insertId} data-state={d.state}>
                <span class="note">{new Date(d.at).toLocaleTimeString()}</span> <span class={`badge mode-${d.mode}`}>{tr(`ins_${d.mode}`)}</span> <span class="text">{d.text}</span>{' '}
                <span class={`badge state-${d.state}`}>{tr(`ins_${d.state}`)}</span> {d.source && d.source !== 'operator' && <span class="note">[{d.source}]</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
