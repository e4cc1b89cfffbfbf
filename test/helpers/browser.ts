import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium, headless, loopback only (there is no network beyond it here). */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      '--autoplay-policy=no-user-gesture-required',
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      ...extraArgs,
    ],
  });
}

/**
 * The operator panel, signed in with the API key, with page errors collected. `ignoreConsole`
 * filters console errors the test provokes on purpose (e.g. a refused request).
 */
export async function openPanel(
  browser: Browser,
  baseUrl: string,
  apiKey: string,
  opts: { height: number; ignoreConsole?: RegExp; acceptDialogs?: boolean },
): Promise<{ panel: Page; pageErrors: string[] }> {
  const pageErrors: string[] = [];
  const panel = await browser.newPage({ viewport: { width: 1400, height: opts.height } });
  panel.on('pageerror', (err) => pageErrors.push(String(err)));
  panel.on('console', (msg) => msg.type() === 'error' && !opts.ignoreConsole?.test(msg.text()) && pageErrors.push(msg.text()));
  if (opts.acceptDialogs) panel.on('dialog', (dialog) => void dialog.accept());
  await panel.goto(`${baseUrl}/panel`);
  await panel.fill('#apiKey', apiKey);
  await panel.click('#connect');
  await panel.waitForSelector('#app:not([hidden])');
  return { panel, pageErrors };
}
