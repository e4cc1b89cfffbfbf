// Shapes of the live room: the server-side show, audience events and connectors, reply rules,
// moderation and operator presence (see README "Live room"). Shared by the server and the SDK.

/** Where an inserted line goes: end of the current segment, right after the line playing, or now (cut). */
export type InsertMode = 'append' | 'next' | 'now';

export interface ShowLine {
  /** One or more wordings (text or SSML); the show rotates through them (or picks at random). */
  variants: string[];
  lang?: 'auto' | 'en' | 'zh';
  voice?: string;
}

export interface Product {
  name: string;
  /** Shown as written, e.g. "¥99" or "$19.99". */
  price?: string;
  imageBase64?: string;
  sellingPoints?: string[];
  /** Product card line counting down to this time (ISO), e.g. the end of a deal. */
  countdownTo?: string;
  /** Product card line such as "Only 20 left". */
  stockLine?: string;
}

export interface ShowSegment {
  /** Stable id (given or generated), used to jump. */
  id?: string;
  product: Product;
  lines: ShowLine[];
}

export interface Rundown {
  segments: ShowSegment[];
  /** How many times the rundown plays; 0 = forever. */
  loops?: number;
  /** How variants are chosen: in rotation (default) or at random without repeating the last one. */
  variantOrder?: 'rotate' | 'random';
  /** Seconds of quiet between lines. */
  gapMs?: number;
  /** Start at this time (ISO) instead of on `start`. */
  startAt?: string;
}

export type ShowState = 'idle' | 'scheduled' | 'playing' | 'paused' | 'ended';

export interface ShowPosition {
  segment: number;
  line: number;
  /** 0-based pass through the rundown. */
  loop: number;
}

export interface InsertRequest {
  text: string;
  mode: InsertMode;
  lang?: 'auto' | 'en' | 'zh';
  voice?: string;
  /** Where it came from (operator, rule id, llm…), for the log and audit. */
  source?: string;
}

export interface QueuedInsert extends InsertRequest {
  id: string;
  at: string;
}

export interface ShowStatus {
  state: ShowState;
  position: ShowPosition;
  segmentId?: string;
  /** What is being said now (show line or insert), if anything. */
  playing?: { kind: 'line' | 'insert'; text: string; utteranceId?: string; insertId?: string };
  inserts: QueuedInsert[];
  rundown?: Rundown;
  startAt?: string;
}

/** Session websocket events of the show. */
export interface ShowEventMap {
  'show.segment': { segment: number; segmentId: string; product: Omit<Product, 'imageBase64'>; loop: number };
  'show.line': { segment: number; line: number; loop: number; variant: number; text: string; utteranceId: string };
  'show.insert': { insertId: string; mode: InsertMode; text: string; source?: string; utteranceId?: string; state: 'queued' | 'playing' | 'done' | 'dropped' };
  'show.state': { state: ShowState; position: ShowPosition };
  'show.ended': { loops: number };
}

// ---------- Audience ----------

export type AudienceEventKind = 'comment' | 'gift' | 'like' | 'follow' | 'enter';

/** One normalised audience event, whatever platform it came from. */
export interface AudienceEvent {
  /** Dedupe id, unique per platform (events seen twice are dropped). */
  id: string;
  kind: AudienceEventKind;
  /** `webhook`, `youtube`, `bilibili`, … */
  platform: string;
  userId: string;
  userName: string;
  /** Comment text (comments, super chats). */
  text?: string;
  /** Gift value or like count. */
  amount?: number;
  /** Gift name, currency… whatever the platform says about the amount. */
  unit?: string;
  /** ISO time the platform gives (or arrival time). */
  at: string;
}

/** What became of an audience event. */
export type AudienceOutcome =
  | 'answered' // a reply reached the reply queue
  | 'no-match' // no rule, no LLM
  | 'cooldown' // a rule matched but its rule/user cooldown held it
  | 'filtered' // the comment (or the user name) failed moderation
  | 'dropped' // the reply queue was full and this (oldest) reply was dropped
  | 'duplicate'
  | 'held'; // automatic replies are held while no operator is present

