import { STABLE_POINTS } from '../../face/mesh-indices.ts';
import { eyeDistance, headPose, measureMouth } from './geometry.ts';

export interface IdleLoop {
  /** First frame of the loop; also the reference pose. */
  start: number;
  /** One past the last frame; the loop jumps from end − 1 back to start. */
  end: number;
  /** Frames at the end that fade into the frames just before start. */
  crossfade: number;
}

/**
 * Picks the stretch of footage to loop while the presenter idles: closed mouth, little head
 * motion, near-frontal, every frame with a face; then the loop end whose face is most like the
 * start's, so the cross-faded jump back is barely visible.
 */
export function chooseIdleLoop(points: (Float32Array | undefined)[], fps: number, seconds = 5): IdleLoop {
  const n = points.length;
  const crossfade = Math.max(4, Math.round(fps / 3));
  const length = Math.min(Math.round(seconds * fps), Math.floor((n - crossfade) * 0.6));
  const cost = new Float64Array(n);
  const opens = points.filter(Boolean).map((p) => measureMouth(p!).open).sort((a, b) => a - b);
  const openRef = Math.max(1e-3, opens[Math.floor(opens.length * 0.9)]);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    const prev = points[i - 1];
    if (!p || (i > 0 && !prev)) {
      cost[i] = 1e3;
      continue;
    }
    const s = eyeDistance(p);
    let motion = 0;
    if (prev) for (const k of STABLE_POINTS) motion += Math.hypot(p[2 * k] - prev[2 * k], p[2 * k + 1] - prev[2 * k + 1]);
    motion /= STABLE_POINTS.length * s;
    const pose = headPose(p);
    cost[i] = (measureMouth(p).open / openRef) * 1.0 + motion * 60 + Math.abs(pose.yaw) * 8 + Math.abs(pose.roll) * 2;
  }
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + cost[i];
  let best = crossfade;
  let bestCost = Infinity;
  for (let s = crossfade; s + length <= n; s++) {
    const c = prefix[s + length] - prefix[s - crossfade];
    if (c < bestCost) {
      bestCost = c;
      best = s;
    }
  }
  // Loop end: among the last quarter of the window, the frame closest to the start frame.
  const ref = points[best]!;
  const s = eyeDistance(ref);
  let end = best + length;
  let bestDist = Infinity;
  for (let e = best + Math.round(length * 0.75); e <= best + length && e < n; e++) {
    const p = points[e];
    if (!p) continue;
    let d = 0;
    for (let k = 0; k < p.length; k += 2) d += Math.hypot(p[k] - ref[k], p[k + 1] - ref[k + 1]);
    d /= (p.length / 2) * s;
    if (d < bestDist) {
      bestDist = d;
      end = e;
    }
  }
  return { start: best, end, crossfade };
}
