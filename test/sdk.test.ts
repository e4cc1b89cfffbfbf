import http from 'node:http';
import net from 'node:net';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OnAirClient, OnAirError, type WebSocketFactory } from '../client-sdk/src/index.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { freePort } from './helpers/processes.ts';
import { waitFor } from './helpers/watch.ts';

let server: TestServer;
test.before(async () => {
  server = await startServer();
});
test.after(async () => {
  await server?.close();
});

test('request building: method, path, headers and JSON body', async () => {
  const seen: { method: string; url: string; auth?: string; type?: string; body: string }[] = [];
  const recorder = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, type: req.headers['content-type'], body });
      res.setHeader('content-type', 'application/json');
      res.end(req.method === 'DELETE' ? '' : '{"ok":true}');
    });
  });
  await new Promise<void>((r) => recorder.listen(0, '127.0.0.1', r));
  const port = (recorder.address() as net.AddressInfo).port;
  const client = new OnAirClient({ baseUrl: `http://127.0.0.1:${port}/`, apiKey: 'k1' });
  await client.createSession({ source: 'test-card' });
  await client.speak('s/1', { text: '你好', lang: 'zh', next: true });
  await client.interrupt('s1');
  await client.addRtmpOutput('s1', 'rtmp://x/y');
  await client.removeOutput('s1', 'o 1');
  await client.setLabel('s1', { position: 'top-right' });
  await client.addOverlay('s1', { kind: 'text', text: '¥99', x: 1, y: 2 });
  recorder.close();
  assert.equal(
    seen.map((s) => [s.method, s.url, s.body]),
    [
      ['POST', '/v1/sessions', '{"source":"test-card"}'],
      ['POST', '/v1/sessions/s%2F1/speak', '{"text":"你好","lang":"zh","next":true}'],
      ['POST', '/v1/sessions/s1/interrupt', ''],
      ['POST', '/v1/sessions/s1/outputs/rtmp', '{"url":"rtmp://x/y"}'],
      ['DELETE', '/v1/sessions/s1/outputs/o%201', ''],
      ['PUT', '/v1/sessions/s1/label', '{"position":"top-right"}'],
      ['POST', '/v1/sessions/s1/overlays', '{"kind":"text","text":"¥99","x":1,"y":2}'],
    ],
  );
  assert.ok(seen.every((s) => s.auth === 'Bearer k1'), 'bearer key on every request');
  assert.is(seen[0]!.type, 'application/json');
  assert.is(seen[2]!.type, undefined, 'no content-type without a body');
});

test('typed errors carry the HTTP status and the server message', async () => {
  const expect = async (p: Promise<unknown>, status: number, message: RegExp) => {
    try {
      await p;
      assert.unreachable();
    } catch (err) {
      assert.instance(err, OnAirError);
      assert.is((err as OnAirError).status, status);
      assert.match((err as Error).message, message);
    }
  };
  const good = new OnAirClient({ baseUrl: server.baseUrl, apiKey: API_KEY });
  await expect(new OnAirClient({ baseUrl: server.baseUrl, apiKey: 'nope' }).getSession('x'), 401, /invalid token/);
  await expect(good.getSession('missing'), 404, /session missing not found/);
  const s = await good.createSession({ source: 'test-card' });
  await expect(good.addRtmpOutput(s.id, 'http://not-rtmp'), 400, /pattern/);
  await expect(good.speak(s.id, { text: 'hi' }), 409, /test card/);
  await expect(new OnAirClient({ baseUrl: server.baseUrl, apiKey: s.viewerToken }).deleteSession(s.id), 403, /viewer token/);
  await expect(new OnAirClient({ baseUrl: `http://127.0.0.1:${await freePort()}`, apiKey: API_KEY }).health(), 0, /cannot reach/);
  await good.deleteSession(s.id);
});

test('events reconnect after the connection drops and keep delivering', async () => {
  // A loopback TCP proxy stands between the SDK and the server, so the test can cut the link.
  const target = new URL(server.baseUrl);
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    client.pipe(upstream).pipe(client);
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
  const client = new OnAirClient({ baseUrl: proxyUrl, apiKey: API_KEY, WebSocket: WebSocket as unknown as WebSocketFactory });
  const session = await client.createSession();
  const events = await client.events(session.id);
  const started: string[] = [];
  const states: string[] = [];
  events.on('speech.started', (d) => started.push(d.utteranceId));
  events.onState((s) => states.push(s));
  try {
    await waitFor(() => events.state === 'open', 5000, 'events open');
    const first = await client.speak(session.id, { text: 'One.' });
    await waitFor(() => started.includes(first.utteranceId), 5000, 'first event');
    for (const s of sockets) s.destroy(); // the network blips
    sockets.clear();
    await waitFor(() => states.includes('reconnecting'), 5000, 'reconnecting');
    await waitFor(() => events.state === 'open' && events.connects === 2, 10_000, 'reconnected');
    const second = await client.speak(session.id, { text: 'Two.' });
    await waitFor(() => started.includes(second.utteranceId), 5000, 'event after reconnect');
    assert.equal(states, ['open', 'reconnecting', 'open']);
  } finally {
    events.close();
    await client.deleteSession(session.id);
    proxy.close();
  }
});

test.run();
