import { EventEmitter } from 'node:events';
import type {
  AudienceEvent,
  AudienceLogEntry,
  AudienceOutcome,
  AudienceStats,
  InsertMode,
  LlmConfig,
  Product,
  ReplyRule,
  ReplySettings,
} from '../../client-sdk/src/live-room-types.ts';
import type { Moderator } from '../moderation/moderator.ts';
import { streamAnswer } from './llm-replier.ts';
import { compileRule, fillReply, matchingRules, MAX_RULES, type CompiledRule } from './reply-rules.ts';
import type { ShowRunner } from './show-runner.ts';

export const DEFAULT_REPLY_SETTINGS: ReplySettings = { minIntervalSec: 8, maxQueue: 5, requireOperator: false, llmFallback: true };
const LOG_SIZE = 300;
const DEDUPE_SIZE = 20_000;
const DEFAULT_FILLERS = { zh: ['好问题，我看一下。'], en: ['Good question, one moment.'] };

type Pending =
  | { kind: 'rule'; entry: AudienceLogEntry; text: string; mode: InsertMode; overlay?: ReplyRule['overlay'] }
  | { kind: 'llm'; entry: AudienceLogEntry; userName: string };

export interface AudienceHubDeps {
  show: ShowRunner;
  moderator: Moderator;
  /** The product on air now and the show's products, for placeholders and the LLM prompt. */
  products: () => { current?: Product; all: Product[] };
  operatorPresent: () => boolean;
  /** Shows / hides a rule's overlay while its reply plays. */
  overlay: (text: string | undefined) => void;
  warn: (msg: string) => void;
}

/**
 * Where audience events land, whatever their source (webhook, connectors): deduped, filtered,
 * matched to rules (or handed to the LLM), and queued as replies. The queue is bounded (the oldest
 * reply is dropped) and paced — one reply reaches the air at most every `minIntervalSec`, and only
 * when the previous one is done — so a comment flood can't hijack the show.
 */
export class AudienceHub extends EventEmitter<{ audience: [AudienceLogEntry]; llm: [{ state: 'started' | 'sentence' | 'filler' | 'done' | 'failed'; text?: string; error?: string; ms?: number }] }> {
  readonly #deps: AudienceHubDeps;
  #rules: CompiledRule[] = [];
  settings: ReplySettings = { ...DEFAULT_REPLY_SETTINGS };
  llm: LlmConfig | undefined;
  readonly log: AudienceLogEntry[] = [];
  readonly #seen = new Set<string>();
  readonly #queue: Pending[] = [];
  readonly #ruleLast = new Map<string, number>();
  readonly #userLast = new Map<string, number>();
  readonly #rotation = new Map<string, number>();
  readonly stats: AudienceStats = { received: 0, duplicates: 0, outcomes: { answered: 0, 'no-match': 0, cooldown: 0, filtered: 0, dropped: 0, duplicate: 0, held: 0 }, spoken: 0, queue: 0 };
  #lastRelease = 0;
  #linesAtRelease = -1;
  #answering: AbortController | undefined;
  #timer: NodeJS.Timeout | undefined;
  #overlayFor: { insertId?: string; text: string; seconds?: number } | undefined;
  #closed = false;

