import type { types as ms } from 'mediasoup';
import type { ConsumerInfo, Methods, Method, TransportInfo } from '../../client-sdk/src/protocol.ts';
import type { RtcConfig } from '../config.ts';
import { HttpError } from '../errors.ts';

export interface PeerOptions {
  /** Operators may also send their voice; viewers may only watch. */
  canPublish: boolean;
  /** Called with the operator's voice producer once it exists. */
  onVoice?: (producer: ms.Producer) => void;
}

/**
 * One websocket client's media: receive transports and consumers (viewers, the panel's preview)
 * and, for operators, a send transport for their voice. Consumers start paused and resume when the
 * client says it is ready, followed by a keyframe request, so the first picture comes without
 * waiting for the next periodic keyframe.
 */
export class ViewerPeer {
  readonly #router: ms.Router;
  readonly #producers: () => ms.Producer[];
  readonly #rtc: RtcConfig;
  readonly #opts: PeerOptions;
  readonly #transports = new Map<string, ms.WebRtcTransport>();
  readonly #consumers = new Map<string, ms.Consumer>();
  readonly #own: ms.Producer[] = [];
  #closed = false;

  constructor(router: ms.Router, producers: () => ms.Producer[], rtc: RtcConfig, opts: PeerOptions = { canPublish: false }) {
    this.#router = router;
    this.#producers = producers;
    this.#rtc = rtc;
    this.#opts = opts;
  }

  get consuming(): boolean {
    return this.#consumers.size > 0;
  }

  async handle<M extends Method>(method: M, data: Methods[M]['req']): Promise<Methods[M]['res']> {
    if (this.#closed) throw new HttpError(410, 'viewer closed');
    switch (method) {
      case 'getRouterRtpCapabilities':
        return this.#router.rtpCapabilities as Methods[M]['res'];
      case 'createRecvTransport':
        return (await this.#createTransport()) as Methods[M]['res'];
      case 'connectTransport': {
        const { transportId, dtlsParameters } = data as Methods['connectTransport']['req'];
        await this.#transport(transportId).connect({ dtlsParameters });
        return {} as Methods[M]['res'];
      }
      case 'consume':
        return (await this.#consume(data as Methods['consume']['req'])) as Methods[M]['res'];
      case 'resume': {
        const { consumerId } = data as Methods['resume']['req'];
        const consumer = this.#consumers.get(consumerId);
        if (!consumer) throw new HttpError(404, `consumer ${consumerId} not found`);
        await consumer.resume();
        if (consumer.kind === 'video') await consumer.requestKeyFrame();
        return {} as Methods[M]['res'];
      }
      case 'createSendTransport':
        this.#mustPublish();
        return (await this.#createTransport()) as Methods[M]['res'];
      case 'produce': {
        this.#mustPublish();
        const { transportId, kind, rtpParameters } = data as Methods['produce']['req'];
        if (kind !== 'audio') throw new HttpError(400, 'only the operator voice (audio) can be sent');
        if (this.#own.length) throw new HttpError(409, 'this connection already sends a voice');
        const producer = await this.#transport(transportId).produce({ kind, rtpParameters: rtpParameters as ms.RtpParameters });
        this.#own.push(producer);
        this.#opts.onVoice?.(producer);
        return { id: producer.id } as Methods[M]['res'];
      }
      default:
        throw new HttpError(400, `unknown method "${String(method)}"`);
    }
  }

  #mustPublish(): void {
    if (!this.#opts.canPublish) throw new HttpError(403, 'a viewer token can watch but not send media');
  }

  async #createTransport(): Promise<TransportInfo> {
    if (this.#transports.size >= 3) throw new HttpError(429, 'too many transports for one viewer');
    const listen = { ip: this.#rtc.listenIp, announcedAddress: this.#rtc.announcedAddress, portRange: { min: this.#rtc.minPort, max: this.#rtc.maxPort } };
    const transport = await this.#router.createWebRtcTransport({
      listenInfos: [
        { protocol: 'udp', ...listen },
        { protocol: 'tcp', ...listen },
      ],
      preferUdp: true,
      initialAvailableOutgoingBitrate: 2_000_000,
    });
    this.#transports.set(transport.id, transport);
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    } as TransportInfo;
  }

  async #consume({ transportId, rtpCapabilities }: Methods['consume']['req']): Promise<ConsumerInfo[]> {
    const transport = this.#transport(transportId);
    const infos: ConsumerInfo[] = [];
    for (const producer of this.#producers()) {
      if (!this.#router.canConsume({ producerId: producer.id, rtpCapabilities: rtpCapabilities as ms.RtpCapabilities })) {
        throw new HttpError(400, `client cannot receive ${producer.kind} (${producer.rtpParameters.codecs[0]?.mimeType})`);
      }
      const consumer = await transport.consume({ producerId: producer.id, rtpCapabilities: rtpCapabilities as ms.RtpCapabilities, paused: true });
      this.#consumers.set(consumer.id, consumer);
      consumer.on('transportclose', () => this.#consumers.delete(consumer.id));
      infos.push({ id: consumer.id, producerId: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters as ConsumerInfo['rtpParameters'] });
    }
    return infos;
  }

  #transport(id: string): ms.WebRtcTransport {
    const t = this.#transports.get(id);
    if (!t) throw new HttpError(404, `transport ${id} not found`);
    return t;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#transports.values()) t.close();
    this.#transports.clear();
    this.#consumers.clear();
  }
}
