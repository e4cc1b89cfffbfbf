// Bilibili open platform (开放平台 直播长连 / 互动玩法): a signed HTTP API starts a "game" session
// and hands out a WebSocket address plus an auth body; comments, gifts, likes… then arrive as
// packets on that socket. Follows https://open-live.bilibili.com/document/ as implemented by
// xfgryujk/blivedm (blivedm/clients/open_live.py, ws_base.py).
import { createHash, createHmac, randomInt } from 'node:crypto';
import WebSocket from 'ws';
import type { AudienceConnector, AudienceEvent, ConnectorConfig, ConnectorContext, ConnectorStatus } from '../connector.ts';
import type { AudienceEventKind, ConnectorState } from '../../../client-sdk/src/live-room-types.ts';
import { Op, Ver, decodePackets, encodePacket } from './bilibili-packets.ts';
import { errorMessage, sleep } from './connector-util.ts';

export type BilibiliConfig = Extract<ConnectorConfig, { kind: 'bilibili' }>;

export interface BilibiliOptions {
  fetch?: typeof fetch;
  WebSocket?: typeof WebSocket;
  /** WebSocket heartbeat (op 2) interval (default 20 s). */
  heartbeatMs?: number;
  /** /v2/app/heartbeat interval; the platform ends the game after 60 s without one (default 20 s). */
  appHeartbeatMs?: number;
  /** Reconnect delays, the last one repeating (default 1, 2, 4, 8, 16, 30 s). */
  backoffMs?: number[];
  /** How long to wait for the op 8 auth reply (default 10 s). */
  authTimeoutMs?: number;
  /** Per HTTP request deadline (default 10 s). */
  requestTimeoutMs?: number;
}

const DEFAULT_BASE_URL = 'https://live-open.biliapi.com';

/** A non-zero `code` from the open platform API (or an HTTP failure, as a negative status). */
export class BilibiliApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }

  /**
   * Errors that retrying can't fix: request/credential problems (4xxx, except an expired timestamp,
   * a replayed nonce or a rate limit) and a wrong identity code (7007).
   */
  get fatal(): boolean {
    const c = this.code;
    return (c >= 4000 && c < 5000 && ![4003, 4004, 4009].includes(c)) || c === 7007;
  }
}

interface Game {
  gameId: string;
  authBody: string;
  links: string[];
  roomId: number | undefined;
}

/** Normalises one `{cmd, data}` business message; undefined for commands the room ignores. */
export function mapBilibiliCommand(cmd: string, data: Record<string, unknown>): AudienceEvent | undefined {
  const kinds: Record<string, AudienceEventKind> = {
    LIVE_OPEN_PLATFORM_DM: 'comment',
    LIVE_OPEN_PLATFORM_SEND_GIFT: 'gift',
    LIVE_OPEN_PLATFORM_SUPER_CHAT: 'comment',
    LIVE_OPEN_PLATFORM_LIKE: 'like',
    LIVE_OPEN_PLATFORM_LIVE_ROOM_ENTER: 'enter',
    LIVE_OPEN_PLATFORM_ENTER: 'enter',
    LIVE_OPEN_PLATFORM_GUARD: 'follow',
  };
  const kind = kinds[cmd];
  if (!kind) return undefined;
  // Guard purchases nest the buyer under user_info.
  const user = cmd === 'LIVE_OPEN_PLATFORM_GUARD' && isRecord(data.user_info) ? data.user_info : data;
  const extra: Partial<AudienceEvent> = {};
  switch (cmd) {
    case 'LIVE_OPEN_PLATFORM_DM':
      extra.text = str(data.msg);
      break;
    case 'LIVE_OPEN_PLATFORM_SEND_GIFT': {
      const num = num0(data.gift_num) || 1;
      const price = num0(data.price); // 1000 = 1 CNY
      extra.amount = price > 0 && data.paid !== false ? (price * num) / 1000 : num;
      extra.unit = str(data.gift_name);
      break;
    }
    case 'LIVE_OPEN_PLATFORM_SUPER_CHAT':
      extra.text = str(data.message);
      extra.amount = num0(data.rmb);
      extra.unit = 'CNY';
      break;
    case 'LIVE_OPEN_PLATFORM_LIKE':
      extra.amount = num0(data.like_count) || 1;
      break;
    case 'LIVE_OPEN_PLATFORM_GUARD':
      extra.amount = num0(data.guard_num) || 1;
      extra.unit = ({ 1: '总督', 2: '提督', 3: '舰长' } as Record<number, string>)[num0(data.guard_level)] ?? str(data.guard_unit);
      break;
  }
  const userId = str(user.open_id) || str(user.uid);
  const ts = num0(data.timestamp);
  const msgId = str(data.msg_id) || str(data.message_id);
  // Without msg_id the room still needs a stable dedupe key: the same message re-sent after a
  // reconnect must hash the same.
  const id = msgId || `${cmd}:${createHash('sha1').update(JSON.stringify([cmd, userId, ts, extra.text ?? '', extra.amount ?? ''])).digest('hex').slice(0, 20)}`;
  return {
    id,
    kind,
    platform: 'bilibili',
    userId,
    userName: str(user.uname),
    at: new Date(ts > 0 ? ts * 1000 : Date.now()).toISOString(),
    ...extra,
  };
}

