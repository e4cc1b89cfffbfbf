import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { freePort, spawnUntil, stop } from './processes.ts';

/**
 * A local RTMP ingest: Debian's nginx with libnginx-mod-rtmp on 127.0.0.1, foreground, its own
 * prefix. `stop()`/`start()` simulate a platform outage on the same port.
 */
export class LocalRtmpServer {
  readonly port: number;
  readonly #dir: string;
  #proc: ChildProcess | undefined;

  private constructor(port: number, dir: string) {
    this.port = port;
    this.#dir = dir;
  }

  /** `record`: every publish is also written to its own FLV under `recordDir` (one file per (re)connect). */
  static async start(opts: { record?: boolean } = {}): Promise<LocalRtmpServer> {
    const port = await freePort();
    const dir = mkdtempSync(path.join(tmpdir(), 'onair-rtmp-'));
    const record = opts.record ? `record all; record_path ${dir}/rec; record_unique on;` : 'record off;';
    if (opts.record) mkdirSync(path.join(dir, 'rec'));
    writeFileSync(
      path.join(dir, 'nginx.conf'),
      `load_module /usr/lib/nginx/modules/ngx_rtmp_module.so;
daemon off;
master_process off;
pid ${dir}/nginx.pid;
error_log stderr info;
events { worker_connections 64; }
rtmp { server { listen 127.0.0.1:${port}; application live { live on; meta copy; ${record} } } }
`,
    );
    const server = new LocalRtmpServer(port, dir);
    await server.start();
    return server;
  }

  get recordDir(): string {
    return path.join(this.#dir, 'rec');
  }

  url(key: string): string {
    return `rtmp://127.0.0.1:${this.port}/live/${key}`;
  }

  async start(): Promise<void> {
    const { proc } = await spawnUntil('nginx', ['-p', this.#dir, '-c', path.join(this.#dir, 'nginx.conf'), '-e', 'stderr'], /start worker process|using the "epoll"/, {
      timeoutMs: 10000,
    });
    this.#proc = proc;
  }

  async stop(): Promise<void> {
    if (this.#proc) await stop(this.#proc, 'SIGKILL');
    this.#proc = undefined;
  }
}
