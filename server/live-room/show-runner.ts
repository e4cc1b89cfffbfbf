import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { InsertRequest, QueuedInsert, Rundown, ShowEventMap, ShowPosition, ShowSegment, ShowState, ShowStatus } from '../../client-sdk/src/live-room-types.ts';
import type { PresenterSource, SpeechEventPayload } from '../../pipeline/session/presenter-source.ts';
import { HttpError, notFound } from '../errors.ts';
import type { SpeechDesk } from './speech-desk.ts';

export const MAX_INSERTS = 50;
type SpeechEvent = 'speech.started' | 'speech.ended' | 'speech.interrupted';
const DEFAULT_GAP_MS = 300;

export type StoredRundown = Rundown & { segments: (ShowSegment & { id: string })[] };

/** Everything needed to pick the show up where it was after a restart. */
export interface ShowSnapshot {
  rundown?: StoredRundown;
  state: ShowState;
  position: ShowPosition;
  /** The current segment's lines are done: `append` inserts play before the next segment. */
  atBoundary: boolean;
  /** Next variant per line ("segmentId:line" → index), so rotation survives restarts too. */
  variantCursor: Record<string, number>;
  inserts: QueuedInsert[];
}

export const EMPTY_SHOW: ShowSnapshot = { state: 'idle', position: { segment: 0, line: 0, loop: 0 }, atBoundary: false, variantCursor: {}, inserts: [] };

interface Playing {
  kind: 'line' | 'insert';
  utteranceId: string;
  text: string;
  insertId?: string;
  position?: ShowPosition;
  variant?: number;
}

/** Sees where the product card should be (the live room draws it). */
export interface CardSlot {
  show(segment: StoredRundown['segments'][number] | undefined): void;
}

/**
 * The show, run on the server: a rundown of product segments whose lines (with rotating variants)
 * are said one at a time through the speech desk, looped N times or forever, plus inserts that go
 * after the current segment (`append`), after the line playing (`next`) or cut in (`now`).
 * A line cut by someone else is said again; the position and the insert queue are saved after
 * every change, so a restarted server resumes at the line that was playing.
 */
export class ShowRunner extends EventEmitter<{ [K in keyof ShowEventMap]: [ShowEventMap[K]] }> {
  readonly #desk: SpeechDesk;
  readonly #presenter: PresenterSource;
  readonly #card: CardSlot;
  readonly #save: (snapshot: ShowSnapshot) => Promise<void>;
  readonly #warn: (msg: string) => void;
  #s: ShowSnapshot;
  #playing: Playing | undefined;
  #launching = false;
  #pumping = false;
  #again = false;
  #gapTimer: NodeJS.Timeout | undefined;
  #startTimer: NodeJS.Timeout | undefined;
  #announcedSegment: string | undefined;
  #skip = false;
  #blockedInARow = 0;
  #closed = false;
  /** Show lines that reached the air so far (the reply pacing lets the show speak between replies). */
  linesStarted = 0;
  readonly #listeners: [SpeechEvent, (p: SpeechEventPayload) => void][] = [];

