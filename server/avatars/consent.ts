import type { AvatarConsent } from '../../client-sdk/src/types.ts';
import { HttpError } from '../errors.ts';

const FIELDS = { personName: 200, statement: 5000, uploadedBy: 200 } as const;

const refuse = (why: string) =>
  new HttpError(400, `a consent record is required: ${why} (send the form field "consent" as JSON {"personName", "statement", "uploadedBy", "agreedAt"?})`);

/**
 * Parses the `consent` form field. A real person's likeness is only enrolled with a recorded
 * statement of their consent, so every part is checked and anything unexpected is refused.
 */
export function parseConsent(raw: string | undefined, now = new Date()): Required<AvatarConsent> {
  if (raw === undefined) throw refuse('the "consent" field is missing');
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw refuse('the "consent" field is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw refuse('"consent" must be a JSON object');
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!(key in FIELDS) && key !== 'agreedAt') throw refuse(`unknown field consent.${key}`);
  }
  const out = {} as Record<keyof typeof FIELDS, string>;
  for (const [key, max] of Object.entries(FIELDS) as [keyof typeof FIELDS, number][]) {
    const v = obj[key];
    if (typeof v !== 'string' || !v.trim()) throw refuse(`consent.${key} must be a non-empty string`);
    if (v.length > max) throw refuse(`consent.${key} is longer than ${max} characters`);
    out[key] = v.trim();
  }
  let agreedAt = now.toISOString();
  if (obj.agreedAt !== undefined) {
    const t = typeof obj.agreedAt === 'string' ? Date.parse(obj.agreedAt) : NaN;
    if (!Number.isFinite(t)) throw refuse('consent.agreedAt must be an ISO date-time');
    // A little clock skew between the operator's machine and the server is fine; a future date is not.
    if (t > now.getTime() + 5 * 60_000) throw refuse('consent.agreedAt is in the future');
    agreedAt = new Date(t).toISOString();
  }
  return { ...out, agreedAt };
}
