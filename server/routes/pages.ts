import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, stop } from 'esbuild';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const sdk = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../client-sdk');

// Everything the pages load comes from this server: no CDN, nothing else is contacted.
const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors *";

export interface PageAssets {
  files: Map<string, { body: string | Uint8Array; gzip?: Buffer; type: string }>;
}

/** Bundles the operator panel and viewer page (client-sdk) with esbuild, in memory, at start-up. */
export async function buildPageAssets(): Promise<PageAssets> {
  const result = await build({
    entryPoints: { panel: path.join(sdk, 'panel/panel.ts'), watch: path.join(sdk, 'watch/watch.ts') },
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['chrome110', 'firefox115', 'safari16'],
    write: false,
    outdir: '/assets',
    logLevel: 'silent',
  });
  await stop(); // esbuild keeps a helper process alive otherwise
  const files: PageAssets['files'] = new Map();
  for (const f of result.outputFiles) files.set(`/assets/${path.basename(f.path)}`, { body: f.contents, type: 'text/javascript; charset=utf-8' });
  files.set('/assets/panel.css', { body: await readFile(path.join(sdk, 'panel/panel.css'), 'utf8'), type: 'text/css; charset=utf-8' });
  files.set('/panel', { body: await readFile(path.join(sdk, 'panel/panel.html'), 'utf8'), type: 'text/html; charset=utf-8' });
  files.set('/watch', { body: await readFile(path.join(sdk, 'watch/watch.html'), 'utf8'), type: 'text/html; charset=utf-8' });
  // Compressed once here rather than per request: the panel's JS shrinks ~5×.
  for (const file of files.values()) file.gzip = gzipSync(file.body, { level: 9 });
  return { files };
}

export function pageRoutes(app: FastifyInstance, assets: PageAssets): void {
  const serve = (key: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const file = assets.files.get(key)!;
    reply.header('content-type', file.type).header('content-security-policy', CSP).header('cache-control', 'no-cache').header('vary', 'accept-encoding');
    if (file.gzip && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
      return reply.header('content-encoding', 'gzip').send(file.gzip);
    }
    return reply.send(file.body);
  };
  app.get('/', async (_req, reply) => reply.redirect('/panel'));
  app.get('/panel', serve('/panel'));
  app.get('/watch/:sessionId', serve('/watch'));
  for (const key of assets.files.keys()) if (key.startsWith('/assets/')) app.get(key, serve(key));
}
