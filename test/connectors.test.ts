// Audience connectors against local servers that speak the platforms' published protocols:
//  - YouTube Data API v3, liveChatMessages.list / videos.list (liveStreamingDetails) and the
//    Google error format: https://developers.google.com/youtube/v3/live/docs/liveChatMessages/list,
//    https://developers.google.com/youtube/v3/docs/videos, https://developers.google.com/youtube/v3/docs/errors
//  - Bilibili open platform (开放平台 直播长连 / 互动玩法): https://open-live.bilibili.com/document/
//    (signature scheme, /v2/app/start|heartbeat|end, the long-connection packet protocol), as
//    implemented by xfgryujk/blivedm blivedm/clients/open_live.py and ws_base.py.
// The fakes (test/helpers/fake-youtube.ts, fake-bilibili.ts) verify what the real connector code sends.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { brotliCompressSync, deflateSync } from 'node:zlib';
import type { AudienceEvent, ConnectorContext, ConnectorStatus } from '../server/audience/connector.ts';
import { YouTubeChatConnector } from '../server/audience/connectors/youtube.ts';
import { BilibiliOpenLiveConnector } from '../server/audience/connectors/bilibili.ts';
import { HEADER_SIZE, Op, decodePackets, encodePacket } from '../server/audience/connectors/bilibili-packets.ts';
import { createConnector, validateConnectorConfig } from '../server/audience/connectors/index.ts';
import { FakeYouTube, yt } from './helpers/fake-youtube.ts';
import { FakeBilibili, rawPacket } from './helpers/fake-bilibili.ts';

/** A ConnectorContext that records everything. */
function recorder() {
  const events: AudienceEvent[] = [];
  const statuses: ConnectorStatus[] = [];
  const ctx: ConnectorContext = {
    onEvents: (e) => events.push(...e),
    onStatus: (s) => statuses.push(s),
    log: { info: () => {}, warn: () => {} },
  };
  return { ctx, events, statuses, states: () => statuses.map((s) => s.state) };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------- YouTube ----------

const alice: [string, string] = ['UCalice', 'Alice'];
const bob: [string, string] = ['UCbob', 'Bob'];

test('youtube: follows nextPageToken, every event once and in order, item types mapped', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT1', apiKey: 'KEY1', idlePollingMs: 5000 });
  const r = recorder();
  fake.queuePage([yt.text('m1', alice, 'hello', '2024-05-01T10:00:01Z'), yt.text('m2', bob, 'hi there')], 50);
  fake.queuePage([yt.deleted('d1', alice), yt.superChat('m3', bob, 5_000_000, 'USD', 'great stream')], 50);
  fake.queuePage([yt.superSticker('m4', alice, 2_000_000, 'EUR', 'a cat'), yt.newSponsor('m5', bob, 'Gold'), yt.membershipGifting('m6', alice, 5, 'Gold')], 50);
  const c = new YouTubeChatConnector('yt1', { kind: 'youtube', liveChatId: 'CHAT1', apiKey: 'KEY1', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 20 });
  c.start();
  try {
    await waitFor('six events', () => r.events.length >= 6);
    await waitFor('the idle page after the script', () => fake.chatRequests().length >= 4);
    assert.equal(r.events.map((e) => e.id), ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    assert.equal(r.events[0], { id: 'm1', kind: 'comment', platform: 'youtube', userId: 'UCalice', userName: 'Alice', text: 'hello', at: '2024-05-01T10:00:01Z' });
    assert.equal([r.events[2].kind, r.events[2].amount, r.events[2].unit, r.events[2].text], ['comment', 5, 'USD', 'great stream']);
    assert.equal([r.events[3].kind, r.events[3].amount, r.events[3].unit], ['gift', 2, 'EUR']);
    assert.is(r.events[4].kind, 'follow');
    assert.equal([r.events[5].kind, r.events[5].amount, r.events[5].unit], ['gift', 5, 'Gold']);
    assert.equal(fake.problems, [], 'pageToken chain, part and maxResults as the API wants them');
    assert.ok(fake.chatRequests().every((q) => q.query.get('key') === 'KEY1' && q.query.get('maxResults') === '2000'));
    assert.is(c.status().state, 'live');
    assert.is(c.status().received, 6);
    assert.equal(r.states(), ['connecting', 'live']);
    assert.is(c.status().config.apiKey, '***');
  } finally {
    await c.stop();
    await fake.close();
  }
  assert.is(c.status().state, 'stopped');
});

test('youtube: pollingIntervalMillis is honoured, minPollMs floors it', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT1', apiKey: 'KEY1', idlePollingMs: 5000 });
  const r = recorder();
  const intervals = [300, 0, 250, 400];
  for (const [i, ms] of intervals.entries()) fake.queuePage([yt.text(`p${i}`, alice, `n${i}`)], ms);
  const c = new YouTubeChatConnector('yt2', { kind: 'youtube', liveChatId: 'CHAT1', apiKey: 'KEY1', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 150 });
  c.start();
  try {
    await waitFor('five polls', () => fake.chatRequests().length >= 5, 4000);
    const at = fake.chatRequests().map((q) => q.at);
    const gaps = intervals.map((_, i) => at[i + 1] - at[i]);
    const wanted = intervals.map((ms) => Math.max(ms, 150));
    gaps.forEach((g, i) => assert.ok(g >= wanted[i] - 10, `gap ${i}: ${g.toFixed(0)} ms ≥ ${wanted[i]} ms`));
    gaps.forEach((g, i) => assert.ok(g < wanted[i] + 250, `gap ${i}: ${g.toFixed(0)} ms isn't much later than ${wanted[i]} ms`));
    assert.equal(r.events.map((e) => e.text), ['n0', 'n1', 'n2', 'n3']);
  } finally {
    await c.stop();
    await fake.close();
  }
});

