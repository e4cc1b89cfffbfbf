// YouTube live chat via the Data API v3 (liveChatMessages.list, polled; videos.list to find the
// chat of a video). https://developers.google.com/youtube/v3/live/docs/liveChatMessages/list
import type { AudienceConnector, AudienceEvent, ConnectorConfig, ConnectorContext, ConnectorStatus } from '../connector.ts';
import type { AudienceEventKind, ConnectorState } from '../../../client-sdk/src/live-room-types.ts';
import { errorMessage, sleep } from './connector-util.ts';

export type YouTubeConfig = Extract<ConnectorConfig, { kind: 'youtube' }>;

export interface YouTubeOptions {
  fetch?: typeof fetch;
  /** Floor under the server's pollingIntervalMillis (default 1000). */
  minPollMs?: number;
  /** Wait after a quota / rate-limit error (default 60 s: quota is per day, hammering won't help). */
  quotaBackoffMs?: number;
  /** Network / 5xx backoff, doubled per failure from first to max (default 500 ms → 30 s). */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Per-request deadline (default 15 s). */
  requestTimeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://www.googleapis.com/youtube/v3';

/** A Google API error response, `{error:{code,message,errors:[{reason,domain}]}}`. */
export class YouTubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly domain: string,
    message: string,
  ) {
    super(message);
  }
}

type Verdict = { action: 'quota' | 'transient' | 'fatal'; message: string };

/** What to do about an error: wait out the quota, back off and retry, or give up. */
export function classifyYouTubeError(err: unknown): Verdict {
  if (!(err instanceof YouTubeApiError)) return { action: 'transient', message: `YouTube request failed: ${errorMessage(err)}` };
  const { status, reason, domain } = err;
  const what = `${status}${reason ? ` ${reason}` : ''}: ${err.message}`;
  if (['quotaExceeded', 'rateLimitExceeded', 'dailyLimitExceeded', 'userRateLimitExceeded'].includes(reason) || status === 429 || (status === 403 && /quota|usageLimits/i.test(`${domain} ${err.message}`))) {
    return { action: 'quota', message: `YouTube API quota / rate limit hit (${what})` };
  }
  if (['liveChatEnded', 'liveChatNotFound', 'liveChatDisabled'].includes(reason)) {
    return { action: 'fatal', message: `live chat ended or unavailable (${what})` };
  }
  if (status >= 500) return { action: 'transient', message: `YouTube server error (${what})` };
  if (status === 401 || status === 403 || ['authError', 'forbidden', 'keyInvalid', 'keyExpired', 'insufficientPermissions', 'accessNotConfigured'].includes(reason)) {
    return { action: 'fatal', message: `YouTube rejected the credentials (${what})` };
  }
  // Other 4xx (bad id, bad request) won't fix themselves by retrying.
  return { action: 'fatal', message: `YouTube request rejected (${what})` };
}

interface LiveChatMessage {
  id: string;
  snippet?: {
    type?: string;
    publishedAt?: string;
    displayMessage?: string;
    textMessageDetails?: { messageText?: string };
    superChatDetails?: { amountMicros?: string | number; currency?: string; userComment?: string };
    superStickerDetails?: { amountMicros?: string | number; currency?: string; superStickerMetadata?: { altText?: string } };
    membershipGiftingDetails?: { giftMembershipsCount?: number; giftMembershipsLevelName?: string };
    memberMilestoneChatDetails?: { userComment?: string };
    newSponsorDetails?: { memberLevelName?: string };
  };
  authorDetails?: { channelId?: string; displayName?: string };
}

interface LiveChatMessageList {
  pollingIntervalMillis?: number;
  nextPageToken?: string;
  offlineAt?: string;
  items?: LiveChatMessage[];
}

/** Normalises one liveChatMessage resource; undefined for types the room doesn't react to. */
export function mapYouTubeMessage(item: LiveChatMessage): AudienceEvent | undefined {
  const s = item.snippet ?? {};
  const base = {
    id: item.id,
    platform: 'youtube',
    userId: item.authorDetails?.channelId ?? '',
    userName: item.authorDetails?.displayName ?? '',
    at: s.publishedAt ?? new Date().toISOString(),
  };
  const ev = (kind: AudienceEventKind, extra: Partial<AudienceEvent> = {}): AudienceEvent => ({ ...base, kind, ...extra });
  switch (s.type) {
    case 'textMessageEvent':
      return ev('comment', { text: s.textMessageDetails?.messageText ?? s.displayMessage ?? '' });
    case 'superChatEvent': {
      const d = s.superChatDetails ?? {};
      return ev('comment', { text: d.userComment ?? s.displayMessage ?? '', amount: Number(d.amountMicros ?? 0) / 1e6, unit: d.currency });
    }
    case 'superStickerEvent': {
      const d = s.superStickerDetails ?? {};
      return ev('gift', { text: d.superStickerMetadata?.altText, amount: Number(d.amountMicros ?? 0) / 1e6, unit: d.currency });
    }
    case 'newSponsorEvent':
      return ev('follow', { unit: s.newSponsorDetails?.memberLevelName });
    case 'memberMilestoneChatEvent':
      return ev('follow', { text: s.memberMilestoneChatDetails?.userComment });
    case 'membershipGiftingEvent': {
      const d = s.membershipGiftingDetails ?? {};
      return ev('gift', { amount: d.giftMembershipsCount ?? 1, unit: d.giftMembershipsLevelName ?? 'membership' });
    }
    default:
      return undefined;
  }
}

