// A local server speaking the OpenAI Chat Completions streaming protocol byte for byte, for tests
// and benchmarks of OnAir's real LLM client. Protocol: OpenAI API reference, "Create chat
// completion" (POST /v1/chat/completions, stream: true) and "The chat completion chunk object":
// `data: {"id","object":"chat.completion.chunk","created","model","choices":[{"index":0,
// "delta":{"content":…},"finish_reason":null}]}\n\n` events, a last chunk with finish_reason
// "stop", then `data: [DONE]\n\n`.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeOpenAiOptions {
  /** The answer's text pieces, streamed one per chunk. */
  pieces: string[];
  /** Delay before the first chunk and between chunks, ms. */
  firstDelayMs?: number;
  gapMs?: number;
  apiKey?: string;
}

export interface FakeOpenAi {
  baseUrl: string;
  requests: { body: any; at: number }[];
  /** performance.now() when each piece was written (the bench times sentence ends from these). */
  sentAt: number[][];
  options: FakeOpenAiOptions;
  close: () => Promise<void>;
}

export async function startFakeOpenAi(options: FakeOpenAiOptions): Promise<FakeOpenAi> {
  const requests: FakeOpenAi['requests'] = [];
  const sentAt: number[][] = [];
  const state: FakeOpenAi = { baseUrl: '', requests, sentAt, options, close: async () => {} };
  const server = http.createServer(async (req, res) => {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Not found', type: 'invalid_request_error' } }));
      return;
    }
    if (state.options.apiKey && req.headers.authorization !== `Bearer ${state.options.apiKey}`) {
      res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
      return;
    }
    const body = JSON.parse(raw);
    requests.push({ body, at: performance.now() });
    const times: number[] = [];
    sentAt.push(times);
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const id = `chatcmpl-${requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const chunk = (delta: object, finish: string | null) =>
      `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: body.model, system_fingerprint: 'fp_test', choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }] })}\n\n`;
    let closed = false;
    req.on('close', () => (closed = true));
    res.on('close', () => (closed = true));
    res.write(chunk({ role: 'assistant', content: '' }, null));
    await sleep(state.options.firstDelayMs ?? 0);
    for (const piece of state.options.pieces) {
      if (closed) return;
      res.write(chunk({ content: piece }, null));
      times.push(performance.now());
      await sleep(state.options.gapMs ?? 20);
    }
    res.write(chunk({}, 'stop'));
    res.end('data: [DONE]\n\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  state.close = () => new Promise((resolve) => server.close(() => resolve()));
  return state;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
