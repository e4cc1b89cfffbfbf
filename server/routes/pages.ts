import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, stop } from 'esbuild';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sdk = path.join(root, 'client-sdk');

/** Where the panel loads ffmpeg.wasm from (@ffmpeg/ffmpeg's ESM files and @ffmpeg/core's single-thread core). */
export const FFMPEG_PREFIX = '/assets/ffmpeg/';
const FFMPEG_SOURCES = [
  { dir: path.join(root, 'node_modules/@ffmpeg/ffmpeg/dist/esm'), pattern: /\.js$/ },
  { dir: path.join(root, 'node_modules/@ffmpeg/core/dist/esm'), pattern: /^ffmpeg-core\.(js|wasm)$/ },
];

// Everything the pages load comes from this server: no CDN, nothing else is contacted.
const CSP = "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'; script-src 'self'; frame-ancestors *";
// The panel (and the ffmpeg worker, whose own response's policy governs it) compiles ffmpeg's
// WebAssembly: 'wasm-unsafe-eval' allows exactly that, not eval(). The worker is a same-origin
// module script, so default-src 'self' covers it (no blob: workers).
const WASM_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'wasm-unsafe-eval'");

interface PageFile {
  body: string | Uint8Array;
  gzip?: Buffer;
  type: string;
  etag?: string;
  csp?: string;
}

export interface PageAssets {
  files: Map<string, PageFile>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.wasm': 'application/wasm' };

/** Bundles the operator panel and viewer page (client-sdk) with esbuild, in memory, at start-up. */
export async function buildPageAssets(): Promise<PageAssets> {
  const result = await build({
    entryPoints: { panel: path.join(sdk, 'panel/panel.ts'), watch: path.join(sdk, 'watch/watch.ts') },
    bundle: true,
    format: 'esm',
    minify: true,
    target: ['chrome110', 'firefox115', 'safari16'],
    // The panel's control room is Preact components in .tsx (see client-sdk/panel/room/room.tsx).
    jsx: 'automatic',
    jsxImportSource: 'preact',
    write: false,
    outdir: '/assets',
    // @ffmpeg/ffmpeg is not bundled: the panel imports it from FFMPEG_PREFIX at run time, so
    // its worker's `new URL('./worker.js', import.meta.url)` resolves next to it.
    external: [`${FFMPEG_PREFIX}*`],
    logLevel: 'silent',
  });
  await stop(); // esbuild keeps a helper process alive otherwise
  const files: PageAssets['files'] = new Map();
  for (const f of result.outputFiles) files.set(`/assets/${path.basename(f.path)}`, { body: f.contents, type: 'text/javascript; charset=utf-8' });
  files.set('/assets/panel.css', { body: await readFile(path.join(sdk, 'panel/panel.css'), 'utf8'), type: 'text/css; charset=utf-8' });
  files.set('/panel', { body: await readFile(path.join(sdk, 'panel/panel.html'), 'utf8'), type: 'text/html; charset=utf-8', csp: WASM_CSP });
  files.set('/watch', { body: await readFile(path.join(sdk, 'watch/watch.html'), 'utf8'), type: 'text/html; charset=utf-8' });
  // Compressed once here rather than per request: the panel's JS shrinks ~5×.
  for (const file of files.values()) file.gzip = gzipSync(file.body, { level: 9 });
  for (const { dir, pattern } of FFMPEG_SOURCES) {
    for (const name of (await readdir(dir)).filter((n) => pattern.test(n)).sort()) {
      const body = await readFile(path.join(dir, name));
      const ext = path.extname(name);
      // The 32 MB core.wasm goes as is (gzip -9 would add seconds to every start for a file fetched once per conversion).
      files.set(FFMPEG_PREFIX + name, { body, type: TYPES[ext]!, csp: WASM_CSP, ...(ext === '.wasm' ? {} : { gzip: gzipSync(body, { level: 9 }) }) });
    }
  }
  for (const file of files.values()) file.etag = `W/"${createHash('sha1').update(file.body).digest('base64url')}"`;
  return { files };
}

export function pageRoutes(app: FastifyInstance, assets: PageAssets): void {
  const serve = (key: string) => async (req: FastifyRequest, reply: FastifyReply) => {
    const file = assets.files.get(key)!;
    reply
      .header('content-type', file.type)
      .header('content-security-policy', file.csp ?? CSP)
      .header('cache-control', 'no-cache')
      .header('vary', 'accept-encoding')
      .header('etag', file.etag);
    // no-cache revalidates: an unchanged file (the 32 MB ffmpeg core above all) is a 304, not a download.
    if (req.headers['if-none-match'] === file.etag) return reply.code(304).send();
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
