// The operator panel's Avatars card in Chromium against the real server: a "phone" clip (HEVC in
// .mov, 1280×1024, with audio) trimmed and converted to H.264 by ffmpeg.wasm in the page,
// consent required before the upload, enrollment progress to `ready` by polling, the avatar chosen
// for a new session (the preview plays it) and switched live, the server's refusal of a too-short
// clip shown in the card, cancel and delete. ~2.5 min on 2 cores.
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Browser, Page } from 'playwright-core';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { launchChromium, openPanel } from './helpers/browser.ts';

const run = promisify(execFile);
const OUT = 'test-output';
const SOURCE = path.resolve('.cache/test-media/franck.mp4');
const work = mkdtempSync(path.join(tmpdir(), 'onair-panel-avatars-'));
const media = { phone: path.join(work, 'phone-clip.mov'), short: path.join(work, 'short5.mp4') };
const TRIM = { start: 2, end: 14 };

let server: TestServer;
let browser: Browser;
let panel: Page;
let avatarId = '';
let pageErrors: string[] = [];

test.before(async () => {
  const setup = Date.now();
  mkdirSync(OUT, { recursive: true });
  if (!existsSync(SOURCE)) await run('bash', ['server/setup/fetch-test-media.sh']);
  const ffmpeg = (args: string[]) => run('ffmpeg', ['-v', 'error', '-y', ...args]);
  await Promise.all([
    // Like a phone's export: HEVC ('hvc1') in a QuickTime container, bigger than 720p, with an AAC track.
    ffmpeg(['-i', SOURCE, '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100', '-t', '15', '-map', '0:v', '-map', '1:a',
      '-vf', 'scale=1280:1024', '-c:v', 'libx265', '-preset', 'ultrafast', '-crf', '24', '-tag:v', 'hvc1', '-x265-params', 'log-level=error',
      '-c:a', 'aac', '-b:a', '96k', media.phone]),
    ffmpeg(['-i', SOURCE, '-t', '5', '-an', '-c:v', 'libx264', '-preset', 'veryfast', media.short]),
  ]);
  console.log(`  test clips made in ${((Date.now() - setup) / 1000).toFixed(1)} s`);
  server = await startServer({ ONAIR_AVATAR_DIR: path.join(work, 'avatars') });
  browser = await launchChromium();
  ({ panel, pageErrors } = await openPanel(browser, server.baseUrl, API_KEY, { height: 1500, acceptDialogs: true }));
});
test.after(async () => {
  await browser?.close();
  await server?.close();
});
let t0 = 0;
test.before.each(() => void (t0 = Date.now()));
test.after.each((ctx) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${ctx.__test__}`));

const text = async (selector: string) => ((await panel.textContent(selector)) ?? '').trim();

async function avatarRow(id: string) {
  return panel.$eval(`#avatarList tr[data-avatar-id="${id}"]`, (tr) => ({ state: (tr as HTMLElement).dataset.state, text: tr.textContent ?? '' }));
}

test('ffmpeg.wasm is served by this server, with a CSP that allows WebAssembly and nothing else new', async () => {
  const res = await fetch(`${server.baseUrl}/assets/ffmpeg/ffmpeg-core.wasm`);
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/wasm');
  const wasm = new Uint8Array(await res.arrayBuffer());
  assert.equal([...wasm.subarray(0, 4)], [0, 0x61, 0x73, 0x6d], 'a wasm module');
  const etag = res.headers.get('etag')!;
  const again = await fetch(`${server.baseUrl}/assets/ffmpeg/ffmpeg-core.wasm`, { headers: { 'if-none-match': etag } });
  assert.is(again.status, 304, 'revalidated, not downloaded again');
  for (const name of ['index.js', 'classes.js', 'worker.js', 'const.js', 'ffmpeg-core.js']) {
    const r = await fetch(`${server.baseUrl}/assets/ffmpeg/${name}`);
    assert.is(r.status, 200, name);
    assert.match(r.headers.get('content-type') ?? '', /text\/javascript/);
  }
  const page = await fetch(`${server.baseUrl}/panel`);
  const csp = page.headers.get('content-security-policy') ?? '';
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.not.match(csp, /'unsafe-eval'|https?:|worker-src/, 'no eval, no remote origin, no blob: workers');
  const panelJs = await (await fetch(`${server.baseUrl}/assets/panel.js`)).text();
  assert.not.match(panelJs, /unpkg|jsdelivr/, 'no CDN URL in the panel');
  const watchCsp = (await fetch(`${server.baseUrl}/watch/x?token=y`)).headers.get('content-security-policy') ?? '';
  assert.not.match(watchCsp, /wasm/, 'the viewer page keeps the plain policy');
});

