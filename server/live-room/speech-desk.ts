import { EventEmitter } from 'node:events';
import type { ModerationHit, ModerationLogEntry } from '../../client-sdk/src/live-room-types.ts';
import type { PresenterSource } from '../../pipeline/session/presenter-source.ts';
import { SsmlError, toSegments } from '../../pipeline/stages/tts/ssml.ts';
import { detectLang, splitByLanguage, VoiceError, type Lang } from '../../pipeline/stages/tts/tts-types.ts';
import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import { HttpError } from '../errors.ts';
import type { Moderator } from '../moderation/moderator.ts';

export interface SayRequest {
  text: string;
  lang?: Lang | 'auto';
  voice?: string;
  interrupt?: boolean;
  next?: boolean;
  /** operator, show, insert, rule:ID, llm, filler… */
  source: string;
  /** Written by the operator (speak API, rundown, operator inserts) rather than derived from the audience. */
  trusted: boolean;
  client?: string;
  /** Called as soon as the line is queued, before its audio can start (so its speech.started can be matched). */
  onQueued?: (utteranceId: string, said: string) => void;
}

export type SayResult =
  | { spoken: true; utteranceId: string; lang: Lang; text: string; queued: number }
  | { spoken: false; hits: ModerationHit[]; reason: string };

const MODERATION_LOG = 200;

/**
 * The one door to the presenter's voice: every line from any source (speak API, show, rules, LLM)
 * is parsed, passes moderation, is written to the audit log, then queued. A blocked line is never
 * synthesised; the operator sees which term and why (`moderation` event + audit entry).
 */
export class SpeechDesk extends EventEmitter<{ moderation: [ModerationLogEntry] }> {
  readonly #sessionId: string;
  readonly #presenter: PresenterSource;
  readonly #moderator: Moderator;
  readonly #audit: AuditLog;
  readonly #voices: VoiceRouter;
  readonly log: ModerationLogEntry[] = [];

  constructor(deps: { sessionId: string; presenter: PresenterSource; moderator: Moderator; audit: AuditLog; voices: VoiceRouter }) {
    super();
    this.#sessionId = deps.sessionId;
    this.#presenter = deps.presenter;
    this.#moderator = deps.moderator;
    this.#audit = deps.audit;
    this.#voices = deps.voices;
  }

  get presenter(): PresenterSource {
    return this.#presenter;
  }

  /** Checks a line without saying it: throws HttpError 400 for malformed SSML or an unknown voice. */
  async validate(text: string, voice?: string): Promise<void> {
    this.#parse(text);
    await this.#resolveVoice(voice);
  }

  #parse(text: string) {
    try {
      const segments = toSegments(text);
      const plain = segments.map((s) => (s.kind === 'text' ? s.text : '')).join(' ');
      if (!plain.trim()) throw new HttpError(400, 'text has nothing to say');
      return { segments, plain };
    } catch (err) {
      if (err instanceof SsmlError) throw new HttpError(400, err.message);
      throw err;
    }
  }

  async #resolveVoice(voice: string | undefined): Promise<void> {
    try {
      await this.#voices.resolve(voice);
    } catch (err) {
      if (err instanceof VoiceError) throw new HttpError(400, err.message);
      throw err;
    }
  }

  /** The session's voice: what lines that name none are said with (undefined: eSpeak NG). */
  voice: string | undefined;

  /** Sets the session's voice after checking it can be used (400 with the reason otherwise). */
  async setVoice(voice: string | undefined): Promise<void> {
    await this.#resolveVoice(voice);
    this.voice = voice;
  }

  async say(req: SayRequest): Promise<SayResult> {
    this.#parse(req.text); // malformed input is the caller's error before anything else
    const voice = req.voice ?? this.voice;
    await this.#resolveVoice(voice);
    const at = new Date().toISOString();
    const verdict = await this.#moderator.check(req.text, req.source, req.trusted);
    const entry: ModerationLogEntry = { at, source: req.source, text: req.text, verdict: verdict.verdict, hits: verdict.hits };
    if (verdict.verdict === 'blocked') {
      this.#remember(entry);
      await this.#audit.append({ at, sessionId: this.#sessionId, action: 'moderation.blocked', source: req.source, text: req.text, hits: verdict.hits, client: req.client ?? 'server' });
      const terms = verdict.hits.filter((h) => h.action === 'block').map((h) => `"${h.term}"`).join(', ');
      return { spoken: false, hits: verdict.hits, reason: `blocked by moderation: ${terms}` };
    }
    const text = verdict.text;
    if (verdict.verdict === 'replaced') {
      entry.said = text;
      this.#remember(entry);
      await this.#audit.append({ at, sessionId: this.#sessionId, action: 'moderation.replaced', source: req.source, text: req.text, hits: verdict.hits, detail: text, client: req.client ?? 'server' });
    }
    let { segments, plain } = this.#parse(text);
    const explicit = req.lang && req.lang !== 'auto' ? req.lang : undefined;
    const lang = explicit ?? detectLang(plain);
    // Auto language: mixed zh/en text is split so each part gets the right eSpeak voice.
    if (!explicit && this.#voices.isEspeak(voice)) segments = splitByLanguage(segments);
    // Audited as it is queued, long before its audio goes out: nothing is said without a record.
    const pending = { at, sessionId: this.#sessionId, action: 'speak' as const, source: req.source, text, lang, voice, client: req.client ?? 'server' };
    let utteranceId: string;
    try {
      utteranceId = this.#presenter.speak({ text: plain, segments, lang, voice, interrupt: req.interrupt, next: req.next });
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(409, err.message);
      throw err;
    }
    req.onQueued?.(utteranceId, text);
    await this.#audit.append({ ...pending, utteranceId });
    return { spoken: true, utteranceId, lang, text, queued: this.#presenter.queueLength };
  }

  #remember(entry: ModerationLogEntry): void {
    this.log.push(entry);
    if (this.log.length > MODERATION_LOG) this.log.shift();
    this.emit('moderation', entry);
  }
}
