// The operator panel: drives one session through the SDK. The API key lives in sessionStorage only.
import { OnAirClient } from '../src/client.ts';
import { OnAirError } from '../src/errors.ts';
import type { OutputInfo, SessionInfo, Shot } from '../src/types.ts';
import { Viewer } from '../src/viewer.ts';
import { Publisher } from '../src/publisher.ts';
import { applyLanguage, t, type UiLang } from './i18n.ts';
import { AvatarPanel } from './avatars.ts';
import { OperatorEvents } from './room/operator-events.ts';
import { renderRoom } from './room/room.tsx';
import { renderStudio } from './studio/studio.tsx';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const KEY_STORAGE = 'onair.apiKey';

let lang: UiLang = (localStorage.getItem('onair.uiLang') as UiLang) || (navigator.language.startsWith('zh') ? 'zh' : 'en');
let client: OnAirClient | undefined;
let session: SessionInfo | undefined;
/** The session's events with operator credentials (the control room's audience, moderation… events too). */
let events: OperatorEvents | undefined;
let viewer: Viewer | undefined;
let poll: ReturnType<typeof setInterval> | undefined;
let publisher: Publisher | undefined;
let micTrack: MediaStreamTrack | undefined;
const bitrateHistory = new Map<string, number[]>();
const overlays: { id: string; label: string }[] = [];
const avatars = new AvatarPanel({ client: () => client, lang: () => lang, log });

function log(text: string): void {
  const li = document.createElement('li');
  li.textContent = `${new Date().toLocaleTimeString()}  ${text}`;
  $('log').prepend(li);
  while ($('log').childElementCount > 300) $('log').lastElementChild!.remove();
}

function fail(err: unknown): void {
  const message = err instanceof OnAirError ? `${err.status || ''} ${err.message}` : String(err);
  log(`⚠ ${message}`);
}

