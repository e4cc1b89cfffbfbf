// The panel's Avatars card: choose a video, trim and convert it in the browser, record the
// person's consent, upload it, follow the enrollment (GET every 500 ms: the panel never puts the
// API key on a websocket), list/cancel/delete avatars, and the presenter chooser of the session bar.
import type { OnAirClient } from '../src/client.ts';
import { OnAirError } from '../src/errors.ts';
import type { AvatarConsent, AvatarInfo, BuiltInAvatar } from '../src/types.ts';
import { ClipConverter, ConvertStopped, type ConvertProgress } from './convert.ts';
import { t, TEXT, type UiLang } from './i18n.ts';

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const POLL_MS = 500;
const TERMINAL = new Set<AvatarInfo['state']>(['ready', 'failed', 'cancelled']);
const UPLOADER_STORAGE = 'onair.uploadedBy';
/** Longer clips convert slowly in a browser and add little: the end is prefilled to at most this. */
const DEFAULT_MAX_SECONDS = 180;

export interface AvatarPanelDeps {
  client: () => OnAirClient | undefined;
  lang: () => UiLang;
  log: (text: string) => void;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

export class AvatarPanel {
  readonly #deps: AvatarPanelDeps;
  readonly #avatars = new Map<string, AvatarInfo>();
  /** The server's built-in presenters besides the cartoon (the 3D hosts). */
  #builtIn: BuiltInAvatar[] = [];
  readonly #polling = new Set<string>();
  readonly #converter = new ClipConverter();
  #source: File | undefined;
  #converted: { file: File; duration: number } | undefined;
  #clipUrl: string | undefined;
  /** The upload whose progress the card's bar shows. */
  #tracked: string | undefined;
  #convertStatus: { key: string; detail: string } = { key: '', detail: '' };
  /** The open session's avatar, shown in the chooser once the list has it. */
  #sessionAvatar: string | undefined;