test('a phone clip is trimmed and converted to H.264 in the browser, with progress', async () => {
  const external: string[] = [];
  panel.on('request', (req) => !req.url().startsWith(server.baseUrl) && !req.url().startsWith('blob:') && !req.url().startsWith('data:') && external.push(req.url()));
  await panel.setInputFiles('#avatarFile', media.phone);
  await panel.waitForFunction(() => document.getElementById('avatarFileInfo')!.textContent!.includes('MB'));
  await panel.fill('#trimStart', String(TRIM.start));
  await panel.fill('#trimEnd', String(TRIM.end));
  // The clip's metadata (or the no-preview note) may land after the operator typed: it must not undo the trim.
  await panel.waitForFunction(() => / s$|preview/i.test(document.getElementById('avatarFileInfo')!.textContent!), undefined, { timeout: 10_000 });
  assert.is(await panel.inputValue('#trimEnd'), String(TRIM.end), 'the typed end survives the metadata');
  await panel.click('#convertAvatar');
  // Progress shows while it runs.
  const seen = new Set<number>();
  const started = Date.now();
  while (Date.now() - started < 120_000) {
    const state = await panel.evaluate(() => ({ value: (document.getElementById('convertProgress') as HTMLProgressElement).value, status: document.getElementById('convertStatus')!.textContent! }));
    seen.add(Math.round(state.value * 10) / 10);
    if (/^converted/.test(state.status)) break;
    assert.not.ok(await text('#avatarError'), await text('#avatarError'));
    await panel.waitForTimeout(250);
  }
  const status = await text('#convertStatus');
  console.log(`    ${status}; progress values seen: ${[...seen].sort().join(', ')}`);
  assert.match(status, /^converted: .*\.mp4 · H\.264 · 1[12]\.\d s/);
  assert.ok([...seen].some((v) => v > 0 && v < 1), 'intermediate progress shown');
  assert.is(await panel.$eval('#convertProgress', (p) => (p as HTMLProgressElement).value), 1);
  assert.equal(external, [], 'nothing but this server was contacted');
  // The converted clip plays in the card's preview (H.264 the browser can decode).
  await panel.waitForFunction(() => {
    const v = document.getElementById('avatarClip') as HTMLVideoElement;
    return !v.hidden && v.videoWidth > 0;
  }, undefined, { timeout: 10_000 });
  const size = await panel.$eval('#avatarClip', (v) => [(v as HTMLVideoElement).videoWidth, (v as HTMLVideoElement).videoHeight]);
  assert.equal(size, [900, 720], 'at most 720 lines');
});

