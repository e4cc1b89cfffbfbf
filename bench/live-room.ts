// The live room as a viewer experiences it (real server, real wrtc viewer):
// - a comment matching a rule → the first audible reply, p50/p95 over 20 comments (presenter idle,
//   mode `next`; and with the show running, mode `now`), beside plain /speak in the same run;
// - the LLM path against a local server speaking the OpenAI streaming protocol: first audible
//   sentence measured from the moment the server finished sending that sentence; and the filler
//   line when the first sentence is slow.
import { startFakeOpenAi } from '../test/helpers/fake-openai.ts';
import { postAudience } from '../test/helpers/room.ts';
import { startServer } from '../test/helpers/server.ts';
import { watch, waitFor, type Reception } from '../test/helpers/watch.ts';
import { fmt, percentile } from './lib/stats.ts';

const N = Number(process.env.COMMENTS ?? 20);
const AUDIBLE = 300;

function firstAudible(v: Reception, after: number): number | undefined {
  const i = v.audioAt.findIndex((at, k) => at > after && v.audioRms[k]! > AUDIBLE);
  return i < 0 ? undefined : v.audioAt[i];
}

const waitQuiet = async (v: Reception) => {
  await waitFor(() => {
    const last = v.audioRms.slice(-30);
    return last.length === 30 && last.every((r) => r < AUDIBLE);
  }, 30_000, 'quiet');
};

const line = (label: string, xs: number[]) => `${label}: p50 ${fmt(percentile(xs, 50), 0)} ms, p95 ${fmt(percentile(xs, 95), 0)} ms (n=${xs.length})`;

