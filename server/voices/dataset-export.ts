// A voice's dataset as one zip: the passing takes at 48 kHz in the LJSpeech layout Piper's trainer
// reads (wavs/ID.wav + metadata.csv "id|text|text"), a GPT-SoVITS list file, the consent record and
// the consent reading. The archive says who agreed to what, so it never travels without it.
import { readFile } from 'node:fs/promises';
import { strToU8, zipSync, type Zippable } from 'fflate';
import type { CustomVoiceRecord, CustomVoiceStore } from './custom-voice-store.ts';
import { promptList } from './voice-prompts.ts';

export async function exportDataset(store: CustomVoiceStore, record: CustomVoiceRecord): Promise<{ zip: Uint8Array; clips: number }> {
  const prompts = promptList(record.lang).prompts;
  const files: Zippable = { wavs: {} };
  const ljspeech: string[] = [];
  const sovits: string[] = [];
  const takes = Object.values(record.takes)
    .filter((t) => t.ok && t.index > 0)
    .sort((a, b) => a.index - b.index);
  for (const take of takes) {
    const id = prompts[take.index - 1]!.id;
    (files.wavs as Zippable)[`${id}.wav`] = [await readFile(store.takeFile(record.id, take.index)), { level: 0 }];
    const text = take.text.replace(/[|\n]/g, ' ');
    ljspeech.push(`${id}|${text}|${text}`);
    sovits.push(`wavs/${id}.wav|${safeName(record.name)}|${record.lang.toUpperCase()}|${text}`);
  }
  files['metadata.csv'] = strToU8(ljspeech.join('\n') + '\n');
  files['gpt-sovits.list'] = strToU8(sovits.join('\n') + '\n');
  files['consent.json'] = strToU8(JSON.stringify({ voiceId: record.id, name: record.name, lang: record.lang, consent: record.consent, exportedAt: new Date().toISOString() }, null, 2));
  files['consent.wav'] = [await readFile(store.takeFile(record.id, 0)), { level: 0 }];
  files['README.txt'] = strToU8(readme(record, takes.length));
  return { zip: zipSync(files), clips: takes.length };
}

const safeName = (s: string) => s.replace(/[^\p{L}\p{N}_-]+/gu, '_').slice(0, 40) || 'speaker';

function readme(record: CustomVoiceRecord, clips: number): string {
  return `Voice dataset "${record.name}" (${record.lang}), ${clips} clips, exported by OnAir.

${record.consent.personName} agreed, on ${record.consent.agreedAt}, to: "${record.consent.statement}"
(consent.json; consent.wav is them reading it). Use this dataset only within that consent.

Layout: wavs/*.wav (48 kHz, 16-bit mono, trimmed to speech), metadata.csv (LJSpeech: id|text|text).
- Piper: python -m piper_train.preprocess --language ${record.lang === 'zh' ? 'zh' : 'en-us'} --input-dir . --output-dir train --dataset-format ljspeech --single-speaker --sample-rate 22050
  then fine-tune from a checkpoint of the same language, export to voice.onnx + voice.onnx.json and
  import both back: PUT /v1/voices/custom/${record.id}/model (multipart fields "model" and "config").
- GPT-SoVITS: gpt-sovits.list (path|speaker|language|text) for its fine-tuning pipeline.
- Zero-shot engines (CosyVoice, GPT-SoVITS, ZipVoice): GET /v1/voices/custom/${record.id}/reference.wav
  is the clip OnAir picked (3–10 s, cleanest), with its text in GET /v1/voices/custom/${record.id}.
`;
}
