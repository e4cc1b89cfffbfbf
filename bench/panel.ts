// The operator panel in a real browser: page weight (what the panel downloads) and time from
// "New session" to the first preview frame playing.
import http from 'node:http';
import { launchChromium } from '../test/helpers/browser.ts';
import { API_KEY, startServer } from '../test/helpers/server.ts';
import { fmt, percentile } from './lib/stats.ts';

const RUNS = Number(process.env.PANEL_RUNS ?? 6);

export async function benchPanel(): Promise<void> {
  const server = await startServer();
  const browser = await launchChromium();
  try {
    let raw = 0;
    let gz = 0;
    const parts: string[] = [];
    for (const path of ['/panel', '/assets/panel.js', '/assets/panel.css']) {
      const body = Buffer.from(await (await fetch(server.baseUrl + path, { headers: { 'accept-encoding': 'identity' } })).arrayBuffer());
      const wire = await new Promise<number>((resolve, reject) =>
        http.get(server.baseUrl + path, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
          let n = 0;
          res.on('data', (d: Buffer) => (n += d.length)).on('end', () => resolve(n));
        }).on('error', reject),
      );
      raw += body.length;
      gz += wire;
      parts.push(`${path} ${fmt(body.length / 1024)} KiB`);
    }
    console.log(`panel page weight (HTML+JS+CSS): ${fmt(raw / 1024)} KiB, ${fmt(gz / 1024)} KiB on the wire, gzip (${parts.join(', ')})`);

    const times: number[] = [];
    const loads: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const page = await browser.newPage();
      await page.addInitScript((key) => sessionStorage.setItem('onair.apiKey', key), API_KEY);
      const t0 = Date.now();
      await page.goto(`${server.baseUrl}/panel`);
      await page.waitForSelector('#app:not([hidden])');
      loads.push(Date.now() - t0);
      // A string, not a function: tsx's name-keeping helpers don't exist inside the page.
      const ms = (await page.evaluate(`new Promise((resolve) => {
        const video = document.getElementById('preview');
        const start = performance.now();
        document.getElementById('create').click();
        (function check() {
          if (video.videoWidth > 0 && video.currentTime > 0) resolve(performance.now() - start);
          else requestAnimationFrame(check);
        })();
      })`)) as number;
      times.push(ms);
      const id = (await page.textContent('#sessionId'))?.trim();
      await page.close();
      if (id) await server.api('DELETE', `/v1/sessions/${id}`);
    }
    console.log(`panel load → connected UI (${RUNS} loads): p50 ${fmt(percentile(loads, 50), 0)} ms, p95 ${fmt(percentile(loads, 95), 0)} ms`);
    console.log(`"New session" click → first preview frame playing (${RUNS} runs): p50 ${fmt(percentile(times, 50), 0)} ms, p95 ${fmt(percentile(times, 95), 0)} ms`);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPanel();
  process.exit(0);
}
