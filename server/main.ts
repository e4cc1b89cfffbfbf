import { tuneGcForMedia } from '../pipeline/core/gc-tuning.ts';
import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';

tuneGcForMedia();
const config = loadConfig();
const { app } = await buildApp(config);

let closing = false;
function shutdown(reason: string): void {
  if (closing) return;
  closing = true;
  app.log.info(`${reason}: shutting down`);
  const force = setTimeout(() => process.exit(1), 10_000);
  app.close().then(() => {
    clearTimeout(force);
    process.exit(0);
  });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => shutdown(signal));
// Started with an IPC channel (tests, supervisors): if the parent dies, don't linger as an orphan.
if (process.send) process.on('disconnect', () => shutdown('parent gone'));

const address = await app.listen({ host: config.host, port: config.port });
if (config.apiKeyGenerated) {
  console.log(`\nONAIR_API_KEY was not set; this run's API key is:\n\n  ${config.apiKey}\n`);
}
console.log(`OnAir listening on ${address} (store: ${config.redisUrl ? 'redis' : 'memory'}, workers: ${config.workers})`);
