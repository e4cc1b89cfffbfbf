// The operator panel's control room (client-sdk/panel/room/, Preact) in Chromium against the real
// server, driven as an operator would: a two-segment rundown with variants built in the editor,
// saved and started, the live position moving to the second segment; Next / Now inserts; a reply
// rule answering a comment sent to the signed webhook (through the SDK's sendAudienceEvents); a
// prohibited term added in the moderation card blocking an insert; operator presence.
import { mkdirSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { createCanvas } from '@napi-rs/canvas';
import { OnAirClient } from '../client-sdk/src/client.ts';
import { OnAirError } from '../client-sdk/src/errors.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { launchChromium, openPanel } from './helpers/browser.ts';

const OUT = 'test-output';
let server: TestServer;
let browser: Browser;
let panel: Page;
let sessionId = '';
let pageErrors: string[] = [];

test.before(async () => {
  mkdirSync(OUT, { recursive: true });
  server = await startServer();
  browser = await launchChromium();
  // Refused requests (the test provokes a 400) show up as "Failed to load resource": not page errors.
  ({ panel, pageErrors } = await openPanel(browser, server.baseUrl, API_KEY, { height: 1000, ignoreConsole: /Failed to load resource/ }));
});
test.after(async () => {
  await browser?.close();
  await server?.close();
});
let t0 = 0;
test.before.each(() => void (t0 = Date.now()));
test.after.each((ctx) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${ctx.__test__}`));

const seg = (i: number) => `#rundown .segment[data-index="${i}"]`;
const line = (i: number, j: number) => `${seg(i)} .line[data-index="${j}"]`;

/** Waits until an element matching `selector` contains `text`. */
async function seeText(selector: string, text: string, timeout = 20_000): Promise<void> {
  await panel.waitForFunction(({ selector, text }) => [...document.querySelectorAll(selector)].some((el) => el.textContent!.includes(text)), { selector, text }, { timeout });
}

test('the control room opens with a session', async () => {
  assert.match((await panel.textContent('#room')) ?? '', /Open or create a session/);
  await panel.click('#create');
  await panel.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent!.includes(' open')), undefined, { timeout: 20_000 });
  sessionId = (await panel.textContent('#sessionId'))!.trim();
  assert.match(sessionId, /^[0-9a-f-]{36}$/);
  for (const card of ['#presence', '#rundown', '#inserts', '#feed', '#rules', '#moderation', '#connectors']) await panel.waitForSelector(card, { timeout: 10_000 });
  assert.is((await panel.textContent('#rundown .show-status .badge'))?.trim(), 'not running');
});

