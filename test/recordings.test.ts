// Recordings: start/stop per session, a finished MP4 with the AIGC metadata, the opening disclosure
// in its first seconds and a C2PA manifest; download with the operator key, delete; size limit and
// the session ending stop a recording cleanly. Real server, ffmpeg/ffprobe, wrtc viewer.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { readMp4ManifestFile } from '../server/compliance/c2pa.ts';
import { providerCode } from '../server/compliance/watermark-extension.ts';
import { payloadFromSession } from '../pipeline/stages/compose/watermark.ts';
import { detectWatermark } from '../pipeline/stages/compose/watermark-detect.ts';
import { bandLuma, grayFrames } from './helpers/video-frames.ts';
import { watch, waitFor } from './helpers/watch.ts';

const run = promisify(execFile);
const dir = mkdtempSync(path.join(tmpdir(), 'onair-rec-test-'));
const recDir = path.join(dir, 'recordings');
const LIMIT = 1_500_000;
let server: TestServer;

test.before(async () => {
  server = await startServer({ ONAIR_RECORDINGS_DIR: recDir, ONAIR_RECORDING_MAX_BYTES: String(LIMIT) });
});
test.after(async () => {
  await server?.close();
});

async function download(id: string, key = API_KEY): Promise<{ status: number; file?: string }> {
  const res = await fetch(`${server.baseUrl}/v1/recordings/${id}/file`, { headers: key ? { authorization: `Bearer ${key}` } : {} });
  if (res.status !== 200) return { status: res.status };
  const file = path.join(dir, `${id}.mp4`);
  writeFileSync(file, Buffer.from(await res.arrayBuffer()));
  return { status: 200, file };
}

/** Offset of the payload of the first top-level MP4 box of a type. */
function findBox(buf: Buffer, type: string): number {
  for (let o = 0; o + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(o);
    const header = size === 1 ? 16 : 8;
    if (size === 1) size = Number(buf.readBigUInt64BE(o + 8));
    if (buf.toString('latin1', o + 4, o + 8) === type) return o + header;
    if (size < 8) break;
    o += size;
  }
  throw new Error(`no ${type} box`);
}

/** Polls a recording until it is ready or failed. */
async function settled(id: string, timeoutMs: number): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = (await server.api('GET', `/v1/recordings/${id}`)).body;
    if (r.state === 'ready' || r.state === 'failed' || Date.now() > until) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

