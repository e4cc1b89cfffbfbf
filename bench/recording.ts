// What a recording costs beside an RTMP push: encoder CPU (share of one core) for RTMP alone,
// recording alone, both with separate encoders (what OnAir does), and both from one shared encode
// (ffmpeg's tee muxer), fed the same presenter frames in real time for the same duration.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { CartoonAvatar } from '../pipeline/stages/avatar/cartoon-avatar.ts';
import { StudioBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { Compositor } from '../pipeline/stages/compose/compositor.ts';
import { gesturePoseAt } from '../pipeline/stages/gesture/gesture-pose.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { MOUTH_SHAPES, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { recordingFfmpegArgs, rtmpFfmpegArgs } from '../server/egress/ffmpeg-args.ts';
import { LocalRtmpServer } from '../test/helpers/rtmp-server.ts';
import { fmt } from './lib/stats.ts';

const SECONDS = Number(process.env.REC_SECONDS ?? 20);
const FORMAT = { width: 1280, height: 720, fps: 25 };

function frames(n: number): Uint8Array[] {
  const avatar = new CartoonAvatar(720);
  const compositor = new Compositor(FORMAT, new StudioBackground());
  const idle = new IdleMotion(3);
  const out: Uint8Array[] = [];
  for (let f = 0; f < n + 80; f++) {
    const pts = f * 1920;
    const canvas = avatar.renderFrame({ ...gesturePoseAt([], pts), idle: idle.poseAt(pts), mouth: MOUTH_SHAPES[VISEMES[f % VISEMES.length]!] });
    const i420 = compositor.compose(canvas, f % 50 < 30 ? 'This blender costs only forty nine dollars today.' : undefined);
    if (f >= 80) out.push(Uint8Array.from(i420)); // past the opening disclosure
  }
  return out;
}

function cpuSeconds(pid: number): number {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = raw.slice(raw.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Runs encoders (each an argument list) fed in real time; returns their total CPU as % of one core. */
async function measure(argLists: string[][], clip: Uint8Array[]): Promise<number> {
  const procs = argLists.map((args) => spawn('ffmpeg', args, { stdio: ['pipe', 'ignore', 'ignore', 'pipe'] }));
  const audio = new Int16Array(1920);
  for (let i = 0; i < audio.length; i++) audio[i] = Math.round(3000 * Math.sin(i / 7));
  const start = performance.now();
  let last = new Map<number, number>();
  let f = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.floor(((performance.now() - start) / 1000) * FORMAT.fps);
      for (; f <= due && f < SECONDS * FORMAT.fps; f++) {
        for (const p of procs) {
          p.stdin!.write(clip[f % clip.length]!);
          (p.stdio[3] as Writable).write(Buffer.from(audio.buffer));
        }
      }
      for (const p of procs) last.set(p.pid!, cpuSeconds(p.pid!));
      if (f >= SECONDS * FORMAT.fps) resolve();
      else setTimeout(tick, 10);
    };
    tick();
  });
  const elapsed = (performance.now() - start) / 1000;
  const cpu = [...last.values()].reduce((a, b) => a + b, 0);
  for (const p of procs) {
    p.stdin!.end();
    (p.stdio[3] as Writable).end();
  }
  await Promise.all(procs.map((p) => new Promise((r) => p.once('exit', r))));
  last = new Map();
  return (cpu / elapsed) * 100;
}

export async function benchRecording(): Promise<void> {
  const clip = frames(100);
  const rtmp = await LocalRtmpServer.start();
  const dir = mkdtempSync(path.join(tmpdir(), 'onair-bench-rec-'));
  try {
    const aigc = { AIGC: '{"Label":"1"}' };
    const rtmpArgs = (key: string) => rtmpFfmpegArgs(FORMAT, rtmp.url(key), undefined, aigc);
    const recArgs = (name: string) => recordingFfmpegArgs(FORMAT, path.join(dir, `${name}.mp4`), aigc);
    // One encode, two outputs: the tee muxer writes the same H.264/AAC to FLV and fragmented MP4.
    const shared = [
      ...rtmpArgs('x').slice(0, rtmpArgs('x').indexOf('-progress')),
      '-flags', '+global_header',
      '-f', 'tee',
      `[f=flv:onfail=ignore]${rtmp.url('shared')}|[f=mp4:movflags=+frag_keyframe+empty_moov+default_base_moof]${path.join(dir, 'shared.mp4')}`,
    ];
    const rtmpOnly = await measure([rtmpArgs('a')], clip);
    const recOnly = await measure([recArgs('b')], clip);
    const separate = await measure([rtmpArgs('c'), recArgs('c')], clip);
    const tee = await measure([shared], clip);
    console.log(`encoder CPU over ${SECONDS} s of 720p25 presenter frames (x264 veryfast 3 Mbps + AAC), % of one core:`);
    console.log(`  RTMP only ${fmt(rtmpOnly)} %, recording only ${fmt(recOnly)} %`);
    console.log(`  RTMP + recording, separate encoders (OnAir) ${fmt(separate)} % (×${fmt(separate / rtmpOnly, 2)} RTMP alone)`);
    console.log(`  RTMP + recording, one shared encode (tee) ${fmt(tee)} % (×${fmt(tee / rtmpOnly, 2)} RTMP alone; saves ${fmt(separate - tee)} points)`);
  } finally {
    await rtmp.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