test('rundown editor: two segments with variants, saved, started; the live position moves to segment 2', async () => {
  // Segment 1: two lines, the first with two wordings, and a product image.
  await panel.fill(`${seg(0)} input[name=name]`, 'Blender 3000');
  await panel.fill(`${seg(0)} input[name=price]`, '¥299');
  await panel.fill(`${seg(0)} input[name=stockLine]`, 'Only 20 left');
  await panel.fill(`${seg(0)} textarea[name=points]`, 'Crushes ice\nQuiet motor');
  await panel.fill(`${line(0, 0)} input[name=variant]`, 'Meet the Blender three thousand.');
  await panel.click(`${line(0, 0)} button[data-act=addVariant]`);
  await panel.locator(`${line(0, 0)} input[name=variant]`).nth(1).fill('Here is the Blender three thousand.');
  await panel.click(`${seg(0)} button[data-act=addLine]`);
  await panel.fill(`${line(0, 1)} input[name=variant]`, 'It crushes ice in seconds.');
  const png = createCanvas(64, 64);
  const g = png.getContext('2d');
  g.fillStyle = '#3a7';
  g.fillRect(0, 0, 64, 64);
  await panel.setInputFiles(`${seg(0)} input[name=image]`, { name: 'blender.png', mimeType: 'image/png', buffer: png.toBuffer('image/png') });
  await panel.waitForSelector(`${seg(0)} .thumb img`);

  // Segment 2, with a line added, moved and removed again on the way.
  await panel.click('#rundown button[data-act=addSegment]');
  await panel.fill(`${seg(1)} input[name=name]`, 'Kettle');
  await panel.fill(`${seg(1)} input[name=price]`, '$19');
  await panel.fill(`${line(1, 0)} input[name=variant]`, 'This kettle boils water fast.');
  await panel.click(`${line(1, 0)} button[data-act=addVariant]`);
  await panel.locator(`${line(1, 0)} input[name=variant]`).nth(1).fill('A kettle that boils in a minute.');
  await panel.click(`${seg(1)} button[data-act=addLine]`);
  await panel.fill(`${line(1, 1)} input[name=variant]`, 'A line to throw away.');
  await panel.click(`${line(1, 1)} button[data-act=lineUp]`);
  assert.is(await panel.inputValue(`${line(1, 0)} input[name=variant]`), 'A line to throw away.', 'moved up');
  await panel.click(`${line(1, 0)} button[data-act=lineRemove]`);
  assert.is(await panel.locator(`${seg(1)} .line`).count(), 1);
  // A third segment, moved above the first and removed.
  await panel.click('#rundown button[data-act=addSegment]');
  await panel.fill(`${seg(2)} input[name=name]`, 'Temporary');
  await panel.click(`${seg(2)} button[data-act=segUp]`);
  await panel.click(`${seg(1)} button[data-act=segUp]`);
  assert.is(await panel.inputValue(`${seg(0)} input[name=name]`), 'Temporary');
  await panel.click(`${seg(0)} button[data-act=segRemove]`);
  assert.equal(await panel.$$eval('#rundown .segment input[name=name]', (els) => els.map((e) => (e as HTMLInputElement).value)), ['Blender 3000', 'Kettle']);
  await panel.fill('#rundown input[name=loops]', '0');

  await panel.click('#rundown button[data-act=save]');
  await panel.waitForFunction(() => !document.querySelector('#rundown .show-status')!.textContent!.includes('unsaved'), undefined, { timeout: 10_000 });
  const { body: show } = await server.api('GET', `/v1/sessions/${sessionId}/show`);
  assert.is(show.rundown.loops, 0);
  assert.is(show.rundown.segments.length, 2);
  assert.equal(show.rundown.segments[0].lines[0].variants, ['Meet the Blender three thousand.', 'Here is the Blender three thousand.']);
  assert.equal(show.rundown.segments[0].product.sellingPoints, ['Crushes ice', 'Quiet motor']);
  assert.ok(show.rundown.segments[0].product.imageBase64.length > 100, 'image uploaded as base64');
  assert.equal(show.rundown.segments[1].lines, [{ variants: ['This kettle boils water fast.', 'A kettle that boils in a minute.'] }]);

  await panel.click('#rundown button[data-act=start]');
  await panel.waitForSelector(`${line(0, 0)}.live`, { timeout: 15_000 });
  await seeText('#rundown .now-playing', 'Blender three thousand', 10_000);
  await panel.waitForSelector(`${seg(1)}.live`, { timeout: 30_000 });
  assert.match((await panel.textContent('#rundown .show-status'))!, /on air.*segment 2\/2/);
  assert.is(await panel.locator('#rundown .segment.live').count(), 1, 'one segment on air');
  const { body: info } = await server.api('GET', `/v1/sessions/${sessionId}`);
  assert.is(info.show.state, 'playing');
  assert.is(info.show.position.segment, 1);
  // Jump: back to the first product at once.
  await panel.click(`${seg(0)} button[data-act=jump]`);
  await panel.waitForSelector(`${seg(0)}.live`, { timeout: 3_000 });
  const { body: audit } = await server.api('GET', `/v1/sessions/${sessionId}/audit`);
  assert.ok(audit.entries.some((e: { action: string; detail?: string }) => e.action === 'show.control' && e.detail === 'jump to s1'), 'jump audited');
});