function setLang(next: UiLang): void {
  lang = next;
  localStorage.setItem('onair.uiLang', lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  $('lang').textContent = lang === 'zh' ? 'English' : '中文';
  applyLanguage(document, lang);
  avatars.relabel();
  showRoom();
}

/** The control room's Preact cards (client-sdk/panel/room/) for the open session, in the UI language. */
function showRoom(): void {
  renderRoom($('room'), client && session && events ? { client, sessionId: session.id, events, lang, log } : undefined, lang);
  // The voice studio is not tied to a session: a person records their voice whenever they can.
  renderStudio($('studioRoot'), client ? { client, lang, log } : undefined);
}

async function connect(apiKey: string): Promise<void> {
  const candidate = new OnAirClient({ baseUrl: location.origin, apiKey });
  try {
    await candidate.request('GET', '/v1/sessions/__probe__');
  } catch (err) {
    // 404 means the key was accepted (there is no such session); 401 means it wasn't.
    if (!(err instanceof OnAirError && err.status === 404)) {
      $('loginError').textContent = err instanceof OnAirError ? err.message : String(err);
      sessionStorage.removeItem(KEY_STORAGE);
      return;
    }
  }
  sessionStorage.setItem(KEY_STORAGE, apiKey);
  client = candidate;
  $('login').hidden = true;
  $('app').hidden = false;
  $('conn').textContent = 'connected';
  avatars.refresh().then(showShots).catch(fail);
  showRoom();
  const last = sessionStorage.getItem('onair.session');
  if (last) openSession(last).catch(fail);
}

/** The shot switcher: shown for a 3D presenter, with the current framing pressed. */
function showShots(): void {
  const bar = $('shotBar');
  bar.hidden = !session || !avatars.is3d(session.avatar);
  for (const b of bar.querySelectorAll<HTMLButtonElement>('[data-shot]')) b.setAttribute('aria-pressed', String(b.dataset.shot === (session?.shot ?? 'half')));
}

async function openSession(id: string): Promise<void> {
  if (!client) return;
  const info = await client.getSession(id);
  closeSession();
  session = info;
  sessionStorage.setItem('onair.session', id);
  $('sessionId').textContent = id;
  avatars.showSessionAvatar(info.avatar);
  showShots();
  const watchUrl = `${location.origin}/watch/${id}?token=${encodeURIComponent(info.viewerToken)}`;
  $<HTMLAnchorElement>('watchLink').href = watchUrl;
  $<HTMLTextAreaElement>('embed').value = `<iframe src="${watchUrl}" width="640" height="360" allow="autoplay; fullscreen" style="border:0"></iframe>`;
  events = await OperatorEvents.open(client, id);
  events.onState((s) => ($('conn').textContent = s));
  for (const name of ['voice.started', 'voice.ended'] as const) events.on(name, () => log(name));
  for (const name of ['speech.started', 'speech.ended', 'speech.interrupted'] as const) {
    events.on(name, (d) => {
      log(`${name} ${d.utteranceId}`);
      if (name !== 'speech.started') onUtteranceDone(d.utteranceId);
    });
  }
  events.on('session.closed', () => log('session.closed'));
  showRoom();
  viewer = await Viewer.join({ baseUrl: location.origin, sessionId: id, token: info.viewerToken });
  const video = $<HTMLVideoElement>('preview');
  video.srcObject = viewer.stream;
  await video.play().catch(() => {});
  log(`session ${id} open`);
  poll = setInterval(() => refresh().catch(() => {}), 2000);
  await refresh();
}

function closeSession(): void {
  clearInterval(poll);
  publisher?.close();
  micTrack?.stop();
  publisher = undefined;
  micTrack = undefined;
  events?.close();
  viewer?.close();
  events = undefined;
  viewer = undefined;
  stopScript();
  showRoom();
}

async function refresh(): Promise<void> {
  if (!client || !session) return;
  const info = await client.getSession(session.id);
  $('viewers').textContent = String(info.viewers ?? 0);
  renderOutputs(info.outputs);
}

function renderOutputs(outputs: OutputInfo[]): void {
  const body = $('outputs').querySelector('tbody')!;
  body.replaceChildren(
    ...outputs.map((o) => {
      const row = document.createElement('tr');
      row.dataset.outputId = o.id;
      const history = bitrateHistory.get(o.id) ?? [];
      history.push(o.bitrateKbps ?? 0);
      bitrateHistory.set(o.id, history.slice(-60));
      for (const text of [o.url, o.state ?? '', `${Math.round(o.bitrateKbps ?? 0)} kbit/s`]) {
        const td = document.createElement('td');
        td.textContent = text;
        td.className = text === o.state ? 'state' : '';
        row.append(td);
      }
      const td = document.createElement('td');
      const btn = document.createElement('button');
      btn.textContent = t('remove', lang);
      btn.onclick = () => client!.removeOutput(session!.id, o.id).then(() => (log(`output removed ${o.url}`), refresh()), fail);
      td.append(btn);
      row.append(td);
      return row;
    }),
  );
  drawBitrate();
}

function drawBitrate(): void {
  const canvas = $<HTMLCanvasElement>('bitrate');
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const colors = ['#1f6f78', '#c62e3a', '#d89b1c', '#5a4fcf'];
  let i = 0;
  for (const history of bitrateHistory.values()) {
    const max = Math.max(4000, ...history);
    ctx.strokeStyle = colors[i++ % colors.length]!;
    ctx.beginPath();
    history.forEach((v, k) => ctx.lineTo((k / 59) * canvas.width, canvas.height - (v / max) * (canvas.height - 4)));
    ctx.stroke();
  }
}

// ---- speaking and the script queue ----
async function speak(text: string, mode: 'now' | 'queue' | 'next'): Promise<string | undefined> {
  if (!client || !session || !text.trim()) return undefined;
  const langSel = $<HTMLSelectElement>('speakLang').value as 'auto' | 'en' | 'zh';
  const res = await client.speak(session.id, { text, lang: langSel, interrupt: mode === 'now', next: mode === 'next' });
  log(`speak (${mode}, ${res.lang}) ${res.utteranceId}: ${text.slice(0, 60)}`);
  return res.utteranceId;
}

let scriptIndex = -1;
let scriptUtterance: string | undefined;

function scriptLines(): HTMLLIElement[] {
  return [...$('script').querySelectorAll('li')] as HTMLLIElement[];
}

function addScriptLine(text = ''): void {
  const li = document.createElement('li');
  const input = document.createElement('input');
  input.value = text;
  const up = document.createElement('button');
  up.textContent = '↑';
  up.onclick = () => li.previousElementSibling && li.parentElement!.insertBefore(li, li.previousElementSibling);
  const down = document.createElement('button');
  down.textContent = '↓';
  down.onclick = () => li.nextElementSibling && li.parentElement!.insertBefore(li.nextElementSibling, li);
  const del = document.createElement('button');
  del.textContent = '✕';
  del.onclick = () => li.remove();
  li.append(input, up, down, del);
  $('script').append(li);
}

async function playScriptLine(index: number): Promise<void> {
  const lines = scriptLines();
  if (index >= lines.length) {
    if ($<HTMLInputElement>('loop').checked && lines.length) index = 0;
    else return stopScript();
  }
  lines.forEach((l, k) => l.classList.toggle('playing', k === index));
  scriptIndex = index;
  scriptUtterance = await speak(lines[index]!.querySelector('input')!.value, 'queue');
}

function onUtteranceDone(id: string): void {
  if (scriptIndex >= 0 && id === scriptUtterance) playScriptLine(scriptIndex + 1).catch(fail);
}

function stopScript(): void {
  scriptIndex = -1;
  scriptUtterance = undefined;
  scriptLines().forEach((l) => l.classList.remove('playing'));
}

function readBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(',')[1] ?? '');
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

