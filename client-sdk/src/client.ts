import { OnAirError } from './errors.ts';
import { SessionEvents } from './events.ts';
import type { WebSocketFactory } from './signalling.ts';
import type {
  AuditEntry,
  AvatarConsent,
  AvatarInfo,
  BackgroundSpec,
  CreateSessionOptions,
  LabelSpec,
  OutputInfo,
  OverlaySpec,
  SessionInfo,
  SpeakOptions,
  SpeakResult,
} from './types.ts';

export interface OnAirClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  apiKey: string;
  /** fetch implementation; the global one by default (browsers, Node ≥ 18). */
  fetch?: typeof fetch;
  /** WebSocket implementation for events: the browser's by default; pass `ws` in Node. */
  WebSocket?: WebSocketFactory;
}

/** The control API: sessions, speech, scene and outputs. Every failure is an OnAirError. */
export class OnAirClient {
  readonly baseUrl: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #WebSocket: WebSocketFactory | undefined;

  constructor(opts: OnAirClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.#apiKey = opts.apiKey;
    this.#fetch = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.#WebSocket = opts.WebSocket;
  }

  /** JSON in and out; a FormData body goes as multipart (fetch sets its boundary). */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    let res: Response;
    try {
      res = await this.#fetch(this.baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${this.#apiKey}`, ...(body !== undefined && !form ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body),
      });
    } catch (err) {
      throw new OnAirError(0, `cannot reach ${this.baseUrl}: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    if (!res.ok) {
      const message = (parsed as { message?: string } | undefined)?.message ?? `HTTP ${res.status}`;
      throw new OnAirError(res.status, message);
    }
    return parsed as T;
  }

  health() {
    return this.request<{ ok: boolean; workers: number; sessions: number; store: string }>('GET', '/health');
  }
  /** `avatar`: `cartoon` (default) or the id of a ready avatar (see enrollAvatar). */
  createSession(opts: CreateSessionOptions = {}) {
    return this.request<SessionInfo>('POST', '/v1/sessions', opts);
  }
  /** Switches a live session's presenter to another avatar. */
  setAvatar(id: string, avatar: string) {
    return this.request<{ avatar: string }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/avatar`, { avatar });
  }

  /**
   * Uploads an enrollment video (10 s–10 min of the person facing the camera; 1–3 min is best)
   * with the person's consent. Resolves once the video passed the face check, with the avatar in
   * state `processing` (or `queued` behind another enrollment); poll getAvatar until `ready`.
   */
  enrollAvatar(video: Blob, consent: AvatarConsent, name?: string) {
    const form = new FormData();
    // Consent first: the server refuses a form without it before storing any of the video.
    form.append('consent', JSON.stringify(consent));
    if (name !== undefined) form.append('name', name);
    form.append('video', video, (video as Blob & { name?: string }).name ?? 'enrollment.mp4');
    return this.request<AvatarInfo>('POST', '/v1/avatars', form);
  }
  getAvatar(id: string) {
    return this.request<AvatarInfo>('GET', `/v1/avatars/${encodeURIComponent(id)}`);
  }
  async listAvatars(): Promise<AvatarInfo[]> {
    return (await this.request<{ avatars: AvatarInfo[] }>('GET', '/v1/avatars')).avatars;
  }
  /** Stops an unfinished enrollment; its files are removed. */
  cancelAvatar(id: string) {
    return this.request<AvatarInfo>('POST', `/v1/avatars/${encodeURIComponent(id)}/cancel`);
  }
  /** Removes an avatar and its pack; sessions showing it switch to the cartoon. */
  async deleteAvatar(id: string): Promise<void> {
    await this.request('DELETE', `/v1/avatars/${encodeURIComponent(id)}`);
  }
  getSession(id: string) {
    return this.request<SessionInfo>('GET', `/v1/sessions/${encodeURIComponent(id)}`);
  }
  async deleteSession(id: string): Promise<void> {
    await this.request('DELETE', `/v1/sessions/${encodeURIComponent(id)}`);
  }
  speak(id: string, opts: SpeakOptions) {
    return this.request<SpeakResult>('POST', `/v1/sessions/${encodeURIComponent(id)}/speak`, opts);
  }
  interrupt(id: string) {
    return this.request<{ interrupted: number }>('POST', `/v1/sessions/${encodeURIComponent(id)}/interrupt`);
  }
  addRtmpOutput(id: string, url: string) {
    return this.request<Pick<OutputInfo, 'id' | 'url' | 'state'>>('POST', `/v1/sessions/${encodeURIComponent(id)}/outputs/rtmp`, { url });
  }
  async removeOutput(id: string, outputId: string): Promise<void> {
    await this.request('DELETE', `/v1/sessions/${encodeURIComponent(id)}/outputs/${encodeURIComponent(outputId)}`);
  }
  setBackground(id: string, spec: BackgroundSpec) {
    return this.request<{ background: string }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/background`, spec);
  }
  setLabel(id: string, spec: LabelSpec) {
    return this.request<{ label: Required<LabelSpec> }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/label`, spec);
  }
  setCaptions(id: string, enabled: boolean) {
    return this.request<{ captions: boolean }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/captions`, { enabled });
  }
  addOverlay(id: string, spec: OverlaySpec) {
    return this.request<{ id: string }>('POST', `/v1/sessions/${encodeURIComponent(id)}/overlays`, spec);
  }
  async removeOverlay(id: string, overlayId: string): Promise<void> {
    await this.request('DELETE', `/v1/sessions/${encodeURIComponent(id)}/overlays/${encodeURIComponent(overlayId)}`);
  }
  /** Whether the operator's voice cuts the presenter's speech ('interrupt') or plays over it ('duck'). */
  setVoicePolicy(id: string, policy: 'interrupt' | 'duck') {
    return this.request<{ policy: string }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/voice-policy`, { policy });
  }
  /** A short-lived token for `Publisher.connect` (sending the operator's voice). */
  publishToken(id: string) {
    return this.request<{ token: string; expiresAt: string }>('POST', `/v1/sessions/${encodeURIComponent(id)}/publish-token`);
  }
  async audit(id: string): Promise<AuditEntry[]> {
    return (await this.request<{ entries: AuditEntry[] }>('GET', `/v1/sessions/${encodeURIComponent(id)}/audit`)).entries;
  }

  /**
   * A session's events over a websocket that reconnects by itself. Uses the session's viewer
   * token, so the API key never appears in a URL.
   */
  async events(id: string): Promise<SessionEvents> {
    const session = await this.getSession(id);
    return new SessionEvents({ baseUrl: this.baseUrl, sessionId: id, token: session.viewerToken, WebSocket: this.#WebSocket });
  }
}
