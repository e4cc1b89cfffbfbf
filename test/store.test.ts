import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createClient } from 'redis';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MemorySessionStore } from '../server/store/memory-store.ts';
import { FileRecordStore } from '../server/store/record-store.ts';
import { RedisSessionStore } from '../server/store/redis-store.ts';
import type { SessionRecord, SessionStore } from '../server/store/session-store.ts';
import { startRedis } from './helpers/redis.ts';
import { startServer } from './helpers/server.ts';

let redis: Awaited<ReturnType<typeof startRedis>>;

test.before(async () => {
  redis = await startRedis();
});
test.after(async () => {
  await redis?.close();
});

function record(id: string): SessionRecord {
  return { id, viewerToken: `tok-${id}`, createdAt: new Date(0).toISOString(), video: { width: 1280, height: 720, fps: 25 }, source: 'test-card', outputs: [] };
}

async function contract(store: SessionStore) {
  assert.is(await store.get('a'), undefined);
  await store.save(record('a'));
  await store.save(record('b'));
  const a = await store.get('a');
  assert.equal(a, record('a'));
  a!.outputs.push({ id: 'o', kind: 'rtmp', url: 'rtmp://x/y', createdAt: 'now' });
  assert.equal((await store.get('a'))!.outputs, [], 'returned records are copies');
  await store.save(a!);
  assert.is((await store.get('a'))!.outputs.length, 1);
  assert.equal((await store.list()).map((r) => r.id).sort(), ['a', 'b']);
  await store.delete('a');
  assert.is(await store.get('a'), undefined);
  assert.equal((await store.list()).map((r) => r.id), ['b']);
  await store.delete('b');
  await store.close();
}

test('memory store keeps the store contract', async () => {
  await contract(new MemorySessionStore());
});

test('file store keeps the store contract, and what it saved is there after reopening', async () => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'onair-records-')), 'sub', 'records.json');
  await contract(await FileRecordStore.open<SessionRecord>(file));
  const store = await FileRecordStore.open<SessionRecord>(file);
  await store.save(record('kept'));
  await store.save(record('gone'));
  await store.delete('gone');
  await store.close();
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).map((r: SessionRecord) => r.id), ['kept'], 'the file holds exactly the saved records');
  const reopened = await FileRecordStore.open<SessionRecord>(file);
  assert.equal(await reopened.get('kept'), record('kept'));
  assert.equal((await reopened.list()).length, 1);
});

test('redis store keeps the store contract against a real redis-server', async () => {
  await contract(await RedisSessionStore.connect(redis.url));
});

test('with REDIS_URL the server keeps session state in Redis', async () => {
  const server = await startServer({ REDIS_URL: redis.url });
  const client = createClient({ url: redis.url });
  await client.connect();
  try {
    const health = await (await fetch(`${server.baseUrl}/health`)).json();
    assert.is(health.store, 'redis');
    const { body } = await server.api('POST', '/v1/sessions', { source: 'test-card' });
    const stored = JSON.parse((await client.get(`onair:session:${body.id}`))!);
    assert.is(stored.viewerToken, body.viewerToken);
    assert.ok(await client.sIsMember('onair:sessions', body.id));
    await server.api('DELETE', `/v1/sessions/${body.id}`);
    assert.is(await client.get(`onair:session:${body.id}`), null);
  } finally {
    await client.quit();
    await server.close();
  }
});

test.run();