test('insert bar: Next and Now go on air and show in the queue and the latest list', async () => {
  await panel.fill('#inserts textarea[name=insertText]', 'Quick note: shipping is free today.');
  await panel.click('#inserts button[data-act=next]');
  // Waiting (or already on air) in the queue, then said, after the show line playing.
  await seeText('#inserts .queue li[data-id]', 'Quick note: shipping is free today.', 5_000);
  await seeText('#inserts .recent li[data-state=done]', 'Quick note: shipping is free today.', 20_000);
  // Now cuts whatever is playing (a show line here, which the show says again afterwards).
  await seeText('#rundown .now-playing', '“', 10_000);
  await panel.fill('#inserts textarea[name=insertText]', 'Attention please, a flash deal starts now!');
  await panel.click('#inserts button[data-act=now]');
  await seeText('#inserts .queue li[data-state=playing]', 'Attention please, a flash deal starts now!', 5_000);
  await seeText('#rundown .now-playing', 'Attention please', 5_000);
  await seeText('#inserts .recent li[data-state=done]', 'Attention please, a flash deal starts now!', 20_000);
  assert.is(await panel.locator('#inserts .queue li[data-id]').count(), 0, 'nothing left waiting');
  const { body: audit } = await server.api('GET', `/v1/sessions/${sessionId}/audit`);
  assert.ok(audit.entries.some((e: { action: string; text?: string }) => e.action === 'takeover' && e.text?.includes('flash deal')), 'Now is audited as a takeover');
});

test('rules editor: a rule answers a comment sent to the signed webhook; the feed shows it answered', async () => {
  await panel.click('#rules button[data-act=addRule]');
  const rule = '#rules .rule:last-child';
  await panel.fill(`${rule} input[name=keywords]`, 'price|how much');
  await panel.fill(`${rule} input[name=reply]`, 'Hi {user}, the {product} is {price} today!');
  await panel.click(`${rule} button[data-act=addReply]`);
  await panel.locator(`${rule} input[name=reply]`).nth(1).fill('{user}, it is only {price}!');
  await panel.fill(`${rule} input[name=priority]`, '5');
  await panel.click('#rules button[data-act=saveRules]');
  await seeText('#rules .saved', 'saved', 5_000);
  const { body: rules } = await server.api('GET', `/v1/sessions/${sessionId}/rules`);
  assert.equal(rules.rules, [{ id: 'r1', events: ['comment'], keywords: ['price|how much'], match: 'any', priority: 5, replies: ['Hi {user}, the {product} is {price} today!', '{user}, it is only {price}!'], mode: 'next' }]);

  const { body: hook } = await server.api('GET', `/v1/sessions/${sessionId}/audience/webhook`);
  assert.is(hook.path, `/v1/sessions/${sessionId}/audience`);
  await seeText('#connectors .url', hook.path);
  const sdk = new OnAirClient({ baseUrl: server.baseUrl, apiKey: API_KEY });
  const sent = await sdk.sendAudienceEvents(sessionId, hook.secret, [
    { id: 'c1', kind: 'comment', userId: 'u1', userName: 'Alice', text: 'How much is it?' },
    { id: 'c2', kind: 'comment', userId: 'u2', userName: 'Bob', text: 'Hello from Berlin' },
  ]);
  assert.equal(sent, { accepted: 2, results: [{ id: 'c1', outcome: 'queued' }, { id: 'c2', outcome: 'no-match' }] });
  try {
    await sdk.sendAudienceEvents(sessionId, 'not-the-secret', [{ id: 'c3', kind: 'comment', userId: 'u3', userName: 'Eve', text: 'price?' }]);
    assert.unreachable('a wrong secret is refused');
  } catch (err) {
    assert.instance(err, OnAirError);
    assert.is((err as OnAirError).status, 401);
  }

  await seeText('#feed li[data-outcome=answered]', 'Alice', 10_000);
  const answered = (await panel.textContent('#feed li[data-outcome=answered]'))!;
  assert.match(answered, /How much is it\?/);
  assert.match(answered, /r1/);
  assert.match(answered, /Hi Alice, the Kettle is \$19 today!|Hi Alice, the Blender 3000 is ¥299 today!/);
  await seeText('#feed li[data-outcome=no-match]', 'Bob', 5_000);
  await panel.waitForFunction(() => document.querySelector('#feed [data-stat=out_answered] b')?.textContent === '1', undefined, { timeout: 5_000 });
  assert.is(await panel.textContent('#feed [data-stat=fdReceived] b'), '2');
  // The reply goes on air as an insert from the rule.
  await seeText('#inserts .recent li', 'Hi Alice', 20_000);
});

