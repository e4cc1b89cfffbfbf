// Real-person avatar enrollment through the real server: uploads refused with a clear message and
// no files left behind, a job from upload to `ready` (progress over the websocket and GET), a job
// that survives its server being killed (Redis), cancelling, and sessions showing the avatar.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import WebSocket from 'ws';
import { OnAirClient, OnAirError } from '../client-sdk/src/index.ts';
import type { AvatarInfo } from '../client-sdk/src/types.ts';
import { startRedis } from './helpers/redis.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { stop } from './helpers/processes.ts';
import { watch, waitFor } from './helpers/watch.ts';
import { i420ToRgb } from './helpers/i420.ts';
import { FaceLandmarker } from '../pipeline/stages/face/face-landmarker.ts';
import { measureMouth } from '../pipeline/stages/avatar/real-person/geometry.ts';
import { DEFAULT_LABEL, labelRect } from '../pipeline/stages/compose/compositor.ts';

const run = promisify(execFile);
const SOURCE = path.resolve('.cache/test-media/franck.mp4');
const work = mkdtempSync(path.join(tmpdir(), 'onair-avatars-test-'));
const avatarDir = path.join(work, 'avatars');
const auditLog = path.join(work, 'audit.log');
const media = {
  text: path.join(work, 'notes.txt'),
  short: path.join(work, 'short5.mp4'),
  truncated: path.join(work, 'truncated.mp4'),
  /** Just over the limit, so only counting the streamed bytes (not the declared length) catches it. */
  overLimit: path.join(work, 'over-limit.mp4'),
  noFace: path.join(work, 'testsrc.mp4'),
  good: path.join(work, 'franck20.mp4'),
};
const CONSENT = { personName: 'Franck', statement: 'I agree that my recorded likeness may be used as an AI presenter.', uploadedBy: 'test-operator' };
/** Small enough that the whole 3.3 MB test video is over it, big enough for the 20 s trim. */
const MAX_BYTES = 2 * 1024 * 1024;

let redis: Awaited<ReturnType<typeof startRedis>>;
let server: TestServer;

const serverEnv = () => ({ REDIS_URL: redis.url, ONAIR_AVATAR_DIR: avatarDir, ONAIR_AVATAR_MAX_BYTES: String(MAX_BYTES), ONAIR_AUDIT_LOG: auditLog });
const client = () => new OnAirClient({ baseUrl: server.baseUrl, apiKey: API_KEY });