test('the upload needs the consent fields first (nothing is sent without them)', async () => {
  await panel.fill('#consentPerson', '');
  await panel.fill('#consentUploader', '');
  await panel.uncheck('#consentAgreed');
  assert.match(await panel.inputValue('#consentStatement'), /I agree that my recorded likeness/, 'a statement is prefilled');
  await panel.click('#uploadAvatar');
  await panel.waitForFunction(() => document.getElementById('avatarError')!.textContent!.length > 0);
  const error = await text('#avatarError');
  assert.match(error, /Consent is required/);
  assert.match(error, /Person's name/);
  assert.match(error, /Uploaded by/);
  assert.match(error, /agreed/);
  const { body } = await server.api('GET', '/v1/avatars');
  assert.equal(body.avatars, [], 'no upload reached the server');
});

test('upload with consent: progress to ready by polling, then the avatar is in the chooser', async () => {
  await panel.fill('#consentPerson', 'Franck');
  await panel.fill('#consentUploader', 'panel-test');
  await panel.check('#consentAgreed');
  await panel.fill('#avatarName', 'Franck (panel)');
  await panel.click('#uploadAvatar');
  await panel.waitForSelector('#avatarList tr[data-avatar-id]', { timeout: 60_000 });
  assert.is(await text('#avatarError'), '');
  avatarId = (await panel.$eval('#avatarList tr[data-avatar-id]', (tr) => (tr as HTMLElement).dataset.avatarId))!;
  const started = Date.now();
  const statuses = new Set<string>();
  let shot = false;
  for (;;) {
    const row = await avatarRow(avatarId);
    const status = await text('#avatarStatus');
    statuses.add(status.replace(/\d+ %/, 'N %'));
    if (!shot && /processing · .* · [1-9]\d? %/.test(status)) {
      await panel.screenshot({ path: `${OUT}/panel-avatars-progress.png` });
      shot = true;
    }
    if (row.state === 'ready') break;
    assert.ok(row.state === 'queued' || row.state === 'processing', `state ${row.state}: ${row.text}`);
    assert.ok(Date.now() - started < 90_000, 'ready within 90 s');
    await panel.waitForTimeout(200);
  }
  console.log(`    ready after ${((Date.now() - started) / 1000).toFixed(1)} s; statuses: ${[...statuses].join(' | ')}`);
  assert.ok([...statuses].some((s) => /processing · .* · N %/.test(s)), 'stage and percentage shown while processing');
  assert.match(await text('#avatarStatus'), /Franck \(panel\): ready/);
  assert.is(await panel.$eval('#avatarProgress', (p) => (p as HTMLProgressElement).value), 1);
  const { body } = await server.api('GET', `/v1/avatars/${avatarId}`);
  assert.is(body.state, 'ready');
  assert.is(body.name, 'Franck (panel)');
  assert.is(body.video.codec, 'h264', 'the server got the converted H.264, not the HEVC .mov');
  assert.is(body.video.height, 720);
  assert.ok(Math.abs(body.video.duration - (TRIM.end - TRIM.start)) < 0.6, `trimmed to ${body.video.duration} s`);
  assert.equal({ personName: body.consent.personName, uploadedBy: body.consent.uploadedBy }, { personName: 'Franck', uploadedBy: 'panel-test' });
  assert.match(body.consent.statement, /AI presenter/);
  const options = await panel.$$eval('#avatarSelect option', (os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent]));
  assert.equal(options, [['cartoon', 'Cartoon'], ['host3d-cartoon', '3D cartoon host'], ['host3d-semi', '3D semi-realistic host'], [avatarId, 'Franck (panel)']]);
});

test('New session with the chosen avatar: the preview plays it; switch live to the cartoon and back', async () => {
  await panel.selectOption('#avatarSelect', avatarId);
  await panel.click('#create');
  await panel.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent!.includes(' open')), undefined, { timeout: 20_000 });
  const sessionId = (await text('#sessionId'));
  const { body: session } = await server.api('GET', `/v1/sessions/${sessionId}`);
  assert.is(session.avatar, avatarId);
  await panel.waitForFunction(() => {
    const v = document.getElementById('preview') as HTMLVideoElement;
    return v.videoWidth > 0 && v.currentTime > 0;
  }, undefined, { timeout: 20_000 });
  const t1 = await panel.$eval('#preview', (v) => (v as HTMLVideoElement).currentTime);
  await panel.waitForTimeout(1200);
  const v = await panel.$eval('#preview', (v) => ({ width: (v as HTMLVideoElement).videoWidth, t: (v as HTMLVideoElement).currentTime }));
  assert.is(v.width, 1280);
  assert.ok(v.t > t1 + 0.5, `preview time advances (${t1} → ${v.t})`);
  await panel.screenshot({ path: `${OUT}/panel-avatars.png` });
  mkdirSync('docs/screenshots', { recursive: true });
  copyFileSync(`${OUT}/panel-avatars.png`, 'docs/screenshots/panel-avatars.png');
  await panel.selectOption('#avatarSelect', 'cartoon');
  await panel.click('#switchAvatar');
  await panel.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent!.includes('presenter → Cartoon')), undefined, { timeout: 10_000 });
  assert.is((await server.api('GET', `/v1/sessions/${sessionId}`)).body.avatar, 'cartoon');
  await panel.selectOption('#avatarSelect', avatarId);
  await panel.click('#switchAvatar');
  await panel.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent!.includes('presenter → Franck (panel)')), undefined, { timeout: 10_000 });
  assert.is((await server.api('GET', `/v1/sessions/${sessionId}`)).body.avatar, avatarId);
  assert.ok(await panel.$eval('#shotBar', (e) => (e as HTMLElement).hidden), 'no shot switcher for a 2D avatar');
});