test('youtube: videoId → activeLiveChatId lookup, OAuth bearer', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT9', oauthToken: 'ya29.token', videos: { vid123: 'CHAT9', ended1: undefined } });
  const r = recorder();
  fake.queuePage([yt.text('v1', alice, 'from the video')], 50);
  const c = new YouTubeChatConnector('yt3', { kind: 'youtube', videoId: 'vid123', oauthToken: 'ya29.token', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 20 });
  c.start();
  try {
    await waitFor('the event', () => r.events.length === 1);
    assert.is(fake.requests[0].path, '/youtube/v3/videos');
    assert.is(fake.requests[0].query.get('id'), 'vid123');
    assert.is(fake.requests[0].authorization, 'Bearer ya29.token');
    assert.is(fake.chatRequests()[0].query.get('liveChatId'), 'CHAT9');
    assert.is(fake.chatRequests()[0].query.get('key'), null);
    assert.is(c.status().config.oauthToken, '***');
  } finally {
    await c.stop();
  }
  // A video without an active chat fails clearly and doesn't poll.
  const r2 = recorder();
  const c2 = new YouTubeChatConnector('yt3b', { kind: 'youtube', videoId: 'ended1', oauthToken: 'ya29.token', baseUrl: fake.baseUrl }, r2.ctx, { minPollMs: 20 });
  c2.start();
  try {
    await waitFor('failed', () => c2.status().state === 'failed');
    assert.match(c2.status().lastError ?? '', /no active live chat/);
  } finally {
    await c2.stop();
    await fake.close();
  }
});

test('youtube: quota error → retrying (lastError names quota), then recovers', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT1', apiKey: 'KEY1', idlePollingMs: 5000 });
  const r = recorder();
  fake.queuePage([yt.text('q1', alice, 'before')], 50);
  fake.queueError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your <a href="/youtube/v3/getting-started#quota">quota</a>.', 'youtube.quota');
  fake.queuePage([yt.text('q2', bob, 'after')], 50);
  const c = new YouTubeChatConnector('yt4', { kind: 'youtube', liveChatId: 'CHAT1', apiKey: 'KEY1', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 20, quotaBackoffMs: 400 });
  c.start();
  try {
    await waitFor('retrying', () => c.status().state === 'retrying');
    assert.match(c.status().lastError ?? '', /quota/i);
    await waitFor('recovery', () => r.events.length === 2);
    assert.is(c.status().state, 'live');
    assert.equal(r.states(), ['connecting', 'live', 'retrying', 'live']);
    assert.match(r.statuses[2].lastError ?? '', /quotaExceeded/);
    const at = fake.chatRequests().map((q) => q.at);
    assert.ok(at[2] - at[1] >= 390, `backed off ${(at[2] - at[1]).toFixed(0)} ms after the quota error`);
    assert.equal(fake.problems, [], 'the retry re-sent the same pageToken');
  } finally {
    await c.stop();
    await fake.close();
  }
});

