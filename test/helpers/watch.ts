import WebSocket from 'ws';
import { installNodeWebRtcGlobals } from '../../client-sdk/src/node-webrtc.ts';
import { Viewer } from '../../client-sdk/src/viewer.ts';
import type { WebSocketFactory } from '../../client-sdk/src/signalling.ts';
import { readFrameCode } from '../../pipeline/sources/test-card.ts';
import { mouthDarkPixels } from './mouth.ts';
import { readTimecode } from '../../pipeline/core/timecode.ts';

const wrtc = installNodeWebRtcGlobals();

export interface Reception {
  viewer: Viewer;
  /** `code`: the test card's frame number; `timecode`: a presenter frame's number when ONAIR_TIMECODE=1 (else -1). */
  frames: { at: number; width: number; height: number; code: number; timecode: number; mouth: number }[];
  audioRms: number[];
  /** Arrival time (performance.now) of each audio chunk. */
  audioAt: number[];
  events: { at: number; event: string; data: any }[];
  /** The most recent decoded frame, for screenshots. */
  lastFrame?: { width: number; height: number; data: Uint8Array };
  stop: () => void;
}

/** Joins as a viewer (real WebRTC via @roamhq/wrtc) and records decoded frames and audio levels. */
export async function watch(baseUrl: string, sessionId: string, token: string, opts: { mouth?: (frame: { width: number; height: number; data: Uint8Array }) => number } = {}): Promise<Reception> {
  const mouthOf = opts.mouth ?? ((frame: { width: number; data: Uint8Array }) => (frame.width === 1280 ? mouthDarkPixels(frame) : -1));
  const viewer = await Viewer.join({ baseUrl, sessionId, token, WebSocket: WebSocket as unknown as WebSocketFactory });
  const frames: Reception['frames'] = [];
  const audioRms: number[] = [];
  const audioAt: number[] = [];
  const events: Reception['events'] = [];
  viewer.onNotification = (msg) => events.push({ at: performance.now(), event: msg.event, data: msg.data });
  const videoSink = new wrtc.nonstandard.RTCVideoSink(viewer.track('video') as never);
  const audioSink = new wrtc.nonstandard.RTCAudioSink(viewer.track('audio') as never);
  videoSink.onframe = ({ frame }: { frame: { width: number; height: number; data: Uint8Array } }) => {
    frames.push({ at: performance.now(), width: frame.width, height: frame.height, code: readFrameCode(frame), timecode: readTimecode(frame), mouth: mouthOf(frame) });
    reception.lastFrame = frame;
  };
  audioSink.ondata = ({ samples }: { samples: Int16Array }) => {
    let sum = 0;
    for (const s of samples) sum += s * s;
    audioRms.push(Math.sqrt(sum / samples.length));
    audioAt.push(performance.now());
  };
  const reception: Reception = {
    viewer,
    frames,
    audioRms,
    audioAt,
    events,
    stop: () => {
      videoSink.stop();
      audioSink.stop();
      viewer.close();
    },
  };
  return reception;
}

export function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => {
      if (cond()) {
        clearInterval(timer);
        resolve();
      } else if (Date.now() - start > timeoutMs) {
        clearInterval(timer);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }
    }, 50);
  });
}
