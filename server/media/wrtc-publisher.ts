import { Device, type types as msc } from 'mediasoup-client';
import type { types as ms } from 'mediasoup';
import { installNodeWebRtcGlobals } from '../../client-sdk/src/node-webrtc.ts';
import type { AudioChunk, MediaSink, VideoFrame } from '../../pipeline/core/media.ts';

const wrtc = installNodeWebRtcGlobals();
const VIDEO_MAX_BITRATE = 2_500_000;

/**
 * Publishes paced raw media into the session's router through libwebrtc (@roamhq/wrtc), as a
 * mediasoup-client peer on loopback. libwebrtc encodes VP8/Opus, answers viewers' keyframe
 * requests (PLI/FIR) and retransmits on NACK, so a viewer joining mid-stream gets a picture at once.
 */
export class WrtcPublisher implements MediaSink {
  readonly producers: ms.Producer[];
  readonly #videoSource: InstanceType<typeof wrtc.nonstandard.RTCVideoSource>;
  readonly #audioSource: InstanceType<typeof wrtc.nonstandard.RTCAudioSource>;
  readonly #tracks: MediaStreamTrack[];
  readonly #clientTransport: msc.Transport;
  readonly #serverTransport: ms.WebRtcTransport;

  private constructor(
    producers: ms.Producer[],
    videoSource: InstanceType<typeof wrtc.nonstandard.RTCVideoSource>,
    audioSource: InstanceType<typeof wrtc.nonstandard.RTCAudioSource>,
    tracks: MediaStreamTrack[],
    clientTransport: msc.Transport,
    serverTransport: ms.WebRtcTransport,
  ) {
    this.producers = producers;
    this.#videoSource = videoSource;
    this.#audioSource = audioSource;
    this.#tracks = tracks;
    this.#clientTransport = clientTransport;
    this.#serverTransport = serverTransport;
  }

  static async create(router: ms.Router): Promise<WrtcPublisher> {
    const serverTransport = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }],
      initialAvailableOutgoingBitrate: VIDEO_MAX_BITRATE,
    });
    const device = new Device({ handlerName: 'Chrome111' });
    // mediasoup and mediasoup-client type the same JSON slightly differently; the wire format matches.
    await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
    const clientTransport = device.createSendTransport({
      id: serverTransport.id,
      iceParameters: serverTransport.iceParameters,
      iceCandidates: serverTransport.iceCandidates,
      dtlsParameters: serverTransport.dtlsParameters,
    });
    const producers: ms.Producer[] = [];
    clientTransport.on('connect', ({ dtlsParameters }, callback, errback) => {
      serverTransport.connect({ dtlsParameters }).then(callback, errback);
    });
    clientTransport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
      serverTransport.produce({ kind, rtpParameters: rtpParameters as ms.RtpParameters }).then((p) => {
        producers.push(p);
        callback({ id: p.id });
      }, errback);
    });

    // Screencast content keeps the resolution and drops frame rate under CPU pressure, instead of
    // libwebrtc silently downscaling the presenter.
    const videoSource = new wrtc.nonstandard.RTCVideoSource({ isScreencast: true });
    const audioSource = new wrtc.nonstandard.RTCAudioSource();
    const videoTrack = videoSource.createTrack() as unknown as MediaStreamTrack;
    const audioTrack = audioSource.createTrack() as unknown as MediaStreamTrack;
    await clientTransport.produce({
      track: videoTrack,
      encodings: [{ maxBitrate: VIDEO_MAX_BITRATE }],
      codecOptions: { videoGoogleStartBitrate: 1500 },
    });
    await clientTransport.produce({ track: audioTrack, codecOptions: { opusStereo: false, opusDtx: false } });
    return new WrtcPublisher(producers, videoSource, audioSource, [videoTrack, audioTrack], clientTransport, serverTransport);
  }

  writeVideo(frame: VideoFrame): void {
    this.#videoSource.onFrame({ width: frame.width, height: frame.height, data: frame.data });
  }

  writeAudio(chunk: AudioChunk): void {
    this.#audioSource.onData({ samples: chunk.samples, sampleRate: 48000, bitsPerSample: 16, channelCount: 1 });
  }

  close(): void {
    for (const t of this.#tracks) t.stop();
    this.#clientTransport.close();
    this.#serverTransport.close();
  }
}