test.before(async () => {
  if (!existsSync(SOURCE)) await run('bash', ['server/setup/fetch-test-media.sh']);
  writeFileSync(media.text, 'these are my notes, not a video\n'.repeat(200));
  const ffmpeg = (args: string[]) => run('ffmpeg', ['-v', 'error', '-y', ...args]);
  await Promise.all([
    ffmpeg(['-i', SOURCE, '-t', '5', '-an', '-c:v', 'libx264', '-preset', 'veryfast', media.short]),
    ffmpeg(['-i', SOURCE, '-t', '20', '-an', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '26', media.good]),
    ffmpeg(['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '12', '-c:v', 'libx264', '-preset', 'veryfast', media.noFace]),
  ]);
  writeFileSync(media.truncated, readFileSync(SOURCE).subarray(0, 1_500_000));
  writeFileSync(media.overLimit, readFileSync(SOURCE).subarray(0, MAX_BYTES + 1000));
  redis = await startRedis();
  server = await startServer(serverEnv());
});
let t0 = 0;
test.before.each(() => void (t0 = Date.now()));
test.after.each((ctx) => console.log(`  [${((Date.now() - t0) / 1000).toFixed(1)} s] ${ctx.__test__}`));
test.after(async () => {
  await server?.close();
  await redis?.close();
});

/** Everything under the avatar folder, recursively (a missing folder is empty). */
function leftovers(): string[] {
  return existsSync(avatarDir) ? readdirSync(avatarDir, { recursive: true }).map(String) : [];
}

type Part = [name: string, value: string] | [name: string, file: string, filename: string];

async function upload(parts: Part[], token = API_KEY): Promise<{ status: number; body: any }> {
  const form = new FormData();
  for (const part of parts) {
    if (part.length === 2) form.append(part[0], part[1]);
    else form.append(part[0], new Blob([readFileSync(part[1])]), part[2]);
  }
  const res = await fetch(`${server.baseUrl}/v1/avatars`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
  return { status: res.status, body: await res.json().catch(() => undefined) };
}

const withConsent = (file: string, filename = path.basename(file)): Part[] => [
  ['consent', JSON.stringify(CONSENT)],
  ['video', file, filename],
];

function expectRefused(res: { status: number; body: any }, status: number, message: RegExp) {
  assert.is(res.status, status, JSON.stringify(res.body));
  assert.match(res.body.message, message, JSON.stringify(res.body));
  assert.equal(leftovers(), [], 'nothing left in the avatar folder');
}

async function getAvatar(id: string): Promise<AvatarInfo> {
  const res = await server.api('GET', `/v1/avatars/${id}`);
  assert.is(res.status, 200, JSON.stringify(res.body));
  return res.body;
}

async function waitState(id: string, states: AvatarInfo['state'][], timeoutMs: number): Promise<AvatarInfo> {
  let last: AvatarInfo | undefined;
  await waitFor(() => (void getAvatar(id).then((a) => (last = a), () => {}), last !== undefined && states.includes(last.state)), timeoutMs, `avatar ${id} ${states.join('/')}`);
  return last!;
}

test('credentials: none or a viewer token get no further than 401/403, before the body is read', async () => {
  const session = (await server.api('POST', '/v1/sessions', { source: 'test-card' })).body;
  const noAuth = await fetch(`${server.baseUrl}/v1/avatars`, { method: 'POST', body: new FormData() });
  assert.is(noAuth.status, 401);
  const viewer = await upload(withConsent(media.good), session.viewerToken);
  assert.ok([401, 403].includes(viewer.status), `viewer token: ${viewer.status}`);
  assert.is((await server.api('GET', '/v1/avatars', undefined, session.viewerToken)).status, 401);
  await server.api('DELETE', `/v1/sessions/${session.id}`);
  assert.equal(leftovers(), []);
  const wsStatus = (id: string, headers: Record<string, string>) =>
    new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/v1/avatars/${id}/ws`, { headers });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('open', () => (ws.close(), resolve(101)));
    });
  assert.is(await wsStatus('no-such-avatar', {}), 401);
  assert.is(await wsStatus('no-such-avatar', { authorization: `Bearer ${API_KEY}` }), 404);
});

test('consent is required: missing, malformed or incomplete is a 400 with nothing stored', async () => {
  const consentError = /a consent record is required/;
  expectRefused(await upload([['video', media.good, 'v.mp4']]), 400, consentError);
  expectRefused(await upload([['consent', 'yes'], ['video', media.good, 'v.mp4']]), 400, /not valid JSON/);
  expectRefused(await upload([['consent', JSON.stringify({ ...CONSENT, personName: '' })], ['video', media.good, 'v.mp4']]), 400, /personName/);
  expectRefused(await upload([['consent', JSON.stringify({ personName: 'A', uploadedBy: 'B' })], ['video', media.good, 'v.mp4']]), 400, /statement/);
  expectRefused(await upload([['consent', JSON.stringify({ ...CONSENT, agreedAt: 'yesterday' })], ['video', media.good, 'v.mp4']]), 400, /agreedAt/);
  // Consent after the video: the stored bytes are removed again.
  expectRefused(await upload([['video', media.good, 'v.mp4'], ['consent', '{}']]), 400, consentError);
});

test('malformed forms: not multipart, no video, unknown fields', async () => {
  expectRefused(await server.api('POST', '/v1/avatars', { video: 'x' }), 415, /multipart\/form-data/);
  expectRefused(await upload([['consent', JSON.stringify(CONSENT)]]), 400, /"video" file is missing/);
  expectRefused(await upload([['consent', JSON.stringify(CONSENT)], ['colour', 'red'], ['video', media.good, 'v.mp4']]), 400, /unknown form field "colour"/);
  expectRefused(await upload([['consent', JSON.stringify(CONSENT)], ['clip', media.good, 'v.mp4']]), 400, /unknown file field "clip"/);
});

test('bad videos: each refused with its reason, nothing left behind', async () => {
  expectRefused(await upload(withConsent(media.text)), 400, /not a video/);
  expectRefused(await upload(withConsent(media.short)), 400, /5\.0 s long; at least 10 s/);
  expectRefused(await upload(withConsent(media.truncated)), 400, /truncated or damaged/);
  expectRefused(await upload(withConsent(SOURCE)), 413, /larger than the 2 MiB upload limit/);
  expectRefused(await upload(withConsent(media.overLimit)), 413, /larger than the 2 MiB upload limit/);
  const started = Date.now();
  expectRefused(await upload(withConsent(media.noFace)), 400, /face was found in only \d+ ?% of the frames/);
  console.log(`  no-face video refused in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.equal((await server.api('GET', '/v1/avatars')).body.avatars, [], 'refused uploads leave no records');
});

let ready: AvatarInfo;

test('enrollment: 202 after the face check, progress over the websocket and GET, then ready', async () => {
  const started = Date.now();
  const accepted = await client().enrollAvatar(new Blob([readFileSync(media.good)]), CONSENT, 'Franck (studio)');
  assert.is(accepted.state, 'processing');
  assert.is(accepted.name, 'Franck (studio)');
  assert.equal({ ...accepted.consent, agreedAt: undefined }, { ...CONSENT, agreedAt: undefined });
  assert.ok(Date.parse(accepted.consent.agreedAt) <= Date.now());
  assert.equal([accepted.video.width, accepted.video.height, accepted.video.fps, Math.round(accepted.video.duration)], [360, 288, 24, 20]);

  const events: { event: string; data: AvatarInfo }[] = [];
  const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/v1/avatars/${accepted.id}/ws`, { headers: { authorization: `Bearer ${API_KEY}` } });
  ws.on('message', (m) => events.push(JSON.parse(String(m))));
  const closed = new Promise<number>((r) => ws.on('close', (code) => r(code)));
  // The job runs in its own process, at low priority (live streams keep the cores).
  const { stdout: pids } = await run('pgrep', ['-f', `enroll-process.ts ${avatarDir}/${accepted.id}`]);
  const { stdout: nice } = await run('ps', ['-o', 'ni=', '-p', pids.trim().split('\n')[0]!]);
  assert.is(Number(nice.trim()), 10, 'enrollment runs niced');
  const polled: number[] = [];
  const poll = setInterval(() => void getAvatar(accepted.id).then((a) => polled.push(a.progress), () => {}), 500);
  try {
    await waitFor(() => events.some((e) => e.event !== 'avatar.progress'), 120_000, 'the enrollment to end');
  } finally {
    clearInterval(poll);
  }
  const last = events.at(-1)!;
  assert.is(last.event, 'avatar.ready', JSON.stringify(last.data));
  assert.is(await closed, 1000, 'the websocket closes after the last event');
  const progress = events.filter((e) => e.event === 'avatar.progress').map((e) => e.data.progress);
  assert.ok(progress.length >= 5, `progress events: ${progress.length}`);
  assert.ok(progress.every((p, i) => i === 0 || p >= progress[i - 1]!), 'progress never goes back');
  assert.ok(new Set(events.map((e) => e.data.stage)).has('analysing'));
  assert.ok(polled.some((p) => p > 0 && p < 1), `GET showed progress between 0 and 1: ${polled.join(', ')}`);
  ready = await getAvatar(accepted.id);
  assert.is(ready.state, 'ready');
  assert.is(ready.progress, 1);
  assert.ok(ready.finishedAt);
  assert.ok(ready.pack && ready.pack.idleFrames > 0 && ready.pack.atlasMouths > 0 && ready.pack.faceFraction >= 0.8, JSON.stringify(ready.pack));
  // Only the pack is kept.
  assert.equal(readdirSync(path.join(avatarDir, ready.id)), ['pack']);
  assert.ok(existsSync(path.join(avatarDir, ready.id, 'pack', 'manifest.json')));
  console.log(`  20 s video enrolled in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  // With REDIS_URL the audit log is a Redis stream: read it through the export endpoint.
  const exported = await fetch(`${server.baseUrl}/v1/audit/export`, { headers: { authorization: `Bearer ${API_KEY}` } });
  const audit = (await exported.text()).trim().split('\n').map((l) => JSON.parse(l));
  const entry = audit.find((e) => e.action === 'avatar.enroll' && e.avatarId === ready.id);
  assert.ok(entry, 'the enrollment and its consent are in the audit log');
  assert.equal(entry.consent, ready.consent);
  assert.equal((await client().listAvatars()).map((a) => a.id), [ready.id]);
});

test('a session presents the enrolled person to a WebRTC viewer: face in every frame, label on top, the mouth opens when speaking', async () => {
  const session = await client().createSession({ avatar: ready.id });
  const reception = await watch(server.baseUrl, session.id, session.viewerToken);
  const landmarker = await FaceLandmarker.load();
  try {
    // Keep every 2nd decoded frame (RGB) with the time it arrived, straight from the sink's
    // callback (watch() stores each frame as lastFrame); analyse afterwards.
    const kept: { at: number; rgb: Uint8Array; width: number; height: number }[] = [];
    let count = 0;
    let grabbing = true;
    Object.defineProperty(reception, 'lastFrame', {
      configurable: true,
      set(f: { width: number; height: number; data: Uint8Array }) {
        if (grabbing && count++ % 2 === 0) kept.push({ at: performance.now(), rgb: i420ToRgb(f), width: f.width, height: f.height });
      },
      get: () => undefined,
    });
    await waitFor(() => kept.length >= 25, 20_000, 'idle frames');
    const speakAt = performance.now();
    await client().speak(session.id, { text: 'Welcome to the live room! Today only, this beautiful blue mug is nineteen ninety nine. Grab yours now!' });
    await waitFor(() => reception.events.some((e) => e.event === 'speech.ended'), 30_000, 'speech.ended');
    grabbing = false;
    const started = reception.events.find((e) => e.event === 'speech.started')!.at;
    const ended = reception.events.find((e) => e.event === 'speech.ended')!.at;
    const idle: number[] = [];
    const speaking: number[] = [];
    let faces = 0;
    for (const k of kept) {
      const face = await landmarker.detect(k.rgb, k.width, k.height);
      if (!face) continue;
      faces++;
      const open = measureMouth(face.points).open;
      if (k.at < speakAt) idle.push(open);
      else if (k.at > started + 100 && k.at < ended - 100) speaking.push(open);
    }
    assert.ok(faces >= kept.length * 0.9, `face found in ${faces}/${kept.length} received frames`);
    assert.is(kept[0]!.width, 1280);
    const top = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)]!;
    console.log(`  viewer: ${kept.length} frames analysed; mouth opening idle max ${Math.max(...idle).toFixed(3)}, speaking p50 ${top(speaking, 0.5).toFixed(3)} / p90 ${top(speaking, 0.9).toFixed(3)}`);
    assert.ok(idle.length >= 15 && speaking.length >= 30, `${idle.length} idle / ${speaking.length} speaking frames`);
    assert.ok(Math.max(...idle) < 0.04, `idle mouth closed (max ${Math.max(...idle)})`);
    assert.ok(top(speaking, 0.9) > Math.max(...idle) + 0.03, 'the mouth opens while speaking');
    // The disclosure is burned in over the person too: the label's dark box at its default place.
    const last = kept.at(-1)!;
    const rect = labelRect({ width: 1280, height: 720, fps: 25 }, DEFAULT_LABEL);
    const o = 3 * ((rect.y + 4) * 1280 + rect.x + rect.w - 12);
    assert.ok(last.rgb[o]! < 60 && last.rgb[o + 1]! < 60 && last.rgb[o + 2]! < 70, `label box at (${rect.x + rect.w - 12}, ${rect.y + 4})`);
    {
      const { createCanvas, ImageData } = await import('@napi-rs/canvas');
      const canvas = createCanvas(1280, 720);
      const rgba = new Uint8ClampedArray(1280 * 720 * 4);
      for (let i = 0; i < 1280 * 720; i++) {
        rgba[4 * i] = last.rgb[3 * i]!;
        rgba[4 * i + 1] = last.rgb[3 * i + 1]!;
        rgba[4 * i + 2] = last.rgb[3 * i + 2]!;
        rgba[4 * i + 3] = 255;
      }
      canvas.getContext('2d').putImageData(new ImageData(rgba, 1280, 720), 0, 0);
      mkdirSync('test-output', { recursive: true });
      writeFileSync('test-output/real-person-viewer.png', await canvas.encode('png'));
    }
  } finally {
    reception.stop();
    landmarker.dispose();
    await client().deleteSession(session.id);
  }
});

test('a job survives its server being killed: a new server on the same Redis and folder finishes it', async () => {
  const accepted = await client().enrollAvatar(new Blob([readFileSync(media.good)]), CONSENT);
  assert.is(accepted.state, 'processing');
  let progress = 0;
  await waitFor(() => (void getAvatar(accepted.id).then((a) => (progress = a.progress), () => {}), progress > 0.1), 60_000, 'progress > 0.1');
  server.proc.kill('SIGKILL');
  await stop(server.proc);
  server = await startServer(serverEnv());
  const after = await getAvatar(accepted.id);
  assert.ok(['queued', 'processing'].includes(after.state), `after the restart: ${after.state}`);
  const done = await waitState(accepted.id, ['ready', 'failed', 'cancelled'], 120_000);
  assert.is(done.state, 'ready', done.error);
  assert.equal(readdirSync(path.join(avatarDir, done.id)), ['pack'], 'the kept upload is removed once the pack is built');
  await client().deleteAvatar(done.id);
});
test('one job at a time; cancel: the job stops, its files go; delete removes the record', async () => {
  const accepted = await client().enrollAvatar(new Blob([readFileSync(media.good)]), CONSENT);
  assert.ok(existsSync(path.join(avatarDir, accepted.id)));
  // A second upload waits its turn, answered at once.
  const waiting = await client().enrollAvatar(new Blob([readFileSync(media.good)]), CONSENT);
  assert.is(waiting.state, 'queued');
  assert.is((await client().getAvatar(accepted.id)).state, 'processing');
  assert.is((await client().cancelAvatar(waiting.id)).state, 'cancelled');
  assert.ok(!existsSync(path.join(avatarDir, waiting.id)), 'queued upload removed');
  await client().deleteAvatar(waiting.id);
  const cancelled = await client().cancelAvatar(accepted.id);
  assert.is(cancelled.state, 'cancelled');
  assert.ok(!existsSync(path.join(avatarDir, accepted.id)), 'files removed');
  assert.is((await getAvatar(accepted.id)).state, 'cancelled');
  const notReady = await server.api('POST', '/v1/sessions', { avatar: accepted.id });
  assert.is(notReady.status, 409, JSON.stringify(notReady.body));
  assert.match(notReady.body.message, /is cancelled, not ready/);
  try {
    await client().cancelAvatar(accepted.id);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, OnAirError);
    assert.is((err as OnAirError).status, 409);
  }
  await client().deleteAvatar(accepted.id);
  assert.is((await server.api('GET', `/v1/avatars/${accepted.id}`)).status, 404);
  assert.is((await server.api('DELETE', `/v1/avatars/${accepted.id}`)).status, 404);
  // The server is idle again: no enrollment process left running.
  const { stdout } = await run('pgrep', ['-f', `enroll-process.ts ${avatarDir}`]).catch(() => ({ stdout: '' }));
  assert.is(stdout.trim(), '', 'no enrollment child left');
});

