import type { Shot } from '../../pipeline/stages/avatar/three-d/camera-shots.ts';
import type { RecordStore } from './record-store.ts';
import type { VideoFormat } from '../../pipeline/core/media.ts';

export interface OutputRecord {
  id: string;
  kind: 'rtmp';
  url: string;
  createdAt: string;
}

/** Control-plane state of a session. Media never goes through the store. */
export interface SessionRecord {
  id: string;
  viewerToken: string;
  createdAt: string;
  video: VideoFormat;
  /** What the session shows: the AI presenter, or the foundation's test card (diagnostics). */
  source: 'presenter' | 'test-card';
  /** Presenter sessions: `cartoon` or the id of the real-person avatar shown (absent: cartoon). */
  avatar?: string;
  /** The 3D presenters' camera framing (2D avatars have a fixed one); absent: half body. */
  shot?: Shot;
  outputs: OutputRecord[];
}

/** Where session records live: in-process by default, Redis when REDIS_URL is set. */
export type SessionStore = RecordStore<SessionRecord>;
