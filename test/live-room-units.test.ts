// Units of the live room that need no server: the moderation filter (terms, normalisation,
// replace, the external endpoint), rule matching, and the LLM sentence splitter.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Moderator } from '../server/moderation/moderator.ts';
import { SentenceSplitter } from '../server/live-room/llm-replier.ts';
import { compileRule, fillReply, matchingRules } from '../server/live-room/reply-rules.ts';
import { signWebhook, webhookRefusal } from '../server/live-room/webhook-signature.ts';

test('default terms: Chinese absolute claims across spaces and full-width forms, English on word edges', () => {
  const m = new Moderator();
  assert.is(m.checkTerms('这是全网 最 好 的茶').verdict, 'blocked');
  assert.is(m.checkTerms('１００％有效').verdict, 'blocked', 'full-width digits and percent fold');
  assert.is(m.checkTerms('THE BEST tea').verdict, 'blocked');
  assert.is(m.checkTerms('It secures the lid').verdict, 'allowed', '"cures" only as a word');
  assert.is(m.checkTerms('A fine spring tea, fresh this week.').verdict, 'allowed');
  const hit = m.checkTerms('销量第一').hits[0]!;
  assert.is(hit.term, '第一');
  assert.match(hit.reason!, /广告法/);
});

test('replace entries rewrite the line; an operator list replaces the defaults', () => {
  const m = new Moderator({ terms: [{ term: 'cheap', action: 'replace', replacement: 'affordable' }, { term: '秒杀', action: 'replace', replacement: '限时优惠' }] });
  const r = m.checkTerms('Cheap and cheerful, 今天秒杀！');
  assert.is(r.verdict, 'replaced');
  assert.is(r.text, 'affordable and cheerful, 今天限时优惠!');
  assert.is(m.checkTerms('the best').verdict, 'allowed', 'defaults replaced by the list');
  assert.throws(() => m.configure({ terms: [{ term: ' ', action: 'block' }] }), /empty/);
});

test('external endpoint: refusals block; when it is down, operator lines pass and audience-derived ones are held', async () => {
  const seen: any[] = [];
  const srv = http.createServer(async (req, res) => {
    let body = '';
    for await (const c of req) body += c;
    const { text, source } = JSON.parse(body);
    seen.push({ text, source });
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify(/refund/i.test(text) ? { allowed: false, reason: 'refund promises need legal review' } : { allowed: true }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/check`;
  const m = new Moderator({ terms: [], externalUrl: url });
  assert.is((await m.check('Fresh tea today.', 'show', true)).verdict, 'allowed');
  const refused = await m.check('Full refund if you are not happy!', 'llm', false);
  assert.is(refused.verdict, 'blocked');
  assert.is(refused.hits[0]!.reason, 'refund promises need legal review');
  assert.equal(seen[1], { text: 'Full refund if you are not happy!', source: 'llm' });
  await new Promise((r) => srv.close(r));
  assert.is((await m.check('Operator line.', 'operator', true)).verdict, 'allowed', 'trusted line passes when the endpoint is down');
  const held = await m.check('An LLM line.', 'llm', false);
  assert.is(held.verdict, 'blocked');
  assert.match(held.hits[0]!.reason!, /unavailable/);
});

test('rules: | alternatives, all/any, regex, events, priority; placeholders', () => {
  const rules = [
    compileRule({ id: 'price', keywords: ['价格|多少钱|price'], replies: ['x'] }),
    compileRule({ id: 'ship', keywords: ['ship', 'free'], match: 'all', replies: ['y'], priority: 5 }),
    compileRule({ id: 'size', regex: '\\b(size|尺码)\\b', replies: ['z'] }),
    compileRule({ id: 'gift', events: ['gift'], replies: ['thanks'] }),
  ];
  const ev = (text: string, kind = 'comment') => ({ id: '1', kind: kind as 'comment', platform: 't', userId: 'u', userName: 'n', text, at: '' });
  assert.equal(matchingRules(rules, ev('这个多少钱')).map((r) => r.spec.id), ['price']);
  assert.equal(matchingRules(rules, ev('Free shipping? what price?')).map((r) => r.spec.id), ['ship', 'price'], 'priority first');
  assert.equal(matchingRules(rules, ev('free?')).map((r) => r.spec.id), []);
  assert.equal(matchingRules(rules, ev('what SIZE is it')).map((r) => r.spec.id), ['size']);
  assert.equal(matchingRules(rules, ev('', 'gift')).map((r) => r.spec.id), ['gift']);
  assert.throws(() => compileRule({ id: 'bad', regex: '(', replies: ['x'] }), /invalid regex/);
  assert.throws(() => compileRule({ id: 'none', replies: ['x'] }), /keywords or a regex/);
  assert.is(fillReply('{user}: {product} {price} {nope}', { user: 'Ann', product: 'Tea', price: '¥9' }), 'Ann: Tea ¥9 {nope}');
});

test('sentence splitter: complete sentences as they stream, prices kept whole, CJK punctuation', () => {
  const s = new SentenceSplitter();
  assert.equal(s.push('It costs 19'), []);
  assert.equal(s.push('.99 today. Buy'), ['It costs 19.99 today.']);
  assert.equal(s.push(' now! 这款茶'), ['Buy now!']);
  assert.equal(s.push('很香。真的'), ['这款茶很香。']);
  assert.equal(s.flush(), ['真的']);
  assert.equal(s.flush(), []);
});

test('webhook signature: good, unsigned, stale, tampered', () => {
  const body = Buffer.from('{"events":[]}');
  const ts = Math.floor(Date.now() / 1000);
  const headers = { 'x-onair-timestamp': String(ts), 'x-onair-signature': signWebhook('s3cret', ts, body) };
  assert.is(webhookRefusal('s3cret', headers, body), undefined);
  assert.match(webhookRefusal('s3cret', {}, body)!, /unsigned/);
  assert.match(webhookRefusal('s3cret', headers, body, Date.now() + 600_000)!, /stale/);
  assert.match(webhookRefusal('s3cret', headers, Buffer.from('{"events":[1]}'))!, /bad signature/);
});

test.run();
