// Bring your own 3D avatar: VRM 1.0, VRM 0.x, a GLB with only ARKit face morphs and one with only
// Oculus visemes (all made by the project's scripts from the built-in hosts) are accepted, listed
// with their kind, and speak on a real stream (wrtc viewer); a GLB without face morphs, a file that is not glTF, a truncated GLB and
// a mesh over the real-time budget are refused with a 400 naming the reason, leaving nothing on disk.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as THREE from 'three';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildHost, exportGlb, STYLES } from '../models/hosts3d/build-hosts.ts';
import { readGlb, toVrm0, toVrm1, writeGlb } from '../models/hosts3d/export-vrm.ts';
import { mouthBox, mouthOpening } from './helpers/mouth-3d.ts';
import { API_KEY, startServer, type TestServer } from './helpers/server.ts';
import { watch, waitFor } from './helpers/watch.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const avatarDir = mkdtempSync(path.join(tmpdir(), 'onair-models-'));
const host = (name: string) => readFileSync(path.join(root, 'models/hosts3d', `${name}.glb`));
let server: TestServer;

/** The same GLB with some morph targets renamed out of every convention. */
function renameMorphs(glb: Buffer, keep: (name: string) => boolean): Buffer {
  const { json, bin } = readGlb(glb);
  for (const mesh of json.meshes) {
    const names = mesh.extras?.targetNames as string[] | undefined;
    if (names) mesh.extras.targetNames = names.map((n, i) => (keep(n) ? n : `unused_${i}`));
  }
  return writeGlb(json, bin);
}

test.before(async () => {
  server = await startServer({ ONAIR_AVATAR_DIR: avatarDir });
});
test.after(async () => {
  await server?.close();
});

async function upload(bytes: Buffer, fileName: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('model', new Blob([new Uint8Array(bytes)]), fileName);
  const res = await fetch(`${server.baseUrl}/v1/avatars/models`, { method: 'POST', body: form, headers: { authorization: `Bearer ${API_KEY}` } });
  return { status: res.status, body: (await res.json()) as any };
}

const accepted: { id: string; host: string; label: string }[] = [];

test('VRM 1.0, VRM 0.x, an ARKit-only and a visemes-only GLB are accepted and listed as 3D avatars', async () => {
  const cases = [
    { label: 'VRM 1.0', host: 'host3d-cartoon', bytes: toVrm1(host('host3d-cartoon'), 'cartoon VRM'), file: 'cartoon.vrm', format: 'vrm1', face: 'vrm' },
    { label: 'VRM 0.x', host: 'host3d-semi', bytes: toVrm0(host('host3d-semi'), 'semi VRM0'), file: 'semi.vrm', format: 'vrm0', face: 'vrm' },
    // Only ARKit names left: the visemes are derived from jawOpen, mouthFunnel… (TalkingHead's recipe).
    { label: 'GLB, ARKit morphs only', host: 'host3d-semi', bytes: renameMorphs(host('host3d-semi'), (n) => !n.startsWith('viseme_')), file: 'arkit.glb', format: 'glb', face: 'arkit' },
    // The Ready Player Me / TalkingHead convention: Oculus visemes (and blinks), no ARKit mouth.
    { label: 'GLB, Oculus visemes only', host: 'host3d-cartoon', bytes: renameMorphs(host('host3d-cartoon'), (n) => n.startsWith('viseme_') || n.startsWith('eyeBlink')), file: 'visemes.glb', format: 'glb', face: 'oculus' },
  ];
  for (const c of cases) {
    const res = await upload(c.bytes, c.file, { name: c.label });
    assert.is(res.status, 201, `${c.label}: ${JSON.stringify(res.body)}`);
    assert.is(res.body.kind, '3d');
    assert.is(res.body.format, c.format, c.label);
    assert.is(res.body.face, c.face, c.label);
    assert.is(res.body.depictsRealPerson, false);
    assert.ok(res.body.triangles > 5000 && res.body.triangles < 100_000, `${c.label}: ${res.body.triangles} triangles`);
    console.log(`  ${c.label}: ${(c.bytes.length / 1024).toFixed(0)} KiB, ${res.body.triangles} triangles, ${res.body.morphTargets} morph targets, face via ${res.body.face}`);
    accepted.push({ id: res.body.id, host: c.host, label: c.label });
  }
  const list = (await server.api('GET', '/v1/avatars')).body;
  assert.equal(list.models.map((m: { id: string }) => m.id).sort(), accepted.map((a) => a.id).sort());
  assert.ok(list.models.every((m: { kind: string }) => m.kind === '3d'));
  assert.ok(list.builtIn.some((b: { id: string; kind: string }) => b.id === 'host3d-semi' && b.kind === '3d'));
});

