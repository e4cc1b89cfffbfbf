// The panel's voice card and voice studio in Chromium against the real server, driven as an
// operator and a presenter would. The studio's microphone is Chromium's fake capture device
// playing a WAV file (--use-file-for-fake-audio-capture), one browser per take: the consent
// statement and ten prompts read well, then a clipped take, a noisy take and a wrong sentence,
// each flagged with its reason; the dataset downloads; a trained model (the Piper stand-in) imports.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import type { Browser, Page } from 'playwright-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeWav } from '../pipeline/core/wav.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { launchChromium, openPanel } from './helpers/browser.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { closeSpeechRenderer, startOpenAiSpeech, warmSpeechRenderer, type SpeechServer } from './helpers/speech-servers.ts';
import { recordTake, type TakeFault } from './helpers/voice-takes.ts';

const OUT = 'test-output';
const tmp = mkdtempSync(path.join(tmpdir(), 'onair-studio-'));
let server: TestServer;
let speech: SpeechServer;
let espeak: EspeakEngine;
let browser: Browser;
let panel: Page;
let pageErrors: string[] = [];
let voiceId = '';
let prompts: { index: number; text: string }[] = [];
const IGNORE = /Failed to load resource/;

test.before(async () => {
  mkdirSync(OUT, { recursive: true });
  espeak = new EspeakEngine();
  await espeak.ready();
  speech = await startOpenAiSpeech();
  await warmSpeechRenderer();
  const voicesFile = path.join(tmp, 'voices.json');
  writeFileSync(voicesFile, JSON.stringify({ voices: [{ id: 'bella', label: 'Bella', engine: 'openai', url: `${speech.url}/v1/audio/speech`, model: 'tts-1', voice: 'alloy' }] }));
  server = await startServer({ ONAIR_VOICES_FILE: voicesFile, ONAIR_LOCAL_VOICES_DIR: path.resolve('models/sherpa-standin') });
  browser = await launchChromium();
  ({ panel, pageErrors } = await openPanel(browser, server.baseUrl, API_KEY, { height: 1400, ignoreConsole: IGNORE, acceptDialogs: true }));
});
test.after(async () => {
  await browser?.close();
  await server?.close();
  await speech?.close();
  closeSpeechRenderer();
  espeak?.close();
});
let t0 = 0;
test.before.each(() => void (t0 = Date.now()));
test.after.each((ctx) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${ctx.__test__}`));

async function seeText(page: Page, selector: string, text: string | RegExp, timeout = 20_000): Promise<void> {
  const source = typeof text === 'string' ? text : text.source;
  await page.waitForFunction(({ selector, source, isRe }) => [...document.querySelectorAll(selector)].some((el) => (isRe ? new RegExp(source).test(el.textContent!) : el.textContent!.includes(source))), { selector, source, isRe: typeof text !== 'string' }, { timeout });
}

test('voice card: says plainly that viewers hear the robotic fallback, previews a voice, switches the session to it', async () => {
  await panel.click('#create');
  await panel.waitForSelector('#voices select[name=voice] option[value="openai:bella"]', { state: 'attached', timeout: 20_000 });
  await seeText(panel, '#voices [data-role=robotic]', 'robotic fallback voice');
  const options = await panel.$$eval('#voices select[name=voice] option', (os) => os.map((o) => (o as HTMLOptionElement).value));
  assert.ok(['en-us', 'cmn', 'local:standin-vits', 'openai:bella'].every((v) => options.includes(v)), options.join(' '));
  await panel.selectOption('#voices select[name=voice]', 'openai:bella');
  await seeText(panel, '#voices [data-role=details]', 'Lip-sync read from the audio');
  await panel.click('#voices button[data-act=preview]');
  await panel.waitForSelector('#voices audio[data-role=preview]', { timeout: 20_000 });
  const duration = await panel.$eval('#voices audio[data-role=preview]', (a) => new Promise<number>((r) => ((a as HTMLAudioElement).readyState >= 1 ? r((a as HTMLAudioElement).duration) : a.addEventListener('loadedmetadata', () => r((a as HTMLAudioElement).duration)))));
  assert.ok(duration > 2, `the preview plays ${duration.toFixed(1)} s of speech`);
  assert.ok(speech.log.some((l) => l.fields.voice === 'alloy'), 'the preview came from the speech server');
  await panel.click('#voices button[data-act=use]');
  await seeText(panel, '#voices [data-role=current]', 'Bella');
  assert.equal(await panel.$$('#voices [data-role=robotic]'), []);
  // Its server fails: the card says the fallback spoke.
  speech.faults.fail5xx = 4;
  const sessionId = (await panel.textContent('#sessionId'))!.trim();
  await server.api('POST', `/v1/sessions/${sessionId}/speak`, { text: 'The server is having a bad day.' });
  await seeText(panel, '#voices [data-role=robotic]', 'viewers just heard the robotic fallback voice');
  speech.faults.fail5xx = 0;
  await panel.screenshot({ path: `${OUT}/panel-voices.png`, fullPage: false });
});

test('studio: no consent, no voice (400 shown); with consent the voice is created at take 0', async () => {
  await panel.waitForSelector('#voiceStudio [data-role=new-voice]');
  await panel.fill('#voiceStudio input[name=voiceName]', 'Lin');
  await panel.fill('#voiceStudio input[name=person]', 'Lin Wei');
  await panel.fill('#voiceStudio input[name=uploadedBy]', 'studio operator');
  await panel.click('#voiceStudio button[data-act=create]');
  await seeText(panel, '#voiceStudio .error', /400 a consent record is required/);
  await panel.check('#voiceStudio input[name=agreed]');
  await panel.click('#voiceStudio button[data-act=create]');
  await panel.waitForSelector('#voiceStudio [data-role=prompt][data-index="0"]');
  voiceId = (await panel.getAttribute('#voiceStudio [data-role=voice]', 'data-voice'))!;
  const detail = await server.api('GET', `/v1/voices/custom/${voiceId}`);
  prompts = detail.body.prompts;
  assert.match(prompts[0]!.text, /^I, Lin Wei, am aware that recordings of my voice/);
  assert.is((await panel.textContent('#voiceStudio .prompt'))!.trim(), prompts[0]!.text);
});

/** One take through a fresh Chromium whose microphone plays `text` read by "the person". */
async function take(index: number, text: string, fault: TakeFault = 'none'): Promise<{ ok: boolean; bad: Record<string, string> }> {
  const file = path.join(tmp, `take-${index}-${fault}.wav`);
  const samples = await recordTake(espeak, text, { fault, seed: index });
  writeWav(file, samples, 48_000);
  const mic = await launchChromium([`--use-file-for-fake-audio-capture=${file}%noloop`]);
  try {
    const { panel: p, pageErrors: errs } = await openPanel(mic, server.baseUrl, API_KEY, { height: 1400, ignoreConsole: IGNORE });
    // Resumes where the person stopped: the next prompt to record is shown.
    await p.selectOption('#voiceStudio select[name=customVoice]', voiceId);
    await p.waitForSelector(`#voiceStudio [data-role=prompt][data-index="${index}"]`, { timeout: 15_000 });
    await p.click('#voiceStudio button[data-act=record]');
    await p.waitForTimeout((samples.length / 48_000) * 1000 + 700);
    await p.click('#voiceStudio button[data-act=stop]');
    await p.waitForSelector(`#voiceStudio [data-role=checks][data-take="${index}"]`, { timeout: 30_000 });
    const ok = (await p.getAttribute('#voiceStudio [data-role=checks]', 'data-ok')) === 'true';
    const bad = Object.fromEntries(await p.$$eval('#voiceStudio [data-role=checks] li.bad', (lis) => lis.map((li) => [li.getAttribute('data-check')!, li.textContent!])));
    if (fault !== 'none' || index === 10) await p.screenshot({ path: `${OUT}/studio-take-${fault === 'none' ? 'ok' : fault}.png` });
    assert.equal(errs, []);
    return { ok, bad };
  } finally {
    await mic.close();
  }
}

