import type { Device, types as ms } from 'mediasoup-client';
import { openMediaSession, type MediaSessionOptions } from './media-session.ts';
import type { SignallingChannel } from './signalling.ts';

/** As for Viewer, with `token` from `OnAirClient.publishToken(sessionId)`. */
export type PublisherOptions = MediaSessionOptions;

/**
 * Sends the operator's microphone to a session: the presenter's mouth follows the voice and viewers
 * hear it. In Node call installNodeWebRtcGlobals() first and pass `ws`.
 */
export class Publisher {
  readonly #channel: SignallingChannel;
  readonly #device: Device;
  #transport: ms.Transport | undefined;
  #producer: ms.Producer | undefined;

  private constructor(channel: SignallingChannel, device: Device) {
    this.#channel = channel;
    this.#device = device;
  }

  static async connect(opts: PublisherOptions): Promise<Publisher> {
    const { channel, device } = await openMediaSession(opts);
    return new Publisher(channel, device);
  }

  /** Starts sending `track` (a microphone or any audio track) as the operator's voice. */
  async publishVoice(track: MediaStreamTrack): Promise<{ producerId: string }> {
    if (!this.#transport) {
      const info = await this.#channel.request('createSendTransport', {});
      const transport = this.#device.createSendTransport(info);
      transport.on('connect', ({ dtlsParameters }, callback, errback) => {
        this.#channel.request('connectTransport', { transportId: info.id, dtlsParameters }).then(() => callback(), errback);
      });
      transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
        this.#channel.request('produce', { transportId: info.id, kind: kind as 'audio', rtpParameters }).then(callback, errback);
      });
      this.#transport = transport;
    }
    // Speech, not music: mono Opus with in-band FEC, no DTX gaps that would read as silence.
    this.#producer = await this.#transport.produce({ track, codecOptions: { opusStereo: false, opusFec: true, opusDtx: false } });
    return { producerId: this.#producer.id };
  }

  /** Push-to-talk: pause or resume sending without renegotiating. */
  setMuted(muted: boolean): void {
    if (muted) this.#producer?.pause();
    else this.#producer?.resume();
  }

  close(): void {
    this.#producer?.close();
    this.#transport?.close();
    this.#channel.close();
  }
}
