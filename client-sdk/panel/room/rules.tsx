// Rules editor: keyword reply rules (keywords with `|` alternatives, match any/all, event kinds,
// priority, up to 5 replies in rotation, cooldowns, insert mode), the reply pacing settings, and
// the OpenAI-compatible LLM that answers what no rule matched.
import { useState } from 'preact/hooks';
import type { AudienceEventKind, InsertMode, ReplyRule, ReplySettings } from '../../src/live-room-types.ts';
import type { LlmView } from '../../src/client.ts';
import { freeId, newKey, optNumber, useAction, useLoad, useRoom, useT } from './context.ts';

const KINDS: AudienceEventKind[] = ['comment', 'gift', 'like', 'follow', 'enter'];
const MAX_REPLIES = 5;

interface RuleDraft {
  key: number;
  id: string;
  enabled: boolean;
  /** Keyword groups separated by commas; `|` separates alternatives inside a group. */
  keywords: string;
  match: 'any' | 'all';
  events: AudienceEventKind[];
  priority: string;
  replies: { key: number; text: string }[];
  cooldownSec: string;
  perUserCooldownSec: string;
  mode: InsertMode;
  regex: string;
  overlay: string;
  overlaySeconds?: number;
}

function fromRule(r: ReplyRule, used: string[]): RuleDraft {
  return {
    key: newKey(),
    id: r.id ?? freeId('r', used),
    enabled: r.enabled !== false,
    keywords: (r.keywords ?? []).join(', '),
    match: r.match ?? 'any',
    events: r.events ?? ['comment'],
    priority: r.priority !== undefined ? String(r.priority) : '',
    replies: r.replies.map((text) => ({ key: newKey(), text })),
    cooldownSec: r.cooldownSec !== undefined ? String(r.cooldownSec) : '',
    perUserCooldownSec: r.perUserCooldownSec !== undefined ? String(r.perUserCooldownSec) : '',
    mode: r.mode ?? 'next',
    regex: r.regex ?? '',
    overlay: r.overlay?.text ?? '',
    overlaySeconds: r.overlay?.seconds,
  };
}

function toRule(d: RuleDraft): ReplyRule {
  const keywords = d.keywords.split(/[,，\n]/).map((k) => k.trim()).filter(Boolean);
  const priority = optNumber(d.priority);
  const cooldownSec = optNumber(d.cooldownSec);
  const perUserCooldownSec = optNumber(d.perUserCooldownSec);
  return {
    id: d.id,
    ...(d.enabled ? {} : { enabled: false }),
    events: d.events,
    ...(keywords.length ? { keywords } : {}),
    match: d.match,
    ...(d.regex.trim() ? { regex: d.regex.trim() } : {}),
    ...(priority !== undefined ? { priority: Math.round(priority) } : {}),
    replies: d.replies.map((r) => r.text.trim()).filter(Boolean),
    ...(cooldownSec !== undefined ? { cooldownSec } : {}),
    ...(perUserCooldownSec !== undefined ? { perUserCooldownSec } : {}),
    mode: d.mode,
    ...(d.overlay.trim() ? { overlay: { text: d.overlay.trim(), ...(d.overlaySeconds !== undefined ? { seconds: d.overlaySeconds } : {}) } } : {}),
  };
}

function emptyRule(used: string[]): RuleDraft {
  return fromRule({ replies: [''], keywords: [] }, used);
}

