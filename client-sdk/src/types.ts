// Shapes of the HTTP API's requests and responses (see README "HTTP API").

export interface VideoFormat {
  width: number;
  height: number;
  fps: number;
}

export interface OutputInfo {
  id: string;
  kind: 'rtmp';
  url: string;
  createdAt: string;
  state?: 'starting' | 'live' | 'reconnecting' | 'closed';
  bitrateKbps?: number;
  lastError?: string;
}

export interface SessionInfo {
  id: string;
  viewerToken: string;
  createdAt: string;
  video: VideoFormat;
  source: 'presenter' | 'test-card';
  outputs: OutputInfo[];
  live?: boolean;
  viewers?: number;
}

export interface SpeakOptions {
  text: string;
  lang?: 'auto' | 'en' | 'zh';
  voice?: string;
  /** Cut what is playing and drop the queue first. */
  interrupt?: boolean;
  /** Put this line at the head of the queue (after what is playing). */
  next?: boolean;
}

export interface SpeakResult {
  utteranceId: string;
  lang: 'en' | 'zh';
  queued: number;
}

export type BackgroundSpec = { preset: 'studio' } | { color: string } | { imageBase64: string } | { videoBase64: string };

export type OverlaySpec =
  | { kind: 'text'; text: string; x: number; y: number; fontSize?: number; color?: string; background?: string }
  | { kind: 'image'; imageBase64: string; x: number; y: number; width?: number; height?: number };

export interface LabelSpec {
  position?: 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right';
  scale?: number;
}

export interface AuditEntry {
  at: string;
  sessionId: string;
  action: 'speak' | 'interrupt';
  utteranceId?: string;
  text?: string;
  lang?: string;
  voice?: string;
  client: string;
}

export interface SpeechEventData {
  utteranceId: string;
  pts: number;
  error?: string;
}

/** Events a session's websocket delivers, by name. */
export interface SessionEventMap {
  'speech.started': SpeechEventData;
  'speech.ended': SpeechEventData;
  'speech.interrupted': SpeechEventData;
  /** The operator's live voice reached the presenter / stopped. */
  'voice.started': { pts: number };
  'voice.ended': { pts: number };
  'session.closed': { id: string };
  error: { message: string };
}
