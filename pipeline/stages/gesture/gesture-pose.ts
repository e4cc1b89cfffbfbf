import { AUDIO_RATE } from '../../core/media.ts';
import type { ArmPose } from '../avatar/avatar.ts';
import type { Gesture, GestureCue } from './gesture-planner.ts';

export const REST: ArmPose = { shoulder: 0.1, elbow: 1.25, hand: 'relaxed' };

/** Peak pose of each gesture for the leading arm; `osc` adds motion while it is held. */
const PEAK: Record<Gesture, { arm: ArmPose; other?: ArmPose; osc?: { joint: 'shoulder' | 'elbow'; amp: number; hz: number }; nod?: number }> = {
  wave: { arm: { shoulder: 1.25, elbow: -1.75, hand: 'open' }, osc: { joint: 'elbow', amp: 0.35, hz: 2.2 } },
  point: { arm: { shoulder: 1.3, elbow: -0.15, hand: 'point' } },
  'open-palms': { arm: { shoulder: 0.35, elbow: -0.9, hand: 'open' }, other: { shoulder: 0.35, elbow: -0.9, hand: 'open' } },
  count: { arm: { shoulder: 0.45, elbow: -2.3, hand: 'count' }, osc: { joint: 'elbow', amp: 0.08, hz: 1.5 } },
  beat: { arm: { shoulder: 0.25, elbow: 1.35, hand: 'open' }, osc: { joint: 'shoulder', amp: 0.12, hz: 3 } },
  nod: { arm: REST, nod: 0.35 },
  present: { arm: { shoulder: 0.75, elbow: -0.7, hand: 'open' } },
};

const ATTACK_MS = 260;
const RELEASE_MS = 320;

function smoothstep(x: number): number {
  const t = Math.max(0, Math.min(1, x));
  return t * t * (3 - 2 * t);
}

function mix(a: ArmPose, b: ArmPose, w: number): ArmPose {
  return { shoulder: a.shoulder + (b.shoulder - a.shoulder) * w, elbow: a.elbow + (b.elbow - a.elbow) * w, hand: w > 0.5 ? b.hand : a.hand };
}

export interface GesturePose {
  left: ArmPose;
  right: ArmPose;
  nod: number;
}

/** Arm poses at `pts` given gesture cues on the absolute timeline (ease in, hold, ease out). */
export function gesturePoseAt(cues: readonly (GestureCue & { at: number })[], pts: number): GesturePose {
  let left = REST;
  let right = REST;
  let nod = 0;
  for (const cue of cues) {
    const ms = ((pts - cue.at) / AUDIO_RATE) * 1000;
    if (ms < 0 || ms > cue.durationMs + RELEASE_MS) continue;
    const w = ms < ATTACK_MS ? smoothstep(ms / ATTACK_MS) : ms > cue.durationMs ? 1 - smoothstep((ms - cue.durationMs) / RELEASE_MS) : 1;
    const peak = PEAK[cue.gesture];
    let arm = peak.arm;
    if (peak.osc) {
      const delta = peak.osc.amp * Math.sin((ms / 1000) * 2 * Math.PI * peak.osc.hz);
      arm = { ...arm, [peak.osc.joint]: arm[peak.osc.joint] + delta };
    }
    if (cue.side === 'left') left = mix(left, arm, w);
    else right = mix(right, arm, w);
    if (peak.other) {
      if (cue.side === 'left') right = mix(right, peak.other, w);
      else left = mix(left, peak.other, w);
    }
    if (peak.nod) nod = Math.max(nod, peak.nod * w * Math.abs(Math.sin((ms / 1000) * Math.PI * 2)));
  }
  return { left, right, nod };
}
