import { loadConfig } from './config.ts';
import { buildApp } from './app.ts';

const config = loadConfig();
const { app } = await buildApp(config);

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    app.log.info(`${signal}: shutting down`);
    const force = setTimeout(() => process.exit(1), 10_000);
    app.close().then(() => {
      clearTimeout(force);
      process.exit(0);
    });
  });
}

const address = await app.listen({ host: config.host, port: config.port });
if (config.apiKeyGenerated) {
  console.log(`\nONAIR_API_KEY was not set; this run's API key is:\n\n  ${config.apiKey}\n`);
}
console.log(`OnAir listening on ${address} (store: ${config.redisUrl ? 'redis' : 'memory'}, workers: ${config.workers})`);