  constructor(deps: { desk: SpeechDesk; card: CardSlot; save: (snapshot: ShowSnapshot) => Promise<void>; warn?: (msg: string) => void }, snapshot: ShowSnapshot = EMPTY_SHOW) {
    super();
    this.#desk = deps.desk;
    this.#presenter = deps.desk.presenter;
    this.#card = deps.card;
    this.#save = deps.save;
    this.#warn = deps.warn ?? (() => {});
    this.#s = structuredClone(snapshot);
    const on = (event: SpeechEvent, fn: (p: SpeechEventPayload) => void) => {
      this.#presenter.on(event, fn);
      this.#listeners.push([event, fn]);
    };
    on('speech.started', (p) => this.#onStarted(p));
    on('speech.ended', (p) => this.#onFinished(p, false));
    on('speech.interrupted', (p) => this.#onFinished(p, true));
    // Restored mid-show: pick up at the saved line; a scheduled start is re-armed.
    if (this.#s.state === 'scheduled' && this.#s.rundown?.startAt) this.#arm(this.#s.rundown.startAt);
    if (this.#s.state === 'playing' || this.#s.state === 'paused') this.#card.show(this.#segment());
    this.#kick();
  }

  get state(): ShowState {
    return this.#s.state;
  }

  get snapshot(): ShowSnapshot {
    return structuredClone(this.#s);
  }

  status(): ShowStatus {
    const seg = this.#segment();
    return {
      state: this.#s.state,
      position: { ...this.#s.position },
      segmentId: seg?.id,
      playing: this.#playing ? { kind: this.#playing.kind, text: this.#playing.text, utteranceId: this.#playing.utteranceId, insertId: this.#playing.insertId } : undefined,
      inserts: this.#s.inserts.map((i) => ({ ...i })),
      rundown: this.#s.rundown,
      startAt: this.#s.state === 'scheduled' ? this.#s.rundown?.startAt : undefined,
    };
  }

  // ---------- control ----------

  /** Replaces the rundown. A running show keeps its place when its segment still exists. */
  async load(rundown: Rundown): Promise<ShowStatus> {
    const ids = new Set<string>();
    const segments = rundown.segments.map((s, i) => {
      const id = s.id ?? `s${i + 1}`;
      if (ids.has(id)) throw new HttpError(400, `segment id "${id}" is used twice`);
      ids.add(id);
      if (!s.lines.length) throw new HttpError(400, `segment "${id}" has no lines`);
      return { ...s, id };
    });
    for (const seg of segments) for (const line of seg.lines) for (const v of line.variants) await this.#desk.validate(v, line.voice);
    const current = this.#segment()?.id;
    const stored: StoredRundown = { ...rundown, segments };
    this.#s.rundown = stored;
    const keep = current ? segments.findIndex((s) => s.id === current) : -1;
    if (keep >= 0) {
      this.#s.position = { ...this.#s.position, segment: keep, line: Math.min(this.#s.position.line, segments[keep]!.lines.length - 1) };
    } else {
      this.#s.position = { segment: 0, line: 0, loop: 0 };
      this.#s.atBoundary = false;
    }
    if (this.#s.state === 'ended') this.#s.state = 'idle';
    if (rundown.startAt && (this.#s.state === 'idle' || this.#s.state === 'scheduled')) {
      this.#s.state = 'scheduled';
      this.#arm(rundown.startAt);
    }
    if (this.#s.state === 'playing' || this.#s.state === 'paused') this.#card.show(this.#segment());
    await this.#persist();
    this.#stateEvent();
    return this.status();
  }

  async start(): Promise<ShowStatus> {
    if (!this.#s.rundown) throw new HttpError(409, 'no rundown loaded (PUT /v1/sessions/:id/show first)');
    this.#disarm();
    if (this.#s.state === 'ended') {
      this.#s.position = { segment: 0, line: 0, loop: 0 };
      this.#s.atBoundary = false;
    }
    this.#s.state = 'playing';
    this.#blockedInARow = 0;
    this.#card.show(this.#segment());
    await this.#persist();
    this.#stateEvent();
    this.#kick();
    return this.status();
  }

  async pause(): Promise<ShowStatus> {
    if (this.#s.state !== 'playing') throw new HttpError(409, `the show is ${this.#s.state}, not playing`);
    this.#s.state = 'paused';
    this.#clearGap();
    await this.#persist();
    this.#stateEvent();
    return this.status();
  }

  /** The operator cut everything (POST /interrupt): the automation waits for them. */
  async hold(): Promise<void> {
    if (this.#s.state === 'playing') await this.pause();
  }

  async resume(): Promise<ShowStatus> {
    if (this.#s.state !== 'paused') throw new HttpError(409, `the show is ${this.#s.state}, not paused`);
    return this.start();
  }

  /** Cuts the line playing (if it is a show line) and goes on with the next one. */
  async skip(): Promise<ShowStatus> {
    if (!this.#s.rundown) throw new HttpError(409, 'no rundown loaded');
    if (this.#playing?.kind === 'line') {
      this.#skip = true;
      this.#presenter.interrupt();
    } else {
      this.#advance();
      await this.#persist();
    }
    this.#kick();
    return this.status();
  }

  /** Goes to a segment (by id or 0-based index); cuts the line playing. */
  async jump(target: string | number): Promise<ShowStatus> {
    const segments = this.#s.rundown?.segments;
    if (!segments) throw new HttpError(409, 'no rundown loaded');
    const index = typeof target === 'number' ? target : segments.findIndex((s) => s.id === target);
    if (!Number.isInteger(index) || index < 0 || index >= segments.length) throw notFound(`segment ${String(target)}`);
    this.#s.position = { ...this.#s.position, segment: index, line: 0 };
    this.#s.atBoundary = false;
    if (this.#playing?.kind === 'line') {
      this.#playing = undefined;
      this.#presenter.interrupt();
    }
    if (this.#s.state === 'playing' || this.#s.state === 'paused') this.#card.show(this.#segment());
    await this.#persist();
    this.#kick();
    return this.status();
  }

  /** Ends the show; the rundown stays loaded. */
  async stop(): Promise<ShowStatus> {
    this.#disarm();
    this.#s.state = 'idle';
    this.#s.position = { segment: 0, line: 0, loop: 0 };
    this.#s.atBoundary = false;
    if (this.#playing?.kind === 'line') {
      this.#playing = undefined;
      this.#presenter.interrupt();
    }
    this.#card.show(undefined);
    this.#announcedSegment = undefined;
    await this.#persist();
    this.#stateEvent();
    this.#kick();
    return this.status();
  }

  /** Queues (or, `now`, says at once) a line outside the rundown. */
  async insert(req: InsertRequest): Promise<QueuedInsert> {
    await this.#desk.validate(req.text, req.voice);
    if (this.#s.inserts.length >= MAX_INSERTS) throw new HttpError(409, `at most ${MAX_INSERTS} inserts may wait`);
    const insert: QueuedInsert = { ...req, id: randomUUID(), at: new Date().toISOString() };
    if (req.mode === 'now') this.#s.inserts.unshift(insert);
    else this.#s.inserts.push(insert);
    await this.#persist();
    this.emit('show.insert', { insertId: insert.id, mode: insert.mode, text: insert.text, source: insert.source, state: 'queued' });
    if (req.mode === 'now') await this.#launch(insert, true);
    else this.#kick();
    return insert;
  }

  async removeInsert(id: string): Promise<void> {
    const i = this.#s.inserts.findIndex((x) => x.id === id);
    if (i < 0) throw notFound(`insert ${id}`);
    if (this.#playing?.insertId === id) throw new HttpError(409, 'that insert is being said; interrupt it instead');
    const [gone] = this.#s.inserts.splice(i, 1);
    await this.#persist();
    this.emit('show.insert', { insertId: id, mode: gone!.mode, text: gone!.text, source: gone!.source, state: 'dropped' });
  }

  /** Inserts from `source` still waiting or playing (the reply queue's pacing looks here). */
  pendingFrom(prefix: string): number {
    return this.#s.inserts.filter((i) => i.source?.startsWith(prefix)).length;
  }

  close(): void {
    this.#closed = true;
    this.#clearGap();
    this.#disarm();
    for (const [event, fn] of this.#listeners) this.#presenter.off(event, fn);
    this.removeAllListeners();
  }

  // ---------- the loop ----------

  #segment() {
    return this.#s.rundown?.segments[this.#s.position.segment];
  }

  #kick(): void {
    setImmediate(() => void this.#pump());
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#again = false;
        await this.#step();
      } while (this.#again && !this.#closed);
    } catch (err) {
      this.#warn(`show: ${(err as Error).message}`);
    } finally {
      this.#pumping = false;
    }
  }

  async #step(): Promise<void> {
    if (this.#closed || this.#playing || this.#launching || this.#gapTimer) return;
    if (this.#s.state === 'paused') return;
    // Someone else (the speak API, the operator's voice) has the floor: wait for them.
    if (this.#presenter.queueLength > 0 || this.#presenter.status().voiceActive) return;
    const showRunning = this.#s.state === 'playing';
    const insert =
      this.#s.inserts.find((i) => i.mode === 'now' || i.mode === 'next') ??
      (!showRunning || this.#s.atBoundary ? this.#s.inserts.find((i) => i.mode === 'append') : undefined);
    if (insert) {
      await this.#launch(insert, false);
      return;
    }
    if (!showRunning) return;
    if (this.#s.atBoundary) {
      this.#s.atBoundary = false;
      this.#card.show(this.#segment());
    }
    await this.#launchLine();
  }

  async #launch(insert: QueuedInsert, cut: boolean): Promise<void> {
    this.#launching = true;
    try {
      const res = await this.#desk.say({
        text: insert.text,
        lang: insert.lang,
        voice: insert.voice,
        interrupt: cut,
        next: true,
        source: insert.source ?? 'insert',
        trusted: !insert.source || insert.source === 'operator',
        onQueued: (utteranceId, said) => (this.#playing = { kind: 'insert', utteranceId, text: said, insertId: insert.id }),
      });
      if (!res.spoken) {
        this.#s.inserts = this.#s.inserts.filter((i) => i.id !== insert.id);
        await this.#persist();
        this.emit('show.insert', { insertId: insert.id, mode: insert.mode, text: insert.text, source: insert.source, state: 'dropped' });
        this.#again = true;
        return;
      }
    } finally {
      this.#launching = false;
    }
  }

  async #launchLine(): Promise<void> {
    const seg = this.#segment();
    if (!seg) return;
    const position = { ...this.#s.position };
    const line = seg.lines[position.line]!;
    const key = `${seg.id}:${position.line}`;
    const n = line.variants.length;
    const cursor = this.#s.variantCursor[key] ?? 0;
    let variant = cursor % n;
    if (this.#s.rundown!.variantOrder === 'random' && n > 1) {
      // Random, but never the one said last time.
      const last = this.#s.variantCursor[`${key}:last`];
      do variant = Math.floor(Math.random() * n);
      while (variant === last);
    }
    this.#launching = true;
    try {
      const res = await this.#desk.say({
        text: line.variants[variant]!,
        lang: line.lang,
        voice: line.voice,
        next: true,
        source: 'show',
        trusted: true,
        onQueued: (utteranceId, said) => (this.#playing = { kind: 'line', utteranceId, text: said, position, variant }),
      });
      if (!res.spoken) {
        // A blocked line is skipped; a rundown whose every line is blocked pauses instead of spinning.
        this.#advance();
        if (++this.#blockedInARow > this.#lineCount()) {
          this.#s.state = 'paused';
          this.#warn('show paused: every line is blocked by moderation');
          this.#stateEvent();
        }
        await this.#persist();
        this.#again = true;
        return;
      }
      this.#blockedInARow = 0;
    } finally {
      this.#launching = false;
    }
  }

  #lineCount(): number {
    return this.#s.rundown?.segments.reduce((n, s) => n + s.lines.length, 0) ?? 0;
  }

  #onStarted(p: SpeechEventPayload): void {
    const playing = this.#playing;
    if (!playing || playing.utteranceId !== p.utteranceId) return;
    if (playing.kind === 'insert') {
      const ins = this.#s.inserts.find((i) => i.id === playing.insertId);
      this.emit('show.insert', { insertId: playing.insertId!, mode: ins?.mode ?? 'next', text: playing.text, source: ins?.source, utteranceId: p.utteranceId, state: 'playing' });
      return;
    }
    const seg = this.#s.rundown?.segments[playing.position!.segment];
    if (!seg) return;
    if (this.#announcedSegment !== `${seg.id}#${playing.position!.loop}`) {
      this.#announcedSegment = `${seg.id}#${playing.position!.loop}`;
      const { imageBase64: _, ...product } = seg.product;
      this.emit('show.segment', { segment: playing.position!.segment, segmentId: seg.id, product, loop: playing.position!.loop });
    }
    this.linesStarted++;
    this.emit('show.line', { ...playing.position!, variant: playing.variant!, text: playing.text, utteranceId: p.utteranceId });
  }

  #onFinished(p: SpeechEventPayload, interrupted: boolean): void {
    const playing = this.#playing;
    if (!playing || playing.utteranceId !== p.utteranceId) {
      // Someone else's speech ended: the floor may be free again.
      if (!this.#playing) this.#kick();
      return;
    }
    this.#playing = undefined;
    if (playing.kind === 'insert') {
      const ins = this.#s.inserts.find((i) => i.id === playing.insertId);
      this.#s.inserts = this.#s.inserts.filter((i) => i.id !== playing.insertId);
      this.emit('show.insert', { insertId: playing.insertId!, mode: ins?.mode ?? 'next', text: playing.text, source: ins?.source, utteranceId: p.utteranceId, state: interrupted ? 'dropped' : 'done' });
    } else if (!interrupted || this.#skip) {
      // Rotation advances only when a variant was actually said (or skipped on purpose).
      const seg = this.#s.rundown?.segments[playing.position!.segment];
      if (seg) {
        const key = `${seg.id}:${playing.position!.line}`;
        this.#s.variantCursor[key] = (this.#s.variantCursor[key] ?? 0) + 1;
        this.#s.variantCursor[`${key}:last`] = playing.variant!;
      }
      if (samePosition(playing.position!, this.#s.position)) this.#advance();
    }
    this.#skip = false;
    void this.#persist();
    this.#gap(interrupted ? 0 : (this.#s.rundown?.gapMs ?? DEFAULT_GAP_MS));
  }

  /** Moves to the next line; at the end of a segment, marks the boundary; at the end, loops or ends. */
  #advance(): void {
    const rundown = this.#s.rundown;
    if (!rundown) return;
    const pos = this.#s.position;
    const seg = rundown.segments[pos.segment];
    if (seg && pos.line + 1 < seg.lines.length) {
      pos.line++;
      return;
    }
    pos.line = 0;
    pos.segment++;
    this.#s.atBoundary = true;
    if (pos.segment >= rundown.segments.length) {
      pos.segment = 0;
      pos.loop++;
      const loops = rundown.loops ?? 1;
      if (loops > 0 && pos.loop >= loops) {
        this.#s.state = 'ended';
        this.#s.position = { segment: 0, line: 0, loop: 0 };
        this.#card.show(undefined);
        this.#announcedSegment = undefined;
        this.emit('show.ended', { loops: pos.loop });
        this.#stateEvent();
      }
    }
  }

  #gap(ms: number): void {
    this.#clearGap();
    if (ms <= 0) return this.#kick();
    this.#gapTimer = setTimeout(() => {
      this.#gapTimer = undefined;
      void this.#pump();
    }, ms);
  }

  #clearGap(): void {
    if (this.#gapTimer) clearTimeout(this.#gapTimer);
    this.#gapTimer = undefined;
  }

  #arm(startAt: string): void {
    this.#disarm();
    const ms = Math.max(0, Date.parse(startAt) - Date.now());
    // setTimeout holds at most ~24.8 days; re-arm in steps beyond that.
    this.#startTimer = setTimeout(() => {
      if (Date.parse(startAt) > Date.now() + 1000) return this.#arm(startAt);
      if (this.#s.state === 'scheduled') void this.start().catch((err: Error) => this.#warn(`scheduled start failed: ${err.message}`));
    }, Math.min(ms, 2 ** 31 - 1));
  }

  #disarm(): void {
    if (this.#startTimer) clearTimeout(this.#startTimer);
    this.#startTimer = undefined;
  }

  #stateEvent(): void {
    this.emit('show.state', { state: this.#s.state, position: { ...this.#s.position } });
  }

  async #persist(): Promise<void> {
    try {
      await this.#save(this.snapshot);
    } catch (err) {
      this.#warn(`show state not saved: ${(err as Error).message}`);
    }
  }
}

function samePosition(a: ShowPosition, b: ShowPosition): boolean {
  return a.segment === b.segment && a.line === b.line && a.loop === b.loop;
}
