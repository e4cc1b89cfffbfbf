// GC settings for a process that moves video frames. Measured on a speaking session (2-core box):
// without them V8 fell, at random per session, into full mark-compacts 3–4 times a second, each
// marking the whole 40–45 MB heap on its helper threads — a quarter of a core, and the reason a
// session's CPU read either ~40 % or ~60 % of a core for the same work. Two causes, two settings:
//  1. Canvas pixels reach JS as napi Buffers over native memory (`canvas.data()`), and V8 counts
//     each as external memory: 3.7 MB per 720p frame. V8 frees them at the next scavenge, but when
//     scavenges come less often than every ~17 frames the external total passes V8's 64 MB soft
//     limit and it starts a full GC. A minor GC once the frames have wrapped 24 MB keeps it under.
//  2. After a full GC V8 set the old-generation limit only ~25 % above the live heap; the slack
//     (~10 MB) was below the new space's capacity, so V8 began marking again at once, forever.
//     A growing factor of 2 leaves room (the heap may reach twice its live size: ~80 MB).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

type Gc = (options?: { type?: 'major' | 'minor'; execution?: 'sync' | 'async' }) => void;

/** Wrapped bytes after which a minor GC runs (well under V8's 64 MB soft limit). */
const WRAPPED_BYTES_PER_MINOR_GC = 24 * 1024 * 1024;

let gc: Gc | undefined | null;
let wrapped = 0;

/** Applies the heap setting; call once at start (a process that never calls it keeps V8's defaults). */
export function tuneGcForMedia(): void {
  setFlagsFromString('--heap-growing-percent=100');
}

function collector(): Gc | null {
  if (gc !== undefined) return gc;
  try {
    // --expose-gc set at run time applies to new contexts: one is made just to fetch gc().
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as Gc;
  } catch {
    gc = null;
  }
  return gc;
}

/** Records that `bytes` of native memory were just wrapped in a short-lived Buffer. */
export function noteWrappedBytes(bytes: number): void {
  wrapped += bytes;
  if (wrapped < WRAPPED_BYTES_PER_MINOR_GC) return;
  wrapped = 0;
  collector()?.({ type: 'minor' });
}
