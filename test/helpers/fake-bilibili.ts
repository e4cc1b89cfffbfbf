// A local stand-in for the Bilibili open platform (开放平台 直播长连 / 互动玩法):
//   HTTP  POST /v2/app/start | /v2/app/heartbeat | /v2/app/end, signed requests verified
//         (https://open-live.bilibili.com/document/ "签名", "项目开启/心跳/关闭")
//   WS    the long-connection packet protocol (https://open-live.bilibili.com/document/ "长连",
//         as implemented by xfgryujk/blivedm blivedm/clients/ws_base.py): op 7 auth with the
//         handed-out auth_body, op 8 reply, op 2/3 heartbeats, op 5 messages (plain, or zlib / brotli
//         batches of several packets).
// Packets are built here with node:zlib and Buffer writes of its own, not with the client's codec.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync } from 'node:zlib';
import { WebSocketServer, type WebSocket } from 'ws';

export interface FakeBilibiliOptions {
  appId: number;
  accessKeyId: string;
  accessKeySecret: string;
  code: string;
  /** Put an address nobody listens on first in wss_link, to check the client falls through. */
  deadLinkFirst?: boolean;
}

export interface ApiCall {
  path: string;
  body: Record<string, unknown>;
  /** The code the fake answered with. */
  code: number;
  at: number;
}

interface Game {
  gameId: string;
  authBody: string;
  ended: boolean;
}

/** One packet, header written by hand: packet_len, header_len=16, ver, op, seq (big-endian). */
export function rawPacket(op: number, body: Buffer | string, ver = 0, seq = 0): Buffer {
  const b = typeof body === 'string' ? Buffer.from(body) : body;
  const h = Buffer.alloc(16);
  h.writeUInt32BE(16 + b.length, 0);
  h.writeUInt16BE(16, 4);
  h.writeUInt16BE(ver, 6);
  h.writeUInt32BE(op, 8);
  h.writeUInt32BE(seq, 12);
  return Buffer.concat([h, b]);
}

const message = (cmd: string, data: Record<string, unknown>) => rawPacket(5, JSON.stringify({ cmd, data }));

export class FakeBilibili {
  readonly calls: ApiCall[] = [];
  /** Anything the client got wrong (bad signature, unknown auth body, heartbeat before auth…). */
  readonly problems: string[] = [];
  readonly games: Game[] = [];
  /** Auth packets received: the body, and whether it matched the auth_body of a live game. */
  readonly auths: { body: string; matched: boolean }[] = [];
  /** op 2 packets received (client packets may be ver 0 or 1; blivedm sends 1). */
  wsHeartbeats = 0;
  connections = 0;
  /** Set false to stop answering op 2, so the client must notice a dead link. */
  replyHeartbeats = true;
  /** Reject this many coming auth packets with code -101 (token error). */
  rejectAuths = 0;
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #opts: FakeBilibiliOptions;
  readonly #authed = new Set<WebSocket>();
  readonly #nonces = new Set<string>();
  #deadPort = 0;

  private constructor(server: Server, wss: WebSocketServer, opts: FakeBilibiliOptions) {
    this.#server = server;
    this.#wss = wss;
    this.#opts = opts;
  }