  constructor(deps: AudienceHubDeps) {
    super();
    this.#deps = deps;
    // A rule's overlay follows its reply on air (and stays `seconds` after it).
    deps.show.on('show.insert', (e) => {
      const o = this.#overlayFor;
      if (!o || o.insertId !== e.insertId) return;
      if (e.state === 'playing') deps.overlay(o.text);
      else if (e.state === 'done' || e.state === 'dropped') {
        setTimeout(() => {
          if (this.#overlayFor !== o) return; // a newer reply's overlay is up
          this.#overlayFor = undefined;
          deps.overlay(undefined);
        }, e.state === 'done' ? (o.seconds ?? 0) * 1000 : 0).unref();
      }
    });
  }

  get rules(): (ReplyRule & { id: string })[] {
    return this.#rules.map((r) => r.spec);
  }

  /** Replaces the rule set (validated as a whole: one bad rule rejects the change). */
  setRules(rules: ReplyRule[]): void {
    if (rules.length > MAX_RULES) throw new RangeError(`at most ${MAX_RULES} rules`);
    const ids = new Set<string>();
    const compiled = rules.map((r, i) => {
      const id = r.id ?? `r${i + 1}`;
      if (ids.has(id)) throw new RangeError(`rule id "${id}" is used twice`);
      ids.add(id);
      return compileRule({ ...r, id });
    });
    this.#rules = compiled;
  }

  /** Takes a batch; returns what became of each event (final outcome, or `queued`). */
  ingest(events: AudienceEvent[]): { id: string; outcome: AudienceOutcome | 'queued' }[] {
    const results: { id: string; outcome: AudienceOutcome | 'queued' }[] = [];
    for (const event of events) results.push({ id: event.id, outcome: this.#one(event) });
    this.#schedule();
    return results;
  }

  #one(event: AudienceEvent): AudienceOutcome | 'queued' {
    this.stats.received++;
    const key = `${event.platform}:${event.id}`;
    if (this.#seen.has(key)) {
      this.stats.duplicates++;
      this.stats.outcomes.duplicate++;
      return 'duplicate';
    }
    this.#seen.add(key);
    if (this.#seen.size > DEDUPE_SIZE) this.#seen.delete(this.#seen.values().next().value!);
    const entry: AudienceLogEntry = { event, outcome: 'no-match' };
    const done = (outcome: AudienceOutcome, extra: Partial<AudienceLogEntry> = {}) => {
      Object.assign(entry, { outcome, ...extra });
      this.stats.outcomes[outcome]++;
      this.#record(entry);
      return outcome;
    };
    // Comments with prohibited or abusive words are never answered (nor echoed by an LLM).
    if (event.text) {
      const m = this.#deps.moderator.checkTerms(event.text);
      if (m.verdict === 'blocked') return done('filtered', { reason: `comment contains ${m.hits.map((h) => `"${h.term}"`).join(', ')}` });
    }
    // A rude name is never read aloud: the reply calls them "friend" instead.
    const nameOk = this.#deps.moderator.checkTerms(event.userName).verdict === 'allowed';
    const userName = nameOk ? event.userName : /[\u3400-\u9fff]/.test(event.text ?? '') ? '朋友' : 'friend';
    const rules = matchingRules(this.#rules, event);
    const now = Date.now();
    for (const rule of rules) {
      const id = rule.spec.id;
      const last = this.#ruleLast.get(id) ?? -Infinity;
      const userKey = `${id}\u0000${event.platform}:${event.userId}`;
      const userLast = this.#userLast.get(userKey) ?? -Infinity;
      if (now - last < (rule.spec.cooldownSec ?? 0) * 1000 || now - userLast < (rule.spec.perUserCooldownSec ?? 0) * 1000) {
        return done('cooldown', { ruleId: id, reason: now - last < (rule.spec.cooldownSec ?? 0) * 1000 ? 'rule cooldown' : 'per-user cooldown' });
      }
      if (this.settings.requireOperator && !this.#deps.operatorPresent()) return done('held', { ruleId: id, reason: 'no operator present' });
      this.#ruleLast.set(id, now);
      this.#userLast.set(userKey, now);
      const turn = this.#rotation.get(id) ?? 0;
      this.#rotation.set(id, turn + 1);
      const { current } = this.#deps.products();
      const text = fillReply(rule.spec.replies[turn % rule.spec.replies.length]!, { user: userName, product: current?.name, price: current?.price, amount: event.amount, unit: event.unit });
      entry.ruleId = id;
      entry.reply = text;
      this.#enqueue({ kind: 'rule', entry, text, mode: rule.spec.mode ?? 'next', overlay: rule.spec.overlay });
      return 'queued';
    }
    if (event.kind === 'comment' && event.text && this.llm && this.settings.llmFallback) {
      if (this.settings.requireOperator && !this.#deps.operatorPresent()) return done('held', { reason: 'no operator present' });
      entry.ruleId = 'llm';
      this.#enqueue({ kind: 'llm', entry, userName });
      return 'queued';
    }
    return done('no-match');
  }

  #enqueue(p: Pending): void {
    this.#queue.push(p);
    while (this.#queue.length > this.settings.maxQueue) {
      const dropped = this.#queue.shift()!;
      dropped.entry.outcome = 'dropped';
      dropped.entry.reason = 'reply queue full (oldest dropped)';
      this.stats.outcomes.dropped++;
      this.#record(dropped.entry);
    }
    this.stats.queue = this.#queue.length;
  }

  #record(entry: AudienceLogEntry): void {
    this.log.push(entry);
    if (this.log.length > LOG_SIZE) this.log.shift();
    this.emit('audience', entry);
  }

  /** Releases the next reply when the pace and the floor allow. */
  #schedule(): void {
    if (this.#closed || this.#timer || !this.#queue.length) return;
    const wait = Math.max(0, this.#lastRelease + this.settings.minIntervalSec * 1000 - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#release();
    }, Math.max(wait, 50));
  }

  #release(): void {
    if (this.#closed || !this.#queue.length) return;
    // The previous reply must be off the air (or given up) before the next one goes, and a running
    // show gets a line in between: a comment flood can slow the show, never take it over.
    const show = this.#deps.show;
    const showTurn = show.state === 'playing' && show.linesStarted === this.#linesAtRelease;
    if (this.#answering || show.pendingFrom('reply:') > 0 || showTurn || Date.now() - this.#lastRelease < this.settings.minIntervalSec * 1000) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#release();
      }, 100);
      return;
    }
    const next = this.#queue.shift()!;
    this.stats.queue = this.#queue.length;
    this.#lastRelease = Date.now();
    this.#linesAtRelease = show.linesStarted;
    next.entry.outcome = 'answered';
    this.stats.outcomes.answered++;
    this.stats.spoken++;
    this.#record(next.entry);
    if (next.kind === 'rule') {
      this.#deps.show
        .insert({ text: next.text, mode: next.mode, source: `reply:rule:${next.entry.ruleId}` })
        .then((ins) => {
          if (next.overlay) this.#overlayFor = { insertId: ins.id, text: next.overlay.text, seconds: next.overlay.seconds };
        })
        .catch((err: Error) => this.#deps.warn(`reply not inserted: ${err.message}`));
    } else void this.#answer(next);
    this.#schedule();
  }

  /** LLM answer, spoken sentence by sentence as it streams; a filler line covers a slow start. */
  async #answer(p: Extract<Pending, { kind: 'llm' }>): Promise<void> {
    const config = this.llm;
    if (!config) return;
    const abort = new AbortController();
    this.#answering = abort;
    const started = performance.now();
    const zh = /[\u3400-\u9fff]/.test(p.entry.event.text ?? '');
    let first = true;
    const fillers = config.fillers?.length ? config.fillers : zh ? DEFAULT_FILLERS.zh : DEFAULT_FILLERS.en;
    const filler = setTimeout(() => {
      if (!first) return;
      const text = fillers[Math.floor(Math.random() * fillers.length)]!;
      this.emit('llm', { state: 'filler', text, ms: Math.round(performance.now() - started) });
      void this.#deps.show.insert({ text, mode: 'next', source: 'reply:filler' }).catch(() => {});
    }, config.fillerAfterMs ?? 1500);
    const { current, all } = this.#deps.products();
    this.emit('llm', { state: 'started', text: p.entry.event.text });
    // Sentences are inserted in order, each behind the previous one.
    let chain = Promise.resolve();
    try {
      const result = await streamAnswer(
        config,
        { userName: p.userName, text: p.entry.event.text ?? '', current, products: all },
        (sentence) => {
          first = false;
          const ms = Math.round(performance.now() - started);
          this.emit('llm', { state: 'sentence', text: sentence, ms });
          chain = chain.then(() => this.#deps.show.insert({ text: sentence, mode: 'next', source: 'reply:llm' }).then(() => {}, (err: Error) => this.#deps.warn(`LLM sentence not inserted: ${err.message}`)));
        },
        abort.signal,
      );
      await chain;
      p.entry.reply = `(${result.sentences} sentences${result.truncated ? ', cut at the limit' : ''})`;
      this.emit('llm', { state: 'done', ms: Math.round(performance.now() - started) });
    } catch (err) {
      this.emit('llm', { state: 'failed', error: (err as Error).message });
      this.#deps.warn(`LLM reply failed: ${(err as Error).message}`);
    } finally {
      clearTimeout(filler);
      this.#answering = undefined;
      this.#schedule();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#answering?.abort();
    this.removeAllListeners();
  }
}
