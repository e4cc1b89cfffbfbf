// The presenter's own voice through the API: consent first, takes checked (level, clipping, noise,
// reading), a dataset export in the LJSpeech/Piper layout, a trained model imported back under the
// same consent and spoken with, and deletion removing every file.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { unzipSync, strFromU8 } from 'fflate';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeWav, encodeWav } from '../pipeline/core/wav.ts';
import { EspeakEngine } from '../pipeline/stages/tts/espeak-engine.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { closeSpeechRenderer, startCosyVoice } from './helpers/speech-servers.ts';
import { recordTake } from './helpers/voice-takes.ts';

let server: TestServer;
let espeak: EspeakEngine;
const voiceDir = mkdtempSync(path.join(tmpdir(), 'onair-voices-'));
const consent = { personName: 'Lin Wei', statement: 'I, Lin Wei, agree that OnAir may use recordings of my voice to create a synthetic version of my voice for live shopping shows.', uploadedBy: 'studio operator' };

test.before(async () => {
  espeak = new EspeakEngine();
  await espeak.ready();
  server = await startServer({ ONAIR_VOICE_DIR: voiceDir });
});
test.after(async () => {
  await server?.close();
  espeak?.close();
});

const put = async (url: string, body: Buffer, type = 'audio/wav') => {
  const res = await fetch(server.baseUrl + url, { method: 'PUT', body: new Uint8Array(body), headers: { 'content-type': type, authorization: `Bearer ${API_KEY}` } });
  return { status: res.status, body: res.headers.get('content-type')?.includes('json') ? await res.json() : await res.arrayBuffer() };
};
const wav = (samples: Int16Array, rate = 48_000) => encodeWav(samples, rate);

let voice: { id: string };
let prompts: { index: number; id: string; text: string }[];

test('no consent, no voice: 400 with the reason', async () => {
  let res = await server.api('POST', '/v1/voices', { name: 'Lin', lang: 'en' });
  assert.is(res.status, 400);
  res = await server.api('POST', '/v1/voices', { name: 'Lin', lang: 'en', consent: { personName: 'Lin Wei', uploadedBy: 'x' } });
  assert.is(res.status, 400);
  assert.match(res.body.message, /consent.statement must be a non-empty string/);
  res = await server.api('POST', '/v1/voices', { name: 'Lin', lang: 'en', consent });
  assert.is(res.status, 201, JSON.stringify(res.body));
  voice = res.body;
  assert.is(res.body.voice, `custom:${voice.id}`);
  assert.equal(res.body.progress, { total: 101, done: 0, next: 0 });
  const detail = await server.api('GET', `/v1/voices/custom/${voice.id}`);
  prompts = detail.body.prompts;
  assert.is(prompts[0]!.text, consent.statement, 'take 0 is the consent statement');
  assert.is(prompts[1]!.id, 'en-001');
});

test('the consent statement is recorded first; then takes are checked one by one', async () => {
  let res = await put(`/v1/voices/custom/${voice.id}/takes/1`, wav(await recordTake(espeak, prompts[1]!.text)));
  assert.is(res.status, 409);
  res = await put(`/v1/voices/custom/${voice.id}/takes/0`, wav(await recordTake(espeak, consent.statement)));
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.ok(res.body.take.ok, JSON.stringify(res.body.take.checks));
  console.log(`  consent take: ${res.body.take.seconds} s, SNR ${res.body.take.snrDb} dB, reading ${res.body.take.checks.find((c: any) => c.name === 'reading').value}`);
  // A 44.1 kHz take is accepted and kept at 48 kHz.
  res = await put(`/v1/voices/custom/${voice.id}/takes/1`, wav(await recordTake(espeak, prompts[1]!.text, { rate: 44_100 }), 44_100));
  assert.ok(res.body.take.ok, JSON.stringify(res.body.take.checks));
});