test('youtube: 5xx → exponential backoff, then recovers', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT1', apiKey: 'KEY1', idlePollingMs: 5000 });
  const r = recorder();
  fake.queueError(503, 'backendError', 'Backend Error', 'global');
  fake.queueError(500, 'internalError', 'Internal Error', 'global');
  fake.queuePage([yt.text('s1', alice, 'ok now')], 50);
  const c = new YouTubeChatConnector('yt5', { kind: 'youtube', liveChatId: 'CHAT1', apiKey: 'KEY1', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 20, retryBaseMs: 100 });
  c.start();
  try {
    await waitFor('recovery', () => r.events.length === 1);
    const at = fake.chatRequests().map((q) => q.at);
    assert.ok(at[1] - at[0] >= 95 && at[2] - at[1] >= 195, `backoff doubles: ${(at[1] - at[0]).toFixed(0)}, ${(at[2] - at[1]).toFixed(0)} ms`);
    // Each distinct error is reported (503, then 500), then recovery.
    assert.equal(r.states(), ['connecting', 'retrying', 'retrying', 'live']);
    assert.match(r.statuses[1].lastError ?? '', /server error \(503 backendError/);
    assert.is(c.status().lastError, undefined);
  } finally {
    await c.stop();
    await fake.close();
  }
});

test('youtube: auth error → failed, polling stops; liveChatEnded → failed', async () => {
  const fake = await FakeYouTube.start({ liveChatId: 'CHAT1', oauthToken: 'good-token', idlePollingMs: 50 });
  const r = recorder();
  const c = new YouTubeChatConnector('yt6', { kind: 'youtube', liveChatId: 'CHAT1', oauthToken: 'expired-token', baseUrl: fake.baseUrl }, r.ctx, { minPollMs: 20, retryBaseMs: 20 });
  c.start();
  try {
    await waitFor('failed', () => c.status().state === 'failed');
    assert.match(c.status().lastError ?? '', /credentials.*401 authError/);
    await delay(300);
    assert.is(fake.requests.length, 1, 'no polling after an auth failure');
    assert.equal(r.states(), ['connecting', 'failed']);
  } finally {
    await c.stop();
  }
  const r2 = recorder();
  fake.queueError(403, 'liveChatEnded', 'The live chat is no longer live.', 'youtube.liveChat');
  const c2 = new YouTubeChatConnector('yt7', { kind: 'youtube', liveChatId: 'CHAT1', oauthToken: 'good-token', baseUrl: fake.baseUrl }, r2.ctx, { minPollMs: 20 });
  c2.start();
  try {
    await waitFor('failed', () => c2.status().state === 'failed');
    assert.match(c2.status().lastError ?? '', /ended/);
    const n = fake.requests.length;
    await delay(200);
    assert.is(fake.requests.length, n);
  } finally {
    await c2.stop();
  }
  // A page carrying offlineAt: its events are delivered, then polling ends.
  const r3 = recorder();
  fake.queuePage([yt.text('last', alice, 'bye')], 50, true);
  const c3 = new YouTubeChatConnector('yt8', { kind: 'youtube', liveChatId: 'CHAT1', oauthToken: 'good-token', baseUrl: fake.baseUrl }, r3.ctx, { minPollMs: 20 });
  c3.start();
  try {
    await waitFor('failed', () => c3.status().state === 'failed');
    assert.equal(r3.events.map((e) => e.id), ['last']);
    assert.match(c3.status().lastError ?? '', /ended/);
  } finally {
    await c3.stop();
    await fake.close();
  }
});

// ---------- Bilibili packet codec ----------

