// Connectors: where audience events come from. The signed webhook (its URL and secret, with
// rotate) and platform live chats — YouTube (live chat id or video id + API key) and Bilibili open
// platform (identity code + app credentials) — with their state and last error as they change.
import { useState } from 'preact/hooks';
import type { ConnectorConfig, ConnectorStatus } from '../../src/live-room-types.ts';
import { useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

type Kind = ConnectorConfig['kind'];
const EMPTY = { liveChatId: '', videoId: '', apiKey: '', code: '', appId: '', accessKeyId: '', accessKeySecret: '' };

function toConfig(kind: Kind, f: typeof EMPTY): ConnectorConfig {
  const v = (s: string) => s.trim() || undefined;
  if (kind === 'youtube') return { kind, ...(v(f.liveChatId) ? { liveChatId: v(f.liveChatId) } : {}), ...(v(f.videoId) ? { videoId: v(f.videoId) } : {}), ...(v(f.apiKey) ? { apiKey: v(f.apiKey) } : {}) };
  return { kind, code: f.code.trim(), appId: Number(f.appId), accessKeyId: f.accessKeyId.trim(), accessKeySecret: f.accessKeySecret.trim() };
}

export function ConnectorsCard() {
  const { client, sessionId } = useRoom();
  const tr = useT();
  const { run, error, busy } = useAction();
  const [webhook, setWebhook] = useState<{ path: string; secret: string; signature: string } | undefined>();
  const [reveal, setReveal] = useState(false);
  const [list, setList] = useState<ConnectorStatus[]>([]);
  const [kind, setKind] = useState<Kind>('youtube');
  const [form, setForm] = useState(EMPTY);

  useLoad(() =>
    run(async () => {
      const [info, connectors] = await Promise.all([client.webhookInfo(sessionId), client.listConnectors(sessionId)]);
      setWebhook(info);
      setList(connectors);
    }),
  );
  useEvent('connector.status', (s) =>
    setList((l) => (l.some((c) => c.id === s.id) ? l.map((c) => (c.id === s.id ? s : c)) : s.state === 'stopped' ? l : [...l, s])),
  );

  const field = (name: keyof typeof EMPTY, label: string, type = 'text') => (
    <input name={name} type={type} autocomplete="off" size={14} placeholder={label} value={form[name]} onInput={(e) => setForm({ ...form, [name]: e.currentTarget.value })} />
  );

  return (
    <section class="card room-card" id="connectors">
      <h2>{tr('cnTitle')}</h2>
      <h3>{tr('cnWebhook')}</h3>
      {webhook && (
        <div class="webhook">
          <div class="row">
            <span class="mono url">POST {client.baseUrl + webhook.path}</span>
          </div>
          <div class="row">
            {tr('cnSecret')}: <span class="mono secret">{reveal ? webhook.secret : '••••••••••••'}</span>
            <button type="button" data-act="reveal" onClick={() => setReveal(!reveal)}>
              {reveal ? tr('cnHide') : tr('cnShow')}
            </button>
            <button type="button" data-act="rotate" onClick={() => confirm(tr('cnRotateConfirm')) && run(async () => setWebhook({ ...webhook, secret: (await client.rotateWebhookSecret(sessionId)).secret }))}>
              {tr('cnRotate')}
            </button>
          </div>
          <p class="note mono">{webhook.signature}</p>
        </div>
      )}
      <h3>{tr('cnPlatforms')}</h3>
      <div class="row">
        <select name="kind" value={kind} onChange={(e) => setKind(e.currentTarget.value as Kind)}>
          <option value="youtube">YouTube</option>
          <option value="bilibili">Bilibili</option>
        </select>
        {kind === 'youtube' ? (
          <>
            {field('liveChatId', 'liveChatId')}
            {field('videoId', tr('cnVideoId'))}
            {field('apiKey', tr('cnApiKey'), 'password')}
          </>
        ) : (
          <>
            {field('code', tr('cnCode'))}
            {field('appId', 'appId', 'number')}
            {field('accessKeyId', 'accessKeyId')}
            {field('accessKeySecret', 'accessKeySecret', 'password')}
          </>
        )}
        <button
          type="button"
          data-act="addConnector"
          disabled={busy}
          onClick={() =>
            run(async () => {
              const status = await client.addConnector(sessionId, toConfig(kind, form));
              setList((l) => [...l.filter((c) => c.id !== status.id), status]);
              setForm(EMPTY);
            })
          }
        >
          + {tr('cnAdd')}
        </button>
      </div>
      <p class="note">{kind === 'youtube' ? tr('cnYoutubeHint') : tr('cnBilibiliHint')}</p>
      {error && <p class="error">{error}</p>}
      <table class="connectors">
        <tbody>
          {list.length === 0 && (
            <tr>
              <td class="note">{tr('cnNone')}</td>
            </tr>
          )}
          {list.map((c) => (
            <tr key={c.id} data-id={c.id} data-state={c.state}>
              <td>{c.kind}</td>
              <td class="state">
                <span class={`badge cn-${c.state}`}>{tr(`cn_${c.state}`)}</span>
              </td>
              <td class="detail">
                {tr('cnReceived')} {c.received}
                {Object.entries(c.config)
                  .filter(([k]) => k !== 'kind')
                  .map(([k, v]) => ` · ${k}: ${String(v)}`)
                  .join('')}
                {c.lastError && <div class="error">{c.lastError}</div>}
              </td>
              <td class="actions">
                <button type="button" data-act="removeConnector" title={tr('remove')} onClick={() => run(async () => (await client.removeConnector(sessionId, c.id), setList((l) => l.filter((x) => x.id !== c.id))))}>
                  ✕
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
