// Audience events → rules / LLM → paced replies on air. Real server and wrtc viewer; the LLM is a
// local server speaking the OpenAI Chat Completions streaming protocol (test/helpers/fake-openai.ts).
import { readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startFakeOpenAi } from './helpers/fake-openai.ts';
import { FakeYouTube, yt } from './helpers/fake-youtube.ts';
import { operatorFeed, postAudience } from './helpers/room.ts';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor } from './helpers/watch.ts';

let server: TestServer;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server?.close();
});

const SHOW = {
  loops: 0,
  gapMs: 200,
  segments: [
    { id: 'tea', product: { name: 'Green tea', price: '39 yuan', sellingPoints: ['Spring harvest'] }, lines: [{ variants: ['Our green tea is picked in spring and packed the same week.', 'This spring tea is fresh and fragrant.'] }] },
    { id: 'cup', product: { name: 'Glass cup', price: '19 yuan' }, lines: [{ variants: ['The glass cup is made for tea lovers.'] }] },
  ],
};

function rssKb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

test('a burst of 1 000 signed comments in 2 s: every one accounted for, the show plays on, replies paced, memory back', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}`;
  const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  try {
    await server.api('PUT', `${url}/show`, SHOW);
    await server.api('POST', `${url}/show/start`);
    const rules = await server.api('PUT', `${url}/rules`, {
      rules: [
        { id: 'price', keywords: ['price|多少钱|how much'], replies: ['{user}, {product} is {price} today.', 'Good question {user}: {product} costs {price}.'], perUserCooldownSec: 60 },
        { id: 'hello', keywords: ['hello|hi there'], replies: ['Welcome {user}!'], cooldownSec: 60, priority: 1 },
      ],
    });
    assert.is(rules.status, 200, JSON.stringify(rules.body));
    const MIN_INTERVAL = 3;
    await server.api('PUT', `${url}/replies`, { minIntervalSec: MIN_INTERVAL, maxQueue: 5, llmFallback: false });
    const secret = (await server.api('GET', `${url}/audience/webhook`)).body.secret;
    await waitFor(() => viewer.events.some((e) => e.event === 'show.line'), 10_000, 'show playing');
    // Warm the path once, then take the memory baseline.
    await postAudience(server.baseUrl, session.id, secret, [{ id: 'warm', kind: 'like', userId: 'w', userName: 'w' }]);
    await new Promise((r) => setTimeout(r, 1000));
    const rssBefore = rssKb(server.proc.pid!);

    const events: object[] = [];
    for (let i = 0; i < 400; i++) events.push({ id: `p${i}`, kind: 'comment', userId: `u${i % 200}`, userName: `buyer${i % 200}`, text: i % 2 ? 'How much is it?' : '这个多少钱？' });
    for (let i = 0; i < 200; i++) events.push({ id: `h${i}`, kind: 'comment', userId: `h${i}`, userName: `fan${i}`, text: 'hello everyone' });
    for (let i = 0; i < 100; i++) events.push({ id: `f${i}`, kind: 'comment', userId: `f${i}`, userName: `troll${i}`, text: i % 2 ? '这是最好的吗' : 'is this the best price' });
    for (let i = 0; i < 200; i++) events.push({ id: `n${i}`, kind: 'comment', userId: `n${i}`, userName: `viewer${i}`, text: 'nice stream' });
    for (let i = 0; i < 50; i++) events.push({ id: `l${i}`, kind: i % 2 ? 'like' : 'enter', userId: `l${i}`, userName: `lurker${i}`, amount: 1 });
    // Shuffle deterministically, then add 50 resent events (duplicates) and send 10 batches of 100 over 2 s.
    let seed = 7;
    for (let i = events.length - 1; i > 0; i--) {
      seed = (seed * 16807) % 2147483647;
      const j = seed % (i + 1);
      [events[i], events[j]] = [events[j]!, events[i]!];
    }
    for (let i = 0; i < 50; i++) events.push({ id: `n${i}`, kind: 'comment', userId: `n${i}`, userName: `viewer${i}`, text: 'nice stream' });
    assert.is(events.length, 1000);
    const t0 = performance.now();
    const results: { id: string; outcome: string }[] = [];
    for (let b = 0; b < 10; b++) {
      const res = await postAudience(server.baseUrl, session.id, secret, events.slice(b * 100, b * 100 + 100));
      assert.is(res.status, 202, JSON.stringify(res.body));
      results.push(...res.body.results);
      const wait = t0 + (b + 1) * 200 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    const burstMs = performance.now() - t0;
    assert.is(results.length, 1000);
    const immediate: Record<string, number> = {};
    for (const r of results) immediate[r.outcome] = (immediate[r.outcome] ?? 0) + 1;
    // Let the reply queue drain at its pace.
    await new Promise((r) => setTimeout(r, 16_000));
    const { stats } = (await server.api('GET', `${url}/audience`)).body;
    const o = stats.outcomes;
    const accounted = o.answered + o['no-match'] + o.cooldown + o.filtered + o.dropped + o.duplicate + o.held + stats.queue;
    console.log(`  burst of 1000 in ${burstMs.toFixed(0)} ms → at arrival ${JSON.stringify(immediate)}; after 16 s ${JSON.stringify(o)}, still queued ${stats.queue}`);
    assert.is(stats.received - 1, 1000, 'every event received (plus the warm-up like)');
    assert.is(accounted - 1, 1000, 'each one accounted for');
    assert.is(o.duplicate, 50);
    assert.is(o.filtered, 100);
    assert.is(o['no-match'] - 1, 200 + 50);
    assert.is(o.cooldown, 200 + 199, 'second question per user + every hello after the first');
    assert.is(o.answered + o.dropped + stats.queue, 201);
    // Replies on air: spaced at least minIntervalSec apart, never more than the pace allows.
    const onAir = viewer.events.filter((e) => e.event === 'show.insert' && e.data.state === 'playing' && String(e.data.source).startsWith('reply:'));
    const gaps = onAir.slice(1).map((e, i) => (e.at - onAir[i]!.at) / 1000);
    console.log(`  replies on air: ${onAir.length}, gaps ${gaps.map((g) => g.toFixed(1)).join(' ')} s`);
    assert.ok(onAir.length >= 3, 'replies reached the air');
    assert.ok(gaps.every((g) => g >= MIN_INTERVAL - 0.3), 'at most one reply every minIntervalSec');
    const windowSec = (performance.now() - t0) / 1000;
    assert.ok(onAir.length <= Math.floor(windowSec / MIN_INTERVAL) + 1, `${onAir.length} replies in ${windowSec.toFixed(0)} s`);
    // The show kept playing through it.
    const linesAfter = viewer.events.filter((e) => e.event === 'show.line' && e.at > t0).length;
    assert.ok(linesAfter >= 2, `show lines during and after the burst: ${linesAfter}`);
    const recent = viewer.frames.filter((f) => f.at > t0);
    const fps = recent.length / ((recent.at(-1)!.at - recent[0]!.at) / 1000);
    assert.ok(fps > 20, `viewer fps ${fps.toFixed(1)}`);
    const rssAfter = rssKb(server.proc.pid!);
    console.log(`  server RSS before ${(rssBefore / 1024).toFixed(1)} MiB, after ${(rssAfter / 1024).toFixed(1)} MiB (${(((rssAfter - rssBefore) / rssBefore) * 100).toFixed(1)} %), viewer ${fps.toFixed(1)} fps`);
    assert.ok(rssAfter <= rssBefore * 1.05, 'RSS within 5 % of before');
  } finally {
    viewer.stop();
    await server.api('DELETE', url);
  }
});

test('rules: placeholders, rotation, a rude user name never read aloud, gifts, and replies held without an operator', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}`;
  const ops = await operatorFeed(server.baseUrl, session.id);
  try {
    await server.api('PUT', `${url}/show`, SHOW);
    await server.api('POST', `${url}/show/start`);
    await server.api('PUT', `${url}/rules`, {
      rules: [
        { id: 'price', keywords: ['price'], replies: ['{user}, {product} is {price}.', 'Yes {user}, only {price}.'], mode: 'now', overlay: { text: 'Green tea ¥39', seconds: 1 } },
        { id: 'both', keywords: ['ship', 'free'], match: 'all', replies: ['Shipping is free, {user}.'], mode: 'now' },
        { id: 'gift', events: ['gift'], replies: ['Thank you {user} for the {unit}!'], mode: 'now' },
      ],
    });
    await server.api('PUT', `${url}/replies`, { minIntervalSec: 0, maxQueue: 10 });
    const secret = (await server.api('GET', `${url}/audience/webhook`)).body.secret;
    await waitFor(() => ops.events.some((e) => e.event === 'show.line'), 10_000, 'show playing');
    const send = (events: object[]) => postAudience(server.baseUrl, session.id, secret, events);
    const said = async (source: string, count: number) => {
      await waitFor(() => ops.events.filter((e) => e.event === 'show.insert' && e.data.state === 'done' && e.data.source === source).length >= count, 20_000, `${count} × ${source}`);
      return ops.events.filter((e) => e.event === 'show.insert' && e.data.state === 'playing' && e.data.source === source).map((e) => e.data.text);
    };
    await send([{ id: 'a', kind: 'comment', userId: 'u1', userName: 'Ann', text: 'what is the price?' }]);
    await said('reply:rule:price', 1);
    await send([{ id: 'b', kind: 'comment', userId: 'u2', userName: 'fuck_face', text: 'price please' }]);
    const price = await said('reply:rule:price', 2);
    assert.equal(price, ['Ann, Green tea is 39 yuan.', 'Yes friend, only 39 yuan.'], 'placeholders filled, replies rotate, the rude name is not read');
    await send([{ id: 'c', kind: 'comment', userId: 'u3', userName: 'Bo', text: 'is shipping free?' }, { id: 'd', kind: 'comment', userId: 'u4', userName: 'Cy', text: 'free?' }]);
    assert.equal(await said('reply:rule:both', 1), ['Shipping is free, Bo.'], '`all` needs every keyword');
    await send([{ id: 'e', kind: 'gift', userId: 'u5', userName: 'Dee', amount: 5, unit: 'rocket' }]);
    assert.equal(await said('reply:rule:gift', 1), ['Thank you Dee for the rocket!']);
    const feed = ops.events.filter((e) => e.event === 'audience.event').map((e) => e.data);
    assert.ok(feed.some((f) => f.event.id === 'd' && f.outcome === 'no-match'), 'one keyword of an `all` rule is no match');
    assert.ok(feed.some((f) => f.event.id === 'a' && f.outcome === 'answered' && f.ruleId === 'price' && f.reply === 'Ann, Green tea is 39 yuan.'), 'the feed shows what was answered and why');

    // Hold automatic replies while no operator is present; a heartbeat lifts it.
    await server.api('PUT', `${url}/replies`, { requireOperator: true });
    let view = (await server.api('GET', url)).body;
    assert.is(view.operator.present, false);
    const held = await send([{ id: 'f', kind: 'comment', userId: 'u6', userName: 'Eve', text: 'price?' }]);
    assert.is(held.body.results[0].outcome, 'held');
    const hb = await server.api('POST', `${url}/presence`, { operator: 'Lin (panel)' });
    assert.is(hb.body.present, true);
    view = (await server.api('GET', url)).body;
    assert.is(view.operator.present, true);
    assert.is(view.operator.operator, 'Lin (panel)');
    assert.is(view.show.state, 'playing');
    const answered = await send([{ id: 'g', kind: 'comment', userId: 'u7', userName: 'Fay', text: 'price?' }]);
    assert.is(answered.body.results[0].outcome, 'queued');
    await server.api('DELETE', `${url}/presence`);
    const audit = (await server.api('GET', `${url}/audit`)).body.entries;
    assert.ok(audit.some((e: any) => e.action === 'presence.start' && e.detail === 'Lin (panel)'), 'presence start audited');
    await waitFor(() => ops.events.some((e) => e.event === 'operator.presence' && e.data.present === false), 3000, 'presence end event');
  } finally {
    ops.close();
    await server.api('DELETE', url);
  }
});

