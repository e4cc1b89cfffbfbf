// Two ways to get the session's raw frames into mediasoup, measured on the same frames:
//  A. @roamhq/wrtc RTCVideoSource → libwebrtc VP8 → WebRtcTransport (what the server uses)
//  B. ffmpeg libvpx VP8 (realtime, 2 s GOP) → RTP → PlainTransport (comedia)
// Printed: CPU % of one core (this process + ffmpeg + mediasoup worker) and viewer join → first frame.
import { spawn } from 'node:child_process';
import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { installNodeWebRtcGlobals } from '../client-sdk/src/node-webrtc.ts';
import { MediaPacer } from '../pipeline/output/pacer.ts';
import { TestCard } from '../pipeline/sources/test-card.ts';
import type { AudioChunk, MediaSink, VideoFrame } from '../pipeline/core/media.ts';
import { ROUTER_CODECS } from '../server/media/codecs.ts';
import { WrtcPublisher } from '../server/media/wrtc-publisher.ts';
import { LoopbackConsumer } from '../server/media/loopback-consumer.ts';
import { treeCpu } from './lib/proc-cpu.ts';
import { fmt, percentile } from './lib/stats.ts';

const wrtc = installNodeWebRtcGlobals();
const SECONDS = Number(process.env.CPU_SECONDS ?? 10);
const JOINS = 8;

async function cpuOver(seconds: number, pids: number[]): Promise<number> {
  const sum = () => pids.reduce((acc, pid) => acc + [...treeCpu(pid).values()].reduce((a, b) => a + b, 0), 0);
  const p0 = process.cpuUsage();
  const t0 = sum();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const p = process.cpuUsage(p0);
  return (((p.user + p.system) / 1e6 + (sum() - t0)) / seconds) * 100;
}

/** Consumes `producer` with an in-process wrtc viewer; ms from consume to the first decoded frame. */
async function joinOnce(router: ms.Router, producer: ms.Producer): Promise<number> {
  const t0 = performance.now();
  const consumer = await LoopbackConsumer.create(router, producer);
  const sink = new wrtc.nonstandard.RTCVideoSink(consumer.track as never);
  const first = new Promise<number>((resolve) => (sink.onframe = () => resolve(performance.now())));
  const at = await Promise.race([first, new Promise<number>((r) => setTimeout(() => r(NaN), 10_000))]);
  sink.stop();
  consumer.close();
  return at - t0;
}

async function joins(router: ms.Router, producer: ms.Producer): Promise<string> {
  const times: number[] = [];
  for (let i = 0; i < JOINS; i++) {
    times.push(await joinOnce(router, producer));
    await new Promise((r) => setTimeout(r, 250 + Math.random() * 500)); // join at random GOP phases
  }
  return `join→first frame p50 ${fmt(percentile(times, 50), 0)} ms, p95 ${fmt(percentile(times, 95), 0)} ms`;
}

class FfmpegVp8Sink implements MediaSink {
  readonly proc;
  constructor(card: TestCard, port: number, ssrc: number) {
    const { width, height, fps } = card.format;
    this.proc = spawn('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
      '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '2500k', '-g', String(fps * 2), '-keyint_min', String(fps * 2),
      '-an', '-f', 'rtp', '-ssrc', String(ssrc), '-payload_type', '101', `rtp://127.0.0.1:${port}?pkt_size=1200`,
    ], { stdio: ['pipe', 'ignore', 'inherit'] });
    this.proc.stdin.on('error', () => {});
  }
  writeVideo(f: VideoFrame) {
    this.proc.stdin.write(Buffer.from(f.data));
  }
  writeAudio(_c: AudioChunk) {}
}

export async function benchPublishAlternatives(): Promise<void> {
  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  const card = new TestCard();
  try {
    const renderOnly = new MediaPacer(card);
    renderOnly.start();
    const base = await cpuOver(5, [worker.pid]);
    renderOnly.stop();
    console.log(`baseline: test card render + pacing only: ${fmt(base)} % of one core`);

    {
      const router = await worker.createRouter({ mediaCodecs: ROUTER_CODECS });
      const publisher = await WrtcPublisher.create(router);
      const pacer = new MediaPacer(card);
      pacer.addSink(publisher);
      pacer.start();
      await new Promise((r) => setTimeout(r, 2000));
      const cpu = await cpuOver(SECONDS, [worker.pid]);
      const video = publisher.producers.find((p) => p.kind === 'video')!;
      console.log(`A wrtc/libwebrtc VP8 → WebRtcTransport: ${fmt(cpu)} % of one core (video+Opus), ${await joins(router, video)}`);
      pacer.stop();
      publisher.close();
      router.close();
    }
    {
      const router = await worker.createRouter({ mediaCodecs: ROUTER_CODECS });
      const plain = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: true });
      const ssrc = 22_222_222;
      const producer = await plain.produce({
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
      });
      const sink = new FfmpegVp8Sink(card, plain.tuple.localPort, ssrc);
      const pacer = new MediaPacer(card);
      pacer.addSink(sink);
      pacer.start();
      await new Promise((r) => setTimeout(r, 2000));
      const cpu = await cpuOver(SECONDS, [worker.pid, sink.proc.pid!]);
      console.log(`B ffmpeg libvpx VP8 (2 s GOP) → PlainTransport: ${fmt(cpu)} % of one core (video only), ${await joins(router, producer)}`);
      pacer.stop();
      sink.proc.kill('SIGKILL');
      router.close();
    }
  } finally {
    worker.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchPublishAlternatives();
  process.exit(0);
}