test('moderation: a term added in the card blocks an insert; the log shows the term and the reason', async () => {
  await panel.fill('#moderation input[name=term]', 'zorbium');
  await panel.fill('#moderation input[name=reason]', 'unapproved ingredient claim');
  await panel.click('#moderation button[data-act=addTerm]');
  await panel.waitForSelector('#moderation tr[data-term=zorbium]', { timeout: 5_000 });
  const { body: mod } = await server.api('GET', `/v1/sessions/${sessionId}/moderation`);
  assert.equal(mod.terms[0], { term: 'zorbium', action: 'block', reason: 'unapproved ingredient claim' });

  await panel.fill('#moderation input[name=check]', 'Our zorbium shake is great');
  await panel.click('#moderation button[data-act=check]');
  await panel.waitForSelector('#moderation .verdict[data-verdict=blocked]', { timeout: 5_000 });
  assert.match((await panel.textContent('#moderation .verdict'))!, /zorbium.*unapproved ingredient claim/);

  await panel.fill('#inserts textarea[name=insertText]', 'Try our zorbium shake tonight.');
  await panel.click('#inserts button[data-act=next]');
  await seeText('#moderation .modlog li[data-verdict=blocked]', 'Try our zorbium shake tonight.', 20_000);
  const entry = (await panel.textContent('#moderation .modlog li[data-verdict=blocked]'))!;
  assert.match(entry, /“zorbium”/);
  assert.match(entry, /unapproved ingredient claim/);
  await seeText('#inserts .recent li[data-state=dropped]', 'zorbium', 5_000);
});

test('connectors: the webhook is shown; a platform connector missing its credentials is refused in the card', async () => {
  await panel.click('#connectors button[data-act=reveal]');
  const { body: hook } = await server.api('GET', `/v1/sessions/${sessionId}/audience/webhook`);
  await seeText('#connectors .secret', hook.secret, 5_000);
  await panel.selectOption('#connectors select[name=kind]', 'bilibili');
  await panel.fill('#connectors input[name=code]', 'ABC123');
  await panel.click('#connectors button[data-act=addConnector]');
  await panel.waitForSelector('#connectors p.error', { timeout: 5_000 });
  assert.match((await panel.textContent('#connectors p.error'))!, /^400 /);
  assert.is(await panel.locator('#connectors tr[data-id]').count(), 0);
});

test('presence: the panel reports an operator; Chinese UI; screenshot', async () => {
  await panel.waitForSelector('#presence .presence[data-present=true]', { timeout: 15_000 });
  assert.match((await panel.textContent('#presence .presence'))!, /operator present/);
  const { body: info } = await server.api('GET', `/v1/sessions/${sessionId}`);
  assert.is(info.operator.present, true);
  await panel.click('#lang');
  assert.is((await panel.textContent('#rundown h2'))?.trim(), '节目单');
  assert.match((await panel.textContent('#presence .presence'))!, /有人值守/);
  await panel.click('#lang');
  assert.is((await panel.textContent('#rundown h2'))?.trim(), 'Rundown');
  await panel.evaluate(() => document.getElementById('rundown')!.scrollIntoView());
  await panel.screenshot({ path: `${OUT}/panel-control-room.png`, fullPage: true });
});

test('pause, resume, skip and stop the show; closing the panel ends the presence', async () => {
  const state = (s: string) => panel.waitForFunction((s) => document.querySelector('#rundown .show-status')!.getAttribute('data-state') === s, s, { timeout: 5_000 });
  await panel.click('#rundown button[data-act=pause]');
  await state('paused');
  assert.is((await panel.textContent('#rundown .show-status .badge'))?.trim(), 'paused');
  await panel.click('#rundown button[data-act=resume]');
  await state('playing');
  await panel.waitForSelector('#rundown .line.live', { timeout: 10_000 });
  await panel.click('#rundown button[data-act=skip]');
  await panel.click('#rundown button[data-act=stop]');
  await panel.waitForFunction(() => document.querySelector('#rundown .show-status')!.getAttribute('data-state') === 'idle', undefined, { timeout: 5_000 });
  assert.is(await panel.locator('#rundown .segment.live').count(), 0);
  assert.equal(pageErrors, [], 'no errors in the page');
  await panel.close({ runBeforeUnload: true });
  const until = Date.now() + 10_000;
  let present = true;
  while (present && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 200));
    present = (await server.api('GET', `/v1/sessions/${sessionId}`)).body.operator.present;
  }
  assert.is(present, false, 'the pagehide goodbye reached the server');
});