test('clipped, noisy, quiet and misread takes are flagged with the reason; a retake fixes it', async () => {
  const p = prompts[2]!;
  const reasons = async (fault: 'clipped' | 'noisy' | 'quiet') => {
    const res = await put(`/v1/voices/custom/${voice.id}/takes/2`, wav(await recordTake(espeak, p.text, { fault })));
    assert.is(res.status, 200);
    assert.not.ok(res.body.take.ok, fault);
    return res.body.take.checks.filter((c: { ok: boolean }) => !c.ok);
  };
  const clipped = await reasons('clipped');
  assert.ok(clipped.some((c: any) => c.name === 'clipping' && /clipped \d+ times?: the input is too loud/.test(c.reason)), JSON.stringify(clipped));
  const noisy = await reasons('noisy');
  assert.ok(noisy.some((c: any) => c.name === 'noise' && /noisy: background at -?\d+(\.\d)? dBFS, speech only \d+(\.\d)? dB above it \(needs ≥ 35 dB\)/.test(c.reason)), JSON.stringify(noisy));
  const quiet = await reasons('quiet');
  assert.ok(quiet.some((c: any) => c.name === 'level' && /too quiet/.test(c.reason)), JSON.stringify(quiet));
  // Reading another sentence.
  let res = await put(`/v1/voices/custom/${voice.id}/takes/2`, wav(await recordTake(espeak, prompts[40]!.text)));
  const reading = res.body.take.checks.find((c: any) => c.name === 'reading');
  console.log(`  misread take: reading match ${reading.value}`);
  assert.ok(!reading.ok && /does not sound like the sentence on screen/.test(reading.reason), JSON.stringify(reading));
  res = await put(`/v1/voices/custom/${voice.id}/takes/2`, wav(await recordTake(espeak, p.text)));
  assert.ok(res.body.take.ok, `retake passes: ${JSON.stringify(res.body.take.checks)}`);
  // Not audio at all.
  res = await put(`/v1/voices/custom/${voice.id}/takes/3`, Buffer.from('not a wav file at all'));
  assert.is(res.status, 400);
  assert.match(res.body.message, /not a WAV file/);
});

test('progress resumes where the person stopped; the dataset exports with its consent', async () => {
  const costs: number[] = [];
  for (let i = 3; i <= 10; i++) {
    const res = await put(`/v1/voices/custom/${voice.id}/takes/${i}`, wav(await recordTake(espeak, prompts[i]!.text, { seed: i })));
    assert.ok(res.body.take.ok, `take ${i}: ${JSON.stringify(res.body.take.checks)}`);
    costs.push(res.body.take.checks.find((c: any) => c.name === 'reading').value);
  }
  console.log(`  reading match of 8 good takes: ${Math.min(...costs)}…${Math.max(...costs)}`);
  const detail = await server.api('GET', `/v1/voices/custom/${voice.id}`);
  assert.equal(detail.body.progress, { total: 101, done: 11, next: 11 });
  assert.ok(detail.body.reference && detail.body.reference.seconds >= 3, 'a reference clip is chosen');
  const res = await fetch(`${server.baseUrl}/v1/voices/custom/${voice.id}/dataset`, { headers: { authorization: `Bearer ${API_KEY}` } });
  assert.is(res.status, 200);
  assert.is(res.headers.get('content-type'), 'application/zip');
  const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
  const meta = strFromU8(files['metadata.csv']!).trim().split('\n');
  assert.is(meta.length, 10);
  assert.is(meta[0], `en-001|${prompts[1]!.text}|${prompts[1]!.text}`);
  const clip = decodeWav(Buffer.from(files['wavs/en-001.wav']!));
  assert.is(clip.sampleRate, 48_000);
  assert.ok(clip.samples.length > 48_000, 'trimmed speech, 48 kHz');
  assert.equal(JSON.parse(strFromU8(files['consent.json']!)).consent.statement, consent.statement);
  assert.ok(files['consent.wav'] && files['gpt-sovits.list'] && files['README.txt']);
  const ref = await fetch(`${server.baseUrl}/v1/voices/custom/${voice.id}/reference.wav`, { headers: { authorization: `Bearer ${API_KEY}` } });
  assert.is(ref.status, 200);
});

