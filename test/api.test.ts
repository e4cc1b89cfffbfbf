import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor, type Reception } from './helpers/watch.ts';

let server: TestServer;
let session: { id: string; viewerToken: string };
let viewer: Reception;

test.before(async () => {
  server = await startServer({ ONAIR_MAX_SESSIONS: '3' });
  session = (await server.api('POST', '/v1/sessions', { source: 'test-card' })).body;
  viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  await waitFor(() => viewer.frames.length > 10, 15_000, 'viewer frames');
});
test.after(async () => {
  viewer?.stop();
  await server?.close();
});

function expectError(res: { status: number; body: any }, status: number, pattern: RegExp) {
  assert.is(res.status, status, JSON.stringify(res.body));
  assert.is(res.body.statusCode, status);
  assert.match(res.body.message, pattern);
}

test('health is public', async () => {
  const res = await fetch(`${server.baseUrl}/health`);
  assert.is(res.status, 200);
  const body = await res.json();
  assert.is(body.ok, true);
  assert.is(body.workers, 2);
});

test('unknown session and output: 404 with a message', async () => {
  expectError(await server.api('GET', '/v1/sessions/no-such-session'), 404, /session no-such-session not found/);
  expectError(await server.api('DELETE', '/v1/sessions/no-such-session'), 404, /not found/);
  expectError(await server.api('POST', '/v1/sessions/no-such-session/outputs/rtmp', { url: 'rtmp://127.0.0.1/live/x' }), 404, /not found/);
  expectError(await server.api('DELETE', `/v1/sessions/${session.id}/outputs/nope`), 404, /output nope not found/);
  expectError(await server.api('GET', '/v1/nothing-here'), 404, /no route/);
});

test('malformed bodies: 400 with the reason', async () => {
  expectError(await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, '{"url": '), 400, /JSON/i);
  expectError(await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, {}), 400, /url/);
  expectError(await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, { url: 'http://example.com/x' }), 400, /pattern/);
  expectError(await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, { url: 'rtmp://h/app', extra: 1 }), 400, /additional/);
  expectError(await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, { url: 42 }), 400, /string/);
  expectError(await server.api('POST', '/v1/sessions', { avatr: 'cartoon' }), 400, /additional/);
  expectError(await server.api('POST', '/v1/sessions', { source: 'webcam' }), 400, /allowed values/);
});

test('credentials: missing or wrong 401, viewer token on control 403', async () => {
  const noAuth = await fetch(`${server.baseUrl}/v1/sessions/${session.id}`);
  assert.is(noAuth.status, 401);
  expectError(await server.api('GET', `/v1/sessions/${session.id}`, undefined, 'wrong-key'), 401, /invalid token/);
  expectError(await server.api('POST', '/v1/sessions', undefined, 'wrong-key'), 401, /invalid token/);
  expectError(await server.api('GET', `/v1/sessions/${session.id}`, undefined, session.viewerToken), 403, /viewer token/);
  expectError(await server.api('DELETE', `/v1/sessions/${session.id}`, undefined, session.viewerToken), 403, /viewer token/);
  expectError(
    await server.api('POST', `/v1/sessions/${session.id}/outputs/rtmp`, { url: 'rtmp://127.0.0.1/live/x' }, session.viewerToken),
    403,
    /viewer token/,
  );
  // The API key never works as a query parameter on control endpoints.
  const inQuery = await fetch(`${server.baseUrl}/v1/sessions/${session.id}?token=${encodeURIComponent('test-api-key-0123456789')}`);
  assert.is(inQuery.status, 401);
});

test('websocket: wrong token refused, bad messages get error events', async () => {
  const other = (await server.api('POST', '/v1/sessions', { source: 'test-card' })).body;
  // Another session's viewer token does not open this session.
  const refused = await new Promise<number>((resolve) => {
    const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws?token=${other.viewerToken}`);
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('open', () => resolve(101));
  });
  assert.is(refused, 401);
  await server.api('DELETE', `/v1/sessions/${other.id}`);

  const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/v1/sessions/${session.id}/ws?token=${session.viewerToken}`);
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(String(m))));
  await new Promise((r) => ws.once('open', r));
  ws.send('not json');
  ws.send(JSON.stringify({ method: 'consume' }));
  ws.send(JSON.stringify({ id: 1, method: 'selfDestruct', data: {} }));
  ws.send(JSON.stringify({ id: 2, method: 'connectTransport', data: { transportId: 'x', dtlsParameters: {} } }));
  ws.send(JSON.stringify({ id: 3, method: 'resume', data: { consumerId: 'nope' } }));
  ws.send(JSON.stringify({ id: 4, method: 'consume', data: { transportId: 'x', rtpCapabilities: 'junk' } }));
  await waitFor(() => messages.length >= 6, 5000, 'six replies');
  assert.equal(messages[0], { event: 'error', data: { message: 'malformed JSON' } });
  assert.is(messages[1].event, 'error');
  const byId = new Map(messages.filter((m) => 'id' in m).map((m) => [m.id, m]));
  assert.is(byId.get(1).error.status, 400);
  assert.match(byId.get(1).error.message, /unknown method/);
  assert.is(byId.get(2).error.status, 404);
  assert.is(byId.get(3).error.status, 404);
  assert.is(byId.get(4).error.status, 404);
  ws.close();
});

test('over capacity: 429 with a message, and room again once a session ends', async () => {
  const a = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  const b = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  assert.is(a.status, 201);
  assert.is(b.status, 201);
  expectError(await server.api('POST', '/v1/sessions', { source: 'test-card' }), 429, /at capacity \(3 live sessions\)/);
  await server.api('DELETE', `/v1/sessions/${a.body.id}`);
  const c = await server.api('POST', '/v1/sessions', { source: 'test-card' });
  assert.is(c.status, 201);
  await server.api('DELETE', `/v1/sessions/${b.body.id}`);
  await server.api('DELETE', `/v1/sessions/${c.body.id}`);
});

test('none of the bad requests disturbed the running session', async () => {
  const before = viewer.frames.length;
  await new Promise((r) => setTimeout(r, 2000));
  const fresh = viewer.frames.slice(before);
  assert.ok(fresh.length >= 30, `viewer still receiving (${fresh.length} frames in 2 s)`);
  assert.ok(fresh.every((f) => f.code >= 0 && f.width === 1280));
  const view = await server.api('GET', `/v1/sessions/${session.id}`);
  assert.is(view.status, 200);
  assert.is(view.body.live, true);
});

test.run();