export interface AudienceLogEntry {
  event: AudienceEvent;
  outcome: AudienceOutcome;
  ruleId?: string;
  reply?: string;
  reason?: string;
}

export interface AudienceStats {
  received: number;
  duplicates: number;
  outcomes: Record<AudienceOutcome, number>;
  /** Replies that reached the air. */
  spoken: number;
  queue: number;
}

// ---------- Connectors ----------

export type ConnectorConfig =
  | {
      kind: 'youtube';
      /** The live chat id, or a video id to look it up (videos.list liveStreamingDetails.activeLiveChatId). */
      liveChatId?: string;
      videoId?: string;
      apiKey?: string;
      oauthToken?: string;
      /** Defaults to https://www.googleapis.com/youtube/v3 (tests point it at a local server). */
      baseUrl?: string;
    }
  | {
      kind: 'bilibili';
      /** The anchor's identity code (身份码). */
      code: string;
      appId: number;
      accessKeyId: string;
      accessKeySecret: string;
      /** Defaults to https://live-open.biliapi.com. */
      baseUrl?: string;
    };

export type ConnectorState = 'connecting' | 'live' | 'retrying' | 'failed' | 'stopped';

export interface ConnectorStatus {
  id: string;
  kind: ConnectorConfig['kind'];
  state: ConnectorState;
  /** Events delivered so far. */
  received: number;
  lastError?: string;
  /** Config without secrets. */
  config: Record<string, unknown>;
}

// ---------- Replies ----------

export interface ReplyRule {
  id?: string;
  /** Event kinds the rule answers (default: comment). */
  events?: AudienceEventKind[];
  /** Keywords; `|` inside one entry separates alternatives too (MetaStudio style). */
  keywords?: string[];
  /** any (default): one keyword is enough; all: every keyword must appear. */
  match?: 'any' | 'all';
  /** Optional JavaScript regular expression source, matched case-insensitively. */
  regex?: string;
  /** Higher wins when several rules match. */
  priority?: number;
  /** Up to 5 replies used in rotation; placeholders {user} {product} {price}. */
  replies: string[];
  cooldownSec?: number;
  perUserCooldownSec?: number;
  mode?: InsertMode;
  /** Overlay to show while the reply plays. */
  overlay?: { text: string; seconds?: number };
  enabled?: boolean;
}

export interface LlmConfig {
  /** OpenAI-compatible base URL, e.g. https://api.openai.com/v1 or http://127.0.0.1:11434/v1. */
  baseUrl: string;
  apiKey?: string;
  model: string;
  /** Extra instructions appended to the built-in system prompt. */
  instructions?: string;
  /** Filler line said when the first sentence takes longer than fillerAfterMs. */
  fillers?: string[];
  fillerAfterMs?: number;
  /** Whole answer deadline. */
  timeoutMs?: number;
  maxChars?: number;
  maxTokens?: number;
}

export interface ReplySettings {
  /** At most one audience reply reaches the air every this many seconds. */
  minIntervalSec: number;
  /** Replies waiting for the air; the oldest is dropped beyond it. */
  maxQueue: number;
  /** Hold automatic replies while no operator heartbeat is seen. */
  requireOperator: boolean;
  /** Answer comments no rule matched with the LLM (when configured). */
  llmFallback: boolean;
}

// ---------- Moderation ----------

export interface ProhibitedTerm {
  term: string;
  action: 'block' | 'replace';
  /** Said instead when action is replace (default: removed). */
  replacement?: string;
  /** Why it is prohibited (shown to the operator). */
  reason?: string;
}

export interface ModerationHit {
  term: string;
  action: 'block' | 'replace';
  reason?: string;
}

export interface ModerationSettings {
  terms: ProhibitedTerm[];
  /** Optional external endpoint: POST {text} → {allowed: boolean, reason?}. */
  externalUrl?: string;
  externalTimeoutMs?: number;
}

export interface ModerationLogEntry {
  at: string;
  source: string;
  text: string;
  verdict: 'allowed' | 'replaced' | 'blocked';
  hits: ModerationHit[];
  said?: string;
}

// ---------- Operator presence ----------

export interface OperatorPresence {
  present: boolean;
  lastSeen?: string;
  operator?: string;
}
