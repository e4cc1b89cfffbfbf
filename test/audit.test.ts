// The audit log is append-only and tamper-evident: hash-chained entries in a file or a Redis
// stream, an export endpoint, and `npm run audit -- verify` that finds an edited or removed entry.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { AuditLog } from '../server/audit/audit-log.ts';
import { RedisAuditSink } from '../server/audit/audit-sinks.ts';
import { startRedis } from './helpers/redis.ts';
import { API_KEY, startServer } from './helpers/server.ts';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'onair-audit-test-'));
const entry = (i: number) => ({ at: new Date(Date.UTC(2026, 11, 5, 12, 0, i)).toISOString(), sessionId: 's1', action: 'speak' as const, text: `line ${i}`, client: '127.0.0.1' });

async function cli(args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'server/audit/audit-cli.ts', ...args]);
    return { code: 0, out: stdout };
  } catch (err) {
    const e = err as { code: number; stdout: string };
    return { code: e.code, out: e.stdout };
  }
}

test('file log: entries chain across a restart; the verifier flags an edited and a removed entry', async () => {
  const file = path.join(dir, 'audit.log');
  let log = await AuditLog.open({ file });
  for (let i = 1; i <= 3; i++) await log.append(entry(i));
  await log.close();
  log = await AuditLog.open({ file }); // a restarted server continues the chain
  for (let i = 4; i <= 6; i++) await log.append(entry(i));
  assert.equal(await log.verify(), { ok: true, entries: 6 });
  await log.close();
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.map((l) => JSON.parse(l).seq), [1, 2, 3, 4, 5, 6]);
  assert.is((await cli(['verify', '--file', file])).code, 0);

  const edited = path.join(dir, 'edited.log');
  writeFileSync(edited, lines.map((l, i) => (i === 3 ? l.replace('line 4', 'line 4 (nothing to see)') : l)).join('\n') + '\n');
  const e = await cli(['verify', '--file', edited]);
  assert.is(e.code, 1);
  assert.match(e.out, /seq 4 .*edited/);

  const removed = path.join(dir, 'removed.log');
  writeFileSync(removed, lines.filter((_, i) => i !== 2).join('\n') + '\n');
  const r = await cli(['verify', '--file', removed]);
  assert.is(r.code, 1);
  assert.match(r.out, /missing between seq 2 and 4/);

  const exported = await cli(['export', '--file', file, '--from', entry(5).at]);
  assert.equal(exported.out.trim().split('\n').map((l) => JSON.parse(l).text), ['line 5', 'line 6']);
});

test('Redis stream: one chain, verified; a deleted entry is found', async () => {
  const redis = await startRedis();
  try {
    const log = await AuditLog.open({ file: '/nonexistent', redisUrl: redis.url });
    await Promise.all([1, 2, 3, 4, 5].map((i) => log.append(entry(i))));
    assert.equal(await log.verify(), { ok: true, entries: 5 });
    assert.is((await log.forSession('s1', 2)).map((e) => e.text).join(), 'line 4,line 5');
    assert.is((await cli(['verify', '--redis', redis.url])).code, 0);
    const c = createClient({ url: redis.url });
    await c.connect();
    const all = (await c.xRange(RedisAuditSink.STREAM, '-', '+'))!;
    await c.xDel(RedisAuditSink.STREAM, all[1]!.id);
    await c.quit();
    const report = await log.verify();
    assert.is(report.ok, false);
    assert.match(report.problem!.reason, /missing between seq 1 and 3/);
    await log.close();
  } finally {
    await redis.close();
  }
});

test('server: the export endpoint streams the chained log and verify reports it intact', async () => {
  const server = await startServer({ ONAIR_AUDIT_LOG: path.join(dir, 'server.log') });
  try {
    const { body } = await server.api('POST', '/v1/sessions');
    await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: 'Hello there.' });
    await server.api('POST', `/v1/sessions/${body.id}/interrupt`);
    const res = await fetch(`${server.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${API_KEY}` } });
    assert.is(res.status, 200);
    assert.match(res.headers.get('content-type')!, /ndjson/);
    const entries = (await res.text()).trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(entries.map((e) => e.action), ['speak', 'interrupt']);
    assert.ok(entries.every((e) => /^[0-9a-f]{64}$/.test(e.hash) && e.seq > 0));
    const verify = await server.api('GET', '/v1/audit/verify');
    assert.equal(verify.body, { store: 'file', ok: true, entries: 2 });
    assert.is((await fetch(`${server.baseUrl}/v1/audit/export`)).status, 401);
  } finally {
    await server.close();
  }
});

test.run();