test('bilibili packets: encode / decode round trip, concatenation, zlib and brotli batches', () => {
  const p = encodePacket(Op.AUTH, '{"key":"k"}', 1, 1);
  assert.is(p.readUInt32BE(0), HEADER_SIZE + 11);
  assert.is(p.readUInt16BE(4), 16);
  assert.equal(p, rawPacket(7, '{"key":"k"}', 1, 1), 'same bytes as the independently written fake');
  const [d] = decodePackets(p);
  assert.equal([d.op, d.ver, d.seq, d.body.toString()], [7, 1, 1, '{"key":"k"}']);

  const msgs = ['a', 'bb', 'ccc'].map((t) => rawPacket(5, JSON.stringify({ cmd: t })));
  const inner = Buffer.concat(msgs);
  const mixed = Buffer.concat([rawPacket(5, deflateSync(inner), 2), encodePacket(Op.SEND_MSG_REPLY, '{"cmd":"plain"}'), rawPacket(5, brotliCompressSync(inner), 3)]);
  const out = decodePackets(mixed);
  assert.equal(
    out.map((x) => JSON.parse(x.body.toString()).cmd),
    ['a', 'bb', 'ccc', 'plain', 'a', 'bb', 'ccc'],
  );
  assert.ok(out.every((x) => x.op === 5 && x.ver === 0));
  // Nested: a brotli batch holding a zlib batch.
  const nested = rawPacket(5, brotliCompressSync(Buffer.concat([rawPacket(5, deflateSync(inner), 2), msgs[0]])), 3);
  assert.is(decodePackets(nested).length, 4);
  // A heartbeat reply with bytes past its packet_len, and a truncated tail, don't produce packets.
  const hb = Buffer.concat([rawPacket(3, Buffer.from([0, 0, 0, 1])), Buffer.from('[object Object]')]);
  assert.equal(decodePackets(hb).map((x) => x.op), [3]);
  assert.equal(decodePackets(Buffer.concat([msgs[0], msgs[1].subarray(0, 20)])).length, 1);
  assert.equal(decodePackets(Buffer.alloc(0)), []);
});

// ---------- Bilibili connector ----------

const BILI = { appId: 1650000000001, accessKeyId: 'AKID-test', accessKeySecret: 'SECRET-test', code: 'BLMNUWXVJWU85' };

function biliConnector(fake: FakeBilibili, r: ReturnType<typeof recorder>, over: Partial<typeof BILI> = {}, heartbeatMs = 100) {
  return new BilibiliOpenLiveConnector('bl', { kind: 'bilibili', ...BILI, ...over, baseUrl: fake.baseUrl }, r.ctx, {
    heartbeatMs,
    appHeartbeatMs: 150,
    backoffMs: [50, 100, 200],
  });
}

