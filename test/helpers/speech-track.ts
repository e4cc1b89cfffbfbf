// Speech → per-frame mouth targets, computed the way the presenter does (the viseme track from
// eSpeak's phoneme events × each frame's loudness): what a rendered mouth should follow.
import type { AvatarState } from '../../pipeline/stages/avatar/avatar.ts';
import { MouthTrack } from '../../pipeline/stages/lipsync/mouth-track.ts';
import type { EspeakEngine } from '../../pipeline/stages/tts/espeak-engine.ts';
import type { Lang } from '../../pipeline/stages/tts/tts-types.ts';

export const FPS = 25;
export const SAMPLES_PER_FRAME = 48000 / FPS;

export async function speechFrames(espeak: EspeakEngine, text: string, lang: Lang): Promise<AvatarState['mouth'][]> {
  const samples: Int16Array[] = [];
  const track = new MouthTrack();
  let total = 0;
  for await (const chunk of espeak.synthesize({ segments: [{ kind: 'text', text, rate: 1 }], lang }, new AbortController().signal)) {
    track.addPhonemes(chunk.events.filter((e) => e.type === 'phoneme').map((e) => ({ at: e.at, phoneme: (e as { phoneme: string }).phoneme })), total);
    samples.push(chunk.samples);
    total += chunk.samples.length;
  }
  track.closeAt(total);
  const audio = new Int16Array(total);
  let o = 0;
  for (const s of samples) {
    audio.set(s, o);
    o += s.length;
  }
  const mouths: AvatarState['mouth'][] = [];
  for (let pts = 0; pts + SAMPLES_PER_FRAME <= total; pts += SAMPLES_PER_FRAME) {
    let sum = 0;
    for (let i = pts; i < pts + SAMPLES_PER_FRAME; i++) sum += audio[i]! * audio[i]!;
    mouths.push(track.mouthAt(pts, Math.sqrt(sum / SAMPLES_PER_FRAME)));
  }
  return mouths;
}
