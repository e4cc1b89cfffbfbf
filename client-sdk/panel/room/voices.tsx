// Voice card: every voice the presenter can speak with (eSpeak, local neural, speech servers, the
// presenter's own), a preview for the operator's ears, the session's voice, and a plain warning
// whenever what viewers hear is the robotic fallback — chosen, or stood in for a failing server.
import { useState } from 'preact/hooks';
import type { SessionVoice, VoiceInfo } from '../../src/types.ts';
import { useAction, useEvent, useLoad, useRoom, useT } from './context.ts';

const SAMPLE = { en: 'Welcome to our live room! Today this mug is only nineteen dollars.', zh: '欢迎来到直播间！这款杯子今天只要十九块九。' };

export function VoiceCard() {
  const { client, sessionId, lang } = useRoom();
  const tr = useT();
  const { run, error, busy } = useAction();
  const [voices, setVoices] = useState<VoiceInfo[]>([]);
  const [state, setState] = useState<SessionVoice>({ voice: null, robotic: true });
  const [choice, setChoice] = useState('');
  const [fallback, setFallback] = useState<string | undefined>();
  const [preview, setPreview] = useState<{ url: string; warning?: string } | undefined>();

  useLoad(() =>
    run(async () => {
      const [list, current] = await Promise.all([client.listVoices(), client.getSessionVoice(sessionId)]);
      setVoices(list);
      setState(current);
      setChoice(current.voice ?? 'en-us');
    }),
  );
  // A speech server failed: the fallback voice is on air for that sentence.
  useEvent('speech.warning', (d) => setFallback(d.message));

  const selected = voices.find((v) => v.voice === choice);
  const apply = () =>
    run(async () => {
      const espeak = selected?.engine === 'espeak-ng';
      setState(await client.setSessionVoice(sessionId, espeak ? null : choice));
      setFallback(undefined);
    });
  const listen = () =>
    run(async () => {
      const text = selected && !selected.langs.includes(lang === 'zh' ? 'zh' : 'en') ? SAMPLE[selected.langs[0] ?? 'en'] : SAMPLE[lang === 'zh' ? 'zh' : 'en'];
      const { audio, warning } = await client.previewVoice(choice, text);
      if (preview) URL.revokeObjectURL(preview.url);
      setPreview({ url: URL.createObjectURL(audio), ...(warning ? { warning } : {}) });
    });

  return (
    <section class="card room-card" id="voices">
      <h2>{tr('vcTitle')}</h2>
      {state.robotic || fallback ? (
        <p class="warn" data-role="robotic">
          {fallback ? `${tr('vcFallbackNow')} (${fallback})` : tr('vcRobotic')}
        </p>
      ) : (
        <p class="note" data-role="current">
          {tr('vcCurrent')}: <b>{voices.find((v) => v.voice === state.voice)?.label ?? state.voice}</b>
        </p>
      )}
      <div class="row">
        <select name="voice" value={choice} onChange={(e) => setChoice(e.currentTarget.value)}>
          {voices.map((v) => (
            <option value={v.voice} disabled={!v.ok} key={v.voice}>
              {v.label} · {v.engine} · {v.langs.join('/')}
              {v.ok ? '' : ` · ${tr('vcUnavailable')}`}
            </option>
          ))}
        </select>
        <button type="button" data-act="preview" disabled={busy || !choice} onClick={listen}>
          {tr('vcPreview')}
        </button>
        <button type="button" data-act="use" disabled={busy || !choice || !selected?.ok} onClick={apply}>
          {tr('vcUse')}
        </button>
      </div>
      {selected && (
        <p class="note" data-role="details">
          {selected.lipSync === 'audio' ? tr('vcLipAudio') : tr('vcLipPhonemes')}
          {selected.licence ? ` · ${selected.licence}` : ''}
          {selected.error ? ` · ⚠ ${selected.error}` : ''}
        </p>
      )}
      {preview && (
        <div class="row">
          <audio controls autoplay src={preview.url} data-role="preview" />
          {preview.warning && <span class="warn">{preview.warning}</span>}
        </div>
      )}
      {error && <p class="error">{error}</p>}
    </section>
  );
}
