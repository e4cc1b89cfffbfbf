import type { types as ms } from 'mediasoup-client';
import { openMediaSession, type MediaSessionOptions } from './media-session.ts';
import type { SignallingChannel } from './signalling.ts';
import type { NotificationMessage } from './protocol.ts';

/** baseUrl (e.g. http://127.0.0.1:8080), sessionId, the viewer token, and in Node the `ws` WebSocket. */
export type ViewerOptions = MediaSessionOptions;

/**
 * Watches a session: joins over the signalling websocket with mediasoup-client and exposes the
 * received tracks. In Node call installNodeWebRtcGlobals() first.
 */
export class Viewer {
  readonly tracks: MediaStreamTrack[];
  readonly #channel: SignallingChannel;
  readonly #transport: ms.Transport;
  onNotification: (msg: NotificationMessage) => void = () => {};

  private constructor(channel: SignallingChannel, transport: ms.Transport, tracks: MediaStreamTrack[]) {
    this.#channel = channel;
    this.#transport = transport;
    this.tracks = tracks;
    channel.onNotification = (msg) => this.onNotification(msg);
  }

  /** A MediaStream of the received tracks, for a <video> element. */
  get stream(): MediaStream {
    return new MediaStream(this.tracks);
  }

  static async join(opts: ViewerOptions): Promise<Viewer> {
    const { channel, device } = await openMediaSession(opts);
    try {
      const info = await channel.request('createRecvTransport', {});
      const transport = device.createRecvTransport(info);
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        channel.request('connectTransport', { transportId: info.id, dtlsParameters }).then(() => callback(), errback);
      });
      const consumerInfos = await channel.request('consume', {
        transportId: info.id,
        rtpCapabilities: device.rtpCapabilities,
      });
      const tracks: MediaStreamTrack[] = [];
      for (const c of consumerInfos) {
        const consumer = await transport.consume(c);
        tracks.push(consumer.track);
        await channel.request('resume', { consumerId: c.id });
      }
      return new Viewer(channel, transport, tracks);
    } catch (err) {
      channel.close();
      throw err;
    }
  }

  track(kind: 'audio' | 'video'): MediaStreamTrack | undefined {
    return this.tracks.find((t) => t.kind === kind);
  }

  close(): void {
    this.#transport.close();
    this.#channel.close();
  }
}
