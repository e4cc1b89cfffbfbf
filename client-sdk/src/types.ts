// Shapes of the HTTP API's requests and responses (see README "HTTP API").
import type { AudienceLogEntry, ConnectorStatus, ModerationLogEntry, OperatorPresence, ShowEventMap } from './live-room-types.ts';

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
  /** Who presents: `cartoon`, a built-in 3D host or the id of a ready avatar (absent on test-card sessions). */
  avatar?: string;
  /** A 3D presenter's framing (absent: half body). */
  shot?: Shot;
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
  /** Wording; must keep both parts ("AI"/"人工智能" and "生成"/"合成"), else the server answers 400. */
  text?: string;
}

export interface CreateSessionOptions {
  source?: 'presenter' | 'test-card';
  /** `cartoon` (default), a built-in 3D host (see listPresenters) or the id of a ready avatar. */
  avatar?: string;
}

/** A 3D presenter's camera framing. */
export type Shot = 'close-up' | 'half' | 'full';

export type AvatarKind = '2d-cartoon' | '2d-real-person' | '3d';

/** An uploaded 3D avatar (VRM 0.x / 1.0, or GLB with a humanoid rig and face morphs). */
export interface ModelAvatarInfo {
  id: string;
  name: string;
  kind: '3d';
  format: 'vrm1' | 'vrm0' | 'glb';
  /** How the face is driven: ARKit blendshapes, Oculus visemes, or VRM expression presets. */
  face: 'arkit' | 'oculus' | 'vrm';
  bytes: number;
  triangles: number;
  morphTargets: number;
  createdAt: string;
  /** Whether the model depicts a real person; then `consent` is on record. */
  depictsRealPerson: boolean;
  consent?: Required<AvatarConsent>;
}

/** A presenter every server has: the 2D cartoon and the built-in 3D hosts. */
export interface BuiltInAvatar {
  id: string;
  name: string;
  kind: AvatarKind;
  description: string;
}

/** The recorded consent of the person an avatar is enrolled from; required for every enrollment. */
export interface AvatarConsent {
  personName: string;
  /** The consent statement the person agreed to, verbatim. */
  statement: string;
  /** Who uploaded the video (operator name or account). */
  uploadedBy: string;
  /** When the person agreed (ISO time); the upload time when not given. */
  agreedAt?: string;
}

export interface AvatarVideoInfo {
  width: number;
  height: number;
  fps: number;
  /** Seconds. */
  duration: number;
  codec: string;
}

export type AvatarState = 'queued' | 'processing' | 'ready' | 'failed' | 'cancelled';

/** A real-person avatar and its enrollment job. */
export interface AvatarInfo {
  id: string;
  name: string;
  state: AvatarState;
  /** `queued`, then the enrollment stage (`validating`, `analysing`, `selecting`, `extracting`, `writing`), then `done`. */
  stage: string;
  /** Overall 0..1. */
  progress: number;
  /** Why it failed, for the user. */
  error?: string;
  consent: Required<AvatarConsent>;
  createdAt: string;
  finishedAt?: string;
  video: AvatarVideoInfo;
  /** Summary of the built pack, once ready. */
  pack?: {
    width: number;
    height: number;
    fps: number;
    idleFrames: number;
    atlasMouths: number;
    matte: string;
    faceFraction: number;
    analysisSeconds: number;
  };
}

/** Events of an avatar's enrollment websocket (`GET /v1/avatars/:id/ws`). */
export interface AvatarEvent {
  event: 'avatar.progress' | 'avatar.ready' | 'avatar.failed' | 'avatar.cancelled';
  data: AvatarInfo;
}

export interface AuditEntry {
  at: string;
  sessionId: string;
  /**
   * speak: a line was queued for speech (any source); moderation.blocked / moderation.replaced: the
   * filter stopped or changed a line; interrupt, takeover: the operator cut in; presence.*: the
   * operator's panel came or went; show.*: show control.
   */
  action:
    | 'speak'
    | 'interrupt'
    | 'takeover'
    | 'moderation.blocked'
    | 'moderation.replaced'
    | 'presence.start'
    | 'presence.end'
    | 'show.control';
  /** Who asked: operator (API), show, rule:ID, llm, insert… */
  source?: string;
  utteranceId?: string;
  text?: string;
  lang?: string;
  voice?: string;
  /** Moderation: the terms that matched and why. */
  hits?: { term: string; action: string; reason?: string }[];
  detail?: string;
  client: string;
}