  static async start(opts: FakeBilibiliOptions): Promise<FakeBilibili> {
    let fake!: FakeBilibili;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => fake.#handle(req, Buffer.concat(chunks), res));
    });
    const wss = new WebSocketServer({ server, path: '/sub' });
    fake = new FakeBilibili(server, wss, opts);
    wss.on('connection', (ws) => fake.#onSocket(ws));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    if (opts.deadLinkFirst) {
      // A port that was free a moment ago: connecting to it is refused.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      fake.#deadPort = (probe.address() as AddressInfo).port;
      await new Promise<void>((resolve) => probe.close(() => resolve()));
    }
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get #port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  get authedSockets(): number {
    return this.#authed.size;
  }

  callsTo(path: string): ApiCall[] {
    return this.calls.filter((c) => c.path === path);
  }

  /** One plain (ver 0) op 5 packet per WebSocket message. */
  send(cmd: string, data: Record<string, unknown>): void {
    this.#broadcast(message(cmd, data));
  }

  /** Several plain packets concatenated in one WebSocket message. */
  sendConcat(msgs: [string, Record<string, unknown>][]): void {
    this.#broadcast(Buffer.concat(msgs.map(([c, d]) => message(c, d))));
  }

  /** One compressed op 5 packet (ver 2 zlib, ver 3 brotli) whose body is several packets. */
  sendBatch(msgs: [string, Record<string, unknown>][], compression: 'zlib' | 'brotli'): void {
    const inner = Buffer.concat(msgs.map(([c, d]) => message(c, d)));
    const packed = compression === 'zlib' ? rawPacket(5, deflateSync(inner), 2) : rawPacket(5, brotliCompressSync(inner), 3);
    this.#broadcast(packed);
  }

  /** Kills every client socket without a close frame, as a network drop would. */
  drop(): void {
    for (const ws of this.#wss.clients) ws.terminate();
  }

  async close(): Promise<void> {
    for (const ws of this.#wss.clients) ws.terminate();
    await new Promise<void>((resolve) => this.#wss.close(() => resolve()));
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #broadcast(data: Buffer): void {
    for (const ws of this.#authed) ws.send(data);
  }

  #onSocket(ws: WebSocket): void {
    this.connections++;
    ws.on('close', () => this.#authed.delete(ws));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (!isBinary) return this.problems.push('text frame from client');
      let offset = 0;
      while (offset + 16 <= data.length) {
        const len = data.readUInt32BE(offset);
        const headerLen = data.readUInt16BE(offset + 4);
        const ver = data.readUInt16BE(offset + 6);
        const op = data.readUInt32BE(offset + 8);
        if (headerLen !== 16 || len < 16 || offset + len > data.length) return this.problems.push(`bad client packet header at ${offset}`);
        if (ver !== 0 && ver !== 1) this.problems.push(`client packet ver ${ver}`);
        const body = data.subarray(offset + 16, offset + len).toString('utf8');
        offset += len;
        if (op === 7) this.#onAuth(ws, body);
        else if (op === 2) {
          if (!this.#authed.has(ws)) this.problems.push('heartbeat before auth');
          this.wsHeartbeats++;
          // The live server answers with a 4-byte popularity count.
          if (this.replyHeartbeats) ws.send(rawPacket(3, Buffer.from([0, 0, 0, 7]), 1));
        } else this.problems.push(`unexpected client op ${op}`);
      }
    });
  }

  #onAuth(ws: WebSocket, body: string): void {
    const game = this.games.find((g) => g.authBody === body && !g.ended);
    const ok = !!game && this.rejectAuths === 0;
    this.auths.push({ body, matched: !!game });
    if (!game) this.problems.push(`auth body not handed out (or game ended): ${body.slice(0, 60)}`);
    if (!ok) {
      if (this.rejectAuths > 0) this.rejectAuths--;
      ws.send(rawPacket(8, JSON.stringify({ code: -101 }), 0));
      return;
    }
    this.#authed.add(ws);
    ws.send(rawPacket(8, JSON.stringify({ code: 0 }), 0));
  }

  #handle(req: IncomingMessage, raw: Buffer, res: ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const reply = (code: number, msg: string, data: unknown = {}) => {
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
      } catch {
        /* recorded as {} */
      }
      this.calls.push({ path, body, code, at: performance.now() });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code, message: msg, request_id: randomBytes(8).toString('hex'), data }));
    };
    if (req.method !== 'POST') return reply(4010, 'method not allowed');
    const bad = this.#verifySignature(req, raw);
    if (bad) {
      this.problems.push(`${path}: ${bad[1]}`);
      return reply(bad[0], bad[1]);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
    } catch {
      return reply(4000, '参数错误: body is not JSON');
    }
    switch (path) {
      case '/v2/app/start': {
        if (body.app_id !== this.#opts.appId) return reply(4000, `参数错误: app_id ${body.app_id}`);
        if (body.code !== this.#opts.code) return reply(7007, '身份码错误');
        // A new start replaces the room's previous game.
        for (const g of this.games) g.ended = true;
        const game: Game = {
          gameId: `game-${this.games.length + 1}-${randomBytes(4).toString('hex')}`,
          authBody: JSON.stringify({ roomid: 4242, protover: 2, uid: 0, key: randomBytes(16).toString('base64'), group: 'open' }),
          ended: false,
        };
        this.games.push(game);
        const good = `ws://127.0.0.1:${this.#port}/sub`;
        const links = this.#deadPort ? [`ws://127.0.0.1:${this.#deadPort}/sub`, good] : [good];
        return reply(0, '0', {
          game_info: { game_id: game.gameId },
          websocket_info: { auth_body: game.authBody, wss_link: links },
          anchor_info: { room_id: 4242, uname: '主播', uface: 'https://i0.hdslb.com/x.jpg', uid: 0, open_id: 'anchor-open-id' },
        });
      }
      case '/v2/app/heartbeat': {
        const game = this.games.find((g) => g.gameId === body.game_id);
        if (!game || game.ended) return reply(7003, '心跳过期或GameId错误');
        return reply(0, '0');
      }
      case '/v2/app/end': {
        if (body.app_id !== this.#opts.appId) return reply(4000, `参数错误: app_id ${body.app_id}`);
        const game = this.games.find((g) => g.gameId === body.game_id);
        if (!game) return reply(7000, '不在游戏内');
        game.ended = true;
        for (const ws of this.#authed) ws.terminate(); // the platform stops pushing for an ended game
        return reply(0, '0');
      }
      default:
        return reply(4010, '接口不存在');
    }
  }

  /** Checks the open-platform signature scheme; returns [code, message] when something is off. */
  #verifySignature(req: IncomingMessage, raw: Buffer): [number, string] | undefined {
    const h = req.headers;
    const one = (name: string) => (typeof h[name] === 'string' ? (h[name] as string) : undefined);
    if (!one('content-type')?.startsWith('application/json')) return [4011, 'Content-Type不为application/json'];
    if (one('accept') !== 'application/json') return [4013, 'Accept不为application/json'];
    if (one('x-bili-accesskeyid') !== this.#opts.accessKeyId) return [4001, `unknown access key id ${one('x-bili-accesskeyid')}`];
    if (one('x-bili-signature-method') !== 'HMAC-SHA256') return [4005, 'signature method must be HMAC-SHA256'];
    if (one('x-bili-signature-version') !== '1.0') return [4006, 'signature version must be 1.0'];
    if (one('x-bili-content-md5') !== createHash('md5').update(raw).digest('hex')) return [4012, 'MD5校验失败'];
    const ts = Number(one('x-bili-timestamp'));
    if (!Number.isInteger(ts) || Math.abs(ts - Date.now() / 1000) > 600) return [4003, `请求过期: timestamp ${one('x-bili-timestamp')}`];
    const nonce = one('x-bili-signature-nonce');
    if (!nonce) return [4000, 'missing x-bili-signature-nonce'];
    if (this.#nonces.has(nonce)) return [4004, '重放请求'];
    this.#nonces.add(nonce);
    const toSign = Object.keys(h)
      .filter((k) => k.startsWith('x-bili-'))
      .sort()
      .map((k) => `${k}:${one(k)}`)
      .join('\n');
    const expected = createHmac('sha256', this.#opts.accessKeySecret).update(toSign).digest();
    const given = Buffer.from(one('authorization') ?? '', 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return [4002, '签名异常'];
    return undefined;
  }
}