test('studio: the consent statement and ten prompts read through the microphone pass their checks', async () => {
  const results: string[] = [];
  for (let i = 0; i <= 10; i++) {
    const r = await take(i, prompts[i]!.text);
    results.push(`${i}:${r.ok ? 'ok' : JSON.stringify(r.bad)}`);
    assert.ok(r.ok, `take ${i}: ${JSON.stringify(r.bad)}`);
  }
  const detail = await server.api('GET', `/v1/voices/custom/${voiceId}`);
  assert.equal(detail.body.progress, { total: 101, done: 11, next: 11 });
});

test('studio: a clipped take, a noisy take and a wrong sentence are flagged with the reason', async () => {
  const clipped = await take(11, prompts[11]!.text, 'clipped');
  assert.not.ok(clipped.ok);
  assert.match(clipped.bad.clipping ?? '', /clipped \d+ times?: the input is too loud/);
  const noisy = await take(11, prompts[11]!.text, 'noisy');
  assert.not.ok(noisy.ok);
  assert.match(noisy.bad.noise ?? '', /noisy: background at .* dBFS, speech only .* dB above it \(needs ≥ 35 dB\)/);
  const wrong = await take(11, prompts[50]!.text);
  assert.not.ok(wrong.ok);
  assert.match(wrong.bad.reading ?? '', /does not sound like the sentence on screen/);
  console.log(`  flagged: ${clipped.bad.clipping} | ${noisy.bad.noise} | ${wrong.bad.reading}`);
});

test('studio: the dataset downloads and a trained model imports back', async () => {
  await panel.reload();
  await panel.waitForSelector('#app:not([hidden])');
  await panel.selectOption('#voiceStudio select[name=customVoice]', voiceId);
  await panel.waitForSelector('#voiceStudio [data-role=prompt][data-index="11"]');
  await panel.click('#voiceStudio button[data-act=export]');
  await panel.waitForSelector('#voiceStudio a[data-role=download]');
  const [download] = await Promise.all([panel.waitForEvent('download'), panel.click('#voiceStudio a[data-role=download]')]);
  const zip = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  const meta = strFromU8(zip['metadata.csv']!).trim().split('\n');
  assert.is(meta.length, 10, 'ten prompt takes in the dataset');
  assert.ok(zip['consent.wav'] && zip['consent.json'] && zip['wavs/en-001.wav']);
  const standin = path.resolve('models/piper-standin/standin-voice.onnx');
  await panel.setInputFiles('#voiceStudio input[name=model]', standin);
  await panel.setInputFiles('#voiceStudio input[name=config]', `${standin}.json`);
  await panel.click('#voiceStudio button[data-act=import]');
  await seeText(panel, '#voiceStudio .badge', 'model imported');
  const voices = await server.api('GET', '/v1/voices');
  assert.ok(voices.body.voices.some((v: { voice: string; ok: boolean }) => v.voice === `custom:${voiceId}` && v.ok));
  await panel.screenshot({ path: `${OUT}/studio.png` });
  assert.equal(pageErrors, []);
});

test.run();
