import type { ShowRunner } from './show-runner.ts';

export interface SpokenDisclosureSettings {
  enabled: boolean;
  /** Said again every this many minutes while the show plays (0 = only at the start). */
  everyMinutes: number;
  /** auto: Chinese when the rundown is mostly Chinese. */
  lang: 'auto' | 'zh' | 'en';
}

export const DEFAULT_SPOKEN_DISCLOSURE: SpokenDisclosureSettings = { enabled: false, everyMinutes: 10, lang: 'auto' };

/** Both parts of GB 45438-2025's spoken prompt ("人工智能" + "生成"), and the English for EU viewers. */
export const SPOKEN_DISCLOSURE = {
  zh: '温馨提示：本直播内容由人工智能生成，主播为AI虚拟主播。',
  en: 'Please note: this live stream is AI-generated, and the presenter is an AI.',
};

/**
 * The optional spoken disclosure: said when the show starts and every N minutes while it plays,
 * in the show's language, as a `next` insert (never cutting a line).
 */
export class SpokenDisclosure {
  readonly #show: ShowRunner;
  settings: SpokenDisclosureSettings;
  #timer: NodeJS.Timeout | undefined;
  readonly #onState: (e: { state: string }) => void;

  constructor(show: ShowRunner, settings: SpokenDisclosureSettings) {
    this.#show = show;
    this.settings = settings;
    let last = show.state;
    this.#onState = ({ state }) => {
      // A show that starts (not one that resumes from a pause) opens with the disclosure.
      if (state === 'playing' && last !== 'paused' && last !== 'playing') this.#say();
      last = state as typeof last;
      this.#arm();
    };
    show.on('show.state', this.#onState);
    this.#arm();
  }

  configure(settings: SpokenDisclosureSettings): void {
    this.settings = settings;
    this.#arm();
  }

  #arm(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    if (!this.settings.enabled || this.settings.everyMinutes <= 0 || this.#show.state !== 'playing') return;
    this.#timer = setInterval(() => this.#say(), this.settings.everyMinutes * 60_000);
    this.#timer.unref();
  }

  #lang(): 'zh' | 'en' {
    if (this.settings.lang !== 'auto') return this.settings.lang;
    const text = (this.#show.status().rundown?.segments ?? []).flatMap((s) => s.lines.flatMap((l) => l.variants)).join('');
    const cjk = (text.match(/[\u3400-\u9fff]/g) ?? []).length;
    return cjk > text.length * 0.2 ? 'zh' : 'en';
  }

  #say(): void {
    if (!this.settings.enabled) return;
    const lang = this.#lang();
    void this.#show.insert({ text: SPOKEN_DISCLOSURE[lang], mode: 'next', lang, source: 'disclosure' }).catch(() => {});
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#show.off('show.state', this.#onState);
  }
}
