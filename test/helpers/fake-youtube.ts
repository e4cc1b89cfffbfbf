// A local stand-in for the YouTube Data API v3 live chat endpoints, answering the way the real
// one does (resource shapes and Google error JSON as documented):
//   https://developers.google.com/youtube/v3/live/docs/liveChatMessages/list
//   https://developers.google.com/youtube/v3/live/docs/liveChatMessages#resource
//   https://developers.google.com/youtube/v3/docs/videos#liveStreamingDetails
//   https://developers.google.com/youtube/v3/docs/errors
// Tests queue pages and errors, and read back what the client sent and when.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeChatItem {
  kind: 'youtube#liveChatMessage';
  etag: string;
  id: string;
  snippet: Record<string, unknown> & { type: string; publishedAt: string };
  authorDetails: { channelId: string; displayName: string } & Record<string, unknown>;
}

export interface RecordedRequest {
  at: number;
  path: string;
  query: URLSearchParams;
  authorization: string | undefined;
  status: number;
}

type Scripted = { page: FakeChatItem[]; pollingIntervalMillis: number; offline?: boolean } | { error: { status: number; reason: string; message: string; domain?: string } };

export interface FakeYouTubeOptions {
  liveChatId: string;
  apiKey?: string;
  oauthToken?: string;
  /** videoId → activeLiveChatId (undefined: the video exists but has no live chat). */
  videos?: Record<string, string | undefined>;
  /** pollingIntervalMillis of the empty pages served when the script runs out. */
  idlePollingMs?: number;
}

export class FakeYouTube {
  readonly requests: RecordedRequest[] = [];
  /** Protocol violations seen (a pageToken that wasn't the last nextPageToken, missing parts…). */
  readonly problems: string[] = [];
  readonly #script: Scripted[] = [];
  readonly #server: Server;
  readonly #opts: FakeYouTubeOptions;
  #tokens = 0;
  /** The nextPageToken handed out last: the client must send exactly this one next. */
  #expectedToken: string | undefined;

  private constructor(server: Server, opts: FakeYouTubeOptions) {
    this.#server = server;
    this.#opts = opts;
  }