export class YouTubeChatConnector implements AudienceConnector {
  readonly kind = 'youtube' as const;
  readonly #config: YouTubeConfig;
  readonly #ctx: ConnectorContext;
  readonly #fetch: typeof fetch;
  readonly #minPollMs: number;
  readonly #quotaBackoffMs: number;
  readonly #retryBaseMs: number;
  readonly #retryMaxMs: number;
  readonly #requestTimeoutMs: number;
  readonly #baseUrl: string;
  #state: ConnectorState = 'stopped';
  #lastError: string | undefined;
  #received = 0;
  #abort: AbortController | undefined;
  #liveChatId: string | undefined;
  #pageToken: string | undefined;

  constructor(
    readonly id: string,
    config: YouTubeConfig,
    ctx: ConnectorContext,
    opts: YouTubeOptions = {},
  ) {
    this.#config = config;
    this.#ctx = ctx;
    this.#fetch = opts.fetch ?? fetch;
    this.#minPollMs = opts.minPollMs ?? 1000;
    this.#quotaBackoffMs = opts.quotaBackoffMs ?? 60_000;
    this.#retryBaseMs = opts.retryBaseMs ?? 500;
    this.#retryMaxMs = opts.retryMaxMs ?? 30_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 15_000;
    this.#baseUrl = (config.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.#liveChatId = config.liveChatId;
  }

  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#setState('connecting', undefined);
    void this.#run(abort.signal);
  }

  async stop(): Promise<void> {
    if (!this.#abort) return;
    this.#abort.abort();
    this.#abort = undefined;
    if (this.#state !== 'failed') this.#setState('stopped', this.#lastError);
  }

  status(): ConnectorStatus {
    const config: Record<string, unknown> = { ...this.#config };
    for (const key of ['apiKey', 'oauthToken']) if (config[key]) config[key] = '***';
    return { id: this.id, kind: this.kind, state: this.#state, received: this.#received, lastError: this.#lastError, config };
  }

  async #run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      let delay: number;
      try {
        this.#liveChatId ??= await this.#resolveLiveChatId(signal);
        const page = await this.#listMessages(signal);
        if (signal.aborted) return;
        failures = 0;
        const events = (page.items ?? []).map(mapYouTubeMessage).filter((e): e is AudienceEvent => e !== undefined);
        if (page.nextPageToken) this.#pageToken = page.nextPageToken;
        this.#setState('live', undefined);
        if (events.length) {
          this.#received += events.length;
          this.#ctx.onEvents(events);
        }
        if (page.offlineAt) return this.#fail(signal, `live chat ended (offline at ${page.offlineAt})`);
        delay = Math.max(page.pollingIntervalMillis ?? 0, this.#minPollMs);
      } catch (err) {
        if (signal.aborted) return;
        const verdict = classifyYouTubeError(err);
        if (verdict.action === 'fatal') return this.#fail(signal, verdict.message);
        if (verdict.action === 'quota') delay = this.#quotaBackoffMs;
        else delay = Math.min(this.#retryBaseMs * 2 ** failures++, this.#retryMaxMs);
        this.#ctx.log.warn(`youtube ${this.id}: ${verdict.message}; retrying in ${delay} ms`);
        this.#setState('retrying', verdict.message);
      }
      await sleep(delay, signal);
    }
  }

  #fail(signal: AbortSignal, message: string): void {
    if (signal.aborted) return;
    this.#ctx.log.warn(`youtube ${this.id}: ${message}; stopped polling`);
    this.#abort = undefined;
    this.#setState('failed', message);
  }

  async #resolveLiveChatId(signal: AbortSignal): Promise<string> {
    const videoId = this.#config.videoId;
    if (!videoId) throw new YouTubeApiError(400, 'badRequest', '', 'neither liveChatId nor videoId configured');
    const body = (await this.#get('/videos', { part: 'liveStreamingDetails', id: videoId }, signal)) as {
      items?: { liveStreamingDetails?: { activeLiveChatId?: string } }[];
    };
    const chatId = body.items?.[0]?.liveStreamingDetails?.activeLiveChatId;
    if (!chatId) throw new YouTubeApiError(404, 'liveChatNotFound', '', `video ${videoId} has no active live chat`);
    this.#ctx.log.info(`youtube ${this.id}: video ${videoId} → live chat ${chatId}`);
    return chatId;
  }

  #listMessages(signal: AbortSignal): Promise<LiveChatMessageList> {
    const query: Record<string, string> = { liveChatId: this.#liveChatId!, part: 'snippet,authorDetails', maxResults: '2000' };
    if (this.#pageToken) query.pageToken = this.#pageToken;
    return this.#get('/liveChat/messages', query, signal) as Promise<LiveChatMessageList>;
  }

  async #get(path: string, query: Record<string, string>, signal: AbortSignal): Promise<unknown> {
    const url = new URL(this.#baseUrl + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    if (this.#config.apiKey) url.searchParams.set('key', this.#config.apiKey);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (this.#config.oauthToken) headers.Authorization = `Bearer ${this.#config.oauthToken}`;
    const res = await this.#fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(this.#requestTimeoutMs)]) });
    const text = await res.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      if (res.ok) throw new Error(`YouTube returned a non-JSON ${res.status} response`);
    }
    if (!res.ok) {
      const e = (body as { error?: { code?: number; message?: string; errors?: { reason?: string; domain?: string }[] } } | undefined)?.error;
      const first = e?.errors?.[0];
      throw new YouTubeApiError(e?.code ?? res.status, first?.reason ?? '', first?.domain ?? '', e?.message ?? (res.statusText || `HTTP ${res.status}`));
    }
    return body;
  }

  #setState(state: ConnectorState, lastError: string | undefined): void {
    if (state === this.#state && lastError === this.#lastError) return;
    this.#state = state;
    this.#lastError = lastError;
    this.#ctx.onStatus(this.status());
  }
}