/** Why a WebSocket session ended. */
interface SessionEnd {
  opened: boolean;
  authed: boolean;
  /** The op 8 reply said no (or never came): the auth body is stale, start the game again. */
  authFailed: boolean;
  reason: string;
}

export class BilibiliOpenLiveConnector implements AudienceConnector {
  readonly kind = 'bilibili' as const;
  readonly #config: BilibiliConfig;
  readonly #ctx: ConnectorContext;
  readonly #fetch: typeof fetch;
  readonly #WebSocket: typeof WebSocket;
  readonly #heartbeatMs: number;
  readonly #appHeartbeatMs: number;
  readonly #backoffMs: number[];
  readonly #authTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #baseUrl: string;
  #state: ConnectorState = 'stopped';
  #lastError: string | undefined;
  #received = 0;
  #abort: AbortController | undefined;
  #stopping: Promise<void> | undefined;
  #game: Game | undefined;
  #linkIndex = 0;
  #appHeartbeat: NodeJS.Timeout | undefined;
  /** Closes the current socket (used when the game expires under it). */
  #dropSession: ((reason: string) => void) | undefined;

  constructor(
    readonly id: string,
    config: BilibiliConfig,
    ctx: ConnectorContext,
    opts: BilibiliOptions = {},
  ) {
    this.#config = config;
    this.#ctx = ctx;
    this.#fetch = opts.fetch ?? fetch;
    this.#WebSocket = opts.WebSocket ?? WebSocket;
    this.#heartbeatMs = opts.heartbeatMs ?? 20_000;
    this.#appHeartbeatMs = opts.appHeartbeatMs ?? 20_000;
    this.#backoffMs = opts.backoffMs?.length ? opts.backoffMs : [1000, 2000, 4000, 8000, 16000, 30000];
    this.#authTimeoutMs = opts.authTimeoutMs ?? 10_000;
    this.#requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.#baseUrl = (config.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '');
  }

  start(): void {
    if (this.#abort) return;
    const abort = new AbortController();
    this.#abort = abort;
    this.#stopping = undefined;
    this.#setState('connecting', undefined);
    void this.#run(abort.signal);
  }

  stop(): Promise<void> {
    if (this.#abort) {
      this.#abort.abort();
      this.#abort = undefined;
      this.#stopping = this.#shutdown();
    }
    return this.#stopping ?? Promise.resolve();
  }

  status(): ConnectorStatus {
    const config: Record<string, unknown> = { ...this.#config };
    if (config.accessKeySecret) config.accessKeySecret = '***';
    return { id: this.id, kind: this.kind, state: this.#state, received: this.#received, lastError: this.#lastError, config };
  }

  async #shutdown(): Promise<void> {
    this.#stopAppHeartbeat();
    // The socket closes itself on the abort signal. Ending the game matters: without /v2/app/end
    // the platform refuses a new start for the same room for a while.
    const game = this.#game;
    this.#game = undefined;
    if (game) await this.#endGame(game);
    if (this.#state !== 'failed') this.#setState('stopped', this.#lastError);
  }

  async #run(signal: AbortSignal): Promise<void> {
    let attempt = 0;
    while (!signal.aborted) {
      let error: string;
      try {
        this.#game ??= await this.#startGame(signal);
        const end = await this.#connectAny(this.#game, signal);
        if (signal.aborted) return;
        if (end.authed) attempt = 0; // it was working: reconnect quickly
        if (end.authFailed) await this.#dropGame();
        error = end.reason;
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof BilibiliApiError && err.fatal) {
          this.#ctx.log.warn(`bilibili ${this.id}: ${err.message}; giving up`);
          this.#abort = undefined;
          this.#stopAppHeartbeat();
          this.#setState('failed', err.message);
          return;
        }
        error = errorMessage(err);
      }
      const delay = this.#backoffMs[Math.min(attempt++, this.#backoffMs.length - 1)];
      this.#ctx.log.warn(`bilibili ${this.id}: ${error}; reconnecting in ${delay} ms`);
      this.#setState('retrying', error);
      await sleep(delay, signal);
    }
  }

  async #startGame(signal: AbortSignal): Promise<Game> {
    const data = (await this.#request('/v2/app/start', { code: this.#config.code, app_id: this.#config.appId }, signal)) as {
      game_info?: { game_id?: string };
      websocket_info?: { auth_body?: string; wss_link?: string[] };
      anchor_info?: { room_id?: number; uname?: string };
    };
    const links = data.websocket_info?.wss_link ?? [];
    const authBody = data.websocket_info?.auth_body;
    if (!authBody || links.length === 0) throw new Error('bilibili /v2/app/start answered without websocket_info');
    const game: Game = { gameId: data.game_info?.game_id ?? '', authBody, links, roomId: data.anchor_info?.room_id };
    if (signal.aborted) {
      // stop() raced the start: end what we just opened.
      await this.#endGame(game);
      throw new Error('stopped');
    }
    this.#linkIndex = 0;
    this.#ctx.log.info(`bilibili ${this.id}: game ${game.gameId || '(none)'} started for room ${game.roomId ?? '?'} (${data.anchor_info?.uname ?? ''})`);
    // Only 互动玩法 projects get a game_id, and only those need the app heartbeat.
    if (game.gameId) this.#startAppHeartbeat();
    return game;
  }