  constructor(deps: AvatarPanelDeps) {
    this.#deps = deps;
    const on = (id: string, fn: () => Promise<unknown> | void) => ($(id).onclick = () => void Promise.resolve(fn()).catch((err) => this.#error(err)));
    on('convertAvatar', () => this.convert());
    on('stopConvert', () => this.#converter.stop());
    on('uploadAvatar', () => this.upload());
    $<HTMLInputElement>('avatarFile').onchange = (e) => this.#choose((e.target as HTMLInputElement).files?.[0]);
    $<HTMLInputElement>('consentUploader').value = localStorage.getItem(UPLOADER_STORAGE) ?? '';
    this.relabel();
  }

  /** The chooser's value: `cartoon` or a ready avatar's id. */
  selected(): string {
    return $<HTMLSelectElement>('avatarSelect').value || 'cartoon';
  }

  /** Shows the open session's presenter in the chooser. */
  showSessionAvatar(avatar: string | undefined): void {
    this.#sessionAvatar = avatar;
    this.#render();
  }

  name(id: string): string {
    if (id === 'cartoon') return t('cartoon', this.#deps.lang());
    return this.#avatars.get(id)?.name ?? this.#builtIn.find((a) => a.id === id)?.name ?? id;
  }

  /** Whether a presenter is 3D (and so has camera shots). */
  is3d(id: string | undefined): boolean {
    return this.#builtIn.some((a) => a.id === id && a.kind === '3d');
  }

  /** Loads the list (after connecting) and follows the unfinished jobs. */
  async refresh(): Promise<void> {
    const client = this.#deps.client();
    if (!client) return;
    const { avatars: list, builtIn, models } = await client.listPresenters();
    // Built-in 3D hosts, then uploaded 3D models: all choosable like the cartoon.
    this.#builtIn = [...builtIn.filter((a) => a.id !== 'cartoon'), ...models.map((m) => ({ id: m.id, name: m.name, kind: m.kind, description: `${m.format} · ${m.triangles} triangles` }))];
    this.#avatars.clear();
    for (const a of list) {
      this.#avatars.set(a.id, a);
      if (!TERMINAL.has(a.state)) this.#poll(a.id);
    }
    this.#render();
  }

  /** After a language switch: dynamic text, and the consent statement if it is still a default one. */
  relabel(): void {
    const statement = $<HTMLTextAreaElement>('consentStatement');
    const defaults = Object.values(TEXT.consentDefault!);
    if (!statement.value.trim() || defaults.includes(statement.value)) statement.value = t('consentDefault', this.#deps.lang());
    this.#showConvertStatus();
    this.#render();
  }

  async convert(): Promise<void> {
    this.#clearError();
    const lang = this.#deps.lang();
    if (!this.#source) return this.#error(t('noVideo', lang));
    const start = Math.max(0, Number($<HTMLInputElement>('trimStart').value) || 0);
    const endText = $<HTMLInputElement>('trimEnd').value.trim();
    const end = endText ? Number(endText) : undefined;
    if (end !== undefined && !(end > start)) return this.#error(t('badTrim', lang));
    const source = this.#source;
    this.#converted = undefined;
    this.#busy(true);
    const bar = $<HTMLProgressElement>('convertProgress');
    const started = performance.now();
    const onProgress = (p: ConvertProgress) => {
      if (p.phase === 'loading') return this.#setConvertStatus('loadingFfmpeg', '');
      bar.value = p.fraction;
      this.#setConvertStatus('converting', `${Math.round(p.fraction * 100)} % · ${p.seconds.toFixed(1)} s`);
    };
    try {
      const out = await this.#converter.convert(source, { start, end, onProgress });
      if (this.#source !== source) return; // another file was chosen meanwhile
      this.#converted = out;
      bar.value = 1;
      const took = ((performance.now() - started) / 1000).toFixed(1);
      this.#setConvertStatus('converted', `${out.file.name} · H.264 · ${out.duration.toFixed(1)} s · ${mb(out.file.size)} (${mb(source.size)}) · ${took} s`);
      this.#showClip(out.file);
      this.#deps.log(`avatar clip converted: ${out.duration.toFixed(1)} s, ${mb(source.size)} → ${mb(out.file.size)} in ${took} s`);
    } catch (err) {
      bar.value = 0;
      if (err instanceof ConvertStopped) return this.#setConvertStatus('stopped', '');
      this.#setConvertStatus('', '');
      this.#error(`${t('convertFailed', lang)} ${(err as Error).message ?? err}`);
    } finally {
      this.#busy(false);
    }
  }

  async upload(): Promise<void> {
    this.#clearError();
    const client = this.#deps.client();
    const lang = this.#deps.lang();
    if (!client) return;
    const video = this.#converted?.file ?? this.#source;
    if (!video) return this.#error(t('noVideo', lang));
    const consent: AvatarConsent = {
      personName: $<HTMLInputElement>('consentPerson').value.trim(),
      statement: $<HTMLTextAreaElement>('consentStatement').value.trim(),
      uploadedBy: $<HTMLInputElement>('consentUploader').value.trim(),
    };
    const missing = [
      ...(['personName', 'consentStatement', 'uploadedBy'] as const).filter((k) => !consent[k === 'consentStatement' ? 'statement' : k]).map((k) => t(k, lang)),
      ...($<HTMLInputElement>('consentAgreed').checked ? [] : [t('consentCheckbox', lang)]),
    ];
    if (missing.length) return this.#error(`${t('consentRequired', lang)} ${missing.join(', ')}`);
    localStorage.setItem(UPLOADER_STORAGE, consent.uploadedBy);
    const name = $<HTMLInputElement>('avatarName').value.trim();
    const bar = $<HTMLProgressElement>('avatarProgress');
    bar.removeAttribute('value'); // indeterminate while the upload and the face check run
    $('avatarStatus').textContent = `${t('uploading', lang)} ${mb(video.size)}`;
    $<HTMLButtonElement>('uploadAvatar').disabled = true;
    try {
      const info = await client.enrollAvatar(video, consent, name || undefined);
      this.#deps.log(`avatar ${info.name} uploaded (${info.state})`);
      this.#avatars.set(info.id, info);
      this.#tracked = info.id;
      this.#poll(info.id);
      this.#render();
    } catch (err) {
      bar.value = 0;
      $('avatarStatus').textContent = '';
      throw err;
    } finally {
      $<HTMLButtonElement>('uploadAvatar').disabled = false;
    }
  }

  #choose(file: File | undefined): void {
    this.#clearError();
    if (this.#converter.running) this.#converter.stop();
    this.#source = file;
    this.#converted = undefined;
    $<HTMLProgressElement>('convertProgress').value = 0;
    this.#setConvertStatus('', '');
    $<HTMLInputElement>('trimStart').value = '0';
    $<HTMLInputElement>('trimEnd').value = '';
    if (!file) {
      $('avatarFileInfo').textContent = '';
      return this.#showClip(undefined);
    }
    $('avatarFileInfo').textContent = `${file.name} · ${mb(file.size)}`;
    this.#showClip(file, (duration) => {
      $('avatarFileInfo').textContent = `${file.name} · ${mb(file.size)} · ${duration.toFixed(1)} s`;
      // The metadata can arrive after the operator has typed an end: never overwrite their value.
      const end = $<HTMLInputElement>('trimEnd');
      if (!end.value.trim()) end.value = String(Math.min(DEFAULT_MAX_SECONDS, Math.floor(duration * 10) / 10));
    });
  }

  /** A preview of the clip (the browser may not play the original: HEVC, MPEG-4 Part 2…). */
  #showClip(file: File | undefined, onDuration?: (seconds: number) => void): void {
    const clip = $<HTMLVideoElement>('avatarClip');
    if (this.#clipUrl) URL.revokeObjectURL(this.#clipUrl);
    this.#clipUrl = undefined;
    clip.onloadedmetadata = clip.onerror = null;
    if (!file) {
      clip.removeAttribute('src');
      clip.hidden = true;
      return;
    }
    this.#clipUrl = URL.createObjectURL(file);
    clip.onloadedmetadata = () => {
      clip.hidden = false;
      if (Number.isFinite(clip.duration)) onDuration?.(clip.duration);
    };
    clip.onerror = () => {
      clip.hidden = true;
      if (onDuration) $('avatarFileInfo').textContent += ` · ${t('noPreview', this.#deps.lang())}`;
    };
    clip.src = this.#clipUrl;
  }

  #poll(id: string): void {
    if (this.#polling.has(id)) return;
    this.#polling.add(id);
    const tick = async () => {
      const client = this.#deps.client();
      if (!client) return void this.#polling.delete(id);
      try {
        const info = await client.getAvatar(id);
        this.#avatars.set(id, info);
        if (TERMINAL.has(info.state)) {
          this.#polling.delete(id);
          this.#deps.log(`avatar ${info.name} ${info.state}${info.error ? `: ${info.error}` : ''}`);
          if (id === this.#tracked && info.state === 'failed') this.#error(info.error ?? 'failed');
        }
        this.#render();
      } catch (err) {
        if (err instanceof OnAirError && err.status === 404) {
          this.#polling.delete(id);
          this.#avatars.delete(id);
          this.#render();
        }
      }
      if (this.#polling.has(id)) setTimeout(tick, POLL_MS);
    };
    setTimeout(tick, POLL_MS);
  }

  #render(): void {
    const lang = this.#deps.lang();
    const avatars = [...this.#avatars.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    // The chooser: the cartoon and every ready avatar, keeping the choice.
    const select = $<HTMLSelectElement>('avatarSelect');
    // The open session's avatar once it is listed (the list may arrive after the session), else the choice.
    let chosen = select.value;
    const wanted = this.#sessionAvatar;
    if (wanted && (wanted === 'cartoon' || this.is3d(wanted) || this.#avatars.get(wanted)?.state === 'ready')) {
      chosen = wanted;
      this.#sessionAvatar = undefined;
    }
    const options = [
      { value: 'cartoon', label: t('cartoon', lang) },
      ...this.#builtIn.map((a) => ({ value: a.id, label: a.name })),
      ...avatars.filter((a) => a.state === 'ready').map((a) => ({ value: a.id, label: a.name })),
    ];
    select.replaceChildren(
      ...options.map((o) => {
        const option = document.createElement('option');
        option.value = o.value;
        option.textContent = o.label;
        return option;
      }),
    );
    select.value = options.some((o) => o.value === chosen) ? chosen : 'cartoon';
    // The list, updated in place (it changes every poll; replaced buttons would lose clicks).
    const body = $('avatarList').querySelector('tbody')!;
    const rows = new Map([...body.querySelectorAll<HTMLTableRowElement>('tr')].map((tr) => [tr.dataset.avatarId!, tr]));
    body.replaceChildren(...avatars.map((a) => this.#row(a, rows.get(a.id))));
    // The tracked upload's progress.
    const tracked = this.#tracked ? this.#avatars.get(this.#tracked) : undefined;
    if (tracked) {
      const bar = $<HTMLProgressElement>('avatarProgress');
      bar.value = tracked.state === 'ready' ? 1 : tracked.progress;
      $('avatarStatus').textContent = `${tracked.name}: ${t(`state_${tracked.state}`, lang)}${TERMINAL.has(tracked.state) ? '' : ` · ${this.#stage(tracked.stage)} · ${Math.round(tracked.progress * 100)} %`}`;
    }
  }

  #row(a: AvatarInfo, row = document.createElement('tr')): HTMLTableRowElement {
    const lang = this.#deps.lang();
    if (!row.cells.length) {
      row.dataset.avatarId = a.id;
      for (const cls of ['name', 'state', 'detail', 'actions']) row.insertCell().className = cls;
    }
    row.dataset.state = a.state;
    const detail = a.state === 'failed' ? (a.error ?? '') : a.state === 'ready' ? `${a.video.duration.toFixed(0)} s${a.pack ? ` · ${a.pack.width}×${a.pack.height}` : ''}` : a.state === 'cancelled' ? '' : `${this.#stage(a.stage)} ${Math.round(a.progress * 100)} %`;
    const [name, state, info, actions] = [...row.cells] as HTMLTableCellElement[];
    name!.textContent = a.name;
    state!.textContent = t(`state_${a.state}`, lang);
    info!.textContent = detail;
    const buttons = `${TERMINAL.has(a.state) ? '' : 'cancel '}delete ${lang}`;
    if (actions!.dataset.buttons !== buttons) {
      actions!.dataset.buttons = buttons;
      actions!.replaceChildren(
        ...(TERMINAL.has(a.state) ? [] : [this.#button(t('cancel', lang), 'cancel', () => this.#cancel(a))]),
        this.#button(t('delete', lang), 'delete', () => this.#delete(a)),
      );
    }
    return row;
  }

  #stage(stage: string): string {
    const key = `stage_${stage}`;
    return key in TEXT ? t(key, this.#deps.lang()) : stage;
  }

  #button(label: string, cls: string, fn: () => Promise<void>): HTMLButtonElement {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = cls;
    btn.textContent = label;
    btn.onclick = () => void fn().catch((err) => this.#error(err));
    return btn;
  }

  async #cancel(a: AvatarInfo): Promise<void> {
    const info = await this.#deps.client()!.cancelAvatar(a.id);
    this.#avatars.set(a.id, info); // the poll logs it
    this.#render();
  }

  async #delete(a: AvatarInfo): Promise<void> {
    if (!confirm(`${a.name}: ${t('confirmDelete', this.#deps.lang())}`)) return;
    await this.#deps.client()!.deleteAvatar(a.id);
    this.#avatars.delete(a.id);
    this.#polling.delete(a.id);
    if (this.#tracked === a.id) {
      this.#tracked = undefined;
      $<HTMLProgressElement>('avatarProgress').value = 0;
      $('avatarStatus').textContent = '';
    }
    this.#deps.log(`avatar ${a.name} deleted`);
    this.#render();
  }

  #busy(on: boolean): void {
    $<HTMLButtonElement>('convertAvatar').disabled = on;
    $<HTMLButtonElement>('uploadAvatar').disabled = on;
    $('stopConvert').hidden = !on;
  }

  #setConvertStatus(key: string, detail: string): void {
    this.#convertStatus = { key, detail };
    this.#showConvertStatus();
  }

  #showConvertStatus(): void {
    const { key, detail } = this.#convertStatus;
    $('convertStatus').textContent = [key ? t(key, this.#deps.lang()) : '', detail].filter(Boolean).join(': ');
  }

  #error(err: unknown): void {
    const message = err instanceof OnAirError ? err.message : err instanceof Error ? err.message : String(err);
    $('avatarError').textContent = message;
    this.#deps.log(`⚠ ${message}`);
  }

  #clearError(): void {
    $('avatarError').textContent = '';
  }
}
