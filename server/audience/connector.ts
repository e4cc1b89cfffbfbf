import type { AudienceEvent, ConnectorConfig, ConnectorStatus } from '../../client-sdk/src/live-room-types.ts';

export type { AudienceEvent, ConnectorConfig, ConnectorStatus };

/** What a connector gets from the live room it feeds. */
export interface ConnectorContext {
  /** Normalised events, in arrival order (the room dedupes by `id`). */
  onEvents(events: AudienceEvent[]): void;
  /** State changes and errors (quota, auth, disconnects), for the operator's event log. */
  onStatus(status: ConnectorStatus): void;
  log: { info(msg: string): void; warn(msg: string): void };
}

/**
 * A platform's comment feed as a plug-in: started once, delivers normalised audience events until
 * stopped, reconnects by itself and reports what went wrong through `onStatus`. New platforms
 * (Douyin callbacks, TikTok) implement this and register a factory in connectors/index.ts.
 */
export interface AudienceConnector {
  readonly id: string;
  readonly kind: ConnectorConfig['kind'];
  start(): void;
  /** Stops polling / closes sockets (and ends the platform session where it has one). Idempotent. */
  stop(): Promise<void>;
  status(): ConnectorStatus;
}
