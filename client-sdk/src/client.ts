import { OnAirError } from './errors.ts';
import { SessionEvents } from './events.ts';
import type { WebSocketFactory } from './signalling.ts';
import type {
  AudienceEvent,
  AudienceLogEntry,
  AudienceOutcome,
  AudienceStats,
  ConnectorConfig,
  ConnectorStatus,
  InsertRequest,
  LlmConfig,
  ModerationHit,
  ModerationLogEntry,
  ModerationSettings,
  OperatorPresence,
  QueuedInsert,
  ReplyRule,
  ReplySettings,
  Rundown,
  ShowStatus,
} from './live-room-types.ts';
import type {
  AuditEntry,
  AvatarConsent,
  AvatarInfo,
  BackgroundSpec,
  BuiltInAvatar,
  CreateSessionOptions,
  LabelSpec,
  ModelAvatarInfo,
  OutputInfo,
  OverlaySpec,
  SessionInfo,
  Shot,
  SpeakOptions,
  SpeakResult,
  CustomVoiceInfo,
  SessionVoice,
  TakeInfo,
  VoiceInfo,
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

/** Extra transport options of `request`. */
export interface RequestOptions {
  /** Headers added to (or replacing) the defaults. */
  headers?: Record<string, string>;
  /** Send the API key (default true; the audience webhook is signed instead). */
  auth?: boolean;
  /** The body is sent as this exact string (a signed body must not be re-serialised). */
  rawBody?: string;
  /** Let the request outlive the page (fetch keepalive), e.g. a goodbye sent on unload. */
  keepalive?: boolean;
}

/** An audience event as a webhook sender gives it: `platform` defaults to `webhook`, `at` to the arrival time. */
export type AudienceEventInput = Omit<AudienceEvent, 'platform' | 'at'> & Partial<Pick<AudienceEvent, 'platform' | 'at'>>;

/** What the moderation filter makes of a line (POST …/moderation/check). */
export interface ModerationVerdict {
  verdict: 'allowed' | 'replaced' | 'blocked';
  /** What would be said (replacements applied); empty when blocked. */
  text: string;
  hits: ModerationHit[];
}

/** The LLM config as the server shows it: the key, if set, comes back as `***`. */
export type LlmView = Omit<LlmConfig, 'apiKey'> & { apiKey?: string };

const WEBHOOK_TIMESTAMP = 'x-onair-timestamp';
const WEBHOOK_SIGNATURE = 'x-onair-signature';

/** `sha256=` + hex HMAC-SHA256(secret, `${timestamp}.${body}`), with WebCrypto (browsers, Node ≥ 20). */
export async function signAudienceWebhook(secret: string, timestamp: number | string, body: string): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new OnAirError(0, 'WebCrypto (crypto.subtle) is not available here: browsers offer it on https:// and localhost pages only');
  const enc = new TextEncoder();
  const key = await subtle.importKey('raw', enc.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await subtle.sign('HMAC', key, enc.encode(`${timestamp}.${body}`)));
  return `sha256=${Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')}`;
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
  async request<T>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
    const form = typeof FormData !== 'undefined' && body instanceof FormData;
    const json = opts.rawBody !== undefined || (body !== undefined && !form);
    const headers: Record<string, string> = {
      ...(opts.auth === false ? {} : { authorization: `Bearer ${this.#apiKey}` }),
      ...(json ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    };
    let res: Response;
    try {
      res = await this.#fetch(this.baseUrl + path, {
        method,
        headers,
        body: opts.rawBody ?? (body === undefined ? undefined : form ? (body as FormData) : JSON.stringify(body)),
        ...(opts.keepalive ? { keepalive: true } : {}),
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

  /** A binary answer (audio, zip) with its headers; errors as for request(). */
  async #binary(method: string, path: string, body?: Blob | FormData | string, headers: Record<string, string> = {}): Promise<{ blob: Blob; headers: Headers }> {
    let res: Response;
    try {
      res = await this.#fetch(this.baseUrl + path, { method, headers: { authorization: `Bearer ${this.#apiKey}`, ...headers }, body });
    } catch (err) {
      throw new OnAirError(0, `cannot reach ${this.baseUrl}: ${(err as Error).message}`);
    }
    if (!res.ok) {
      const text = await res.text();
      let message = `HTTP ${res.status}`;
      try {
        message = JSON.parse(text).message ?? message;
      } catch {}
      throw new OnAirError(res.status, message);
    }
    return { blob: await res.blob(), headers: res.headers };
  }

  // ---------- voices ----------
  /** Every voice a presenter can speak with: eSpeak, local neural, speech servers, your own. */
  async listVoices(): Promise<VoiceInfo[]> {
    return (await this.request<{ voices: VoiceInfo[] }>('GET', '/v1/voices')).voices;
  }
  /** A few seconds of `voice` saying `text`, for the operator's ears only (WAV); `warning` when the fallback spoke. */
  async previewVoice(voice: string, text: string): Promise<{ audio: Blob; warning?: string }> {
    const { blob, headers } = await this.#binary('POST', '/v1/voices/preview', JSON.stringify({ voice, text }), { 'content-type': 'application/json' });
    const warning = headers.get('x-onair-voice-warning');
    return { audio: blob, ...(warning ? { warning: decodeURIComponent(warning) } : {}) };
  }
  getSessionVoice(id: string) {
    return this.request<SessionVoice>('GET', `/v1/sessions/${encodeURIComponent(id)}/voice`);
  }
  /** What the session's lines are said with when they name no voice (null: eSpeak NG). */
  setSessionVoice(id: string, voice: string | null) {
    return this.request<SessionVoice>('PUT', `/v1/sessions/${encodeURIComponent(id)}/voice`, { voice });
  }
  /** Starts the presenter's own voice: refused (400) without the person's consent record. */
  createVoice(name: string, lang: 'en' | 'zh', consent: AvatarConsent) {
    return this.request<CustomVoiceInfo>('POST', '/v1/voices', { name, lang, consent });
  }
  async listCustomVoices(): Promise<CustomVoiceInfo[]> {
    return (await this.request<{ voices: CustomVoiceInfo[] }>('GET', '/v1/voices/custom')).voices;
  }
  /** With every prompt and its take (checks, reasons). */
  getCustomVoice(id: string) {
    return this.request<CustomVoiceInfo>('GET', `/v1/voices/custom/${encodeURIComponent(id)}`);
  }
  /** One take as a 16-bit PCM WAV; take 0 is the consent statement and comes first. */
  async uploadTake(id: string, index: number, wav: Blob): Promise<{ take: TakeInfo; progress: CustomVoiceInfo['progress'] }> {
    const { blob } = await this.#binary('PUT', `/v1/voices/custom/${encodeURIComponent(id)}/takes/${index}`, wav, { 'content-type': 'audio/wav' });
    return JSON.parse(await blob.text());
  }
  /** The dataset as a zip (LJSpeech/Piper layout, GPT-SoVITS list, consent). */
  async exportVoiceDataset(id: string): Promise<Blob> {
    return (await this.#binary('GET', `/v1/voices/custom/${encodeURIComponent(id)}/dataset`)).blob;
  }
  /** A model trained on the dataset (Piper: voice.onnx + voice.onnx.json), bound to the same consent. */
  importVoiceModel(id: string, model: Blob, config: Blob) {
    const form = new FormData();
    form.append('model', model, 'voice.onnx');
    form.append('config', config, 'voice.onnx.json');
    return this.request<CustomVoiceInfo>('PUT', `/v1/voices/custom/${encodeURIComponent(id)}/model`, form);
  }
  /** Lets a CosyVoice server speak with this voice zero-shot from its reference clip, as `cosyvoice:ID`. */
  bindZeroShot(id: string, server: { engine: 'cosyvoice'; url: string; sampleRate: number; timeoutMs?: number }) {
    return this.request<CustomVoiceInfo & { zeroShotVoice: string }>('PUT', `/v1/voices/custom/${encodeURIComponent(id)}/zero-shot`, server);
  }
  /** Deletes the voice and every file of it (takes, dataset, model). */
  async deleteVoice(id: string): Promise<void> {
    await this.request('DELETE', `/v1/voices/custom/${encodeURIComponent(id)}`);
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
  /** Uploaded avatars and the built-in presenters (the cartoon, the 3D hosts) in one call. */
  listPresenters() {
    return this.request<{ avatars: AvatarInfo[]; models: ModelAvatarInfo[]; builtIn: BuiltInAvatar[] }>('GET', '/v1/avatars');
  }
  /**
   * Uploads your own 3D avatar: VRM 0.x / 1.0, or GLB with a humanoid rig (Mixamo or VRM bone
   * names) and ARKit blendshapes or Oculus visemes. Refused with a 400 naming what is missing, or
   * over the real-time budget. A model that depicts a real person needs their consent.
   */
  uploadModel(model: Blob, opts: { name?: string; depictsRealPerson?: boolean; consent?: AvatarConsent } = {}) {
    const form = new FormData();
    if (opts.name !== undefined) form.append('name', opts.name);
    form.append('depictsRealPerson', String(opts.depictsRealPerson ?? false));
    if (opts.consent) form.append('consent', JSON.stringify(opts.consent));
    form.append('model', model, (model as Blob & { name?: string }).name ?? 'avatar.glb');
    return this.request<ModelAvatarInfo>('POST', '/v1/avatars/models', form);
  }
  async listModels(): Promise<ModelAvatarInfo[]> {
    return (await this.request<{ models: ModelAvatarInfo[] }>('GET', '/v1/avatars/models')).models;
  }
  /** Removes an uploaded 3D avatar; sessions showing it switch to the cartoon. */
  async deleteModel(id: string): Promise<void> {
    await this.request('DELETE', `/v1/avatars/models/${encodeURIComponent(id)}`);
  }
  /** A 3D presenter's camera framing, changed live with a short camera move (409 for a 2D avatar). */
  setShot(id: string, shot: Shot) {
    return this.request<{ shot: Shot }>('PUT', `/v1/sessions/${encodeURIComponent(id)}/shot`, { shot });
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

  // ---------- live room: the show ----------
  // The show runs on the server: a rundown of product segments whose lines rotate through their
  // variants, looped, plus inserts. Its events (show.*) come over `events(id)`.

  /** The show's state, position, rundown and waiting inserts. */
  getShow(id: string) {
    return this.request<ShowStatus>('GET', `${this.#room(id)}/show`);
  }
  /** Replaces the rundown; a running show keeps its place when its segment still exists. */
  loadRundown(id: string, rundown: Rundown) {
    return this.request<ShowStatus>('PUT', `${this.#room(id)}/show`, rundown);
  }
  startShow(id: string) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/start`);
  }
  pauseShow(id: string) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/pause`);
  }
  resumeShow(id: string) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/resume`);
  }
  /** Cuts the show line playing and goes on with the next one. */
  skipLine(id: string) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/skip`);
  }
  /** Ends the show (the rundown stays loaded). */
  stopShow(id: string) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/stop`);
  }
  /** Goes to a segment, by id or 0-based index. */
  jumpToSegment(id: string, segment: string | number) {
    return this.request<ShowStatus>('POST', `${this.#room(id)}/show/jump`, { segment });
  }
  /** A line outside the rundown: after the current segment (`append`), after the line playing (`next`) or at once (`now`). */
  insertLine(id: string, insert: Omit<InsertRequest, 'source'>) {
    return this.request<QueuedInsert>('POST', `${this.#room(id)}/show/inserts`, insert);
  }
  async removeInsert(id: string, insertId: string): Promise<void> {
    await this.request('DELETE', `${this.#room(id)}/show/inserts/${encodeURIComponent(insertId)}`);
  }

  // ---------- live room: the audience ----------

  /** What became of the latest audience events (at most `limit`, 100 by default) and the counters. */
  audienceLog(id: string, limit?: number) {
    return this.request<{ stats: AudienceStats; log: AudienceLogEntry[] }>('GET', `${this.#room(id)}/audience${limit ? `?limit=${limit}` : ''}`);
  }
  /** Where and how to send signed audience events (the secret included: operators only). */
  webhookInfo(id: string) {
    return this.request<{ path: string; secret: string; signature: string }>('GET', `${this.#room(id)}/audience/webhook`);
  }
  /** A new webhook secret; the old one stops working at once. */
  rotateWebhookSecret(id: string) {
    return this.request<{ secret: string }>('POST', `${this.#room(id)}/audience/webhook/rotate`);
  }
  /**
   * Sends audience events to the session's webhook, signed with its secret (no API key needed):
   * `x-onair-timestamp` (unix seconds) and `x-onair-signature: sha256=HMAC-SHA256(secret, "timestamp.body")`.
   */
  async sendAudienceEvents(id: string, secret: string, events: AudienceEventInput[]) {
    const rawBody = JSON.stringify({ events });
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await signAudienceWebhook(secret, timestamp, rawBody);
    return this.request<{ accepted: number; results: { id: string; outcome: AudienceOutcome | 'queued' }[] }>('POST', `${this.#room(id)}/audience`, undefined, {
      auth: false,
      rawBody,
      headers: { [WEBHOOK_TIMESTAMP]: String(timestamp), [WEBHOOK_SIGNATURE]: signature },
    });
  }

  // ---------- live room: connectors (platform live chats) ----------

  async listConnectors(id: string): Promise<ConnectorStatus[]> {
    return (await this.request<{ connectors: ConnectorStatus[] }>('GET', `${this.#room(id)}/connectors`)).connectors;
  }
  /** Starts reading a YouTube live chat or a Bilibili room into the session's audience. */
  addConnector(id: string, config: ConnectorConfig) {
    return this.request<ConnectorStatus>('POST', `${this.#room(id)}/connectors`, config);
  }
  async removeConnector(id: string, connectorId: string): Promise<void> {
    await this.request('DELETE', `${this.#room(id)}/connectors/${encodeURIComponent(connectorId)}`);
  }

  // ---------- live room: replies ----------

  async getRules(id: string): Promise<ReplyRule[]> {
    return (await this.request<{ rules: ReplyRule[] }>('GET', `${this.#room(id)}/rules`)).rules;
  }
  /** Replaces the reply rules (validated as a whole); resolves to them with their ids. */
  async setRules(id: string, rules: ReplyRule[]): Promise<ReplyRule[]> {
    return (await this.request<{ rules: ReplyRule[] }>('PUT', `${this.#room(id)}/rules`, { rules })).rules;
  }
  getReplySettings(id: string) {
    return this.request<{ settings: ReplySettings; llm: LlmView | null }>('GET', `${this.#room(id)}/replies`);
  }
  async setReplySettings(id: string, patch: Partial<ReplySettings>): Promise<ReplySettings> {
    return (await this.request<{ settings: ReplySettings }>('PUT', `${this.#room(id)}/replies`, patch)).settings;
  }
  /** Sets the OpenAI-compatible LLM that answers comments no rule matched (replaces the whole config). */
  async setLlm(id: string, config: LlmConfig): Promise<LlmView> {
    return (await this.request<{ llm: LlmView }>('PUT', `${this.#room(id)}/llm`, config)).llm;
  }
  async clearLlm(id: string): Promise<void> {
    await this.request('DELETE', `${this.#room(id)}/llm`);
  }

  // ---------- live room: moderation ----------

  /** The prohibited terms, the external endpoint (if any) and the latest blocked / replaced lines. */
  getModeration(id: string) {
    return this.request<ModerationSettings & { log: ModerationLogEntry[] }>('GET', `${this.#room(id)}/moderation`);
  }
  setModeration(id: string, settings: ModerationSettings) {
    return this.request<ModerationSettings>('PUT', `${this.#room(id)}/moderation`, settings);
  }
  /** Tries a line against the filter without saying it. */
  checkModeration(id: string, text: string) {
    return this.request<ModerationVerdict>('POST', `${this.#room(id)}/moderation/check`, { text });
  }

  // ---------- live room: operator presence ----------

  /** "An operator is watching": send every ~10 s (presence lapses 30 s after the last one). */
  heartbeat(id: string, operator?: string) {
    return this.request<OperatorPresence>('POST', `${this.#room(id)}/presence`, operator ? { operator } : {});
  }
  /** The operator left (sent with keepalive, so it may be called from a page's unload). */
  leave(id: string) {
    return this.request<OperatorPresence>('DELETE', `${this.#room(id)}/presence`, undefined, { keepalive: true });
  }

  #room(id: string): string {
    return `/v1/sessions/${encodeURIComponent(id)}`;
  }

  /**
   * A session's events over a websocket that reconnects by itself. Uses the session's viewer
   * token, so the API key never appears in a URL.
   * A viewer token gets the show events but not the operator-only ones (audience.event,
   * moderation.*, llm.reply, connector.status, operator.presence): for those, open SessionEvents
   * with a `publishToken(id)` token (short-lived — the panel fetches a new one on each reconnect).
   */
  async events(id: string): Promise<SessionEvents> {
    const session = await this.getSession(id);
    return new SessionEvents({ baseUrl: this.baseUrl, sessionId: id, token: session.viewerToken, WebSocket: this.#WebSocket });
  }
}