test('bilibili: signed start, auth, heartbeats, events plain/concatenated/zlib/brotli, reconnect, end', async () => {
  const fake = await FakeBilibili.start({ ...BILI, deadLinkFirst: true });
  const r = recorder();
  const c = biliConnector(fake, r);
  c.start();
  try {
    await waitFor('live', () => c.status().state === 'live');
    assert.is(fake.callsTo('/v2/app/start').length, 1);
    assert.equal(fake.callsTo('/v2/app/start')[0].body, { code: BILI.code, app_id: BILI.appId });
    assert.is(fake.callsTo('/v2/app/start')[0].code, 0, 'signature, content-md5 and headers accepted');
    assert.equal(fake.auths, [{ body: fake.games[0].authBody, matched: true }], 'auth packet carries the auth_body handed out');
    assert.is(c.status().config.accessKeySecret, '***');

    const ts = 1714557600;
    fake.send('LIVE_OPEN_PLATFORM_DM', { uname: '观众A', uid: 0, open_id: 'oA', msg: '你好', msg_id: 'dm-1', timestamp: ts, room_id: 4242, dm_type: 0 });
    fake.sendConcat([
      ['LIVE_OPEN_PLATFORM_SEND_GIFT', { uname: '观众B', open_id: 'oB', gift_id: 31036, gift_name: '小花花', gift_num: 3, price: 100, paid: true, msg_id: 'gift-1', timestamp: ts }],
      ['LIVE_OPEN_PLATFORM_LIKE', { uname: '观众C', open_id: 'oC', like_text: '为主播点赞了', like_count: 5, msg_id: 'like-1', timestamp: ts }],
      ['LIVE_OPEN_PLATFORM_LIVE_ROOM_ENTER', { uname: '观众D', open_id: 'oD', timestamp: ts }],
      ['LIVE_OPEN_PLATFORM_SOMETHING_NEW', { foo: 1 }],
    ]);
    await waitFor('plain + concatenated', () => r.events.length === 4);
    assert.equal(r.events[0], { id: 'dm-1', kind: 'comment', platform: 'bilibili', userId: 'oA', userName: '观众A', text: '你好', at: new Date(ts * 1000).toISOString() });
    assert.equal([r.events[1].kind, r.events[1].amount, r.events[1].unit, r.events[1].id], ['gift', 0.3, '小花花', 'gift-1']);
    assert.equal([r.events[2].kind, r.events[2].amount], ['like', 5]);
    assert.equal([r.events[3].kind, r.events[3].userName], ['enter', '观众D']);
    assert.ok(r.events[3].id.length > 8, 'an id built for the msg_id-less enter event');

    fake.sendBatch(
      [1, 2, 3].map((i) => ['LIVE_OPEN_PLATFORM_DM', { uname: `z${i}`, open_id: `z${i}`, msg: `zlib ${i}`, msg_id: `z-${i}`, timestamp: ts }] as [string, Record<string, unknown>]),
      'zlib',
    );
    fake.sendBatch(
      [
        ['LIVE_OPEN_PLATFORM_DM', { uname: 'b1', open_id: 'b1', msg: 'brotli 1', msg_id: 'b-1', timestamp: ts }],
        ['LIVE_OPEN_PLATFORM_SUPER_CHAT', { uname: 'b2', open_id: 'b2', message: '醒目留言', rmb: 30, message_id: 77, msg_id: 'sc-1', timestamp: ts }],
        ['LIVE_OPEN_PLATFORM_GUARD', { user_info: { open_id: 'b3', uname: 'b3' }, guard_level: 3, guard_num: 1, guard_unit: '月', msg_id: 'g-1', timestamp: ts }],
      ],
      'brotli',
    );
    await waitFor('both batches', () => r.events.length === 10);
    assert.equal(r.events.slice(4).map((e) => e.id), ['z-1', 'z-2', 'z-3', 'b-1', 'sc-1', 'g-1']);
    assert.equal([r.events[8].kind, r.events[8].text, r.events[8].amount], ['comment', '醒目留言', 30]);
    assert.equal([r.events[9].kind, r.events[9].userId, r.events[9].unit], ['follow', 'b3', '舰长']);

    await waitFor('ws and app heartbeats', () => fake.wsHeartbeats >= 4 && fake.callsTo('/v2/app/heartbeat').length >= 2, 2000);
    assert.ok(fake.callsTo('/v2/app/heartbeat').every((h) => h.code === 0 && h.body.game_id === fake.games[0].gameId));

    // The server drops the socket: the connector reconnects (same game) and events flow again.
    const connections = fake.connections;
    fake.drop();
    await waitFor('retrying', () => c.status().state === 'retrying');
    await waitFor('live again', () => c.status().state === 'live' && fake.authedSockets === 1);
    assert.ok(fake.connections > connections);
    assert.is(fake.callsTo('/v2/app/start').length, 1, 'a plain drop reuses the game');
    fake.send('LIVE_OPEN_PLATFORM_DM', { uname: '观众A', open_id: 'oA', msg: 'back', msg_id: 'dm-2', timestamp: ts });
    await waitFor('event after reconnect', () => r.events.length === 11);
    assert.is(c.status().received, 11);
    assert.equal(fake.problems, []);
  } finally {
    await c.stop();
  }
  const ends = fake.callsTo('/v2/app/end');
  assert.is(ends.length, 1, 'stop() ends the game');
  assert.equal(ends[0].body, { app_id: BILI.appId, game_id: fake.games[0].gameId });
  assert.is(ends[0].code, 0);
  assert.is(c.status().state, 'stopped');
  await delay(50);
  assert.is(fake.authedSockets, 0, 'socket closed');
  const hb = fake.wsHeartbeats;
  const appHb = fake.callsTo('/v2/app/heartbeat').length;
  await delay(350);
  assert.is(fake.wsHeartbeats, hb, 'no heartbeats after stop');
  assert.is(fake.callsTo('/v2/app/heartbeat').length, appHb);
  await c.stop(); // idempotent
  assert.is(fake.callsTo('/v2/app/end').length, 1);
  await fake.close();
});