  async #dropGame(): Promise<void> {
    const game = this.#game;
    this.#game = undefined;
    this.#stopAppHeartbeat();
    if (game) await this.#endGame(game);
  }

  async #endGame(game: Game): Promise<void> {
    if (!game.gameId) return;
    try {
      await this.#request('/v2/app/end', { app_id: this.#config.appId, game_id: game.gameId });
    } catch (err) {
      this.#ctx.log.warn(`bilibili ${this.id}: /v2/app/end failed: ${errorMessage(err)}`);
    }
  }

  #startAppHeartbeat(): void {
    this.#stopAppHeartbeat();
    this.#appHeartbeat = setInterval(() => void this.#sendAppHeartbeat(), this.#appHeartbeatMs);
  }

  #stopAppHeartbeat(): void {
    clearInterval(this.#appHeartbeat);
    this.#appHeartbeat = undefined;
  }

  async #sendAppHeartbeat(): Promise<void> {
    const game = this.#game;
    if (!game?.gameId || !this.#abort) return;
    try {
      await this.#request('/v2/app/heartbeat', { game_id: game.gameId }, this.#abort.signal);
    } catch (err) {
      if (!this.#abort || this.#game !== game) return;
      this.#ctx.log.warn(`bilibili ${this.id}: app heartbeat failed: ${errorMessage(err)}`);
      // 7003 heartbeat expired / 7000 not in game: the session is gone, start a new one.
      if (err instanceof BilibiliApiError && (err.code === 7003 || err.code === 7000)) {
        this.#game = undefined;
        this.#stopAppHeartbeat();
        this.#dropSession?.(`game ${game.gameId} expired (${err.message})`);
      }
    }
  }

  /** Tries the wss links in turn, starting from the last one that worked; resolves when the session ends. */
  async #connectAny(game: Game, signal: AbortSignal): Promise<SessionEnd> {
    let end: SessionEnd | undefined;
    for (let i = 0; i < game.links.length && !signal.aborted; i++) {
      const index = (this.#linkIndex + i) % game.links.length;
      end = await this.#session(game.links[index], game, signal);
      if (end.opened) {
        this.#linkIndex = index;
        return end;
      }
      this.#ctx.log.warn(`bilibili ${this.id}: ${game.links[index]}: ${end.reason}`);
    }
    return end ?? { opened: false, authed: false, authFailed: false, reason: 'stopped' };
  }

  #session(url: string, game: Game, signal: AbortSignal): Promise<SessionEnd> {
    return new Promise((resolve) => {
      const ws = new this.#WebSocket(url);
      const st = { opened: false, authed: false, authFailed: false };
      let lastError = '';
      let unanswered = 0;
      let heartbeat: NodeJS.Timeout | undefined;
      let authTimer: NodeJS.Timeout | undefined;
      let done = false;
      const finish = (reason: string) => {
        if (done) return;
        done = true;
        clearTimeout(authTimer);
        clearInterval(heartbeat);
        signal.removeEventListener('abort', onAbort);
        if (this.#dropSession === finish) this.#dropSession = undefined;
        ws.terminate();
        resolve({ ...st, reason });
      };
      const onAbort = () => finish('stopped');
      signal.addEventListener('abort', onAbort, { once: true });
      this.#dropSession = finish;
      authTimer = setTimeout(() => {
        st.authFailed = st.opened;
        finish(st.opened ? 'no auth reply from the websocket server' : `timed out connecting to ${url}`);
      }, this.#authTimeoutMs);
      const sendHeartbeat = () => {
        // Two heartbeats in a row without an op 3 reply: the link is dead even if TCP says otherwise.
        if (unanswered >= 2) return finish(`no heartbeat reply for ${2 * this.#heartbeatMs} ms`);
        unanswered++;
        ws.send(encodePacket(Op.HEARTBEAT, '', Ver.HEARTBEAT));
      };

      ws.on('open', () => {
        st.opened = true;
        ws.send(encodePacket(Op.AUTH, game.authBody, Ver.HEARTBEAT));
      });
      ws.on('message', (data: WebSocket.RawData) => {
        const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
        const events: AudienceEvent[] = [];
        try {
          for (const p of decodePackets(buf)) {
            if (p.op === Op.AUTH_REPLY) {
              const code = (JSON.parse(p.body.toString('utf8')) as { code?: number }).code;
              if (code !== 0) {
                st.authFailed = true;
                return finish(`websocket auth rejected (code ${code})`);
              }
              st.authed = true;
              clearTimeout(authTimer);
              this.#setState('live', undefined);
              sendHeartbeat(); // as blivedm does, right after auth
              heartbeat = setInterval(sendHeartbeat, this.#heartbeatMs);
            } else if (p.op === Op.HEARTBEAT_REPLY) {
              unanswered = 0;
            } else if (p.op === Op.SEND_MSG_REPLY && p.body.length > 0) {
              const msg = JSON.parse(p.body.toString('utf8')) as { cmd?: unknown; data?: unknown };
              if (typeof msg.cmd !== 'string' || !isRecord(msg.data)) continue;
              const ev = mapBilibiliCommand(msg.cmd, msg.data);
              if (ev) events.push(ev);
            }
          }
        } catch (err) {
          // One malformed packet shouldn't cost the connection (blivedm logs and goes on too).
          this.#ctx.log.warn(`bilibili ${this.id}: bad packet: ${errorMessage(err)}`);
        } finally {
          if (events.length) {
            this.#received += events.length;
            this.#ctx.onEvents(events);
          }
        }
      });
      ws.on('error', (err: Error) => {
        lastError = err.message;
      });
      ws.on('close', (code: number, reason: Buffer) => {
        const why = reason.length ? `${code} ${reason.toString('utf8')}` : String(code);
        finish(lastError ? `websocket error: ${lastError}` : `websocket closed (${why})`);
      });
    });
  }

  /** A signed open-platform request: HMAC-SHA256 over the sorted x-bili-* headers, content-md5 of the body. */
  async #request(path: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    const json = JSON.stringify(body);
    const signed: Record<string, string> = {
      'x-bili-accesskeyid': this.#config.accessKeyId,
      'x-bili-content-md5': createHash('md5').update(json).digest('hex'),
      'x-bili-signature-method': 'HMAC-SHA256',
      'x-bili-signature-nonce': String(randomInt(0, 2 ** 47)),
      'x-bili-signature-version': '1.0',
      'x-bili-timestamp': String(Math.floor(Date.now() / 1000)),
    };
    const toSign = Object.keys(signed)
      .sort()
      .map((k) => `${k}:${signed[k]}`)
      .join('\n');
    const headers = {
      ...signed,
      Authorization: createHmac('sha256', this.#config.accessKeySecret).update(toSign).digest('hex'),
      'Content-Type': 'application/json',
      Accept: 'application/json',
    };
    const timeout = AbortSignal.timeout(this.#requestTimeoutMs);
    const res = await this.#fetch(this.#baseUrl + path, {
      method: 'POST',
      headers,
      body: json,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const text = await res.text();
    if (!res.ok) throw new BilibiliApiError(-res.status, `bilibili ${path}: HTTP ${res.status} ${text.slice(0, 200)}`);
    let reply: { code?: number; message?: string; request_id?: string; data?: unknown };
    try {
      reply = JSON.parse(text) as typeof reply;
    } catch {
      throw new BilibiliApiError(-1, `bilibili ${path}: response is not JSON`);
    }
    if (reply.code !== 0) {
      throw new BilibiliApiError(reply.code ?? -1, `bilibili ${path} failed: code ${reply.code}${reply.message ? ` ${reply.message}` : ''}${reply.request_id ? ` (request_id ${reply.request_id})` : ''}`);
    }
    return reply.data ?? {};
  }

  #setState(state: ConnectorState, lastError: string | undefined): void {
    if (state === this.#state && lastError === this.#lastError) return;
    this.#state = state;
    this.#lastError = lastError;
    this.#ctx.onStatus(this.status());
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '';
}

function num0(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : 0;
}
