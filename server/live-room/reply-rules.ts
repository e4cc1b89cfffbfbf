import type { AudienceEvent, ReplyRule } from '../../client-sdk/src/live-room-types.ts';
import { normalise } from '../moderation/moderator.ts';

export const MAX_RULES = 200;
export const MAX_REPLIES_PER_RULE = 5;

export interface CompiledRule {
  spec: ReplyRule & { id: string };
  /** Each keyword entry is a list of alternatives ("价格|多少钱" → either). */
  keywords: string[][];
  regex?: RegExp;
}

/** Checks and compiles a rule; a RangeError names what is wrong (the route turns it into a 400). */
export function compileRule(rule: ReplyRule & { id: string }): CompiledRule {
  if (!rule.replies.length || rule.replies.length > MAX_REPLIES_PER_RULE) throw new RangeError(`rule ${rule.id}: 1–${MAX_REPLIES_PER_RULE} replies`);
  const keywords = (rule.keywords ?? []).map((k) => k.split('|').map((a) => normalise(a.trim())).filter(Boolean)).filter((alts) => alts.length);
  let regex: RegExp | undefined;
  if (rule.regex) {
    try {
      regex = new RegExp(rule.regex, 'iu');
    } catch (err) {
      throw new RangeError(`rule ${rule.id}: invalid regex (${(err as Error).message})`);
    }
  }
  const events = rule.events ?? ['comment'];
  if (events.includes('comment') && !keywords.length && !regex) throw new RangeError(`rule ${rule.id}: a comment rule needs keywords or a regex`);
  return { spec: rule, keywords, regex };
}

/** Does the rule answer this event? Comments are matched on text; other kinds on kind alone. */
export function ruleMatches(rule: CompiledRule, event: AudienceEvent): boolean {
  if (rule.spec.enabled === false) return false;
  if (!(rule.spec.events ?? ['comment']).includes(event.kind)) return false;
  if (event.kind !== 'comment' && !rule.keywords.length && !rule.regex) return true;
  const text = normalise(event.text ?? '');
  if (rule.regex && !rule.regex.test(text)) return false;
  if (!rule.keywords.length) return true;
  const hit = (alts: string[]) => alts.some((a) => text.includes(a));
  return (rule.spec.match ?? 'any') === 'all' ? rule.keywords.every(hit) : rule.keywords.some(hit);
}

/** Fills {user} {product} {price} (and {amount} {unit} for gifts). */
export function fillReply(template: string, vars: { user: string; product?: string; price?: string; amount?: number; unit?: string }): string {
  return template.replace(/\{(user|product|price|amount|unit)\}/g, (_, k: string) => {
    const v = (vars as Record<string, unknown>)[k];
    return v === undefined ? '' : String(v);
  });
}

/** Rules that match, best first (priority, then list order). */
export function matchingRules(rules: CompiledRule[], event: AudienceEvent): CompiledRule[] {
  return rules
    .map((r, i) => ({ r, i }))
    .filter(({ r }) => ruleMatches(r, event))
    .sort((a, b) => (b.r.spec.priority ?? 0) - (a.r.spec.priority ?? 0) || a.i - b.i)
    .map(({ r }) => r);
}
