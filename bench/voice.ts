// Operator voice → presenter at a viewer: how long after the operator's first loud sample the viewer
// hears it and sees the mouth open, and what the mouth estimators cost per 10 ms hop.
import WebSocket from 'ws';
import { Publisher, type WebSocketFactory } from '../client-sdk/src/index.ts';
import { installNodeWebRtcGlobals } from '../client-sdk/src/node-webrtc.ts';
import { EnergyTiltMouth } from '../pipeline/stages/lipsync/voice-mouth.ts';
import { VoiceVisemeModel } from '../pipeline/stages/lipsync/onnx-voice-mouth.ts';
import { MOUTH_CLOSED_MAX } from '../test/helpers/mouth.ts';
import { startServer } from '../test/helpers/server.ts';
import { watch, waitFor } from '../test/helpers/watch.ts';
import { fmt, percentile } from './lib/stats.ts';

const wrtc = installNodeWebRtcGlobals();
const ONSETS = Number(process.env.ONSETS ?? 15);

async function estimatorCost(): Promise<string[]> {
  const m = new EnergyTiltMouth();
  const frame = Int16Array.from({ length: 1920 }, (_, i) => Math.round(8000 * Math.sin(i / 7)));
  const ahead = frame.subarray(0, 960);
  const t0 = performance.now();
  for (let i = 0; i < 20_000; i++) m.mouthFor(frame, ahead);
  const perFrame = (performance.now() - t0) / 20_000;
  // The ONNX model as the server runs it: streaming, one run per 4 new hops with 48 hops of context.
  const model = await VoiceVisemeModel.load();
  const window = new Float32Array(52 * 160 + 240).map((_, i) => 0.2 * Math.sin(i / 5));
  for (let i = 0; i < 20; i++) await model.run(window);
  const runs: number[] = [];
  for (let i = 0; i < 300; i++) {
    const t = performance.now();
    await model.run(window);
    runs.push(performance.now() - t);
  }
  return [
    `baseline mouth estimator (${m.name}): ${fmt((perFrame / 4) * 1000, 1)} µs per 10 ms hop`,
    `voice-visemes.onnx streaming run (52 hops in, 4 new): p50 ${fmt(percentile(runs, 50), 2)} ms, p95 ${fmt(percentile(runs, 95), 2)} ms → ${fmt(percentile(runs, 50) / 4, 3)} ms per 10 ms hop`,
  ];
}

export async function benchVoice(): Promise<void> {
  for (const line of await estimatorCost()) console.log(line);
  const server = await startServer();
  try {
    const { body: session } = await server.api('POST', '/v1/sessions');
    const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
    await waitFor(() => viewer.frames.length > 25, 10_000, 'frames');
    const { body: pub } = await server.api('POST', `/v1/sessions/${session.id}/publish-token`);
    const publisher = await Publisher.connect({ baseUrl: server.baseUrl, sessionId: session.id, token: pub.token, WebSocket: WebSocket as unknown as WebSocketFactory });
    const source = new wrtc.nonstandard.RTCAudioSource();
    const track = source.createTrack();
    await publisher.publishVoice(track as unknown as MediaStreamTrack);
    // A 10 ms clock feeding the track: silence, or a 300 ms vowel-like burst when asked.
    let burstUntil = 0;
    let burstStart = 0;
    let n = 0;
    const start = performance.now();
    const clock = setInterval(() => {
      const due = Math.floor((performance.now() - start) / 10);
      while (n < due) {
        const chunk = new Int16Array(480);
        const t = n * 10;
        if (t >= burstStart && t < burstUntil) for (let i = 0; i < 480; i++) chunk[i] = Math.round(9000 * Math.sin((2 * Math.PI * 220 * (n * 480 + i)) / 48000) * (1 + 0.3 * Math.sin((2 * Math.PI * 660 * i) / 48000)));
        source.onData({ samples: chunk, sampleRate: 48000 });
        n++;
      }
    }, 5);
    const toAudio: number[] = [];
    const toMouth: number[] = [];
    await new Promise((r) => setTimeout(r, 1500));
    for (let k = 0; k < ONSETS; k++) {
      const sentAt = performance.now();
      burstStart = Math.ceil((sentAt - start) / 10) * 10;
      burstUntil = burstStart + 300;
      const onset = start + burstStart; // wall time of the first loud sample
      await new Promise((r) => setTimeout(r, 1500)); // burst, then > 700 ms of silence ends the voice
      const a = viewer.audioAt.findIndex((at, i) => at > onset && viewer.audioRms[i]! > 1000);
      const f = viewer.frames.find((fr) => fr.at > onset && fr.mouth > MOUTH_CLOSED_MAX + 150);
      if (a >= 0) toAudio.push(viewer.audioAt[a]! - onset);
      if (f) toMouth.push(f.at - onset);
    }
    clearInterval(clock);
    console.log(`operator voice onset → audible at the viewer (${toAudio.length} onsets): p50 ${fmt(percentile(toAudio, 50), 0)} ms, p95 ${fmt(percentile(toAudio, 95), 0)} ms`);
    console.log(`operator voice onset → open mouth at the viewer (${toMouth.length} onsets): p50 ${fmt(percentile(toMouth, 50), 0)} ms, p95 ${fmt(percentile(toMouth, 95), 0)} ms (includes the 80 ms playout delay that keeps voice and mouth aligned)`);
    track.stop();
    publisher.close();
    viewer.stop();
  } finally {
    await server.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchVoice();
  process.exit(0);
}
