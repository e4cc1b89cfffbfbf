// A control endpoint (GET /v1/sessions/:id: auth + store + live status) against a bare fastify
// route, both in this process, same autocannon settings: the ratio shows what our layer costs.
import autocannon from 'autocannon';
import Fastify from 'fastify';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { fmt } from './lib/stats.ts';

const DURATION = Number(process.env.HTTP_SECONDS ?? 8);

async function run(url: string, headers: Record<string, string> = {}) {
  const r = await autocannon({ url, connections: 20, duration: DURATION, headers });
  return { rps: r.requests.average, p99: r.latency.p99, errors: r.errors + r.non2xx };
}

export async function benchHttpControl(): Promise<void> {
  const config = loadConfig({ ONAIR_API_KEY: 'bench-key', ONAIR_WORKERS: '1', RTC_LISTEN_IP: '127.0.0.1' });
  const { app } = await buildApp(config, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const bare = Fastify();
  bare.get('/bare', async () => ({ ok: true }));
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const bareBase = `http://127.0.0.1:${(bare.server.address() as { port: number }).port}`;
  try {
    const created = await fetch(`${base}/v1/sessions`, { method: 'POST', headers: { authorization: 'Bearer bench-key' } });
    const session = (await created.json()) as { id: string };
    const b = await run(`${bareBase}/bare`);
    const c = await run(`${base}/v1/sessions/${session.id}`, { authorization: 'Bearer bench-key' });
    console.log(`bare fastify route:          ${fmt(b.rps, 0)} req/s, p99 ${b.p99} ms, errors ${b.errors}`);
    console.log(`GET /v1/sessions/:id (live): ${fmt(c.rps, 0)} req/s, p99 ${c.p99} ms, errors ${c.errors}  (session streaming meanwhile)`);
    console.log(`control/bare throughput ratio: ${fmt(c.rps / b.rps, 2)}`);
  } finally {
    await bare.close();
    await app.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await benchHttpControl();
