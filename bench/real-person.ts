// Real-person avatar (issue 5): enrollment time for 60 s of video, render ms/frame p50/p95 (the
// avatar alone and with the 720p compositor), against the cartoon avatar in the same process,
// then the self-reenactment quality (bench/reenactment.ts).
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { enrollAvatar } from '../pipeline/stages/avatar/real-person/enroll.ts';
import { loadAvatarPack } from '../pipeline/stages/avatar/real-person/avatar-pack.ts';
import { RealPersonAvatar } from '../pipeline/stages/avatar/real-person/real-person-avatar.ts';
import { CartoonAvatar } from '../pipeline/stages/avatar/cartoon-avatar.ts';
import type { Avatar, AvatarState } from '../pipeline/stages/avatar/avatar.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { MOUTH_SHAPES, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { fmt, percentile } from './lib/stats.ts';
import { reenactment } from './reenactment.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const video = path.join(root, '.cache/test-media/franck.mp4');

function renderTimes(avatar: Avatar, frames: number): { avatarMs: number[]; totalMs: number[] } {
  const compositor = new Compositor({ width: 1280, height: 720, fps: 25 }, new StudioBackground());
  const idle = new IdleMotion(3);
  const arm = { shoulder: 0.1, elbow: 0.2, hand: 'relaxed' as const };
  const avatarMs: number[] = [];
  const totalMs: number[] = [];
  for (let f = 0; f < frames; f++) {
    const state: AvatarState = { mouth: MOUTH_SHAPES[VISEMES[(f >> 1) % VISEMES.length]!], idle: idle.poseAt(f * 1920), left: arm, right: arm, nod: 0 };
    const t0 = performance.now();
    const canvas = avatar.renderFrame(state);
    const t1 = performance.now();
    compositor.compose(canvas, f % 50 < 25 ? 'Today only: $19.99!' : undefined);
    const t2 = performance.now();
    if (f >= 20) {
      avatarMs.push(t1 - t0);
      totalMs.push(t2 - t0);
    }
  }
  return { avatarMs, totalMs };
}

export async function benchRealPerson(): Promise<void> {
  if (!existsSync(video)) throw new Error(`${video} missing: run bash server/setup/fetch-test-media.sh`);
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'onair-bench-pack-')), 'pack');
  const t0 = performance.now();
  const m = await enrollAvatar(video, dir, { duration: 60 });
  const s = (performance.now() - t0) / 1000;
  console.log(`enrollment of 60 s (${m.source.framesAnalysed} frames, ${m.width}×${m.height}): ${fmt(s)} s (${fmt((s * 1000) / m.source.framesAnalysed)} ms per input frame; real-time factor ${fmt(s / 60, 2)}); idle ${m.idle.frames} frames, atlas ${m.atlas.entries} mouths, matte ${m.matte}`);
  const pack = await loadAvatarPack(dir);
  const frames = 300;
  for (const [name, avatar] of [['cartoon (baseline)', new CartoonAvatar(720)], ['real person', new RealPersonAvatar(pack)]] as const) {
    const { avatarMs, totalMs } = renderTimes(avatar, frames);
    console.log(`render ${name.padEnd(18)} avatar p50 ${fmt(percentile(avatarMs, 50), 2)} ms / p95 ${fmt(percentile(avatarMs, 95), 2)} ms; + 720p compose (background, caption, label, RGBA→I420) p50 ${fmt(percentile(totalMs, 50), 2)} ms / p95 ${fmt(percentile(totalMs, 95), 2)} ms per frame`);
  }
  await reenactment();
}

if (import.meta.url === `file://${process.argv[1]}`) await benchRealPerson();
