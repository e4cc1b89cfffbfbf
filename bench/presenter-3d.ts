// The 3D presenters' cost, beside the 2D cartoon in the same run:
// 1. render ms/frame at 720p (avatar only, and avatar + compositor) for each built-in 3D host in each
//    framing, driven by the real pipeline's idle motion, viseme shapes and gesture poses;
// 2. CPU of a speaking session with one WebRTC viewer (server process tree, llvmpipe's threads
//    included), 3D host vs cartoon, the presenter talking for the whole measurement.
import { readFileSync } from 'node:fs';
import type { Avatar, AvatarState } from '../pipeline/stages/avatar/avatar.ts';
import { CartoonAvatar } from '../pipeline/stages/avatar/cartoon-avatar.ts';
import { SHOTS } from '../pipeline/stages/avatar/three-d/camera-shots.ts';
import { loadGlbHumanoid } from '../pipeline/stages/avatar/three-d/load-humanoid.ts';
import { ThreeDAvatar } from '../pipeline/stages/avatar/three-d/three-d-avatar.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { gesturePoseAt } from '../pipeline/stages/gesture/gesture-pose.ts';
import { GESTURES } from '../pipeline/stages/gesture/gesture-planner.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { MOUTH_SHAPES, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { startServer } from '../test/helpers/server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { measureTreeCpu, threadCpu, threadCpuDelta } from './lib/proc-cpu.ts';
import { fmt, percentile } from './lib/stats.ts';

const FRAMES = Number(process.env.FRAMES_3D ?? 150);
const SECONDS = Number(process.env.CPU_SECONDS ?? 15);
const ROUNDS = Number(process.env.CPU_ROUNDS ?? 3);
const FORMAT = { width: 1280, height: 720, fps: 25 };
const HOSTS = ['host3d-cartoon', 'host3d-semi'];

/** States a talking, gesturing presenter goes through (a gesture every 2 s, a viseme every 3 frames). */
function states(n: number): AvatarState[] {
  const idle = new IdleMotion(7);
  const cues = Array.from({ length: Math.ceil(n / 50) }, (_, i) => ({ at: i * 50 * 1920 + 1920 * 5, gesture: GESTURES[i % GESTURES.length]!, side: (i % 2 ? 'left' : 'right') as 'left' | 'right', durationMs: 1200, reason: 'mark' as const }));
  return Array.from({ length: n }, (_, k) => {
    const pts = k * 1920;
    const g = gesturePoseAt(cues, pts);
    return { mouth: MOUTH_SHAPES[VISEMES[Math.floor(k / 3) % VISEMES.length]!], idle: idle.poseAt(pts), left: g.left, right: g.right, nod: g.nod };
  });
}

/** Wall ms per frame, and the process's CPU ms per frame over the run (llvmpipe's threads included). */
function timeRender(avatar: Avatar, poses: AvatarState[], compositor?: Compositor): number[] & { cpu?: number } {
  for (let i = 0; i < 10; i++) avatar.renderFrame(poses[i]!);
  const cpu0 = process.cpuUsage();
  const xs: number[] & { cpu?: number } = poses.map((s) => {
    const t = performance.now();
    const canvas = avatar.renderFrame(s);
    compositor?.compose(canvas, undefined, avatar.contentBounds);
    return performance.now() - t;
  });
  const cpu = process.cpuUsage(cpu0);
  xs.cpu = (cpu.user + cpu.system) / 1000 / poses.length;
  return xs;
}

const row = (label: string, xs: number[] & { cpu?: number }) => `${label.padEnd(34)} p50 ${fmt(percentile(xs, 50), 1)} ms  p95 ${fmt(percentile(xs, 95), 1)} ms  CPU ${fmt(xs.cpu ?? 0, 1)} ms/frame`;