test('bilibili: missed heartbeat replies and rejected auth → reconnect (auth failure restarts the game)', async () => {
  const fake = await FakeBilibili.start(BILI);
  const r = recorder();
  const c = biliConnector(fake, r, {}, 60);
  c.start();
  try {
    await waitFor('live', () => c.status().state === 'live');
    fake.replyHeartbeats = false;
    const before = fake.connections;
    await waitFor('reconnect after silent heartbeats', () => fake.connections > before && c.status().state === 'live', 3000);
    assert.ok(r.statuses.some((s) => s.state === 'retrying' && /heartbeat/.test(s.lastError ?? '')));
    fake.replyHeartbeats = true;

    fake.rejectAuths = 1;
    fake.drop();
    await waitFor('second game', () => fake.games.length === 2 && c.status().state === 'live', 3000);
    assert.ok(r.statuses.some((s) => /auth rejected/.test(s.lastError ?? '')));
    assert.ok(fake.callsTo('/v2/app/end').some((e) => e.body.game_id === fake.games[0].gameId), 'the stale game was ended');
    assert.equal(fake.auths.at(-1), { body: fake.games[1].authBody, matched: true });
    fake.send('LIVE_OPEN_PLATFORM_DM', { uname: 'x', open_id: 'x', msg: 'new game', msg_id: 'ng', timestamp: 1 });
    await waitFor('event on the new game', () => r.events.some((e) => e.id === 'ng'));
  } finally {
    await c.stop();
    await fake.close();
  }
});

test('bilibili: wrong secret / wrong code → failed with the platform message', async () => {
  const fake = await FakeBilibili.start(BILI);
  const r = recorder();
  const c = biliConnector(fake, r, { accessKeySecret: 'not-the-secret' });
  c.start();
  const r2 = recorder();
  const c2 = biliConnector(fake, r2, { code: 'WRONGCODE' });
  c2.start();
  try {
    await waitFor('both failed', () => c.status().state === 'failed' && c2.status().state === 'failed');
    assert.match(c.status().lastError ?? '', /4002/);
    assert.match(c2.status().lastError ?? '', /7007/);
    assert.equal(r2.states(), ['connecting', 'failed']);
    assert.is(fake.connections, 0);
  } finally {
    await c.stop();
    await c2.stop();
    await fake.close();
  }
});

// ---------- Registry ----------

test('createConnector / validateConnectorConfig', () => {
  const r = recorder();
  assert.instance(createConnector('a', { kind: 'youtube', liveChatId: 'x', apiKey: 'k' }, r.ctx), YouTubeChatConnector);
  assert.instance(createConnector('b', { kind: 'bilibili', ...BILI }, r.ctx), BilibiliOpenLiveConnector);
  assert.is(validateConnectorConfig({ kind: 'youtube', videoId: 'v', apiKey: 'k' }), undefined);
  assert.is(validateConnectorConfig({ kind: 'bilibili', ...BILI, baseUrl: 'https://live-open.biliapi.com' }), undefined);
  assert.match(validateConnectorConfig({ kind: 'youtube', apiKey: 'k' }) ?? '', /liveChatId or videoId/);
  assert.match(validateConnectorConfig({ kind: 'youtube', liveChatId: 'x' }) ?? '', /apiKey or oauthToken/);
  assert.match(validateConnectorConfig({ kind: 'youtube', liveChatId: 'x', apiKey: 'k', baseUrl: 'ftp://x' }) ?? '', /baseUrl/);
  assert.match(validateConnectorConfig({ kind: 'bilibili', ...BILI, code: '' }) ?? '', /code/);
  assert.match(validateConnectorConfig({ kind: 'bilibili', ...BILI, appId: '1' }) ?? '', /appId/);
  assert.match(validateConnectorConfig({ kind: 'bilibili', ...BILI, accessKeySecret: undefined }) ?? '', /accessKeySecret/);
  assert.match(validateConnectorConfig({ kind: 'tiktok' }) ?? '', /unknown connector kind/);
  assert.ok(validateConnectorConfig(null));
});

test.run();