test('a 3D host live, then the shot switcher frames it close-up and full body', async () => {
  const sessionId = await text('#sessionId');
  await panel.selectOption('#avatarSelect', 'host3d-semi');
  await panel.click('#switchAvatar');
  await panel.waitForFunction(() => [...document.querySelectorAll('#log li')].some((li) => li.textContent!.includes('presenter → 3D semi-realistic host')), undefined, { timeout: 15_000 });
  await panel.waitForSelector('#shotBar:not([hidden])');
  assert.is(await panel.$eval('#shotBar [data-shot="half"]', (b) => b.getAttribute('aria-pressed')), 'true', 'half body to begin with');
  for (const shot of ['close-up', 'full'] as const) {
    await panel.click(`#shotBar [data-shot="${shot}"]`);
    await panel.waitForFunction((s) => document.querySelector(`#shotBar [data-shot="${s}"]`)!.getAttribute('aria-pressed') === 'true', shot, { timeout: 10_000 });
    assert.is((await server.api('GET', `/v1/sessions/${sessionId}`)).body.shot, shot);
  }
  await panel.waitForTimeout(1200);
  await panel.screenshot({ path: `${OUT}/panel-3d.png` });
  // Back to the enrolled person for the tests that follow.
  await panel.selectOption('#avatarSelect', avatarId);
  await panel.click('#switchAvatar');
  await panel.waitForFunction(() => document.getElementById('shotBar')!.hidden, undefined, { timeout: 10_000 });
  assert.is((await server.api('GET', `/v1/sessions/${sessionId}`)).body.avatar, avatarId);
});

test('cancel a running enrollment (the converted clip uploaded again)', async () => {
  await panel.fill('#avatarName', 'to cancel');
  await panel.click('#uploadAvatar');
  const row = '#avatarList tr[data-state=processing], #avatarList tr[data-state=queued]';
  await panel.waitForSelector(`${row} button.cancel`, { timeout: 60_000 });
  const cancelId = await panel.$eval(row, (tr) => (tr as HTMLElement).dataset.avatarId!);
  await panel.click(`#avatarList tr[data-avatar-id="${cancelId}"] button.cancel`);
  await panel.waitForSelector(`#avatarList tr[data-avatar-id="${cancelId}"][data-state=cancelled]`, { timeout: 10_000 });
  assert.is((await server.api('GET', `/v1/avatars/${cancelId}`)).body.state, 'cancelled');
  assert.match(await text('#avatarStatus'), /to cancel: cancelled/);
  await panel.click('#lang');
  assert.is(await text(`#avatarList tr[data-avatar-id="${cancelId}"] td.state`), '已取消');
  assert.is(await text('#convertAvatar'), '在浏览器中转换');
  assert.match(await panel.inputValue('#consentStatement'), /本人同意/, 'the default statement follows the language');
  await panel.screenshot({ path: `${OUT}/panel-avatars-zh.png` });
  await panel.click('#lang');
  assert.match(await panel.inputValue('#consentStatement'), /I agree/);
});

test("a too-short clip: the server's reason is shown in the card", async () => {
  await panel.setInputFiles('#avatarFile', media.short);
  // H.264 already: uploaded as chosen, without converting.
  await panel.waitForFunction(() => document.getElementById('avatarFileInfo')!.textContent!.includes(' s'), undefined, { timeout: 10_000 });
  assert.is(await panel.inputValue('#trimEnd'), '5', 'the end is prefilled from the clip');
  const before = (await server.api('GET', '/v1/avatars')).body.avatars.length;
  await panel.click('#uploadAvatar');
  await panel.waitForFunction(() => document.getElementById('avatarError')!.textContent!.length > 0, undefined, { timeout: 30_000 });
  assert.match(await text('#avatarError'), /the video is 5\.0 s long; at least 10 s is needed/);
  assert.is(await text('#avatarStatus'), '');
  assert.is((await server.api('GET', '/v1/avatars')).body.avatars.length, before, 'nothing new on the server');
});

test('delete an avatar: its live session falls back to the cartoon, the chooser drops it', async () => {
  const sessionId = await text('#sessionId');
  await panel.click(`#avatarList tr[data-avatar-id="${avatarId}"] button.delete`);
  await panel.waitForFunction((id) => !document.querySelector(`#avatarList tr[data-avatar-id="${id}"]`), avatarId, { timeout: 10_000 });
  assert.is((await server.api('GET', `/v1/avatars/${avatarId}`)).status, 404);
  assert.is((await server.api('GET', `/v1/sessions/${sessionId}`)).body.avatar, 'cartoon');
  const options = await panel.$$eval('#avatarSelect option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.equal(options, ['cartoon', 'host3d-cartoon', 'host3d-semi']);
  assert.equal(pageErrors.filter((e) => !/status of 40\d/.test(e)), [], 'no script errors in the page');
});

test.run();
