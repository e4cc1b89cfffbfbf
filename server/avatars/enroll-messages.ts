import type { EnrollProgress, PackManifest, VideoInfo } from '../../pipeline/stages/avatar/real-person/enroll.ts';

/** What the enrollment child process (enroll-process.ts) tells the server over IPC. */
export type EnrollMessage =
  | { type: 'validated'; info: VideoInfo }
  | ({ type: 'progress' } & EnrollProgress)
  | { type: 'done'; manifest: PackManifest }
  /** `userFacing`: an EnrollmentError, whose message is meant for the person who uploaded. */
  | { type: 'error'; message: string; userFacing: boolean };