export async function benchLiveRoom(): Promise<void> {
  const server = await startServer();
  const llm = await startFakeOpenAi({ pieces: ['Great ', 'question! ', 'This tea ', 'is picked in spring.'], firstDelayMs: 200, gapMs: 40 });
  try {
    const session = (await server.api('POST', '/v1/sessions')).body;
    const url = `/v1/sessions/${session.id}`;
    const viewer = await watch(server.baseUrl, session.id, session.viewerToken);
    await waitFor(() => viewer.frames.length > 50, 15_000, 'frames');
    const secret = (await server.api('GET', `${url}/audience/webhook`)).body.secret;
    await server.api('PUT', `${url}/replies`, { minIntervalSec: 0, maxQueue: 10, llmFallback: true });
    await server.api('PUT', `${url}/rules`, { rules: [{ id: 'price', keywords: ['price|多少钱'], replies: ['{user}, it is thirty nine yuan today.', '{user}, only thirty nine yuan.'] }] });

    // Baseline in the same process: plain /speak, text accepted → first audible audio.
    const speak: number[] = [];
    for (let i = 0; i < N; i++) {
      await waitQuiet(viewer);
      const t0 = performance.now();
      await server.api('POST', `${url}/speak`, { text: 'Hello, it is thirty nine yuan today.' });
      await waitFor(() => firstAudible(viewer, t0) !== undefined, 10_000, 'speak audible');
      speak.push(firstAudible(viewer, t0)! - t0);
    }
    console.log(line('baseline POST /speak → first audible', speak));

    // Rule reply, presenter idle.
    const rule: number[] = [];
    for (let i = 0; i < N; i++) {
      await waitQuiet(viewer);
      const t0 = performance.now();
      const res = await postAudience(server.baseUrl, session.id, secret, [{ id: `c${i}`, kind: 'comment', userId: `u${i}`, userName: `Buyer ${i}`, text: 'what is the price?' }]);
      if (res.status !== 202) throw new Error(JSON.stringify(res.body));
      await waitFor(() => firstAudible(viewer, t0) !== undefined, 10_000, 'reply audible');
      rule.push(firstAudible(viewer, t0)! - t0);
    }
    console.log(`${line('comment matching a rule → first audible reply (presenter idle, mode next)', rule)}; ×${fmt(percentile(rule, 50) / percentile(speak, 50), 2)} the /speak p50`);

    // Rule reply with mode `now` while the show runs (each comment sent during a show line).
    await server.api('PUT', `${url}/rules`, { rules: [{ id: 'price', keywords: ['price'], replies: ['{user}, thirty nine yuan.'], mode: 'now' }] });
    await server.api('PUT', `${url}/show`, { loops: 0, gapMs: 200, segments: [{ product: { name: 'Tea', price: '¥39' }, lines: [{ variants: ['Our green tea is picked in spring and packed the same week, so it arrives fresh.'] }] }] });
    await server.api('POST', `${url}/show/start`);
    const takeover: number[] = [];
    for (let i = 0; i < N; i++) {
      const mark = viewer.events.length;
      await waitFor(() => viewer.events.slice(mark).some((e) => e.event === 'show.line'), 20_000, 'a show line');
      await new Promise((r) => setTimeout(r, 700));
      const t0 = performance.now();
      await postAudience(server.baseUrl, session.id, secret, [{ id: `n${i}`, kind: 'comment', userId: `v${i}`, userName: `Viewer ${i}`, text: 'price?' }]);
      await waitFor(() => viewer.events.slice(mark).some((e) => e.event === 'show.insert' && e.data.state === 'playing' && e.at > t0), 10_000, 'takeover on air');
      const onAir = viewer.events.slice(mark).find((e) => e.event === 'show.insert' && e.data.state === 'playing' && e.at > t0)!;
      takeover.push(onAir.at - t0);
    }
    await server.api('POST', `${url}/show/stop`);
    console.log(line('comment → reply on air with mode `now` during a show line (show.insert playing at the viewer, sent with the first audio)', takeover));

    // LLM: first audible sentence from the moment its last token left the LLM server.
    await server.api('PUT', `${url}/rules`, { rules: [] });
    await server.api('PUT', `${url}/llm`, { baseUrl: llm.baseUrl, model: 'bench', fillerAfterMs: 1500 });
    const fromSentence: number[] = [];
    const fromComment: number[] = [];
    for (let i = 0; i < N; i++) {
      await waitQuiet(viewer);
      const t0 = performance.now();
      const req = llm.sentAt.length;
      await postAudience(server.baseUrl, session.id, secret, [{ id: `l${i}`, kind: 'comment', userId: `w${i}`, userName: `Asker ${i}`, text: 'Where is it from?' }]);
      await waitFor(() => llm.sentAt[req]?.length === llm.options.pieces.length, 10_000, 'llm streamed');
      const sentenceDone = llm.sentAt[req]![1]!; // "question! " completes the first sentence
      await waitFor(() => firstAudible(viewer, sentenceDone) !== undefined, 10_000, 'llm audible');
      fromSentence.push(firstAudible(viewer, sentenceDone)! - sentenceDone);
      fromComment.push(firstAudible(viewer, t0)! - t0);
    }
    console.log(`${line('LLM: first sentence complete at the LLM server → audible at the viewer', fromSentence)} (target p95 ≤ 500 ms)`);
    console.log(line('LLM: comment → first audible sentence (LLM answers after 200 ms, 40 ms per token)', fromComment));

    // Slow LLM: the filler line covers the wait.
    llm.options.firstDelayMs = 3000;
    const filler: number[] = [];
    for (let i = 0; i < 5; i++) {
      await waitQuiet(viewer);
      const t0 = performance.now();
      const mark = viewer.events.length;
      await postAudience(server.baseUrl, session.id, secret, [{ id: `s${i}`, kind: 'comment', userId: `s${i}`, userName: `Slow ${i}`, text: 'Is it organic?' }]);
      await waitFor(() => viewer.events.slice(mark).some((e) => e.event === 'show.insert' && e.data.source === 'reply:filler' && e.data.state === 'playing'), 10_000, 'filler');
      await waitFor(() => firstAudible(viewer, t0) !== undefined, 5000, 'filler audible');
      filler.push(firstAudible(viewer, t0)! - t0);
      await waitFor(() => viewer.events.slice(mark).filter((e) => e.event === 'show.insert' && e.data.source === 'reply:llm' && e.data.state === 'done').length === 2, 20_000, 'slow answer');
    }
    console.log(`${line('slow LLM (first token after 3 s): comment → filler audible (fillerAfterMs 1500)', filler)}; the answer followed each time`);
    viewer.stop();
  } finally {
    await llm.close();
    await server.close();
  }
}
