// The checks a recorded take goes through before it joins a voice dataset, each with a plain
// reason the person can act on (the studio shows them per take).
import type { VoiceVisemeModel } from '../lipsync/onnx-voice-mouth.ts';
import { readingCost, to16k } from './reading-check.ts';
import { measureTake, type TakeLevels } from './take-levels.ts';

export interface TakeCheck {
  name: 'level' | 'clipping' | 'noise' | 'length' | 'reading';
  ok: boolean;
  value: number;
  reason?: string;
}

/** Calibrated on eSpeak voices reading vs. misreading prompts: same text ≤ 0.23, other text ≥ 0.5. */
export const READING_MAX_COST = 0.42;
export const MIN_SNR_DB = 35;
const QUIET_PEAK_DB = -18;

export function levelChecks(l: TakeLevels): TakeCheck[] {
  const checks: TakeCheck[] = [];
  checks.push(
    l.peakDb < QUIET_PEAK_DB
      ? { name: 'level', ok: false, value: round(l.peakDb), reason: `too quiet: peaks at ${round(l.peakDb)} dBFS (aim for −6 to −3 dBFS): move closer or raise the input gain` }
      : { name: 'level', ok: true, value: round(l.peakDb) },
  );
  checks.push(
    l.clips > 0
      ? { name: 'clipping', ok: false, value: l.clips, reason: `clipped ${l.clips} time${l.clips > 1 ? 's' : ''}: the input is too loud, lower the gain and read it again` }
      : { name: 'clipping', ok: true, value: 0 },
  );
  checks.push(
    l.snrDb < MIN_SNR_DB
      ? { name: 'noise', ok: false, value: round(l.snrDb), reason: `noisy: background at ${round(l.noiseDb)} dBFS, speech only ${round(l.snrDb)} dB above it (needs ≥ ${MIN_SNR_DB} dB): find a quieter room or turn off fans` }
      : { name: 'noise', ok: true, value: round(l.snrDb) },
  );
  checks.push(
    l.speechSeconds < 0.8
      ? { name: 'length', ok: false, value: round(l.speechSeconds), reason: 'no speech found in the take' }
      : l.speechSeconds > 15
        ? { name: 'length', ok: false, value: round(l.speechSeconds), reason: `too long (${round(l.speechSeconds)} s): one sentence per take` }
        : { name: 'length', ok: true, value: round(l.speechSeconds) },
  );
  return checks;
}

/** Does the take say `reference` (the prompt as eSpeak reads it)? */
export async function readingCheck(model: VoiceVisemeModel, take: Int16Array, rate: number, reference: Int16Array, referenceRate: number): Promise<TakeCheck> {
  const { cost, lengthRatio } = await readingCost(model, to16k(take, rate), to16k(reference, referenceRate));
  const value = Math.round(cost * 1000) / 1000;
  if (cost > READING_MAX_COST || lengthRatio < 0.4 || lengthRatio > 2.5) {
    return { name: 'reading', ok: false, value, reason: `this does not sound like the sentence on screen (match ${value} > ${READING_MAX_COST}): read it again, word for word` };
  }
  return { name: 'reading', ok: true, value };
}

export { measureTake };
const round = (x: number) => Math.round(x * 10) / 10;
