import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { SpeechSegment } from './tts-types.ts';

/**
 * The SSML subset OnAir accepts:
 *   <speak> … </speak>                    root (required when the input starts with "<")
 *   <break time="300ms|1.5s"/>            pause, ≤ 10 s
 *   <prosody rate="x-slow|slow|medium|fast|x-fast|80%|1.2"> … </prosody>   speaking rate, nests
 *   <mark name="…"/>                      named point in time; "gesture:NAME" triggers a gesture
 *   <gesture name="…"/>                   shorthand for <mark name="gesture:NAME"/>
 * Anything else is an error with a message (the API answers 400), never silently spoken.
 */
export class SsmlError extends Error {
  override name = 'SsmlError';
}

const RATE_WORDS: Record<string, number> = { 'x-slow': 0.6, slow: 0.8, medium: 1, default: 1, fast: 1.25, 'x-fast': 1.6 };
const MAX_BREAK_MS = 10_000;

export function isSsml(input: string): boolean {
  return input.trimStart().startsWith('<');
}

function parseRate(raw: string | undefined): number {
  if (raw === undefined) throw new SsmlError('<prosody> needs a rate attribute');
  const word = RATE_WORDS[raw];
  let rate = word;
  if (rate === undefined) {
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(raw);
    rate = pct ? Number(pct[1]) / 100 : /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : NaN;
  }
  if (!(rate >= 0.5 && rate <= 2)) throw new SsmlError(`prosody rate "${raw}" must be x-slow…x-fast, 50%–200% or 0.5–2`);
  return rate;
}

function parseBreak(raw: string | undefined): number {
  const m = raw === undefined ? null : /^(\d+(?:\.\d+)?)(ms|s)$/.exec(raw);
  if (!m) throw new SsmlError(`break time "${raw ?? ''}" must look like 300ms or 1.5s`);
  const ms = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (ms > MAX_BREAK_MS) throw new SsmlError(`break time ${raw} is longer than 10s`);
  return ms;
}

type XmlNode = { [tag: string]: XmlNode[] | string | Record<string, string> | undefined; ':@'?: Record<string, string> };

export function parseSsml(input: string): SpeechSegment[] {
  const valid = XMLValidator.validate(input);
  if (valid !== true) throw new SsmlError(`malformed SSML at line ${valid.err.line}, column ${valid.err.col}: ${valid.err.msg}`);
  const doc = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    trimValues: false,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
  }).parse(input) as XmlNode[];
  const roots = doc.filter((n) => !('#text' in n && String(n['#text']).trim() === '') && !('?xml' in n));
  if (roots.length !== 1 || !('speak' in roots[0]!)) throw new SsmlError('SSML must have a single <speak> root element');
  const segments: SpeechSegment[] = [];
  walk(roots[0]!.speak as XmlNode[], 1, segments);
  if (!segments.some((s) => s.kind === 'text' && s.text.trim())) throw new SsmlError('SSML contains no text to speak');
  return segments;
}

function walk(nodes: XmlNode[], rate: number, out: SpeechSegment[]): void {
  for (const node of nodes) {
    const attrs = node[':@'] ?? {};
    const tag = Object.keys(node).find((k) => k !== ':@')!;
    if (tag === '#text') {
      const text = String(node['#text']).replace(/\s+/g, ' ');
      if (!text.trim()) continue;
      const last = out.at(-1);
      if (last?.kind === 'text' && last.rate === rate) last.text += text;
      else out.push({ kind: 'text', text, rate });
    } else if (tag === 'break') {
      out.push({ kind: 'break', ms: parseBreak(attrs.time) });
    } else if (tag === 'prosody') {
      walk(node.prosody as XmlNode[], rate * parseRate(attrs.rate), out);
    } else if (tag === 'mark' || tag === 'gesture') {
      const name = attrs.name;
      if (!name || !/^[\w:.-]{1,64}$/.test(name)) throw new SsmlError(`<${tag}> needs a name of letters, digits, ":", "-", "." or "_"`);
      out.push({ kind: 'mark', name: tag === 'gesture' ? `gesture:${name}` : name });
    } else {
      throw new SsmlError(`unsupported SSML element <${tag}>; supported: speak, break, prosody, mark, gesture`);
    }
  }
}

/** Plain text or SSML → segments. */
export function toSegments(input: string): SpeechSegment[] {
  if (isSsml(input)) return parseSsml(input);
  return [{ kind: 'text', text: input.replace(/\s+/g, ' ').trim(), rate: 1 }];
}