function renderOverlays(): void {
  $('overlayList').replaceChildren(
    ...overlays.map((o) => {
      const li = document.createElement('li');
      li.textContent = `${o.label} `;
      const btn = document.createElement('button');
      btn.textContent = t('remove', lang);
      btn.onclick = () =>
        client!.removeOverlay(session!.id, o.id).then(() => {
          overlays.splice(overlays.indexOf(o), 1);
          renderOverlays();
        }, fail);
      li.append(btn);
      return li;
    }),
  );
}

/** Push-to-talk: the first press asks for the microphone and connects; later presses just unmute. */
async function talk(on: boolean): Promise<void> {
  if (!client || !session) return;
  $('ptt').classList.toggle('live', on);
  if (!on) {
    publisher?.setMuted(true);
    return;
  }
  if (!publisher) {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: true, noiseSuppression: true, autoGainControl: true } });
    micTrack = stream.getAudioTracks()[0]!;
    const { token } = await client.publishToken(session.id);
    publisher = await Publisher.connect({ baseUrl: location.origin, sessionId: session.id, token });
    await publisher.publishVoice(micTrack);
    log('microphone connected');
  }
  publisher.setMuted(!$('ptt').classList.contains('live'));
}

function wire(): void {
  const on = (id: string, fn: () => Promise<unknown> | void) => ($(id).onclick = () => void Promise.resolve(fn()).catch(fail));
  on('lang', () => setLang(lang === 'en' ? 'zh' : 'en'));
  on('connect', () => connect($<HTMLInputElement>('apiKey').value.trim()));
  $<HTMLInputElement>('apiKey').onkeydown = (e) => e.key === 'Enter' && $('connect').click();
  on('create', async () => {
    const info = await client!.createSession({ avatar: avatars.selected() });
    log(`session created ${info.id} (${avatars.name(info.avatar ?? 'cartoon')})`);
    await openSession(info.id);
  });
  on('switchAvatar', async () => {
    if (!client || !session) return;
    const { avatar } = await client.setAvatar(session.id, avatars.selected());
    session.avatar = avatar;
    showShots();
    log(`presenter → ${avatars.name(avatar)}`);
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('#shotBar [data-shot]')) {
    button.onclick = () =>
      void (async () => {
        if (!client || !session) return;
        const { shot } = await client.setShot(session.id, button.dataset.shot as Shot);
        session.shot = shot;
        showShots();
        log(`shot → ${shot}`);
      })().catch(fail);
  }
  on('open', () => openSession($<HTMLInputElement>('sessionInput').value.trim()));
  on('speakNow', () => speak($<HTMLTextAreaElement>('text').value, 'now'));
  on('addQueue', () => speak($<HTMLTextAreaElement>('text').value, 'queue'));
  on('insertNext', () => speak($<HTMLTextAreaElement>('text').value, 'next'));
  const interrupt = async () => {
    if (!client || !session) return;
    stopScript();
    const res = await client.interrupt(session.id);
    log(`interrupt (${res.interrupted})`);
  };
  on('interrupt', interrupt);
  const ptt = $('ptt');
  ptt.onpointerdown = () => void talk(true).catch(fail);
  ptt.onpointerup = ptt.onpointerleave = () => void talk(false).catch(fail);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      interrupt().catch(fail);
    }
  });
  on('addLine', () => addScriptLine());
  on('playScript', () => playScriptLine(0));
  on('stopScript', () => stopScript());
  on('applyColor', () => client!.setBackground(session!.id, { color: $<HTMLInputElement>('bgColor').value }).then(() => log('background colour')));
  on('studio', () => client!.setBackground(session!.id, { preset: 'studio' }).then(() => log('background studio')));
  $<HTMLInputElement>('bgImage').onchange = async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    await client!.setBackground(session!.id, { imageBase64: await readBase64(file) }).then(() => log(`background ${file.name}`), fail);
  };
  on('addOverlay', async () => {
    const product = $<HTMLInputElement>('product').value.trim();
    const price = $<HTMLInputElement>('price').value.trim();
    const text = [product, price].filter(Boolean).join('  ');
    if (!text) return;
    const { id } = await client!.addOverlay(session!.id, { kind: 'text', text, x: 860, y: 250, fontSize: 40, color: '#ffffff', background: 'rgba(198,46,58,0.92)' });
    overlays.push({ id, label: text });
    renderOverlays();
    log(`overlay ${text}`);
  });
  $<HTMLInputElement>('overlayImage').onchange = async (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (!file) return;
    try {
      // Top-right corner, 260 px wide at 720p: product shots sit beside the presenter.
      const { id } = await client!.addOverlay(session!.id, { kind: 'image', imageBase64: await readBase64(file), x: 940, y: 330, width: 260 });
      overlays.push({ id, label: file.name });
      renderOverlays();
      log(`overlay ${file.name}`);
    } catch (err) {
      fail(err);
    }
  };
  $<HTMLSelectElement>('labelPos').onchange = (e) =>
    void client!.setLabel(session!.id, { position: (e.target as HTMLSelectElement).value as 'top-left' }).catch(fail);
  $<HTMLInputElement>('captions').onchange = (e) => void client!.setCaptions(session!.id, (e.target as HTMLInputElement).checked).catch(fail);
  on('addOutput', async () => {
    const url = $<HTMLInputElement>('rtmpUrl').value.trim();
    const out = await client!.addRtmpOutput(session!.id, url);
    log(`output added ${out.url}`);
    await refresh();
  });
}

wire();
setLang(lang);
for (const line of ['欢迎来到直播间！', 'Welcome to the live room!']) addScriptLine(line);
const saved = sessionStorage.getItem(KEY_STORAGE);
if (saved) connect(saved).catch(fail);
