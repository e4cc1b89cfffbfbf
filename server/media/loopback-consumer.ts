import { Device, type types as msc } from 'mediasoup-client';
import type { types as ms } from 'mediasoup';
import { installNodeWebRtcGlobals } from '../../client-sdk/src/node-webrtc.ts';

installNodeWebRtcGlobals();

/**
 * Consumes a producer inside this process through libwebrtc (@roamhq/wrtc) on loopback, giving a
 * decoded MediaStreamTrack: how the server hears the operator's voice (Opus decoding, jitter buffer
 * and loss concealment come with it).
 */
export class LoopbackConsumer {
  readonly track: MediaStreamTrack;
  readonly #client: msc.Transport;
  readonly #server: ms.WebRtcTransport;

  private constructor(track: MediaStreamTrack, client: msc.Transport, server: ms.WebRtcTransport) {
    this.track = track;
    this.#client = client;
    this.#server = server;
  }

  static async create(router: ms.Router, producer: ms.Producer): Promise<LoopbackConsumer> {
    const device = new Device({ handlerName: 'Chrome111' });
    await device.load({ routerRtpCapabilities: router.rtpCapabilities as msc.RtpCapabilities });
    const server = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    try {
      const client = device.createRecvTransport({ id: server.id, iceParameters: server.iceParameters, iceCandidates: server.iceCandidates, dtlsParameters: server.dtlsParameters });
      client.on('connect', ({ dtlsParameters }, cb, eb) => server.connect({ dtlsParameters }).then(cb, eb));
      const consumer = await server.consume({ producerId: producer.id, rtpCapabilities: device.rtpCapabilities as ms.RtpCapabilities, paused: true });
      const local = await client.consume({ id: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters as msc.RtpParameters });
      await consumer.resume();
      if (consumer.kind === 'video') await consumer.requestKeyFrame();
      return new LoopbackConsumer(local.track, client, server);
    } catch (err) {
      server.close();
      throw err;
    }
  }

  close(): void {
    this.#client.close();
    this.#server.close();
  }
}
