// The sentences a person reads to make a voice (written and chosen by prompts/select-prompts.ts:
// phonetically balanced, see prompts/README.md). Prompt 0 is always their consent statement.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PromptList {
  lang: 'en' | 'zh';
  prompts: { id: string; text: string }[];
}

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'prompts');
const cache = new Map<string, PromptList>();

export function promptList(lang: 'en' | 'zh'): PromptList {
  let list = cache.get(lang);
  if (!list) {
    list = JSON.parse(readFileSync(path.join(dir, `${lang}.json`), 'utf8')) as PromptList;
    cache.set(lang, list);
  }
  return list;
}

/** The text of take `index` for a voice: 0 the consent statement, 1…n the prompts. */
export function promptText(lang: 'en' | 'zh', consentStatement: string, index: number): string | undefined {
  if (index === 0) return consentStatement;
  return promptList(lang).prompts[index - 1]?.text;
}