test('LLM fallback: a streamed answer is spoken sentence by sentence, the prompt carries the products, a filler covers a slow start', async () => {
  const llm = await startFakeOpenAi({ pieces: ['Great ', 'question! ', 'The green tea ', 'costs 39 yuan. ', 'It is picked ', 'in spring.'], firstDelayMs: 50, gapMs: 30, apiKey: 'sk-test' });
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}`;
  const ops = await operatorFeed(server.baseUrl, session.id);
  try {
    await server.api('PUT', `${url}/show`, SHOW);
    await server.api('POST', `${url}/show/start`);
    await server.api('PUT', `${url}/replies`, { minIntervalSec: 0 });
    const put = await server.api('PUT', `${url}/llm`, { baseUrl: llm.baseUrl, apiKey: 'sk-test', model: 'test-model', fillerAfterMs: 800, fillers: ['Let me check that for you.'] });
    assert.is(put.status, 200);
    assert.is(put.body.llm.apiKey, '***', 'the key is never returned');
    const secret = (await server.api('GET', `${url}/audience/webhook`)).body.secret;
    await waitFor(() => ops.events.some((e) => e.event === 'show.line'), 10_000, 'show playing');
    await postAudience(server.baseUrl, session.id, secret, [{ id: 'q1', kind: 'comment', userId: 'u1', userName: 'Ann', text: 'Where does this tea come from?' }]);
    await waitFor(() => ops.events.filter((e) => e.event === 'show.insert' && e.data.source === 'reply:llm' && e.data.state === 'done').length === 3, 30_000, 'three sentences said');
    const sentences = ops.events.filter((e) => e.event === 'show.insert' && e.data.source === 'reply:llm' && e.data.state === 'playing').map((e) => e.data.text);
    assert.equal(sentences, ['Great question!', 'The green tea costs 39 yuan.', 'It is picked in spring.']);
    const body = llm.requests[0]!.body;
    assert.is(body.model, 'test-model');
    assert.is(body.stream, true);
    assert.match(body.messages[0].content, /Product on air now:\nGreen tea \(39 yuan\)/);
    assert.match(body.messages[0].content, /Glass cup \(19 yuan\)/);
    assert.is(body.messages[1].content, 'Ann: Where does this tea come from?');
    assert.not.ok(ops.events.some((e) => e.event === 'show.insert' && e.data.source === 'reply:filler'), 'no filler when the answer is quick');

    // Slow first sentence → the filler line plays first.
    llm.options.firstDelayMs = 2500;
    await postAudience(server.baseUrl, session.id, secret, [{ id: 'q2', kind: 'comment', userId: 'u2', userName: 'Bo', text: 'Is it organic?' }]);
    await waitFor(() => ops.events.filter((e) => e.event === 'show.insert' && e.data.source === 'reply:llm' && e.data.state === 'done').length === 6, 40_000, 'second answer said');
    const order = ops.events.filter((e) => e.event === 'show.insert' && e.data.state === 'playing' && /^reply:(filler|llm)/.test(e.data.source)).map((e) => e.data.source);
    assert.equal(order.slice(3), ['reply:filler', 'reply:llm', 'reply:llm', 'reply:llm'], 'filler, then the answer');
    // A failing endpoint is reported and the show goes on.
    await server.api('PUT', `${url}/llm`, { baseUrl: llm.baseUrl, apiKey: 'wrong', model: 'test-model' });
    await postAudience(server.baseUrl, session.id, secret, [{ id: 'q3', kind: 'comment', userId: 'u3', userName: 'Cy', text: 'Any discount?' }]);
    await waitFor(() => ops.events.some((e) => e.event === 'llm.reply' && e.data.state === 'failed'), 10_000, 'llm failure reported');
    assert.match(ops.events.find((e) => e.event === 'llm.reply' && e.data.state === 'failed')!.data.error, /401/);
    assert.is((await server.api('GET', `${url}/show`)).body.state, 'playing');
  } finally {
    ops.close();
    await llm.close();
    await server.api('DELETE', url);
  }
});

test('a YouTube connector added through the API feeds comments into the rules; quota errors reach the operator', async () => {
  const youtube = await FakeYouTube.start({ liveChatId: 'chat-1', apiKey: 'yt-key', idlePollingMs: 300 });
  const session = (await server.api('POST', '/v1/sessions')).body;
  const url = `/v1/sessions/${session.id}`;
  const ops = await operatorFeed(server.baseUrl, session.id);
  try {
    await server.api('PUT', `${url}/rules`, { rules: [{ id: 'hi', keywords: ['hello'], replies: ['Hello {user}, welcome!'] }] });
    await server.api('PUT', `${url}/replies`, { minIntervalSec: 0 });
    youtube.queuePage([yt.text('m1', ['UC1', 'Ann'], 'hello from YouTube'), yt.text('m2', ['UC2', 'Bo'], 'nice')], 300);
    youtube.queueError(403, 'quotaExceeded', 'The request cannot be completed because you have exceeded your quota.');
    const added = await server.api('POST', `${url}/connectors`, { kind: 'youtube', liveChatId: 'chat-1', apiKey: 'yt-key', baseUrl: youtube.baseUrl });
    assert.is(added.status, 201, JSON.stringify(added.body));
    assert.is(added.body.config.apiKey, '***', 'the key is not echoed');
    await waitFor(() => ops.events.some((e) => e.event === 'show.insert' && e.data.state === 'done' && e.data.source === 'reply:rule:hi'), 20_000, 'reply to the YouTube comment');
    const feed = ops.events.filter((e) => e.event === 'audience.event').map((e) => e.data);
    assert.ok(feed.some((f) => f.event.platform === 'youtube' && f.event.userName === 'Ann' && f.outcome === 'answered'), 'answered');
    assert.ok(feed.some((f) => f.event.platform === 'youtube' && f.event.id === 'm2' && f.outcome === 'no-match'));
    await waitFor(() => ops.events.some((e) => e.event === 'connector.status' && /quota/i.test(e.data.lastError ?? '')), 10_000, 'quota error surfaced');
    const list = (await server.api('GET', `${url}/connectors`)).body.connectors;
    assert.is(list.length, 1);
    assert.is((await server.api('DELETE', `${url}/connectors/${added.body.id}`)).status, 204);
    assert.is((await server.api('GET', `${url}/connectors`)).body.connectors.length, 0);
  } finally {
    ops.close();
    await youtube.close();
    await server.api('DELETE', url);
  }
});

test.run();