test('without Redis, avatar records live in a file in the avatar folder and survive a restart', async () => {
  const dir = path.join(work, 'avatars-no-redis');
  const env = { ONAIR_AVATAR_DIR: dir, ONAIR_AUDIT_LOG: auditLog };
  let local = await startServer(env);
  try {
    const c = new OnAirClient({ baseUrl: local.baseUrl, apiKey: API_KEY });
    const accepted = await c.enrollAvatar(new Blob([readFileSync(media.good)]), CONSENT, 'kept across restarts');
    await c.cancelAvatar(accepted.id);
    await local.close();
    local = await startServer(env);
    const again = await new OnAirClient({ baseUrl: local.baseUrl, apiKey: API_KEY }).getAvatar(accepted.id);
    assert.is(again.state, 'cancelled');
    assert.is(again.name, 'kept across restarts');
    assert.equal(readdirSync(dir), ['records.json'], 'only the records file: the cancelled upload is gone');
  } finally {
    await local.close();
  }
});

test('sessions: present a ready avatar; unknown 404, unfinished 409; switch live; deleting it falls back to the cartoon', async () => {
  const api = server.api;
  const unknown = await api('POST', '/v1/sessions', { avatar: 'no-such-avatar' });
  assert.is(unknown.status, 404, JSON.stringify(unknown.body));
  assert.match(unknown.body.message, /avatar no-such-avatar not found/);
  assert.is((await api('POST', '/v1/sessions', { source: 'test-card', avatar: ready.id })).status, 400);

  const created = await api('POST', '/v1/sessions', { avatar: ready.id });
  assert.is(created.status, 201, JSON.stringify(created.body));
  assert.is(created.body.avatar, ready.id);
  const view = await api('GET', `/v1/sessions/${created.body.id}`);
  assert.is(view.body.avatar, ready.id);
  assert.is(view.body.live, true);
  const cartoon = await client().createSession();
  assert.is(cartoon.avatar, 'cartoon');
  assert.equal(await client().setAvatar(cartoon.id, ready.id), { avatar: ready.id });
  assert.is((await client().getSession(cartoon.id)).avatar, ready.id);

  // Withdrawn: the avatar goes, and so does its likeness from the live sessions.
  await client().deleteAvatar(ready.id);
  assert.is((await client().getSession(created.body.id)).avatar, 'cartoon');
  assert.is((await client().getSession(cartoon.id)).avatar, 'cartoon');
  assert.ok(!existsSync(path.join(avatarDir, ready.id)));
  assert.is((await api('PUT', `/v1/sessions/${cartoon.id}/avatar`, { avatar: ready.id })).status, 404);
  await client().deleteSession(created.body.id);
  await client().deleteSession(cartoon.id);
  assert.equal(leftovers(), []);
});

test.run();
