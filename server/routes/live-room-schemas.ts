// JSON schemas of the live-room endpoints (show, inserts, audience, rules, moderation, connectors).
import { speakBody } from './schemas.ts';

const text = speakBody.properties.text;
const lang = speakBody.properties.lang;
const voice = speakBody.properties.voice;
const shortText = { type: 'string', minLength: 1, maxLength: 500 } as const;
const isoTime = { type: 'string', format: 'date-time' } as const;
const segmentId = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' } as const;

const product = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 120 },
    price: { type: 'string', maxLength: 40 },
    imageBase64: { type: 'string', maxLength: 4 * 1024 * 1024 },
    sellingPoints: { type: 'array', maxItems: 8, items: { type: 'string', minLength: 1, maxLength: 120 } },
    countdownTo: isoTime,
    stockLine: { type: 'string', maxLength: 80 },
  },
} as const;

const line = {
  type: 'object',
  required: ['variants'],
  additionalProperties: false,
  properties: {
    variants: { type: 'array', minItems: 1, maxItems: 10, items: text },
    lang,
    voice,
  },
} as const;

export const rundownBody = {
  type: 'object',
  required: ['segments'],
  additionalProperties: false,
  properties: {
    segments: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['product', 'lines'],
        additionalProperties: false,
        properties: { id: segmentId, product, lines: { type: 'array', minItems: 1, maxItems: 200, items: line } },
      },
    },
    loops: { type: 'integer', minimum: 0, maximum: 10000 },
    variantOrder: { type: 'string', enum: ['rotate', 'random'] },
    gapMs: { type: 'integer', minimum: 0, maximum: 10000 },
    startAt: isoTime,
  },
} as const;

export const jumpBody = {
  type: 'object',
  required: ['segment'],
  additionalProperties: false,
  properties: { segment: { anyOf: [segmentId, { type: 'integer', minimum: 0 }] } },
} as const;

export const insertBody = {
  type: 'object',
  required: ['text', 'mode'],
  additionalProperties: false,
  properties: { text, mode: { type: 'string', enum: ['append', 'next', 'now'] }, lang, voice },
} as const;

export const MAX_BATCH = 1000;

export const audienceBody = {
  type: 'object',
  required: ['events'],
  additionalProperties: false,
  properties: {
    events: {
      type: 'array',
      minItems: 1,
      maxItems: MAX_BATCH,
      items: {
        type: 'object',
        required: ['id', 'kind', 'userId', 'userName'],
        additionalProperties: false,
        properties: {
          id: { type: 'string', minLength: 1, maxLength: 128 },
          kind: { type: 'string', enum: ['comment', 'gift', 'like', 'follow', 'enter'] },
          platform: { type: 'string', minLength: 1, maxLength: 32, pattern: '^[a-z0-9_-]+$' },
          userId: { type: 'string', minLength: 1, maxLength: 128 },
          userName: { type: 'string', minLength: 1, maxLength: 64 },
          text: { type: 'string', maxLength: 500 },
          amount: { type: 'number', minimum: 0 },
          unit: { type: 'string', maxLength: 32 },
          at: isoTime,
        },
      },
    },
  },
} as const;

const rule = {
  type: 'object',
  required: ['replies'],
  additionalProperties: false,
  properties: {
    id: segmentId,
    events: { type: 'array', minItems: 1, items: { type: 'string', enum: ['comment', 'gift', 'like', 'follow', 'enter'] } },
    keywords: { type: 'array', maxItems: 50, items: { type: 'string', minLength: 1, maxLength: 200 } },
    match: { type: 'string', enum: ['any', 'all'] },
    regex: { type: 'string', maxLength: 200 },
    priority: { type: 'integer', minimum: -1000, maximum: 1000 },
    replies: { type: 'array', minItems: 1, maxItems: 5, items: shortText },
    cooldownSec: { type: 'number', minimum: 0, maximum: 86400 },
    perUserCooldownSec: { type: 'number', minimum: 0, maximum: 86400 },
    mode: { type: 'string', enum: ['append', 'next', 'now'] },
    overlay: { type: 'object', required: ['text'], additionalProperties: false, properties: { text: { type: 'string', minLength: 1, maxLength: 80 }, seconds: { type: 'number', minimum: 0, maximum: 60 } } },
    enabled: { type: 'boolean' },
  },
} as const;

export const rulesBody = { type: 'object', required: ['rules'], additionalProperties: false, properties: { rules: { type: 'array', maxItems: 200, items: rule } } } as const;

export const replySettingsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    minIntervalSec: { type: 'number', minimum: 0, maximum: 3600 },
    maxQueue: { type: 'integer', minimum: 1, maximum: 100 },
    requireOperator: { type: 'boolean' },
    llmFallback: { type: 'boolean' },
  },
} as const;

export const llmBody = {
  type: 'object',
  required: ['baseUrl', 'model'],
  additionalProperties: false,
  properties: {
    baseUrl: { type: 'string', minLength: 8, maxLength: 500 },
    apiKey: { type: 'string', maxLength: 500 },
    model: { type: 'string', minLength: 1, maxLength: 200 },
    instructions: { type: 'string', maxLength: 4000 },
    fillers: { type: 'array', maxItems: 10, items: shortText },
    fillerAfterMs: { type: 'integer', minimum: 0, maximum: 30000 },
    timeoutMs: { type: 'integer', minimum: 1000, maximum: 120000 },
    maxChars: { type: 'integer', minimum: 20, maximum: 2000 },
    maxTokens: { type: 'integer', minimum: 16, maximum: 4000 },
  },
} as const;

export const moderationBody = {
  type: 'object',
  required: ['terms'],
  additionalProperties: false,
  properties: {
    terms: {
      type: 'array',
      maxItems: 2000,
      items: {
        type: 'object',
        required: ['term', 'action'],
        additionalProperties: false,
        properties: {
          term: { type: 'string', minLength: 1, maxLength: 100 },
          action: { type: 'string', enum: ['block', 'replace'] },
          replacement: { type: 'string', maxLength: 100 },
          reason: { type: 'string', maxLength: 300 },
        },
      },
    },
    externalUrl: { type: 'string', pattern: '^https?://', maxLength: 500 },
    externalTimeoutMs: { type: 'integer', minimum: 100, maximum: 10000 },
  },
} as const;

/** Checked in detail by the connector module (it names what is missing). */
export const connectorBody = {
  type: 'object',
  required: ['kind'],
  properties: { kind: { type: 'string', enum: ['youtube', 'bilibili'] } },
} as const;

export const presenceBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: { operator: { type: 'string', minLength: 1, maxLength: 80 } },
} as const;

export const moderationCheckBody = { type: 'object', required: ['text'], additionalProperties: false, properties: { text } } as const;

function child<N extends string>(name: N) {
  return { type: 'object', required: ['id', name], properties: { id: { type: 'string', minLength: 1, maxLength: 64 }, [name]: { type: 'string', minLength: 1, maxLength: 64 } } } as const;
}
export const insertParams = child('insertId');
export const connectorParams = child('connectorId');

export const spokenDisclosureBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    enabled: { type: 'boolean' },
    everyMinutes: { type: 'number', minimum: 0, maximum: 240 },
    lang: { type: 'string', enum: ['auto', 'zh', 'en'] },
  },
} as const;
