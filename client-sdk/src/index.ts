// OnAir client SDK: the control API (OnAirClient), session events (SessionEvents) and watching a
// session over WebRTC (Viewer). Works in browsers; in Node pass `ws` and call
// installNodeWebRtcGlobals() (from './node-webrtc.ts') before using Viewer.
export { OnAirClient, signAudienceWebhook, type OnAirClientOptions, type RequestOptions, type AudienceEventInput, type ModerationVerdict, type LlmView } from './client.ts';
export { SessionEvents, type SessionEventsOptions } from './events.ts';
export { Viewer, type ViewerOptions } from './viewer.ts';
export { Publisher, type PublisherOptions } from './publisher.ts';
export { OnAirError } from './errors.ts';
export type * from './types.ts';
export type * from './live-room-types.ts';
export type { WebSocketFactory, WebSocketLike } from './signalling.ts';
