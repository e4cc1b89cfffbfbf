// The operator's voice as the SDK sends it: a speech recording streamed into a wrtc audio track in
// real time. Shared by the operator-voice test and the voice-under-load benchmark.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { Publisher, type WebSocketFactory } from '../../client-sdk/src/index.ts';
import type { installNodeWebRtcGlobals } from '../../client-sdk/src/node-webrtc.ts';
import { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import type { TestServer } from './server.ts';
import { writeWav } from './wav.ts';

type Wrtc = ReturnType<typeof installNodeWebRtcGlobals>;

/** A speech recording (48 kHz WAV) made with a voice the presenter does not use. */
export async function writeOperatorWav(file: string): Promise<void> {
  mkdirSync(path.dirname(file), { recursive: true });
  const tts = new EspeakEngine();
  const parts: Int16Array[] = [];
  for await (const c of tts.synthesize({ segments: [{ kind: 'text', text: 'Hi everyone, I am the host. Look at this lovely teapot, only twenty dollars!', rate: 1 }], lang: 'en', voice: 'en-gb+m3' }, new AbortController().signal)) parts.push(c.samples);
  tts.close();
  const all = new Int16Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) all.set(p, (o += p.length) - p.length);
  writeWav(file, all, 48000);
}

/** Streams samples into a wrtc audio source in real time, 10 ms at a time. */
export function playInto(source: InstanceType<Wrtc['nonstandard']['RTCAudioSource']>, samples: Int16Array): Promise<void> {
  return new Promise((resolve) => {
    let i = 0;
    const start = performance.now();
    const tick = () => {
      const due = Math.floor((performance.now() - start) / 10);
      while (i < due) {
        const chunk = new Int16Array(480);
        chunk.set(samples.subarray(i * 480, i * 480 + 480));
        source.onData({ samples: chunk, sampleRate: 48000 });
        i++;
      }
      if (i * 480 >= samples.length) resolve();
      else setTimeout(tick, 5);
    };
    tick();
  });
}

/**
 * The operator takes over: publishes a voice track, sends ½ s of silence, the recording, then 1.5 s
 * of silence (push-to-talk left open). Returns when the wall-clock times the recording started and
 * ended; `close()` stops the track and the publisher.
 */
export async function operatorTakeover(server: TestServer, sessionId: string, wrtc: Wrtc, samples: Int16Array): Promise<{ t0: number; t1: number; close: () => void }> {
  const { body: pub } = await server.api('POST', `/v1/sessions/${sessionId}/publish-token`);
  const publisher = await Publisher.connect({ baseUrl: server.baseUrl, sessionId, token: pub.token, WebSocket: WebSocket as unknown as WebSocketFactory });
  const source = new wrtc.nonstandard.RTCAudioSource();
  const track = source.createTrack();
  const close = () => {
    track.stop();
    publisher.close();
  };
  try {
    await publisher.publishVoice(track as unknown as MediaStreamTrack);
    await playInto(source, new Int16Array(48000 / 2));
    const t0 = performance.now();
    await playInto(source, samples);
    const t1 = performance.now();
    await playInto(source, new Int16Array(48000 * 1.5));
    return { t0, t1, close };
  } catch (err) {
    close();
    throw err;
  }
}
