// C2PA manifests on MP4 recordings (server/compliance/c2pa.ts): real MP4s made by ffmpeg (plain
// +faststart and fragmented), signed with a throw-away P-256 chain from openssl, read back with the
// c2pa-rs reader (wasm), played back by ffprobe/ffmpeg, and tampered with.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aigcJson } from '../server/compliance/aigc.ts';
import { AIGC_ASSERTION_LABEL, readMp4Manifest, readMp4ManifestFile, signMp4, signMp4File, TRAINED_ALGORITHMIC_MEDIA } from '../server/compliance/c2pa.ts';
import { makeTestSigningChain } from '../server/compliance/test-cert.ts';
import { ffprobe } from './helpers/ffprobe.ts';

const run = promisify(execFile);
const SESSION = 'sess-c2pa-1';
const ENGINES = ['eSpeak NG', 'OnAir cartoon renderer'];
const AIGC = aigcJson({ ContentProducer: 'onair-test', ProduceID: SESSION });

let dir: string;
let chain: { certChainPem: string; privateKeyPem: string };
let caPem: string;
const mp4 = {} as Record<'plain' | 'frag', Uint8Array>;
const signed = {} as Partial<Record<'plain' | 'frag', Uint8Array>>;

const ffmpegArgs = (movflags: string, out: string) => [
  '-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440',
  '-t', '3', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', movflags, out,
];

test.before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'onair-c2pa-'));
  await run('ffmpeg', ffmpegArgs('+faststart', path.join(dir, 'plain.mp4')));
  await run('ffmpeg', ffmpegArgs('+frag_keyframe+empty_moov+default_base_moof', path.join(dir, 'frag.mp4')));
  mp4.plain = await readFile(path.join(dir, 'plain.mp4'));
  mp4.frag = await readFile(path.join(dir, 'frag.mp4'));
  chain = await makeTestSigningChain(path.join(dir, 'certs'));
  caPem = await readFile(path.join(dir, 'certs', 'ca.pem'), 'utf8');
});
test.after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** Offset of the first top-level box of `type`, or -1. */
function findBox(bytes: Uint8Array, type: string): { offset: number; size: number } | undefined {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let off = 0; off + 8 <= b.length; ) {
    let size = b.readUInt32BE(off);
    const header = size === 1 ? 16 : 8;
    if (size === 1) size = Number(b.readBigUInt64BE(off + 8));
    if (size === 0) size = b.length - off;
    if (b.toString('latin1', off + 4, off + 8) === type) return { offset: off + header, size: size - header };
    if (size < 8) break;
    off += size;
  }
  return undefined;
}

test('an unsigned MP4 has no manifest', async () => {
  const r = await readMp4Manifest(mp4.plain);
  assert.is(r.hasManifest, false);
  assert.is(r.valid, false);
  assert.equal(r.validationErrors, ['manifest.notFound']);
  assert.is(r.activeManifest, undefined);
});