async function renderTimes(): Promise<void> {
  const poses = states(FRAMES);
  const compositor = new Compositor(FORMAT, new StudioBackground());
  const cartoon = new CartoonAvatar(FORMAT.height);
  const base = timeRender(cartoon, poses);
  console.log(row('2D cartoon (baseline)', base));
  console.log(row('2D cartoon + compositor', timeRender(cartoon, poses, compositor)));
  const p50Base = percentile(base, 50);
  for (const host of HOSTS) {
    const buf = readFileSync(`models/hosts3d/${host}.glb`);
    const model = await loadGlbHumanoid(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
    const avatar = await ThreeDAvatar.create(model, { ...FORMAT, shot: 'half' });
    for (const shot of SHOTS) {
      avatar.setShot(shot);
      for (let i = 0; i < 25; i++) avatar.renderFrame(poses[i]!); // the camera move ends
      const before = { ...avatar.timings };
      const xs = timeRender(avatar, poses);
      const n = avatar.timings.frames - before.frames;
      const per = (k: 'pose' | 'draw' | 'upload') => fmt((avatar.timings[k] - before[k]) / n, 1);
      console.log(`${row(`${host} ${shot}`, xs)}  (${fmt(percentile(xs, 50) / p50Base, 1)}× the cartoon; pose ${per('pose')}, draw+readback ${per('draw')}, to canvas ${per('upload')} ms; ${fmt((avatar.timings.pixels - before.pixels) / n / 1e3, 0)} kpx)`);
      console.log(row(`${host} ${shot} + compositor`, timeRender(avatar, poses, compositor)));
    }
    avatar.dispose();
  }
}

async function sessionCpu(): Promise<void> {
  const server = await startServer();
  const pid = server.proc.pid!;
  const lines = ['Welcome back everyone, today we have a wonderful blue mug for you.', '大家好，欢迎来到直播间，今天这款杯子只要十九块九。', 'It keeps your tea warm for hours, and it looks great on any desk.'];
  try {
    const results: Record<string, number[]> = {};
    // Interleaved rounds, medians: one 15 s window on this shared 2-core box varies by ±10 points.
    for (let round = 0; round < ROUNDS; round++) for (const avatar of ['cartoon', ...HOSTS]) {
      const { body } = await server.api('POST', '/v1/sessions', { avatar });
      const viewer = await watch(server.baseUrl, body.id, body.viewerToken);
      await waitFor(() => viewer.frames.length > 50, 20_000, 'frames');
      // Keep the presenter talking (and gesturing) for the whole window.
      for (let i = 0; i < 8; i++) await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: lines[i % lines.length] });
      await new Promise((r) => setTimeout(r, 1500));
      const from = performance.now();
      const threads0 = threadCpu(pid);
      const cpu = await measureTreeCpu(pid, SECONDS);
      const threads = threadCpuDelta(threads0, threadCpu(pid), SECONDS);
      const fps = viewer.frames.filter((f) => f.at > from).length / SECONDS;
      const status = (await server.api('GET', `/v1/sessions/${body.id}`)).body.presenter;
      (results[avatar] ??= []).push(cpu.total);
      console.log(`speaking session, ${avatar}, 1 viewer: ${cpu.total} % of one core ${JSON.stringify(cpu.byName)}; viewer got ${fps.toFixed(1)} fps; still speaking ${status.speaking}; server threads ${JSON.stringify(threads)}`);
      viewer.stop();
      await server.api('DELETE', `/v1/sessions/${body.id}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    const median = (xs: number[]) => percentile(xs, 50);
    for (const host of HOSTS) console.log(`${host}: ${fmt(median(results[host]!) / median(results.cartoon!), 2)}× the cartoon's CPU (medians of ${ROUNDS} rounds: ${fmt(median(results[host]!), 1)} % vs ${fmt(median(results.cartoon!), 1)} %)`);
  } finally {
    await server.close();
  }
}

export async function benchPresenter3d(): Promise<void> {
  if (process.env.ONLY_3D !== 'cpu') await renderTimes();
  if (process.env.ONLY_3D !== 'render') await sessionCpu();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPresenter3d();
  process.exit(0);
}
