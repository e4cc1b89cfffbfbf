// Child process that builds one avatar pack: `node --import tsx enroll-process.ts VIDEO PACK_DIR`.
// Enrollment decodes and analyses the whole video for tens of seconds per minute of footage; in
// the server's event loop that would stall every live stream, so it runs here, at low priority,
// and reports over IPC (see enroll-messages.ts).
import os from 'node:os';
import type { EnrollMessage } from './enroll-messages.ts';

// Before anything heavy starts: threads and ffmpeg children created later inherit the niceness.
try {
  os.setPriority(10);
} catch {
  // not permitted here: run at normal priority
}

const [video, packDir] = process.argv.slice(2);
const controller = new AbortController();

function send(msg: EnrollMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(msg, undefined, {}, () => resolve());
  });
}

// The server went away (crash, SIGKILL): stop rather than burn CPU for nobody. A restarted server
// re-runs the job from the kept upload.
process.on('disconnect', () => {
  controller.abort();
  setTimeout(() => process.exit(1), 2000).unref();
});
process.on('SIGTERM', () => {
  controller.abort();
  setTimeout(() => process.exit(1), 2000).unref();
});

if (!video || !packDir || !process.send) {
  console.error('usage (from the server, with an IPC channel): enroll-process.ts VIDEO PACK_DIR');
  process.exit(2);
}

try {
  const { enrollAvatar } = await import('../../pipeline/stages/avatar/real-person/enroll.ts');
  let last = 0;
  let lastStage = '';
  const manifest = await enrollAvatar(video, packDir, {
    signal: controller.signal,
    onValidated: (info) => void send({ type: 'validated', info }),
    onProgress: (p) => {
      // Enough for a progress bar without flooding the channel.
      const now = Date.now();
      if (now - last < 200 && p.stage === lastStage && p.progress < 1) return;
      last = now;
      lastStage = p.stage;
      void send({ type: 'progress', ...p });
    },
  });
  await send({ type: 'done', manifest });
  process.exit(0);
} catch (err) {
  const e = err as Error;
  if (e?.name === 'AbortError' || controller.signal.aborted) process.exit(1);
  const userFacing = e?.name === 'EnrollmentError';
  await send({ type: 'error', message: userFacing ? e.message : String(e?.stack ?? e), userFacing });
  process.exit(1);
}