for (const kind of ['plain', 'frag'] as const) {
  test(`${kind} MP4: signed manifest has the trainedAlgorithmicMedia action and the AIGC assertion`, async () => {
    const started = Date.now();
    const input = mp4[kind];
    const before = Buffer.from(input);
    const out = await signMp4(input, { ...chain, title: `${SESSION}.mp4`, aigc: AIGC, engines: ENGINES, sessionId: SESSION });
    console.log(`  ${kind}: signed ${input.length} → ${out.length} bytes in ${Date.now() - started} ms (worker thread)`);
    assert.ok(before.equals(input), 'the caller\'s bytes are left as they were');
    signed[kind] = out;
    await writeFile(path.join(dir, `${kind}-signed.mp4`), out);

    const r = await readMp4Manifest(out);
    console.log(`  ${kind}: state ${r.validationState}, codes ${JSON.stringify(r.validationErrors)}`);
    assert.is(r.hasManifest, true);
    // Signature and hashes are good; the self-signed test root is on no trust list.
    assert.is(r.valid, true);
    assert.is(r.validationState, 'Valid');
    assert.is(r.trusted, false);
    assert.equal(r.validationErrors, ['signingCredential.untrusted']);

    const m = r.activeManifest as { title: string; assertions: { label: string; data: any }[]; signature_info: { alg: string } };
    assert.is(m.title, `${SESSION}.mp4`);
    assert.is(m.signature_info.alg, 'Es256');
    const actions = m.assertions.find((a) => a.label.startsWith('c2pa.actions'));
    assert.ok(actions, 'c2pa.actions assertion');
    const created = actions!.data.actions.find((a: any) => a.action === 'c2pa.created');
    assert.ok(created, 'c2pa.created action');
    assert.is(created.digitalSourceType, TRAINED_ALGORITHMIC_MEDIA);
    assert.is(created.softwareAgent.name, 'OnAir');
    assert.ok(m.assertions.some((a) => a.label.startsWith('c2pa.hash.bmff')), 'BMFF hard binding');
    assert.equal(r.aigc, { AIGC: JSON.parse(AIGC), engines: ENGINES, sessionId: SESSION });
    assert.ok(m.assertions.some((a) => a.label === AIGC_ASSERTION_LABEL));

    // Given the test root as a trust anchor, the same file reads as trusted: the chain meets the C2PA profile.
    const t = await readMp4Manifest(out, { trustAnchorsPem: caPem, inThread: true });
    assert.is(t.validationState, 'Trusted');
    assert.is(t.trusted, true);
    assert.equal(t.validationErrors, []);
  });

  test(`${kind} MP4: the signed file still plays`, async () => {
    assert.ok(signed[kind], 'signed in the previous test');
    const file = path.join(dir, `${kind}-signed.mp4`);
    const streams = await ffprobe(file);
    assert.equal(streams.map((s) => `${s.codec_type}/${s.codec_name}`).sort(), ['audio/aac', 'video/h264']);
    await run('ffmpeg', ['-v', 'error', '-xerror', '-i', file, '-f', 'null', '-']); // rejects on a non-zero exit
  });

  test(`${kind} MP4: one flipped byte of video data makes it invalid`, async () => {
    const bytes = Uint8Array.from(signed[kind]!);
    const mdat = findBox(bytes, 'mdat');
    assert.ok(mdat, 'mdat box');
    bytes[mdat!.offset + Math.floor(mdat!.size / 2)] ^= 0x01;
    const r = await readMp4Manifest(bytes);
    console.log(`  ${kind} tampered: state ${r.validationState}, codes ${JSON.stringify(r.validationErrors)}`);
    assert.is(r.hasManifest, true);
    assert.is(r.valid, false);
    assert.is(r.validationState, 'Invalid');
    assert.ok(r.validationErrors.includes('assertion.bmffHash.mismatch'), r.validationErrors.join());
    // Still invalid for a reader that trusts the signer: the content, not the signer, is the problem.
    const t = await readMp4Manifest(bytes, { trustAnchorsPem: caPem, inThread: true });
    assert.is(t.valid, false);
    assert.equal(t.validationErrors, ['assertion.bmffHash.mismatch']);
  });
}

test('editing the AIGC assertion inside the manifest makes it invalid', async () => {
  const bytes = Buffer.from(signed.plain!);
  const at = bytes.indexOf(Buffer.from(SESSION));
  assert.ok(at > 0, 'session id inside the manifest');
  bytes[at] ^= 0x01; // 's' → 'r'
  const r = await readMp4Manifest(bytes, { inThread: true });
  console.log(`  AIGC assertion edited: state ${r.validationState}, codes ${JSON.stringify(r.validationErrors)}`);
  assert.is(r.valid, false);
  assert.ok(r.validationErrors.includes('assertion.hashedURI.mismatch'), r.validationErrors.join());
});

test('file to file (worker) and in-thread signing give the same kind of manifest', async () => {
  const out = path.join(dir, 'plain-signed-file.mp4');
  await signMp4File(path.join(dir, 'plain.mp4'), out, { ...chain, title: 'file.mp4', aigc: AIGC, engines: ENGINES, sessionId: SESSION });
  const fromFile = await readMp4ManifestFile(out);
  assert.is(fromFile.valid, true);
  assert.equal(fromFile.aigc, { AIGC: JSON.parse(AIGC), engines: ENGINES, sessionId: SESSION });

  const here = await signMp4(mp4.frag, { ...chain, title: 'here.mp4', aigc: AIGC, engines: ENGINES, sessionId: SESSION, inThread: true });
  const r = await readMp4Manifest(here, { inThread: true });
  assert.is(r.valid, true);
  assert.equal(r.validationErrors, ['signingCredential.untrusted']);
  assert.equal(r.aigc, fromFile.aigc);
});

test('signMp4 refuses a key that does not match the chain', async () => {
  const other = await makeTestSigningChain(path.join(dir, 'certs2'));
  try {
    await signMp4(mp4.plain, { certChainPem: chain.certChainPem, privateKeyPem: other.privateKeyPem, title: 't', aigc: AIGC, engines: ENGINES, sessionId: SESSION });
    assert.unreachable('should have thrown');
  } catch (err) {
    assert.match((err as Error).message, /does not match/);
  }
});

test.run();
