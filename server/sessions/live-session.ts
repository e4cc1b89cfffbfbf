import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { types as ms } from 'mediasoup';
import type { MediaSource } from '../../pipeline/core/media.ts';
import { PresenterSource } from '../../pipeline/session/presenter-source.ts';
import { MediaPacer } from '../../pipeline/output/pacer.ts';
import type { RtcConfig } from '../config.ts';
import { RtmpOutput, type RtmpStatus } from '../egress/rtmp-output.ts';
import { HttpError } from '../errors.ts';
import { ROUTER_CODECS } from '../media/codecs.ts';
import { ViewerPeer } from '../media/viewer-peer.ts';
import { WrtcPublisher } from '../media/wrtc-publisher.ts';
import { LoopbackConsumer } from '../media/loopback-consumer.ts';
import wrtc from '@roamhq/wrtc';
import type { SessionRecord } from '../store/session-store.ts';

export interface OutputStatus extends RtmpStatus {
  id: string;
  kind: 'rtmp';
}

/**
 * The running side of a session: a router on one worker, the source paced into the WebRTC
 * publisher and any RTMP outputs, and the viewers. Closing it is idempotent.
 */
export class LiveSession extends EventEmitter<{ close: [] }> {
  readonly record: SessionRecord;
  readonly router: ms.Router;
  readonly pacer: MediaPacer;
  readonly source: MediaSource;
  readonly #publisher: WrtcPublisher;
  readonly #rtc: RtcConfig;
  readonly #viewers = new Set<ViewerPeer>();
  readonly #outputs = new Map<string, RtmpOutput>();
  #closed = false;

  private constructor(record: SessionRecord, router: ms.Router, source: MediaSource, pacer: MediaPacer, publisher: WrtcPublisher, rtc: RtcConfig) {
    super();
    this.record = record;
    this.source = source;
    this.router = router;
    this.pacer = pacer;
    this.#publisher = publisher;
    this.#rtc = rtc;
    // A dead worker takes the router with it: the session ends rather than showing a frozen frame.
    router.on('workerclose', () => this.close());
  }

  static async start(record: SessionRecord, worker: ms.Worker, source: MediaSource, rtc: RtcConfig): Promise<LiveSession> {
    const router = await worker.createRouter({ mediaCodecs: ROUTER_CODECS });
    try {
      const publisher = await WrtcPublisher.create(router);
      const pacer = new MediaPacer(source);
      pacer.addSink(publisher);
      pacer.start();
      return new LiveSession(record, router, source, pacer, publisher, rtc);
    } catch (err) {
      router.close();
      throw err;
    }
  }

  /** The presenter, unless this session shows the test card. */
  get presenter(): PresenterSource | undefined {
    return this.source instanceof PresenterSource ? this.source : undefined;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Clients actually receiving media (event-only websockets don't count). */
  get viewerCount(): number {
    let n = 0;
    for (const v of this.#viewers) if (v.consuming) n++;
    return n;
  }

  /** A websocket client's media peer; operators of a presenter session may also send their voice. */
  addViewer(role: 'viewer' | 'operator' = 'viewer'): ViewerPeer {
    if (this.#closed) throw new HttpError(410, 'session closed');
    const peer = new ViewerPeer(this.router, () => this.#publisher.producers, this.#rtc, {
      canPublish: role === 'operator' && this.presenter !== undefined,
      onVoice: (producer) =>
        this.#attachVoice(producer).catch((err: Error) => {
          // The operator's client sees its producer but no mouth movement; the stream goes on.
          console.error(`operator voice could not be attached: ${err.message}`);
          producer.close();
        }),
    });
    this.#viewers.add(peer);
    return peer;
  }

  /** Decodes the operator's voice in-process and feeds it to the presenter. */
  async #attachVoice(producer: ms.Producer): Promise<void> {
    const presenter = this.presenter;
    if (!presenter) return;
    const consumer = await LoopbackConsumer.create(this.router, producer);
    const sink = new wrtc.nonstandard.RTCAudioSink(consumer.track as never);
    sink.ondata = (d: { samples: Int16Array; sampleRate: number; channelCount?: number }) => presenter.pushVoice(d.samples, d.sampleRate, d.channelCount ?? 1);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      this.off('close', stop);
      sink.stop();
      consumer.close();
    };
    producer.observer.once('close', stop);
    this.once('close', stop);
  }

  removeViewer(peer: ViewerPeer): void {
    peer.close();
    this.#viewers.delete(peer);
  }

  addRtmpOutput(url: string, id: string = randomUUID(), metadata: Record<string, string> = {}): RtmpOutput {
    const output = new RtmpOutput(id, url, this.record.video, metadata);
    this.#outputs.set(output.id, output);
    this.pacer.addSink(output);
    return output;
  }

  removeOutput(id: string): boolean {
    const output = this.#outputs.get(id);
    if (!output) return false;
    this.pacer.removeSink(output);
    output.close();
    this.#outputs.delete(id);
    return true;
  }

  output(id: string): RtmpOutput | undefined {
    return this.#outputs.get(id);
  }

  outputStatuses(): OutputStatus[] {
    return [...this.#outputs.values()].map((o) => ({ id: o.id, kind: 'rtmp', ...o.status }));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.pacer.stop();
    this.presenter?.close();
    for (const id of [...this.#outputs.keys()]) this.removeOutput(id);
    for (const v of this.#viewers) v.close();
    this.#viewers.clear();
    this.#publisher.close();
    this.router.close();
    this.emit('close');
  }
}