test('SDK: the live-room methods against the same session', async () => {
  const sdk = new OnAirClient({ baseUrl: server.baseUrl, apiKey: API_KEY });
  const id = sessionId;
  assert.is((await sdk.getShow(id)).state, 'idle');
  const loaded = await sdk.loadRundown(id, {
    segments: [
      { id: 'a', product: { name: 'A' }, lines: [{ variants: ['Line one.'] }] },
      { id: 'b', product: { name: 'B' }, lines: [{ variants: ['Line two.', 'Line two again.'] }] },
    ],
    loops: 0,
  });
  assert.equal(loaded.rundown!.segments.map((s) => s.id), ['a', 'b']);
  assert.is((await sdk.startShow(id)).state, 'playing');
  assert.is((await sdk.jumpToSegment(id, 'b')).position.segment, 1);
  assert.is((await sdk.jumpToSegment(id, 0)).position.segment, 0);
  assert.is((await sdk.skipLine(id)).state, 'playing');
  assert.is((await sdk.pauseShow(id)).state, 'paused');
  // Paused: inserts wait, so one can be seen and removed.
  const ins = await sdk.insertLine(id, { text: 'An appended line.', mode: 'append', lang: 'en' });
  assert.is(ins.mode, 'append');
  assert.ok((await sdk.getShow(id)).inserts.some((i) => i.id === ins.id));
  await sdk.removeInsert(id, ins.id);
  assert.not.ok((await sdk.getShow(id)).inserts.some((i) => i.id === ins.id));
  assert.is((await sdk.resumeShow(id)).state, 'playing');
  assert.is((await sdk.stopShow(id)).state, 'idle');

  const hook = await sdk.webhookInfo(id);
  const { secret } = await sdk.rotateWebhookSecret(id);
  assert.is.not(secret, hook.secret);
  await sdk.sendAudienceEvents(id, hook.secret, [{ id: 'old', kind: 'like', userId: 'u9', userName: 'Zed' }]).then(
    () => assert.unreachable('the old secret is refused'),
    (err: OnAirError) => assert.is(err.status, 401),
  );
  const sent = await sdk.sendAudienceEvents(id, secret, [{ id: 'sdk1', kind: 'like', userId: 'u9', userName: 'Zed', amount: 3, platform: 'test' }]);
  assert.is(sent.accepted, 1);
  const { stats, log } = await sdk.audienceLog(id);
  assert.ok(stats.received >= 3);
  assert.ok(log.some((e) => e.event.id === 'sdk1' && e.event.platform === 'test'));

  const rules = await sdk.setRules(id, [{ keywords: ['ship'], replies: ['We ship fast.'] }]);
  assert.is(rules[0]!.id, 'r1');
  assert.equal(await sdk.getRules(id), rules);
  assert.is((await sdk.setReplySettings(id, { minIntervalSec: 3 })).minIntervalSec, 3);
  const llm = await sdk.setLlm(id, { baseUrl: 'http://127.0.0.1:9/v1', model: 'm', apiKey: 'k' });
  assert.is(llm.apiKey, '***');
  assert.is((await sdk.getReplySettings(id)).llm?.model, 'm');
  await sdk.clearLlm(id);
  assert.is((await sdk.getReplySettings(id)).llm, null);

  const mod = await sdk.getModeration(id);
  assert.ok(mod.log.some((e) => e.verdict === 'blocked'));
  const set = await sdk.setModeration(id, { terms: [...mod.terms, { term: 'qux', action: 'replace', replacement: 'thing' }] });
  assert.is(set.terms.length, mod.terms.length + 1);
  assert.equal(await sdk.checkModeration(id, 'a qux here'), { verdict: 'replaced', text: 'a thing here', hits: [{ term: 'qux', action: 'replace' }] });

  assert.equal(await sdk.listConnectors(id), []);
  const c = await sdk.addConnector(id, { kind: 'youtube', liveChatId: 'chat', apiKey: 'key', baseUrl: 'http://127.0.0.1:9' });
  assert.equal((await sdk.listConnectors(id)).map((x) => x.id), [c.id]);
  await sdk.removeConnector(id, c.id);
  assert.equal(await sdk.listConnectors(id), []);

  const here = await sdk.heartbeat(id, 'sdk-test');
  assert.is(here.present, true);
  assert.is(here.operator, 'sdk-test');
  assert.is((await sdk.leave(id)).present, false);
});

test.run();
