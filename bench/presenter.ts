// The presenter as viewers experience it, through the real server and a real wrtc viewer:
// text accepted → first audible audio / first open-mouth frame; interrupt → silence; cartoon render
// cost at 720p; and how much CPU a speaking session needs per second of stream (real-time factor).
import { CartoonAvatar } from '../pipeline/stages/avatar/cartoon-avatar.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { gesturePoseAt } from '../pipeline/stages/gesture/gesture-pose.ts';
import { MOUTH_SHAPES, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { startServer } from '../test/helpers/server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { MOUTH_CLOSED_MAX } from '../test/helpers/mouth.ts';
import { measureTreeCpu } from './lib/proc-cpu.ts';
import { fmt, percentile } from './lib/stats.ts';

const UTTERANCES = Number(process.env.UTTERANCES ?? 20);
const LINES = [
  'Welcome back to the live room!',
  '欢迎来到直播间！',
  'This blender costs only forty nine dollars today.',
  '这款产品今天只要九十九元。',
  'Any questions? Ask me in the chat.',
];

function renderBench(): string {
  const avatar = new CartoonAvatar(720);
  const compositor = new Compositor({ width: 1280, height: 720, fps: 25 }, new StudioBackground());
  const idle = new IdleMotion(1);
  const avatarMs: number[] = [];
  const totalMs: number[] = [];
  for (let f = 0; f < 300; f++) {
    const pts = f * 1920;
    const t0 = performance.now();
    const pose = gesturePoseAt([{ at: 0, gesture: 'wave', side: 'right', durationMs: 1400, reason: 'bench' }], pts % 96000);
    const canvas = avatar.renderFrame({ ...pose, idle: idle.poseAt(pts), mouth: MOUTH_SHAPES[VISEMES[f % VISEMES.length]!] });
    const t1 = performance.now();
    compositor.compose(canvas, f % 50 < 30 ? 'This blender costs only forty nine dollars today. 这款产品今天只要九十九元。' : undefined);
    const t2 = performance.now();
    if (f >= 20) {
      avatarMs.push(t1 - t0);
      totalMs.push(t2 - t0);
    }
  }
  return `render 720p (cartoon + background + caption + label + RGBA→I420), 280 frames: p50 ${fmt(percentile(totalMs, 50), 2)} ms, p95 ${fmt(percentile(totalMs, 95), 2)} ms per frame (avatar draw calls alone p50 ${fmt(percentile(avatarMs, 50), 2)} ms; Skia rasterises at readback)`;
}

export async function benchPresenter(): Promise<void> {
  console.log(renderBench());
  const server = await startServer();
  try {
    const { body } = await server.api('POST', '/v1/sessions');
    const viewer = await watch(server.baseUrl, body.id, body.viewerToken);
    await waitFor(() => viewer.frames.length > 50, 15_000, 'frames');
    const toAudio: number[] = [];
    const toMouth: number[] = [];
    for (let i = 0; i < UTTERANCES; i++) {
      const t0 = performance.now();
      const res = await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: LINES[i % LINES.length] });
      await waitFor(() => viewer.events.some((e) => e.event === 'speech.ended' && e.data.utteranceId === res.body.utteranceId), 20_000, 'speech.ended');
      const audioIndex = viewer.audioAt.findIndex((at, k) => at > t0 && viewer.audioRms[k]! > 300);
      const frame = viewer.frames.find((f) => f.at > t0 && f.mouth > MOUTH_CLOSED_MAX + 150);
      if (audioIndex >= 0) toAudio.push(viewer.audioAt[audioIndex]! - t0);
      if (frame) toMouth.push(frame.at - t0);
      await new Promise((r) => setTimeout(r, 600));
    }
    console.log(`text accepted → first audible audio at the viewer (${toAudio.length} utterances): p50 ${fmt(percentile(toAudio, 50), 0)} ms, p95 ${fmt(percentile(toAudio, 95), 0)} ms`);
    console.log(`text accepted → first open-mouth frame at the viewer (${toMouth.length} utterances): p50 ${fmt(percentile(toMouth, 50), 0)} ms, p95 ${fmt(percentile(toMouth, 95), 0)} ms`);

    const toSilence: number[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: 'Here is a long description of the product that we will cut off in the middle of a sentence, again and again.' });
      await waitFor(() => viewer.events.some((e) => e.event === 'speech.started' && e.data.utteranceId === res.body.utteranceId), 5000, 'started');
      await new Promise((r) => setTimeout(r, 700 + ((i * 137) % 500)));
      const t0 = performance.now();
      await server.api('POST', `/v1/sessions/${body.id}/interrupt`);
      await new Promise((r) => setTimeout(r, 800));
      let silentFrom = Infinity;
      for (let k = viewer.audioAt.length - 1; k >= 0 && viewer.audioRms[k]! < 100; k--) silentFrom = viewer.audioAt[k]!;
      if (Number.isFinite(silentFrom)) toSilence.push(Math.max(0, silentFrom - t0));
    }
    console.log(`interrupt → silence at the viewer (${toSilence.length} cuts): p50 ${fmt(percentile(toSilence, 50), 0)} ms, p95 ${fmt(percentile(toSilence, 95), 0)} ms`);

    // Real-time factor: CPU-seconds the whole server tree spends per second of streamed media while talking.
    const long = Array.from({ length: 6 }, (_, i) => LINES[i % LINES.length]).join(' ');
    for (let i = 0; i < 3; i++) await server.api('POST', `/v1/sessions/${body.id}/speak`, { text: long });
    const cpu = await measureTreeCpu(server.proc.pid!, 12);
    console.log(`speaking session, 720p25 + 1 viewer: ${cpu.total} % of one core ${JSON.stringify(cpu.byName)} → real-time factor ${fmt(cpu.total / 100, 2)} (CPU-s per stream-s; < 1 means real time on one core)`);
    viewer.stop();
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPresenter();
  process.exit(0);
}