  static async start(opts: FakeYouTubeOptions): Promise<FakeYouTube> {
    let fake!: FakeYouTube;
    const server = createServer((req, res) => fake.#handle(req, res));
    fake = new FakeYouTube(server, opts);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/youtube/v3`;
  }

  chatRequests(): RecordedRequest[] {
    return this.requests.filter((r) => r.path.endsWith('/liveChat/messages'));
  }

  queuePage(items: FakeChatItem[], pollingIntervalMillis = 1000, offline = false): void {
    this.#script.push({ page: items, pollingIntervalMillis, offline });
  }

  queueError(status: number, reason: string, message: string, domain = 'youtube.liveChat'): void {
    this.#script.push({ error: { status, reason, message, domain } });
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const rec: RecordedRequest = { at: performance.now(), path: url.pathname, query: url.searchParams, authorization: req.headers.authorization, status: 200 };
    this.requests.push(rec);
    const send = (status: number, body: unknown) => {
      rec.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const fail = (status: number, reason: string, message: string, domain = 'global', extra: Record<string, unknown> = {}) =>
      send(status, { error: { code: status, message, errors: [{ message, domain, reason, ...extra }] } });

    if (req.method !== 'GET') return fail(405, 'methodNotAllowed', 'Method not allowed');
    // Credentials, checked like Google does: a bearer token is tried first, then the key.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = url.searchParams.get('key');
    if (bearer !== undefined) {
      if (bearer !== this.#opts.oauthToken) {
        return send(401, {
          error: {
            code: 401,
            message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
            errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
            status: 'UNAUTHENTICATED',
          },
        });
      }
    } else if (key === null) {
      return fail(403, 'forbidden', 'The request is missing a valid API key.');
    } else if (key !== this.#opts.apiKey) {
      return fail(400, 'keyInvalid', 'API key not valid. Please pass a valid API key.', 'usageLimits');
    }

    if (url.pathname === '/youtube/v3/videos') return this.#videos(url, send);
    if (url.pathname !== '/youtube/v3/liveChat/messages') return fail(404, 'notFound', `No such endpoint: ${url.pathname}`);

    const parts = (url.searchParams.get('part') ?? '').split(',');
    if (!parts.includes('snippet') || !parts.includes('authorDetails')) this.problems.push(`part=${url.searchParams.get('part')}`);
    const maxResults = Number(url.searchParams.get('maxResults') ?? 500);
    if (!(maxResults >= 200 && maxResults <= 2000)) this.problems.push(`maxResults=${maxResults}`);
    if (url.searchParams.get('liveChatId') !== this.#opts.liveChatId) {
      return fail(404, 'liveChatNotFound', 'The live chat that you are trying to retrieve cannot be found. Check the value of the liveChatId parameter.', 'youtube.liveChat');
    }
    const token = url.searchParams.get('pageToken') ?? undefined;
    if (token !== this.#expectedToken) this.problems.push(`pageToken ${token} (expected ${this.#expectedToken})`);

    const next = this.#script.shift() ?? { page: [], pollingIntervalMillis: this.#opts.idlePollingMs ?? 1000 };
    if ('error' in next) return fail(next.error.status, next.error.reason, next.error.message, next.error.domain);
    this.#expectedToken = `GOOG${++this.#tokens}x${Math.random().toString(36).slice(2, 8)}`;
    send(200, {
      kind: 'youtube#liveChatMessageListResponse',
      etag: `etag-${this.#tokens}`,
      nextPageToken: this.#expectedToken,
      pollingIntervalMillis: next.pollingIntervalMillis,
      ...(next.offline ? { offlineAt: new Date().toISOString() } : {}),
      pageInfo: { totalResults: next.page.length, resultsPerPage: next.page.length },
      items: next.page,
    });
  }

  #videos(url: URL, send: (status: number, body: unknown) => void): void {
    if (!(url.searchParams.get('part') ?? '').split(',').includes('liveStreamingDetails')) this.problems.push(`videos part=${url.searchParams.get('part')}`);
    const ids = (url.searchParams.get('id') ?? '').split(',');
    const videos = this.#opts.videos ?? {};
    const items = ids
      .filter((id) => id in videos)
      .map((id) => ({
        kind: 'youtube#video',
        etag: `v-${id}`,
        id,
        liveStreamingDetails: {
          actualStartTime: '2024-05-01T10:00:00Z',
          concurrentViewers: '42',
          ...(videos[id] ? { activeLiveChatId: videos[id] } : { actualEndTime: '2024-05-01T11:00:00Z' }),
        },
      }));
    send(200, { kind: 'youtube#videoListResponse', etag: 'videos', items, pageInfo: { totalResults: items.length, resultsPerPage: items.length } });
  }
}

// ---------- liveChatMessage resources ----------

function item(id: string, author: [string, string], type: string, snippet: Record<string, unknown>, at?: string): FakeChatItem {
  const [channelId, displayName] = author;
  return {
    kind: 'youtube#liveChatMessage',
    etag: `e-${id}`,
    id,
    snippet: { type, liveChatId: 'ignored-here', authorChannelId: channelId, publishedAt: at ?? new Date().toISOString(), hasDisplayContent: true, ...snippet },
    authorDetails: {
      channelId,
      channelUrl: `http://www.youtube.com/channel/${channelId}`,
      displayName,
      profileImageUrl: 'https://yt3.ggpht.com/x.jpg',
      isVerified: false,
      isChatOwner: false,
      isChatSponsor: false,
      isChatModerator: false,
    },
  };
}

export const yt = {
  text: (id: string, author: [string, string], text: string, at?: string) =>
    item(id, author, 'textMessageEvent', { displayMessage: text, textMessageDetails: { messageText: text } }, at),
  superChat: (id: string, author: [string, string], amountMicros: number, currency: string, comment: string) =>
    item(id, author, 'superChatEvent', {
      displayMessage: `${currency} ${amountMicros / 1e6} from ${author[1]}: "${comment}"`,
      superChatDetails: { amountMicros: String(amountMicros), currency, amountDisplayString: `${amountMicros / 1e6} ${currency}`, userComment: comment, tier: 2 },
    }),
  superSticker: (id: string, author: [string, string], amountMicros: number, currency: string, altText: string) =>
    item(id, author, 'superStickerEvent', {
      displayMessage: `Super Sticker of ${amountMicros / 1e6} ${currency}`,
      superStickerDetails: { superStickerMetadata: { stickerId: 'st1', altText, language: 'en' }, amountMicros: String(amountMicros), currency, amountDisplayString: '', tier: 1 },
    }),
  newSponsor: (id: string, author: [string, string], level: string) =>
    item(id, author, 'newSponsorEvent', { displayMessage: `Welcome to ${level}!`, newSponsorDetails: { memberLevelName: level, isUpgrade: false } }),
  membershipGifting: (id: string, author: [string, string], count: number, level: string) =>
    item(id, author, 'membershipGiftingEvent', {
      displayMessage: `Gifted ${count} ${level} memberships`,
      membershipGiftingDetails: { giftMembershipsCount: count, giftMembershipsLevelName: level },
    }),
  /** A type the connector should ignore. */
  deleted: (id: string, author: [string, string]) => item(id, author, 'messageDeletedEvent', { hasDisplayContent: false, messageDeletedDetails: { deletedMessageId: 'x' } }),
};
