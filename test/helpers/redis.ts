import { freePort, spawnUntil, stop } from './processes.ts';

/** A throw-away redis-server on loopback, no persistence. */
export async function startRedis(): Promise<{ url: string; close: () => Promise<void> }> {
  const port = await freePort();
  const { proc } = await spawnUntil(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    /Ready to accept connections/,
  );
  return { url: `redis://127.0.0.1:${port}`, close: () => stop(proc) };
}