test('a trained model comes back under the same consent, speaks, and deletion removes everything', async () => {
  const form = (model: Buffer, config: Buffer) => {
    const f = new FormData();
    f.set('model', new Blob([new Uint8Array(model)]), 'voice.onnx');
    f.set('config', new Blob([new Uint8Array(config)]), 'voice.onnx.json');
    return f;
  };
  const send = async (f: FormData) => {
    const r = await fetch(`${server.baseUrl}/v1/voices/custom/${voice.id}/model`, { method: 'PUT', body: f, headers: { authorization: `Bearer ${API_KEY}` } });
    return { status: r.status, body: await r.json() };
  };
  const standin = path.resolve('models/piper-standin/standin-voice.onnx');
  let res = await send(form(Buffer.from('garbage'), readFileSync(`${standin}.json`)));
  assert.is(res.status, 400);
  assert.match(res.body.message, /cannot load ONNX model/);
  res = await send(form(readFileSync(standin), readFileSync(`${standin}.json`)));
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.is(res.body.model.kind, 'piper');
  const list = await server.api('GET', '/v1/voices');
  const mine = list.body.voices.find((v: { voice: string }) => v.voice === `custom:${voice.id}`);
  assert.equal(mine, { voice: `custom:${voice.id}`, engine: 'piper (own voice)', label: 'Lin', langs: ['en'], lipSync: 'phonemes', ok: true });
  const session = (await server.api('POST', '/v1/sessions')).body;
  const said = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Hello, this is my own voice.', voice: `custom:${voice.id}` });
  assert.is(said.status, 202, JSON.stringify(said.body));
  const audit = await fetch(`${server.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.text());
  const actions = audit.trim().split('\n').map((l) => JSON.parse(l)).filter((e) => e.voiceId === voice.id).map((e) => e.action);
  assert.equal(actions, ['voice.create', 'voice.export', 'voice.model']);
  assert.ok(existsSync(path.join(voiceDir, voice.id, 'model', 'voice.onnx')) && readdirSync(path.join(voiceDir, voice.id, 'takes')).length === 11);
  // Zero-shot: a CosyVoice server gets the reference clip the studio picked, and its text.
  const cosy = await startCosyVoice();
  try {
    const bound = await server.api('PUT', `/v1/voices/custom/${voice.id}/zero-shot`, { engine: 'cosyvoice', url: cosy.url, sampleRate: 22_050 });
    assert.is(bound.status, 200, JSON.stringify(bound.body));
    assert.is(bound.body.zeroShotVoice, `cosyvoice:${voice.id}`);
    const cloned = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Hello again from my cloned voice.', voice: `cosyvoice:${voice.id}` });
    assert.is(cloned.status, 202, JSON.stringify(cloned.body));
    await new Promise((r) => setTimeout(r, 1500));
    const ref = await fetch(`${server.baseUrl}/v1/voices/custom/${voice.id}/reference.wav`, { headers: { authorization: `Bearer ${API_KEY}` } }).then((r) => r.arrayBuffer());
    const req = cosy.log.find((l) => l.path === '/inference_zero_shot');
    assert.ok(req, 'the zero-shot endpoint was called');
    assert.equal(req!.fields.prompt_wav, { bytes: ref.byteLength }, 'with the reference clip');
    assert.is(req!.fields.prompt_text, bound.body.reference.text, 'and what it says');
  } finally {
    await cosy.close();
    closeSpeechRenderer();
  }
  const del = await server.api('DELETE', `/v1/voices/custom/${voice.id}`);
  assert.is(del.status, 204);
  assert.is((await server.api('GET', `/v1/voices/custom/${voice.id}`)).status, 404);
  const again = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Still me?', voice: `custom:${voice.id}` });
  assert.is(again.status, 400);
  assert.match(again.body.message, /no imported model/);
  const clone = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Still me?', voice: `cosyvoice:${voice.id}` });
  assert.is(clone.status, 400, 'the zero-shot voice went with it');
  assert.not.ok(existsSync(path.join(voiceDir, voice.id)), 'every file of the voice is gone');
});

test.run();
