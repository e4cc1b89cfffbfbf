// Voice studio: the presenter's own voice, made the way voice-talent services make one. A consent
// record first and the person reading it aloud as the first take; then one prompt at a time, each
// take checked on the server (level, clipping, noise, does it say the sentence) with the reason
// shown; retakes; progress that survives closing the page; the dataset out; a trained model in.
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { OnAirClient } from '../../src/client.ts';
import type { CustomVoiceInfo, TakeInfo } from '../../src/types.ts';
import { t, type UiLang } from '../i18n.ts';
import { errorText } from '../room/context.ts';
import { TakeRecorder } from './recorder.ts';

interface StudioProps {
  client: OnAirClient;
  lang: UiLang;
  log: (text: string) => void;
}

const STATEMENT = {
  en: (name: string) => `I, ${name || '[name]'}, am aware that recordings of my voice will be used to create and use a synthetic version of my voice for live shopping broadcasts.`,
  zh: (name: string) => `我，${name || '[姓名]'}，知悉并同意我的录音将被用于制作和使用我的合成声音，用于直播带货节目。`,
};

function Studio({ client, lang, log }: StudioProps) {
  const tr = (k: string) => t(k, lang);
  const [voices, setVoices] = useState<CustomVoiceInfo[]>([]);
  const [active, setActive] = useState<CustomVoiceInfo | undefined>();
  const [index, setIndex] = useState(0);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  const [recording, setRecording] = useState(false);
  const [last, setLast] = useState<TakeInfo | undefined>();
  const [download, setDownload] = useState<{ url: string; bytes: number } | undefined>();
  const recorder = useRef(new TakeRecorder());
  // New-voice form.
  const [name, setName] = useState('');
  const [voiceLang, setVoiceLang] = useState<'en' | 'zh'>(lang === 'zh' ? 'zh' : 'en');
  const [person, setPerson] = useState('');
  const [statement, setStatement] = useState('');
  const [uploadedBy, setUploadedBy] = useState('');
  const [agreed, setAgreed] = useState(false);
  const modelFile = useRef<HTMLInputElement>(null);
  const configFile = useRef<HTMLInputElement>(null);

  const run = async (fn: () => Promise<unknown>) => {
    setBusy(true);
    setError('');
    try {
      await fn();
    } catch (err) {
      setError(errorText(err));
      log(`⚠ ${errorText(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const open = async (id: string) => {
    const v = await client.getCustomVoice(id);
    setActive(v);
    setIndex(v.progress.next ?? 0);
    setLast(undefined);
    setDownload(undefined);
  };
  useEffect(() => {
    void run(async () => setVoices(await client.listCustomVoices()));
  }, [client]);

  const create = () =>
    run(async () => {
      // Without the box ticked no consent is sent, and the server refuses the voice (400).
      const consent = agreed ? { personName: person, statement: statement || STATEMENT[voiceLang](person), uploadedBy } : (undefined as never);
      const v = await client.createVoice(name || person, voiceLang, consent);
      log(`voice "${v.name}" created`);
      setVoices(await client.listCustomVoices());
      await open(v.id);
    });

  const prompt = active?.prompts?.[index];
  const record = () =>
    run(async () => {
      await recorder.current.start();
      setRecording(true);
    });
  const stop = () =>
    run(async () => {
      setRecording(false);
      const { wav } = await recorder.current.stop();
      const res = await client.uploadTake(active!.id, index, wav);
      setLast(res.take);
      const fresh = await client.getCustomVoice(active!.id);
      setActive(fresh);
      // A passing take moves on to the next prompt still to record; a failed one stays for a retake.
      if (res.take.ok && fresh.progress.next !== null) setIndex(fresh.progress.next);
    });
  const exportDataset = () =>
    run(async () => {
      const zip = await client.exportVoiceDataset(active!.id);
      if (download) URL.revokeObjectURL(download.url);
      setDownload({ url: URL.createObjectURL(zip), bytes: zip.size });
    });
  const importModel = () =>
    run(async () => {
      const model = modelFile.current?.files?.[0];
      const config = configFile.current?.files?.[0];
      if (!model || !config) throw new Error(tr('stNeedModelFiles'));
      setActive({ ...(await client.importVoiceModel(active!.id, model, config)), prompts: active!.prompts });
      log(`voice "${active!.name}": model imported`);
    });
  const remove = () =>
    run(async () => {
      if (!confirm(tr('stDeleteConfirm'))) return;
      await client.deleteVoice(active!.id);
      setActive(undefined);
      setVoices(await client.listCustomVoices());
    });

  return (
    <section class="card" id="voiceStudio">
      <h2>{tr('stTitle')}</h2>
      <p class="note">{tr('stHint')}</p>
      <div class="row">
        <select name="customVoice" value={active?.id ?? ''} onChange={(e) => (e.currentTarget.value ? void run(() => open(e.currentTarget.value)) : setActive(undefined))}>
          <option value="">{tr('stNewVoice')}</option>
          {voices.map((v) => (
            <option value={v.id} key={v.id}>
              {v.name} ({v.lang}) {v.progress.done}/{v.progress.total}
              {v.model ? ' ✓' : ''}
            </option>
          ))}
        </select>
      </div>
      {!active && (
        <fieldset data-role="new-voice">
          <legend>{tr('consent')}</legend>
          <label>
            {tr('stVoiceName')} <input name="voiceName" value={name} onInput={(e) => setName(e.currentTarget.value)} />
          </label>
          <label>
            {tr('language')}{' '}
            <select name="voiceLang" value={voiceLang} onChange={(e) => setVoiceLang(e.currentTarget.value as 'en' | 'zh')}>
              <option value="en">English</option>
              <option value="zh">中文</option>
            </select>
          </label>
          <label>
            {tr('personName')} <input name="person" value={person} onInput={(e) => setPerson(e.currentTarget.value)} />
          </label>
          <label>
            {tr('consentStatement')} <textarea name="statement" rows={3} placeholder={STATEMENT[voiceLang](person)} value={statement} onInput={(e) => setStatement(e.currentTarget.value)} />
          </label>
          <label>
            {tr('uploadedBy')} <input name="uploadedBy" value={uploadedBy} onInput={(e) => setUploadedBy(e.currentTarget.value)} />
          </label>
          <label>
            <input type="checkbox" name="agreed" checked={agreed} onChange={(e) => setAgreed(e.currentTarget.checked)} /> {tr('consentAgreed')}
          </label>
          <button type="button" data-act="create" disabled={busy} onClick={create}>
            {tr('stCreate')}
          </button>
        </fieldset>
      )}
      {active && (
        <div data-role="voice" data-voice={active.id}>
          <div class="row">
            <progress max={active.progress.total} value={active.progress.done} />
            <span class="mono" data-role="progress">
              {active.progress.done}/{active.progress.total}
            </span>
            {active.model && <span class="badge">{tr('stModelReady')}</span>}
          </div>
          {prompt && (
            <div data-role="prompt" data-index={index}>
              <p class="note">{index === 0 ? tr('stReadConsent') : `${tr('stReadPrompt')} ${index}/${active.progress.total - 1}`}</p>
              <p class="prompt">{prompt.text}</p>
              {prompt.take && <p class="note">{prompt.take.ok ? `✓ ${tr('stTakeOk')}` : `✗ ${tr('stTakeRetake')}`}</p>}
            </div>
          )}
          <div class="row">
            <button type="button" data-act="prev" disabled={busy || recording || index === 0} onClick={() => setIndex(index - 1)}>
              ←
            </button>
            {recording ? (
              <button type="button" class="danger" data-act="stop" onClick={stop}>
                {tr('stStop')}
              </button>
            ) : (
              <button type="button" data-act="record" disabled={busy || !prompt} onClick={record}>
                {tr('stRecord')}
              </button>
            )}
            <button type="button" data-act="next" disabled={busy || recording || index >= active.progress.total - 1} onClick={() => setIndex(index + 1)}>
              →
            </button>
          </div>
          {last && (
            <ul class="checks" data-role="checks" data-take={last.index} data-ok={String(last.ok)}>
              {last.checks.map((c) => (
                <li class={c.ok ? 'ok' : 'bad'} data-check={c.name} key={c.name}>
                  {c.ok ? '✓' : '✗'} {tr(`stCheck_${c.name}`)}
                  {c.reason ? `: ${c.reason}` : ''}
                </li>
              ))}
            </ul>
          )}
          <div class="row">
            <button type="button" data-act="export" disabled={busy} onClick={exportDataset}>
              {tr('stExport')}
            </button>
            {download && (
              <a href={download.url} download={`voice-${active.id}.zip`} data-role="download">
                {tr('stDownload')} ({Math.round(download.bytes / 1024)} KiB)
              </a>
            )}
          </div>
          <div class="row">
            <label class="file">
              {tr('stModelFile')} <input type="file" name="model" accept=".onnx" ref={modelFile} />
            </label>
            <label class="file">
              {tr('stConfigFile')} <input type="file" name="config" accept=".json" ref={configFile} />
            </label>
            <button type="button" data-act="import" disabled={busy} onClick={importModel}>
              {tr('stImport')}
            </button>
            <button type="button" class="danger" data-act="delete" disabled={busy} onClick={remove}>
              {tr('stDelete')}
            </button>
          </div>
        </div>
      )}
      {error && <p class="error">{error}</p>}
    </section>
  );
}

/** Renders the voice studio into `container` (the panel calls it once signed in, and on a language change). */
export function renderStudio(container: HTMLElement, props: StudioProps | undefined): void {
  render(props ? <Studio {...props} /> : null, container);
}
