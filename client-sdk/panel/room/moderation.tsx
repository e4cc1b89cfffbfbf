// Moderation: the prohibited-terms list every line passes before it is said (block or replace,
// with the reason shown to the operator), an optional external endpoint, a "check a line" box,
// and the log of blocked / replaced lines with the terms that matched.
import { useState } from 'preact/hooks';
import type { ModerationLogEntry, ProhibitedTerm } from '../../src/live-room-types.ts';
import type { ModerationVerdict } from '../../src/client.ts';
import { time, useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

const MAX_LOG = 100;
let entries = 0;
type Logged = ModerationLogEntry & { n: number };
const logged = (e: ModerationLogEntry): Logged => ({ ...e, n: ++entries });

export function ModerationCard() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const listAction = useAction();
  const checkAction = useAction();
  const [terms, setTerms] = useState<ProhibitedTerm[]>([]);
  const [externalUrl, setExternalUrl] = useState('');
  const [externalTimeoutMs, setExternalTimeoutMs] = useState<number | undefined>();
  const [log, setLog] = useState<Logged[]>([]);
  const [form, setForm] = useState<ProhibitedTerm>({ term: '', action: 'block', replacement: '', reason: '' });
  const [filter, setFilter] = useState('');
  const [checkText, setCheckText] = useState('');
  const [verdict, setVerdict] = useState<ModerationVerdict | undefined>();

  useLoad(() =>
    listAction.run(async () => {
      const m = await client.getModeration(sessionId);
      setTerms(m.terms);
      setExternalUrl(m.externalUrl ?? '');
      setExternalTimeoutMs(m.externalTimeoutMs);
      setLog([...m.log].reverse().map(logged));
    }),
  );
  const onEntry = (entry: ModerationLogEntry) => setLog((l) => [logged(entry), ...l].slice(0, MAX_LOG));
  useEvent('moderation.blocked', onEntry);
  useEvent('moderation.replaced', onEntry);

  const save = async (next: ProhibitedTerm[]) => {
    const url = externalUrl.trim();
    const s = await client.setModeration(sessionId, { terms: next, ...(url ? { externalUrl: url, ...(externalTimeoutMs ? { externalTimeoutMs } : {}) } : {}) });
    setTerms(s.terms);
    setExternalUrl(s.externalUrl ?? '');
  };
  const add = () =>
    listAction.run(async () => {
      const term = form.term.trim();
      if (!term) return;
      const entry: ProhibitedTerm = {
        term,
        action: form.action,
        ...(form.action === 'replace' && form.replacement?.trim() ? { replacement: form.replacement.trim() } : {}),
        ...(form.reason?.trim() ? { reason: form.reason.trim() } : {}),
      };
      // Newest first, so the operator sees what they just added; the same term is replaced.
      await save([entry, ...terms.filter((t) => t.term !== term)]);
      setForm({ ...form, term: '', replacement: '', reason: '' });
    });

  const shown = filter.trim() ? terms.filter((t) => `${t.term} ${t.reason ?? ''}`.toLowerCase().includes(filter.trim().toLowerCase())) : terms;

  return (
    <section class="card room-card" id="moderation">
      <h2>{tr('mdTitle')}</h2>
      <div class="row add-term">
        <input name="term" size={12} placeholder={tr('mdTerm')} value={form.term} onInput={(e) => setForm({ ...form, term: e.currentTarget.value })} onKeyDown={(e) => e.key === 'Enter' && void add()} />
        <select name="action" value={form.action} onChange={(e) => setForm({ ...form, action: e.currentTarget.value as ProhibitedTerm['action'] })}>
          <option value="block">{tr('md_block')}</option>
          <option value="replace">{tr('md_replace')}</option>
        </select>
        {form.action === 'replace' && <input name="replacement" size={8} placeholder={tr('mdReplacement')} value={form.replacement} onInput={(e) => setForm({ ...form, replacement: e.currentTarget.value })} />}
        <input name="reason" class="grow" placeholder={tr('mdReason')} value={form.reason} onInput={(e) => setForm({ ...form, reason: e.currentTarget.value })} />
        <button type="button" data-act="addTerm" disabled={listAction.busy} onClick={() => void add()}>
          + {tr('mdAdd')}
        </button>
      </div>
      {listAction.error && <p class="error">{listAction.error}</p>}
      <div class="row">
        <input name="filter" class="grow" placeholder={`${tr('mdFilter')} (${terms.length})`} value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
      </div>
      <div class="scroll terms">
        <table>
          <tbody>
            {shown.map((t) => (
              <tr key={t.term} data-term={t.term}>
                <td class="term">{t.term}</td>
                <td class="state">
                  <span class={`badge md-${t.action}`}>{tr(`md_${t.action}`)}</span>
                  {t.action === 'replace' && ` → “${t.replacement ?? ''}”`}
                </td>
                <td class="detail">{t.reason}</td>
                <td class="actions">
                  <button type="button" data-act="removeTerm" title={tr('remove')} onClick={() => listAction.run(() => save(terms.filter((x) => x.term !== t.term)))}>
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="row">
        <label class="grow-label">
          {tr('mdExternal')} <input name="externalUrl" class="grow" placeholder="https://…" value={externalUrl} onInput={(e) => setExternalUrl(e.currentTarget.value)} />
        </label>
        <button type="button" data-act="saveExternal" onClick={() => listAction.run(() => save(terms))}>
          {tr('rlSave')}
        </button>
      </div>
      <h3>{tr('mdCheck')}</h3>
      <div class="row">
        <input name="check" class="grow" placeholder={tr('mdCheckPlaceholder')} value={checkText} onInput={(e) => setCheckText(e.currentTarget.value)} />
        <button type="button" data-act="check" onClick={() => checkAction.run(async () => checkText.trim() && setVerdict(await client.checkModeration(sessionId, checkText)))}>
          {tr('mdCheckButton')}
        </button>
      </div>
      {checkAction.error && <p class="error">{checkAction.error}</p>}
      {verdict && (
        <p class="verdict" data-verdict={verdict.verdict}>
          <span class={`badge verdict-${verdict.verdict}`}>{tr(`vd_${verdict.verdict}`)}</span> <Hits hits={verdict.hits} />
          {verdict.verdict === 'replaced' && <span> → “{verdict.text}”</span>}
        </p>
      )}
      <h3>{tr('mdLog')}</h3>
      <ol class="modlog">
        {log.length === 0 && <li class="note">{tr('mdLogEmpty')}</li>}
        {log.map((e) => (
          <li key={e.n} data-verdict={e.verdict}>
            <span class="note">{time(e.at)}</span> <span class={`badge verdict-${e.verdict}`}>{tr(`vd_${e.verdict}`)}</span> <span class="note">[{e.source}]</span> <span class="text">{e.text}</span>
            {e.said && <span> → “{e.said}”</span>}
            <div>
              <Hits hits={e.hits} />
            </div>
          </li>
        ))}
      </ol>
    </section>
  );
}

function Hits({ hits }: { hits: ModerationVerdict['hits'] }) {
  return (
    <span class="hits">
      {hits.map((h, i) => (
        <span key={i} class="hit" data-term={h.term}>
          <b class="term">“{h.term}”</b>
          {h.reason && <span class="reason note"> {h.reason}</span>}
          {i < hits.length - 1 ? '; ' : ''}
        </span>
      ))}
    </span>
  );
}
