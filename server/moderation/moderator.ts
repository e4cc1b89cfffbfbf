import type { ModerationHit, ModerationSettings, ProhibitedTerm } from '../../client-sdk/src/live-room-types.ts';
import { DEFAULT_PROHIBITED_TERMS } from './default-terms.ts';

export interface ModerationResult {
  verdict: 'allowed' | 'replaced' | 'blocked';
  /** What may be said (the input with replacements applied); empty when blocked. */
  text: string;
  hits: ModerationHit[];
}

const CJK = /[\u3400-\u9fff]/;

/** Folds full-width forms and case, and drops spaces between CJK characters ("最 好" → "最好"). */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/([\u3400-\u9fff])\s+(?=[\u3400-\u9fff])/g, '$1');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A term as a pattern: CJK terms match anywhere, Latin terms on word edges ("cures" not in "secures"). */
function termPattern(term: string): RegExp {
  const t = escapeRegExp(normalise(term));
  if (CJK.test(term)) return new RegExp(t.replace(/(?<=[\u3400-\u9fff])(?=[\u3400-\u9fff])/g, '\\s*'), 'gu');
  const start = /^[\p{L}\p{N}]/u.test(term) ? '(?<![\\p{L}\\p{N}])' : '';
  const end = /[\p{L}\p{N}]$/u.test(term) ? '(?![\\p{L}\\p{N}])' : '';
  return new RegExp(`${start}${t}${end}`, 'giu');
}

export class ExternalModerationError extends Error {}

/**
 * The filter every line passes before TTS (speak API, show, rules, LLM) and every comment passes
 * before it is read: an editable prohibited-terms list (block or replace per entry) and an
 * optional external endpoint (`POST {text, source}` → `{allowed, reason?}`).
 */
export class Moderator {
  #terms: { spec: ProhibitedTerm; pattern: RegExp }[] = [];
  #external: { url: string; timeoutMs: number } | undefined;

  constructor(settings?: Partial<ModerationSettings>) {
    this.configure({ terms: settings?.terms ?? [...DEFAULT_PROHIBITED_TERMS], externalUrl: settings?.externalUrl, externalTimeoutMs: settings?.externalTimeoutMs });
  }

  configure(settings: ModerationSettings): void {
    for (const t of settings.terms) {
      if (!t.term.trim()) throw new RangeError('a prohibited term may not be empty');
      if (t.term.length > 100) throw new RangeError(`prohibited term "${t.term.slice(0, 20)}…" is longer than 100 characters`);
    }
    this.#terms = settings.terms.map((spec) => ({ spec, pattern: termPattern(spec.term) }));
    this.#external = settings.externalUrl ? { url: settings.externalUrl, timeoutMs: settings.externalTimeoutMs ?? 1500 } : undefined;
  }

  get settings(): ModerationSettings {
    return {
      terms: this.#terms.map((t) => t.spec),
      ...(this.#external ? { externalUrl: this.#external.url, externalTimeoutMs: this.#external.timeoutMs } : {}),
    };
  }

  /** The term list only (synchronous): used for comments and user names on the hot path. */
  checkTerms(text: string): ModerationResult {
    const hits: ModerationHit[] = [];
    let normalised = normalise(text);
    let replaced = false;
    for (const { spec, pattern } of this.#terms) {
      pattern.lastIndex = 0;
      if (!pattern.test(normalised)) continue;
      hits.push({ term: spec.term, action: spec.action, reason: spec.reason });
      if (spec.action === 'replace') {
        pattern.lastIndex = 0;
        normalised = normalised.replace(pattern, spec.replacement ?? '');
        replaced = true;
      }
    }
    if (hits.some((h) => h.action === 'block')) return { verdict: 'blocked', text: '', hits };
    if (!replaced) return { verdict: 'allowed', text, hits };
    // Replacements are applied to the original text (keeps case and width where nothing matched).
    let out = text.normalize('NFKC');
    for (const { spec, pattern } of this.#terms) {
      if (spec.action !== 'replace') continue;
      const p = new RegExp(pattern.source, 'giu');
      out = out.replace(p, spec.replacement ?? '');
    }
    return { verdict: 'replaced', text: out.replace(/\s{2,}/g, ' ').trim(), hits };
  }

  /**
   * Terms, then the external endpoint. `trusted` lines (written by the operator) are allowed when
   * the endpoint is unreachable; audience-derived lines (rules, LLM) are blocked then.
   */
  async check(text: string, source: string, trusted: boolean): Promise<ModerationResult> {
    const local = this.checkTerms(text);
    if (local.verdict === 'blocked' || !this.#external) return local;
    try {
      const res = await fetch(this.#external.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: local.text, source }),
        signal: AbortSignal.timeout(this.#external.timeoutMs),
      });
      if (!res.ok) throw new ExternalModerationError(`moderation endpoint answered ${res.status}`);
      const body = (await res.json()) as { allowed?: unknown; reason?: unknown };
      if (body.allowed === false) {
        return { verdict: 'blocked', text: '', hits: [...local.hits, { term: '(external)', action: 'block', reason: typeof body.reason === 'string' ? body.reason : 'refused by the moderation endpoint' }] };
      }
      return local;
    } catch (err) {
      if (trusted) return local;
      return { verdict: 'blocked', text: '', hits: [...local.hits, { term: '(external)', action: 'block', reason: `moderation endpoint unavailable (${(err as Error).message}); audience-derived lines are held back` }] };
    }
  }
}
