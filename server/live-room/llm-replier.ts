import type { LlmConfig, Product } from '../../client-sdk/src/live-room-types.ts';

/** Splits streamed text into sentences as soon as each one is complete. */
export class SentenceSplitter {
  #buf = '';

  /** Text in, complete sentences out. A "." ends a sentence only before whitespace ("19.99" stays). */
  push(text: string): string[] {
    this.#buf += text;
    const out: string[] = [];
    const end = /[。！？!?；;…]+["'”’）)]*|\.+["'”’)]*(?=\s)|\n+/g;
    let from = 0;
    let m: RegExpExecArray | null;
    while ((m = end.exec(this.#buf))) {
      const sentence = this.#buf.slice(from, m.index + m[0].length).trim();
      from = m.index + m[0].length;
      if (sentence.replace(/[\s\p{P}]/gu, '')) out.push(sentence);
    }
    this.#buf = this.#buf.slice(from);
    return out;
  }

  /** Whatever is left when the stream ends. */
  flush(): string[] {
    const rest = this.#buf.trim();
    this.#buf = '';
    return rest.replace(/[\s\p{P}]/gu, '') ? [rest] : [];
  }
}

export interface LlmQuestion {
  userName: string;
  text: string;
  current?: Product;
  products: Product[];
}

const describe = (p: Product) =>
  [`${p.name}${p.price ? ` (${p.price})` : ''}`, ...(p.sellingPoints ?? []).map((s) => `  - ${s}`), ...(p.stockLine ? [`  - ${p.stockLine}`] : [])].join('\n');

/** The system prompt: who the host is, the rules of the air, and what is on sale. */
export function systemPrompt(q: LlmQuestion, instructions?: string): string {
  return [
    'You are the AI presenter of a live-shopping stream, answering a viewer\'s comment on air.',
    'Reply in the language of the comment, in one to three short spoken sentences, friendly and factual.',
    'No markdown, lists or emoji: everything you write is read aloud.',
    'Never make absolute or guaranteed claims (best, number one, 100% effective, 最好, 第一, 国家级); never invent prices, discounts or facts not listed below.',
    q.current ? `Product on air now:\n${describe(q.current)}` : 'No product is on air right now.',
    q.products.length ? `Products in this show:\n${q.products.map(describe).join('\n')}` : '',
    instructions ?? '',
  ]
    .filter(Boolean)
    .join('\n\n');
}

export class LlmError extends Error {}

/**
 * An OpenAI-compatible chat-completions client (`POST {baseUrl}/chat/completions`, `stream: true`,
 * server-sent events of `choices[0].delta.content` ending with `data: [DONE]`), delivering the
 * answer sentence by sentence as it streams, within a time and length limit.
 */
export async function streamAnswer(config: LlmConfig, q: LlmQuestion, onSentence: (s: string) => void, signal: AbortSignal): Promise<{ sentences: number; chars: number; truncated: boolean }> {
  const maxChars = config.maxChars ?? 300;
  const timeout = AbortSignal.timeout(config.timeoutMs ?? 15_000);
  const abort = AbortSignal.any([signal, timeout]);
  const res = await fetch(`${config.baseUrl.replace(/\/+$/, '')}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {}) },
    body: JSON.stringify({
      model: config.model,
      stream: true,
      max_tokens: config.maxTokens ?? 200,
      temperature: 0.7,
      messages: [
        { role: 'system', content: systemPrompt(q, config.instructions) },
        { role: 'user', content: `${q.userName}: ${q.text}` },
      ],
    }),
    signal: abort,
  }).catch((err: Error) => {
    throw new LlmError(timeout.aborted ? 'LLM request timed out' : `LLM endpoint unreachable: ${err.message}`);
  });
  if (!res.ok || !res.body) {
    const detail = (await res.text().catch(() => '')).slice(0, 200);
    throw new LlmError(`LLM endpoint answered ${res.status}${detail ? `: ${detail}` : ''}`);
  }
  const splitter = new SentenceSplitter();
  const decoder = new TextDecoder();
  let pending = '';
  let chars = 0;
  let sentences = 0;
  let truncated = false;
  const deliver = (list: string[]): boolean => {
    for (const s of list) {
      if (chars + s.length > maxChars && sentences > 0) {
        truncated = true;
        return false;
      }
      chars += s.length;
      sentences++;
      onSentence(s);
    }
    return true;
  };
  const reader = res.body.getReader();
  try {
    outer: while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      pending += decoder.decode(value, { stream: true });
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).replace(/\r$/, '');
        pending = pending.slice(nl + 1);
        if (!line.startsWith('data:')) continue; // comments, event names, blank separators
        const data = line.slice(5).trim();
        if (data === '[DONE]') break outer;
        let delta: string | undefined;
        try {
          const json = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: { message?: string } };
          if (json.error) throw new LlmError(`LLM error: ${json.error.message ?? 'unknown'}`);
          delta = json.choices?.[0]?.delta?.content ?? undefined;
        } catch (err) {
          if (err instanceof LlmError) throw err;
          continue; // a malformed event: skip it rather than drop the answer
        }
        if (delta && !deliver(splitter.push(delta))) break outer;
      }
    }
    if (!truncated) deliver(splitter.flush());
  } catch (err) {
    if (err instanceof LlmError) throw err;
    if (timeout.aborted) {
      truncated = true; // what was said stays said; the rest is dropped
    } else if (!signal.aborted) throw new LlmError(`LLM stream failed: ${(err as Error).message}`);
  } finally {
    reader.cancel().catch(() => {});
  }
  return { sentences, chars, truncated };
}
