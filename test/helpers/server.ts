import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { freePort, spawnUntil, stop } from './processes.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const API_KEY = 'test-api-key-0123456789';

export interface TestServer {
  baseUrl: string;
  proc: ChildProcess;
  output: () => string;
  /** fetch with the API key, JSON in and out. */
  api: (method: string, url: string, body?: unknown, token?: string) => Promise<{ status: number; body: any }>;
  close: () => Promise<void>;
}

/** Starts the real server (`server/main.ts`) as a child process on a free loopback port. */
export async function startServer(env: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort();
  const rtcMin = 20000 + Math.floor(Math.random() * 20000);
  const { proc, output } = await spawnUntil(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], /OnAir listening on (\S+)/, {
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      PORT: String(port),
      RTC_LISTEN_IP: '127.0.0.1',
      RTC_MIN_PORT: String(rtcMin),
      RTC_MAX_PORT: String(rtcMin + 200),
      ONAIR_API_KEY: API_KEY,
      LOG_LEVEL: 'warn',
      ONAIR_AUDIT_LOG: path.join(mkdtempSync(path.join(tmpdir(), 'onair-audit-')), 'audit.log'),
      ONAIR_VOICE_DIR: mkdtempSync(path.join(tmpdir(), 'onair-voices-')),
      ...env,
    },
    timeoutMs: 30000,
    ipc: true,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const api: TestServer['api'] = async (method, url, body, token = API_KEY) => {
    const res = await fetch(baseUrl + url, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {}
    return { status: res.status, body: parsed };
  };
  return { baseUrl, proc, output, api, close: () => stop(proc) };
}
