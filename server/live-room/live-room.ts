import { randomBytes, randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { AudienceEvent, ConnectorConfig, ConnectorStatus, LlmConfig, ModerationSettings, Product, ReplyRule, ReplySettings } from '../../client-sdk/src/live-room-types.ts';
import type { PresenterSource } from '../../pipeline/session/presenter-source.ts';
import type { VoiceRouter } from '../../pipeline/stages/tts/voice-router.ts';
import type { AuditLog } from '../audit/audit-log.ts';
import type { AudienceConnector } from '../audience/connector.ts';
import { createConnector, validateConnectorConfig } from '../audience/connectors/index.ts';
import { HttpError, notFound } from '../errors.ts';
import { DEFAULT_PROHIBITED_TERMS } from '../moderation/default-terms.ts';
import { Moderator } from '../moderation/moderator.ts';
import type { RoomRecord, RoomStores } from '../store/room-store.ts';
import { AudienceHub, DEFAULT_REPLY_SETTINGS } from './audience-hub.ts';
import { OperatorPresence } from './operator-presence.ts';
import { ProductCardSlot } from './product-card-slot.ts';
import { EMPTY_SHOW, ShowRunner } from './show-runner.ts';
import { SpeechDesk } from './speech-desk.ts';
import { DEFAULT_SPOKEN_DISCLOSURE, SpokenDisclosure, type SpokenDisclosureSettings } from './spoken-disclosure.ts';

export const MAX_CONNECTORS = 4;
const REPLY_OVERLAY_ID = 'reply-overlay';

/** A notification for the session's websocket clients; operator-only ones carry audience data. */
export interface RoomNotice {
  event: string;
  data: unknown;
  operatorOnly: boolean;
}

export interface LiveRoomDeps {
  sessionId: string;
  presenter: PresenterSource;
  audit: AuditLog;
  voices: VoiceRouter;
  stores: RoomStores;
  log: { info(msg: string): void; warn(msg: string): void };
}

/**
 * Everything that makes a presenter session a live room, owned by the session: the speech desk
 * (moderation + audit before TTS), the show, the audience hub (webhook and connectors → rules / LLM
 * → paced replies) and operator presence. Settings and the show's place live in the store.
 */
export class LiveRoom extends EventEmitter<{ notice: [RoomNotice] }> {
  readonly sessionId: string;
  readonly desk: SpeechDesk;
  readonly moderator: Moderator;
  readonly show: ShowRunner;
  readonly hub: AudienceHub;
  readonly presence = new OperatorPresence();
  readonly spokenDisclosure: SpokenDisclosure;
  readonly #deps: LiveRoomDeps;
  readonly #card: ProductCardSlot;
  readonly #connectors = new Map<string, AudienceConnector>();
  #record: RoomRecord;
  #closed = false;

  private constructor(deps: LiveRoomDeps, record: RoomRecord, show: Awaited<ReturnType<RoomStores['shows']['get']>>) {
    super();
    this.#deps = deps;
    this.sessionId = deps.sessionId;
    this.#record = record;
    this.moderator = new Moderator(record.moderation);
    this.desk = new SpeechDesk({ sessionId: deps.sessionId, presenter: deps.presenter, moderator: this.moderator, audit: deps.audit, voices: deps.voices });
    this.#card = new ProductCardSlot(deps.presenter.compositor, (m) => deps.log.warn(m));
    const { id: _, ...snapshot } = show ?? { id: '', ...EMPTY_SHOW };
    this.show = new ShowRunner(
      { desk: this.desk, card: this.#card, save: (s) => deps.stores.shows.save({ id: deps.sessionId, ...s }), warn: (m) => deps.log.warn(`session ${deps.sessionId}: ${m}`) },
      snapshot,
    );
    this.hub = new AudienceHub({
      show: this.show,
      moderator: this.moderator,
      products: () => this.#products(),
      operatorPresent: () => this.presence.present,
      overlay: (text) => this.#replyOverlay(text),
      warn: (m) => deps.log.warn(`session ${deps.sessionId}: ${m}`),
    });
    this.hub.settings = { ...DEFAULT_REPLY_SETTINGS, ...record.replies };
    this.hub.llm = record.llm;
    try {
      this.hub.setRules(record.rules);
    } catch (err) {
      deps.log.warn(`session ${deps.sessionId}: stored rules not loaded: ${(err as Error).message}`);
    }
    for (const name of ['show.segment', 'show.line', 'show.insert', 'show.state', 'show.ended'] as const) {
      this.show.on(name, (data: unknown) => this.#notice(name, data, false));
    }
    this.desk.on('moderation', (entry) => this.#notice(`moderation.${entry.verdict}`, entry, true));
    this.hub.on('audience', (entry) => this.#notice('audience.event', entry, true));
    this.hub.on('llm', (data) => this.#notice('llm.reply', data, true));
    this.presence.on('change', (view) => {
      this.#notice('operator.presence', view, true);
      this.#audit({ at: new Date().toISOString(), sessionId: deps.sessionId, action: view.present ? 'presence.start' : 'presence.end', source: 'panel', detail: view.operator, client: 'panel' });
    });
    // The operator's live voice taking over is a takeover too.
    deps.presenter.on('voice.started', () => this.#audit({ at: new Date().toISOString(), sessionId: deps.sessionId, action: 'takeover', source: 'operator-voice', client: 'operator' }));
    for (const c of record.connectors) this.#startConnector(c.id, c.config);
    this.spokenDisclosure = new SpokenDisclosure(this.show, { ...DEFAULT_SPOKEN_DISCLOSURE, ...record.spokenDisclosure });
  }

  async setSpokenDisclosure(patch: Partial<SpokenDisclosureSettings>): Promise<SpokenDisclosureSettings> {
    const settings = { ...this.spokenDisclosure.settings, ...patch };
    this.spokenDisclosure.configure(settings);
    this.#record.spokenDisclosure = settings;
    await this.#saveRecord();
    return settings;
  }

  /** Opens the session's room from the store (or a new one), resuming a show that was running. */
  static async open(deps: LiveRoomDeps): Promise<LiveRoom> {
    const stored = await deps.stores.rooms.get(deps.sessionId);
    const record: RoomRecord = stored ?? {
      id: deps.sessionId,
      webhookSecret: randomBytes(24).toString('base64url'),
      rules: [],
      replies: { ...DEFAULT_REPLY_SETTINGS },
      moderation: { terms: [...DEFAULT_PROHIBITED_TERMS] },
      connectors: [],
    };
    if (!stored) await deps.stores.rooms.save(record);
    const show = await deps.stores.shows.get(deps.sessionId);
    return new LiveRoom(deps, record, show);
  }

  get webhookSecret(): string {
    return this.#record.webhookSecret;
  }

  /** Audit from an event handler: a failure is logged, never thrown into the media path. */
  #audit(entry: Parameters<AuditLog['append']>[0]): void {
    this.#deps.audit.append(entry).catch((err: Error) => this.#deps.log.warn(`session ${this.sessionId}: audit entry not written: ${err.message}`));
  }

  #notice(event: string, data: unknown, operatorOnly: boolean): void {
    if (!this.#closed) this.emit('notice', { event, data, operatorOnly });
  }

  #products(): { current?: Product; all: Product[] } {
    const status = this.show.status();
    const segments = status.rundown?.segments ?? [];
    const strip = ({ imageBase64: _, ...p }: Product): Product => p;
    const current = status.state === 'playing' || status.state === 'paused' ? segments[status.position.segment]?.product : undefined;
    return { current: current && strip(current), all: segments.map((s) => strip(s.product)) };
  }

  #replyOverlay(text: string | undefined): void {
    const compositor = this.#deps.presenter.compositor;
    const others = compositor.overlays.filter((o) => o.id !== REPLY_OVERLAY_ID);
    const size = Math.round(compositor.format.height / 24);
    compositor.overlays = text ? [...others, { id: REPLY_OVERLAY_ID, kind: 'text', text, x: Math.round(compositor.format.width * 0.04), y: Math.round(compositor.format.height * 0.16), fontSize: size, color: '#ffffff', background: 'rgba(232,69,44,0.92)' }] : others;
  }

  async #saveRecord(): Promise<void> {
    await this.#deps.stores.rooms.save(this.#record);
  }

  // ---------- settings ----------

  get rules(): ReplyRule[] {
    return this.hub.rules;
  }

  async setRules(rules: ReplyRule[]): Promise<ReplyRule[]> {
    for (const r of rules) for (const reply of r.replies) await this.desk.validate(reply);
    try {
      this.hub.setRules(rules);
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
    this.#record.rules = this.hub.rules;
    await this.#saveRecord();
    return this.hub.rules;
  }

  async setReplySettings(patch: Partial<ReplySettings>): Promise<ReplySettings> {
    this.hub.settings = { ...this.hub.settings, ...patch };
    this.#record.replies = this.hub.settings;
    await this.#saveRecord();
    return this.hub.settings;
  }

  /** The LLM config without its key. */
  get llm(): (Omit<LlmConfig, 'apiKey'> & { apiKey?: string }) | undefined {
    return this.hub.llm && { ...this.hub.llm, ...(this.hub.llm.apiKey ? { apiKey: '***' } : {}) };
  }

  async setLlm(config: LlmConfig | null): Promise<void> {
    if (config) {
      let url: URL;
      try {
        url = new URL(config.baseUrl);
      } catch {
        throw new HttpError(400, 'llm.baseUrl is not a URL');
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new HttpError(400, 'llm.baseUrl must be http(s)');
    }
    this.hub.llm = config ?? undefined;
    this.#record.llm = config ?? undefined;
    await this.#saveRecord();
  }

  async setModeration(settings: ModerationSettings): Promise<ModerationSettings> {
    try {
      this.moderator.configure(settings);
    } catch (err) {
      if (err instanceof RangeError) throw new HttpError(400, err.message);
      throw err;
    }
    this.#record.moderation = this.moderator.settings;
    await this.#saveRecord();
    return this.moderator.settings;
  }

  async rotateWebhookSecret(): Promise<string> {
    this.#record.webhookSecret = randomBytes(24).toString('base64url');
    await this.#saveRecord();
    return this.#record.webhookSecret;
  }

  // ---------- audience ----------

  receive(events: AudienceEvent[]) {
    return this.hub.ingest(events);
  }

  connectors(): ConnectorStatus[] {
    return [...this.#connectors.values()].map((c) => c.status());
  }

  async addConnector(config: ConnectorConfig): Promise<ConnectorStatus> {
    const problem = validateConnectorConfig(config);
    if (problem) throw new HttpError(400, problem);
    if (this.#connectors.size >= MAX_CONNECTORS) throw new HttpError(409, `a session has at most ${MAX_CONNECTORS} connectors`);
    const id = randomUUID();
    const connector = this.#startConnector(id, config);
    this.#record.connectors.push({ id, config });
    await this.#saveRecord();
    return connector.status();
  }

  async removeConnector(id: string): Promise<void> {
    const connector = this.#connectors.get(id);
    if (!connector) throw notFound(`connector ${id}`);
    this.#connectors.delete(id);
    await connector.stop();
    this.#record.connectors = this.#record.connectors.filter((c) => c.id !== id);
    await this.#saveRecord();
  }

  #startConnector(id: string, config: ConnectorConfig): AudienceConnector {
    const log = this.#deps.log;
    const connector = createConnector(id, config, {
      onEvents: (events) => {
        if (!this.#closed) this.hub.ingest(events);
      },
      onStatus: (status) => this.#notice('connector.status', status, true),
      log: { info: (m) => log.info(`connector ${id}: ${m}`), warn: (m) => log.warn(`connector ${id}: ${m}`) },
    });
    this.#connectors.set(id, connector);
    connector.start();
    return connector;
  }

  /** Stops the room's activity; the stored settings and show stay (a restart resumes them). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.spokenDisclosure.close();
    this.show.close();
    this.hub.close();
    this.presence.close();
    this.#card.close();
    await Promise.all([...this.#connectors.values()].map((c) => c.stop().catch(() => {})));
    this.#connectors.clear();
    this.removeAllListeners();
  }

  /** The session was deleted: forget its settings and show too. */
  async destroy(): Promise<void> {
    await this.close();
    await Promise.all([this.#deps.stores.rooms.delete(this.sessionId), this.#deps.stores.shows.delete(this.sessionId)]);
  }
}
