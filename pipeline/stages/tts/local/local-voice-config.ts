// A local neural voice is a folder the operator supplies (ONAIR_LOCAL_VOICES_DIR/NAME) holding a
// sherpa-onnx model and a small voice.json saying which model family it is and which file is which.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { VoiceError, type Lang } from '../tts-types.ts';

export type SherpaFamily = 'vits' | 'matcha' | 'kokoro' | 'kitten' | 'zipvoice';
const FAMILIES: SherpaFamily[] = ['vits', 'matcha', 'kokoro', 'kitten', 'zipvoice'];

/** voice.json: paths are relative to the voice's folder. */
export interface LocalVoiceManifest {
  family: SherpaFamily;
  label?: string;
  langs?: Lang[];
  /** Where the weights come from and under which licence (shown in the panel). */
  licence?: string;
  model?: string;
  tokens?: string;
  lexicon?: string;
  dataDir?: string;
  dictDir?: string;
  ruleFsts?: string;
  /** matcha */
  acousticModel?: string;
  vocoder?: string;
  /** kokoro / kitten */
  voices?: string;
  lang?: string;
  /** zipvoice */
  encoder?: string;
  decoder?: string;
  referenceAudio?: string;
  referenceText?: string;
  numSteps?: number;
  /** Multi-speaker models: which speaker. */
  speaker?: number;
  lengthScale?: number;
}

export interface LocalVoice {
  name: string;
  dir: string;
  manifest: LocalVoiceManifest;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const FILE_KEYS = ['model', 'tokens', 'lexicon', 'dataDir', 'dictDir', 'acousticModel', 'vocoder', 'voices', 'encoder', 'decoder', 'referenceAudio'] as const;
const REQUIRED: Record<SherpaFamily, (typeof FILE_KEYS)[number][]> = {
  vits: ['model', 'tokens'],
  matcha: ['acousticModel', 'vocoder', 'tokens'],
  kokoro: ['model', 'voices', 'tokens'],
  kitten: ['model', 'voices', 'tokens'],
  zipvoice: ['encoder', 'decoder', 'vocoder', 'tokens', 'referenceAudio'],
};

/** Reads NAME/voice.json from the voices folder and checks every file it names exists. */
export function readLocalVoice(root: string, name: string): LocalVoice {
  if (!NAME.test(name)) throw new VoiceError(`invalid local voice name "${name}"`);
  const dir = path.join(root, name);
  const file = path.join(dir, 'voice.json');
  if (!existsSync(file)) throw new VoiceError(`local voice "${name}" not found (no ${file})`);
  let manifest: LocalVoiceManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new VoiceError(`${file}: ${(err as Error).message}`);
  }
  if (!FAMILIES.includes(manifest.family)) throw new VoiceError(`${file}: family must be one of ${FAMILIES.join(', ')}`);
  for (const key of REQUIRED[manifest.family]) if (!manifest[key]) throw new VoiceError(`${file}: a ${manifest.family} voice needs "${key}"`);
  for (const key of FILE_KEYS) {
    const rel = manifest[key];
    if (rel === undefined) continue;
    const abs = path.resolve(dir, rel);
    if (!abs.startsWith(path.resolve(dir) + path.sep)) throw new VoiceError(`${file}: ${key} must stay inside the voice folder`);
    if (!existsSync(abs)) throw new VoiceError(`${file}: ${key} "${rel}" does not exist`);
  }
  return { name, dir, manifest };
}

/** Every folder under `root` with a voice.json (unreadable ones are listed by the router as broken). */
export function listLocalVoiceNames(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && NAME.test(d.name) && existsSync(path.join(root, d.name, 'voice.json')))
    .map((d) => d.name)
    .sort();
}