test('each uploaded avatar speaks on a stream: the mouth opens with the speech', async () => {
  for (const a of accepted) {
    const session = (await server.api('POST', '/v1/sessions', { avatar: a.id })).body;
    assert.ok(session.id, JSON.stringify(session));
    await server.api('PUT', `/v1/sessions/${session.id}/shot`, { shot: 'close-up' });
    const viewer = await watch(server.baseUrl, session.id, session.viewerToken, { mouth: mouthOpening(await mouthBox(a.host, 'close-up')) });
    try {
      await waitFor(() => viewer.frames.length > 40, 20_000, 'frames');
      const idle = Math.max(...viewer.frames.slice(-10).map((f) => f.mouth));
      const res = await server.api('POST', `/v1/sessions/${session.id}/speak`, { text: 'Hello everyone, and welcome to the show!' });
      assert.is(res.status, 202);
      await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === res.body.utteranceId), 30_000, 'speech.ended');
      const started = viewer.events.find((e) => e.event === 'speech.started' && e.data.utteranceId === res.body.utteranceId)!.at;
      const widest = Math.max(...viewer.frames.filter((f) => f.at > started).map((f) => f.mouth));
      console.log(`  ${a.label}: mouth opening idle ${idle} rows, speaking up to ${widest} rows`);
      assert.ok(widest > idle + 8, `${a.label}: the mouth opens while speaking (${idle} → ${widest})`);
    } finally {
      viewer.stop();
      await server.api('DELETE', `/v1/sessions/${session.id}`);
    }
  }
});

test('a model of a real person needs the consent record', async () => {
  const bytes = toVrm1(host('host3d-cartoon'), 'person');
  let res = await upload(bytes, 'person.vrm', { depictsRealPerson: 'true' });
  assert.is(res.status, 400);
  assert.match(res.body.message, /consent/);
  const consent = { personName: 'Mei Chen', statement: 'I agree that this 3D likeness of me may present products as an AI presenter.', uploadedBy: 'ops' };
  res = await upload(bytes, 'person.vrm', { depictsRealPerson: 'true', consent: JSON.stringify(consent) });
  assert.is(res.status, 201, JSON.stringify(res.body));
  assert.is(res.body.consent.personName, 'Mei Chen');
  const audit = (await server.api('GET', '/v1/audit/export')).body as string;
  assert.match(typeof audit === 'string' ? audit : JSON.stringify(audit), /avatar\.model\.upload[\s\S]*Mei Chen/);
  assert.is((await server.api('DELETE', `/v1/avatars/models/${res.body.id}`)).status, 204);
  assert.is((await server.api('GET', `/v1/avatars/models/${res.body.id}`)).status, 404);
});

test('refused: no face morphs, not glTF, truncated, over budget → 400 with the reason, nothing kept', async () => {
  const dense = buildHost(STYLES[0]!);
  const blob = new THREE.Mesh(new THREE.SphereGeometry(0.05, 420, 300), new THREE.MeshStandardMaterial());
  blob.name = 'TooDense';
  dense.getObjectByName('Head')!.add(blob);
  const cases: [string, Buffer, string, RegExp][] = [
    ['no face morphs', renameMorphs(host('host3d-semi'), () => false), 'plain.glb', /no face morphs.*ARKit.*viseme/],
    ['not glTF', Buffer.from('this is a text file, not a model\n'.repeat(20)), 'notes.glb', /not a GLB\/VRM file/],
    ['truncated', host('host3d-cartoon').subarray(0, 300_000), 'cut.glb', /truncated.*header says \d+ bytes, 300000 arrived/],
    ['over budget', await exportGlb(dense), 'dense.glb', /triangles is over the real-time budget of 100000/],
  ];
  const before = { files: readdirSync(avatarDir).sort(), models: (await server.api('GET', '/v1/avatars/models')).body.models.length };
  for (const [label, bytes, file, reason] of cases) {
    const res = await upload(bytes, file);
    console.log(`  ${label}: ${res.status} ${res.body.message}`);
    assert.is(res.status, 400, label);
    assert.match(res.body.message, reason, label);
  }
  assert.equal(readdirSync(avatarDir).sort(), before.files, 'no folder left behind');
  assert.is((await server.api('GET', '/v1/avatars/models')).body.models.length, before.models);
  // The server is still fine: a session with a built-in host starts.
  const s = await server.api('POST', '/v1/sessions', { avatar: 'host3d-cartoon' });
  assert.is(s.status, 201);
  await server.api('DELETE', `/v1/sessions/${s.body.id}`);
});

test('deleting an uploaded avatar switches its live session to the cartoon', async () => {
  const a = accepted[0]!;
  const session = (await server.api('POST', '/v1/sessions', { avatar: a.id })).body;
  assert.is((await server.api('DELETE', `/v1/avatars/models/${a.id}`)).status, 204);
  assert.is((await server.api('GET', `/v1/sessions/${session.id}`)).body.avatar, 'cartoon');
  assert.not.ok(readdirSync(avatarDir).includes(a.id), 'its folder is gone');
  await server.api('DELETE', `/v1/sessions/${session.id}`);
});

test.run();