test('start, speak, stop: a finished MP4 with the AIGC label and the opening disclosure; download and delete', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const started = await server.api('POST', `/v1/sessions/${session.id}/recordings`);
  assert.is(started.status, 201, JSON.stringify(started.body));
  assert.is(started.body.state, 'recording');
  const id = started.body.id;
  assert.is((await server.api('POST', `/v1/sessions/${session.id}/recordings`)).status, 409, 'one recording per session at a time');
  assert.is((await download(id)).status, 409, 'not downloadable while recording');
  await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'This show is being recorded for replay.' });
  await new Promise((r) => setTimeout(r, 3500));
  const stopped = await server.api('POST', `/v1/recordings/${id}/stop`);
  assert.is(stopped.status, 200, JSON.stringify(stopped.body));
  assert.is(stopped.body.state, 'ready', JSON.stringify(stopped.body));
  assert.is(stopped.body.endReason, 'stopped');
  assert.ok(stopped.body.durationSec > 2.5 && stopped.body.durationSec < 6, `duration ${stopped.body.durationSec}`);
  assert.is((await server.api('POST', `/v1/recordings/${id}/stop`)).status, 409);
  const list = (await server.api('GET', '/v1/recordings')).body.recordings;
  assert.ok(list.some((r: any) => r.id === id));

  assert.is((await download(id, 'wrong-key')).status, 401, 'the operator key is needed');
  const got = await download(id);
  assert.is(got.status, 200);
  const { stdout } = await run('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', got.file!]);
  const probe = JSON.parse(stdout);
  assert.equal(probe.streams.map((s: any) => s.codec_name).sort(), ['aac', 'h264']);
  const aigc = JSON.parse(probe.format.tags.AIGC);
  console.log(`  recording ${(stopped.body.bytes / 1024).toFixed(0)} KiB, ${stopped.body.durationSec.toFixed(2)} s, AIGC ${probe.format.tags.AIGC}`);
  assert.is(aigc.Label, '1');
  assert.is(aigc.ProduceID, session.id);
  assert.is(aigc.PropagateID, id);
  const frames = await grayFrames(got.file!, 4);
  const lumas = frames.map(bandLuma);
  assert.ok(lumas.slice(0, 50).every((l) => l < 45), 'the opening disclosure is on the first 2 s');
  assert.ok(lumas.length > 85 && lumas.slice(82).every((l) => l > 80), `and gone after the opening (${lumas.slice(70).map((l) => l.toFixed(0)).join(' ')})`);
  // The audio has the speech in it.
  const { stderr } = await run('ffmpeg', ['-v', 'info', '-i', got.file!, '-af', 'volumedetect', '-f', 'null', '-']);
  const maxVolume = Number(/max_volume: (-?[\d.]+) dB/.exec(stderr)![1]);
  assert.ok(maxVolume > -20, `speech audible in the recording (max ${maxVolume} dB)`);

  // Content credentials: a C2PA manifest that validates, says trainedAlgorithmicMedia and carries
  // the AIGC label; one flipped byte of video breaks it.
  assert.is(stopped.body.signed, true);
  const report = await readMp4ManifestFile(got.file!);
  assert.ok(report.valid, `manifest valid: ${report.validationErrors.join(', ')}`);
  assert.equal(report.validationErrors, ['signingCredential.untrusted'], 'only "untrusted" (the self-signed default certificate)');
  assert.match(JSON.stringify(report.activeManifest), /trainedAlgorithmicMedia/);
  assert.is((report.aigc as any).sessionId, session.id);
  assert.is((report.aigc as any).AIGC.ProduceID, session.id);
  const bytes = readFileSync(got.file!);
  const mdat = findBox(bytes, 'mdat');
  bytes[mdat + 1000] ^= 0xff;
  const tampered = path.join(dir, 'tampered.mp4');
  writeFileSync(tampered, bytes);
  const bad = await readMp4ManifestFile(tampered);
  console.log(`  C2PA: signed ${report.validationState}, tampered ${bad.validationState} (${bad.validationErrors.join(', ')})`);
  assert.is(bad.valid, false);
  assert.ok(bad.validationErrors.includes('assertion.bmffHash.mismatch'));

  // The invisible watermark: provider + this session, read back from the recording.
  const expected = payloadFromSession(session.id, providerCode('OnAir'));
  const mark = await detectWatermark(got.file!, { expected });
  console.log(`  watermark in the recording: found ${mark.found}, content id ${mark.contentId?.toString(16)} (expected ${expected.contentId.toString(16)}), bit errors ${mark.bitErrors}/48, confidence ${mark.confidence.toFixed(1)}`);
  assert.ok(mark.found, 'watermark found');
  assert.is(mark.contentId, expected.contentId);
  assert.is(mark.bitErrors, 0);

  assert.is((await server.api('DELETE', `/v1/recordings/${id}`)).status, 204);
  assert.is((await server.api('GET', `/v1/recordings/${id}`)).status, 404);
  assert.not.ok(existsSync(path.join(recDir, `${id}.mp4`)), 'the file is gone');
  await server.api('DELETE', `/v1/sessions/${session.id}`);
});

test('a recording that reaches its size limit ends by itself; the stream goes on', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
  try {
    const id = (await server.api('POST', `/v1/sessions/${session.id}/recordings`)).body.id;
    const rec = await settled(id, 30_000);
    assert.is(rec.state, 'ready', JSON.stringify(rec));
    assert.is(rec.endReason, 'limit');
    // Checked as the encoder writes fragments (2 s each): it stops within about one fragment of the limit.
    assert.ok(rec.bytes <= LIMIT + 1_200_000, `${rec.bytes} bytes for a ${LIMIT}-byte limit`);
    const before = viewer.frames.length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.ok(viewer.frames.length - before > 25, 'viewers kept receiving frames');
    assert.is((await server.api('GET', `/v1/sessions/${session.id}`)).body.live, true);
    await server.api('DELETE', `/v1/recordings/${id}`);
  } finally {
    viewer.stop();
    await server.api('DELETE', `/v1/sessions/${session.id}`);
  }
});

test('ending the session finishes its recording; bad requests get 4xx', async () => {
  const session = (await server.api('POST', '/v1/sessions')).body;
  const id = (await server.api('POST', `/v1/sessions/${session.id}/recordings`)).body.id;
  await new Promise((r) => setTimeout(r, 2000));
  await server.api('DELETE', `/v1/sessions/${session.id}`);
  const rec = await settled(id, 20_000);
  assert.is(rec.state, 'ready', JSON.stringify(rec));
  assert.is(rec.endReason, 'session-ended');
  assert.is((await download(id)).status, 200);
  assert.is((await server.api('POST', '/v1/sessions/nope/recordings')).status, 404);
  assert.is((await server.api('GET', '/v1/recordings/nope')).status, 404);
  assert.is((await server.api('GET', '/v1/recordings/../../etc')).status, 404);
  await server.api('DELETE', `/v1/recordings/${id}`);
});

test.run();