/** Audit record of an avatar enrollment or 3D model upload (with the consent it was made under) or its deletion. */
export interface AvatarAuditEntry {
  at: string;
  action: 'avatar.enroll' | 'avatar.delete' | 'avatar.model.upload' | 'avatar.model.delete';
  avatarId: string;
  name?: string;
  /** For a 3D model: vrm1, vrm0 or glb. */
  format?: string;
  consent?: Required<AvatarConsent>;
  client: string;
}

/** Audit record of a custom voice: made (with consent), dataset exported, model imported, deleted. */
export interface VoiceAuditEntry {
  at: string;
  action: 'voice.create' | 'voice.export' | 'voice.model' | 'voice.zero-shot' | 'voice.delete';
  voiceId: string;
  name?: string;
  lang?: string;
  clips?: number;
  consent?: Required<AvatarConsent>;
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
  /** The voice had trouble: a speech server failed and the fallback (eSpeak) voice spoke instead. */
  'speech.warning': SpeechEventData & { message: string };
  /** The operator's live voice reached the presenter / stopped. */
  'voice.started': { pts: number };
  'voice.ended': { pts: number };
  'session.closed': { id: string };
  error: { message: string };
  // The live room's show, for every client of the session.
  'show.segment': ShowEventMap['show.segment'];
  'show.line': ShowEventMap['show.line'];
  'show.insert': ShowEventMap['show.insert'];
  'show.state': ShowEventMap['show.state'];
  'show.ended': ShowEventMap['show.ended'];
  // Operator-only: sent on sockets opened with operator credentials (a publish token), never to viewers.
  /** An audience event and what became of it (answered, cooldown, filtered…). */
  'audience.event': AudienceLogEntry;
  /** A line was stopped / changed by the moderation filter (terms and reasons in `hits`). */
  'moderation.blocked': ModerationLogEntry;
  'moderation.replaced': ModerationLogEntry;
  /** The LLM answering a comment: started, each sentence, a filler line, done or failed. */
  'llm.reply': { state: 'started' | 'sentence' | 'filler' | 'done' | 'failed'; text?: string; error?: string; ms?: number };
  'connector.status': ConnectorStatus;
  'operator.presence': OperatorPresence;
}

/** A voice a presenter can speak with (GET /v1/voices). */
export interface VoiceInfo {
  /** What to pass as `voice`: an eSpeak name (en-us, cmn) or ENGINE:NAME (local, custom, openai, cosyvoice, gpt-sovits, piper). */
  voice: string;
  engine: string;
  label: string;
  langs: ('en' | 'zh')[];
  /** How the mouth is timed: phonemes from the engine, or read from the audio by the viseme model. */
  lipSync: 'phonemes' | 'audio';
  /** false: unusable now (a speech server being skipped after failures, a custom voice without a model). */
  ok: boolean;
  error?: string;
  licence?: string;
}

/** The session's voice; `robotic` when viewers hear eSpeak NG (no voice chosen, or an eSpeak one). */
export interface SessionVoice {
  voice: string | null;
  robotic: boolean;
}

export interface TakeCheck {
  name: 'level' | 'clipping' | 'noise' | 'length' | 'reading';
  ok: boolean;
  value: number;
  reason?: string;
}

export interface TakeInfo {
  index: number;
  text: string;
  ok: boolean;
  checks: TakeCheck[];
  seconds: number;
  snrDb: number;
  recordedAt: string;
}

/** A presenter's own voice being recorded in the studio (POST /v1/voices). */
export interface CustomVoiceInfo {
  id: string;
  /** Pass as `voice` once a model is imported. */
  voice: string;
  name: string;
  lang: 'en' | 'zh';
  consent: Required<AvatarConsent>;
  createdAt: string;
  /** Takes that passed of all prompts (prompt 0 is the consent statement), and the next to record. */
  progress: { total: number; done: number; next: number | null };
  model: { kind: 'piper'; importedAt: string; sampleRate: number } | null;
  /** A CosyVoice server cloning this voice zero-shot from its reference clip (voice `cosyvoice:ID`). */
  zeroShot: { engine: 'cosyvoice'; url: string; sampleRate: number; timeoutMs?: number; boundAt: string } | null;
  /** The clip zero-shot engines get as reference (3–10 s, cleanest). */
  reference: { index: number; text: string; seconds: number } | null;
  prompts?: { index: number; id: string; text: string; take: TakeInfo | null }[];
}