export function RulesEditor() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const rulesAction = useAction();
  const settingsAction = useAction();
  const llmAction = useAction();
  const [rules, setRules] = useState<RuleDraft[]>([]);
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState('');
  const [settings, setSettings] = useState<ReplySettings | undefined>();
  const [llm, setLlm] = useState<LlmView | null>(null);
  const [llmForm, setLlmForm] = useState({ baseUrl: '', apiKey: '', model: '', fillerAfterMs: '' });

  const showLlm = (view: LlmView | null) => {
    setLlm(view);
    setLlmForm({ baseUrl: view?.baseUrl ?? '', apiKey: '', model: view?.model ?? '', fillerAfterMs: view?.fillerAfterMs !== undefined ? String(view.fillerAfterMs) : '' });
  };
  const showRules = (list: ReplyRule[]) => {
    const used: string[] = [];
    setRules(list.map((r) => {
      const d = fromRule(r, used);
      used.push(d.id);
      return d;
    }));
    setDirty(false);
  };

  useLoad(async () => {
    await rulesAction.run(async () => {
      const [list, replies] = await Promise.all([client.getRules(sessionId), client.getReplySettings(sessionId)]);
      if (!dirty) showRules(list);
      setSettings(replies.settings);
      showLlm(replies.llm);
    });
  });

  const edit = (i: number, patch: Partial<RuleDraft>) => {
    setRules((list) => list.map((r, k) => (k === i ? { ...r, ...patch } : r)));
    setDirty(true);
    setSaved('');
  };
  const editReply = (i: number, k: number, text: string) => edit(i, { replies: rules[i]!.replies.map((r, m) => (m === k ? { ...r, text } : r)) });

  return (
    <section class="card room-card" id="rules">
      <h2>{tr('rlTitle')}</h2>
      <p class="note">{tr('rlHint')}</p>
      <ol class="rules">
        {rules.length === 0 && <li class="note">{tr('rlEmpty')}</li>}
        {rules.map((r, i) => (
          <li key={r.key} class={`rule${r.enabled ? '' : ' disabled'}`} data-id={r.id}>
            <div class="row">
              <label title={tr('rlEnabled')}>
                <input name="enabled" type="checkbox" checked={r.enabled} onChange={(e) => edit(i, { enabled: e.currentTarget.checked })} /> <span class="mono">{r.id}</span>
              </label>
              <input name="keywords" class="grow" placeholder={tr('rlKeywords')} value={r.keywords} onInput={(e) => edit(i, { keywords: e.currentTarget.value })} />
              <select name="match" title={tr('rlMatch')} value={r.match} onChange={(e) => edit(i, { match: e.currentTarget.value as RuleDraft['match'] })}>
                <option value="any">{tr('rlAny')}</option>
                <option value="all">{tr('rlAll')}</option>
              </select>
              <button type="button" data-act="removeRule" title={tr('remove')} onClick={() => (setRules((list) => list.filter((_, k) => k !== i)), setDirty(true))}>
                ✕
              </button>
            </div>
            <div class="row">
              {KINDS.map((kind) => (
                <label key={kind}>
                  <input
                    name={`event-${kind}`}
                    type="checkbox"
                    checked={r.events.includes(kind)}
                    onChange={(e) => edit(i, { events: e.currentTarget.checked ? KINDS.filter((k) => k === kind || r.events.includes(k)) : r.events.filter((k) => k !== kind) })}
                  />{' '}
                  {tr(`kind_${kind}`)}
                </label>
              ))}
            </div>
            <div class="replies">
              {r.replies.map((reply, k) => (
                <div class="row" key={reply.key}>
                  <input name="reply" class="grow" placeholder={tr('rlReply')} value={reply.text} onInput={(e) => editReply(i, k, e.currentTarget.value)} />
                  <button type="button" data-act="removeReply" disabled={r.replies.length < 2} onClick={() => edit(i, { replies: r.replies.filter((_, m) => m !== k) })}>
                    ✕
                  </button>
                </div>
              ))}
              <button type="button" data-act="addReply" disabled={r.replies.length >= MAX_REPLIES} onClick={() => edit(i, { replies: [...r.replies, { key: newKey(), text: '' }] })}>
                + {tr('rlAddReply')}
              </button>
            </div>
            <div class="row small">
              <label>
                {tr('rlPriority')} <input name="priority" type="number" size={4} value={r.priority} onInput={(e) => edit(i, { priority: e.currentTarget.value })} />
              </label>
              <label>
                {tr('rlCooldown')} <input name="cooldownSec" type="number" min="0" size={4} value={r.cooldownSec} onInput={(e) => edit(i, { cooldownSec: e.currentTarget.value })} />
              </label>
              <label>
                {tr('rlUserCooldown')} <input name="perUserCooldownSec" type="number" min="0" size={4} value={r.perUserCooldownSec} onInput={(e) => edit(i, { perUserCooldownSec: e.currentTarget.value })} />
              </label>
              <label>
                {tr('rlMode')}{' '}
                <select name="mode" value={r.mode} onChange={(e) => edit(i, { mode: e.currentTarget.value as InsertMode })}>
                  <option value="append">{tr('ins_append')}</option>
                  <option value="next">{tr('ins_next')}</option>
                  <option value="now">{tr('ins_now')}</option>
                </select>
              </label>
              <input name="regex" placeholder={tr('rlRegex')} size={10} value={r.regex} onInput={(e) => edit(i, { regex: e.currentTarget.value })} />
              <input name="overlay" placeholder={tr('rlOverlay')} size={12} value={r.overlay} onInput={(e) => edit(i, { overlay: e.currentTarget.value })} />
            </div>
          </li>
        ))}
      </ol>
      <div class="row">
        <button type="button" data-act="addRule" onClick={() => (setRules((list) => [...list, emptyRule(list.map((x) => x.id))]), setDirty(true))}>
          + {tr('rlAddRule')}
        </button>
        <button
          type="button"
          data-act="saveRules"
          disabled={rulesAction.busy}
          onClick={() =>
            rulesAction.run(async () => {
              showRules(await client.setRules(sessionId, rules.map(toRule)));
              setSaved(tr('rlSaved'));
            })
          }
        >
          {tr('rlSave')}
          {dirty ? ' •' : ''}
        </button>
        <span class="saved note">{saved}</span>
      </div>
      {rulesAction.error && <p class="error">{rulesAction.error}</p>}

      <h3>{tr('rsTitle')}</h3>
      {settings && (
        <div class="row reply-settings">
          <label>
            {tr('rsInterval')} <input name="minIntervalSec" type="number" min="0" max="3600" size={4} value={settings.minIntervalSec} onInput={(e) => setSettings({ ...settings, minIntervalSec: Number(e.currentTarget.value) })} />
          </label>
          <label>
            {tr('rsQueue')} <input name="maxQueue" type="number" min="1" max="100" size={4} value={settings.maxQueue} onInput={(e) => setSettings({ ...settings, maxQueue: Number(e.currentTarget.value) })} />
          </label>
          <label>
            <input name="requireOperator" type="checkbox" checked={settings.requireOperator} onChange={(e) => setSettings({ ...settings, requireOperator: e.currentTarget.checked })} /> {tr('rsRequireOperator')}
          </label>
          <label>
            <input name="llmFallback" type="checkbox" checked={settings.llmFallback} onChange={(e) => setSettings({ ...settings, llmFallback: e.currentTarget.checked })} /> {tr('rsLlmFallback')}
          </label>
          <button type="button" data-act="saveSettings" disabled={settingsAction.busy} onClick={() => settingsAction.run(async () => setSettings(await client.setReplySettings(sessionId, settings)))}>
            {tr('rlSave')}
          </button>
        </div>
      )}
      {settingsAction.error && <p class="error">{settingsAction.error}</p>}

      <h3>{tr('llmTitle')}</h3>
      <p class="note llm-current">{llm ? `${llm.model} @ ${llm.baseUrl}${llm.apiKey ? ` · ${tr('llmKeySet')}` : ''}` : tr('llmNone')}</p>
      <div class="row llm-form">
        <input name="baseUrl" class="grow" placeholder="https://api.openai.com/v1" value={llmForm.baseUrl} onInput={(e) => setLlmForm({ ...llmForm, baseUrl: e.currentTarget.value })} />
        <input name="model" size={14} placeholder={tr('llmModel')} value={llmForm.model} onInput={(e) => setLlmForm({ ...llmForm, model: e.currentTarget.value })} />
        <input name="apiKey" type="password" autocomplete="off" size={14} placeholder={llm?.apiKey ? tr('llmKeyRetype') : tr('llmKey')} value={llmForm.apiKey} onInput={(e) => setLlmForm({ ...llmForm, apiKey: e.currentTarget.value })} />
        <label>
          {tr('llmFillerAfter')} <input name="fillerAfterMs" type="number" min="0" max="30000" size={6} value={llmForm.fillerAfterMs} onInput={(e) => setLlmForm({ ...llmForm, fillerAfterMs: e.currentTarget.value })} />
        </label>
        <button
          type="button"
          data-act="saveLlm"
          disabled={llmAction.busy}
          onClick={() =>
            llmAction.run(async () => {
              // PUT /llm replaces the whole config and the server never sends the key back.
              if (llm?.apiKey && !llmForm.apiKey) throw new Error(tr('llmKeyRetype'));
              const filler = optNumber(llmForm.fillerAfterMs);
              // Fields the form doesn't show (instructions, fillers, limits) are kept.
              const { apiKey: _, ...kept } = llm ?? {};
              showLlm(
                await client.setLlm(sessionId, {
                  ...kept,
                  baseUrl: llmForm.baseUrl.trim(),
                  model: llmForm.model.trim(),
                  ...(llmForm.apiKey ? { apiKey: llmForm.apiKey } : {}),
                  ...(filler !== undefined ? { fillerAfterMs: Math.round(filler) } : { fillerAfterMs: undefined }),
                }),
              );
            })
          }
        >
          {tr('rlSave')}
        </button>
        <button type="button" data-act="clearLlm" disabled={!llm || llmAction.busy} onClick={() => llmAction.run(async () => (await client.clearLlm(sessionId), showLlm(null)))}>
          {tr('llmClear')}
        </button>
      </div>
      {llmAction.error && <p class="error">{llmAction.error}</p>}
    </section>
  );
}
