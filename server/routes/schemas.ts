// JSON schemas for request validation; fastify answers a 400 with the violated rule.
const id = { type: 'string', minLength: 1, maxLength: 64 } as const;

export const sessionParams = {
  type: 'object',
  required: ['id'],
  properties: { id },
} as const;

/** Params of a session's child resource: `/v1/sessions/:id/<things>/:<name>`. */
function childParams<N extends string>(name: N) {
  return { type: 'object', required: ['id', name], properties: { id, [name]: id } } as const;
}

export const outputParams = childParams('outputId');

/** `cartoon` or an avatar id (server-made UUIDs). */
const avatarName = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } as const;

export const createSessionBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {
    source: { type: 'string', enum: ['presenter', 'test-card'] },
    avatar: avatarName,
  },
} as const;

export const setAvatarBody = {
  type: 'object',
  required: ['avatar'],
  additionalProperties: false,
  properties: { avatar: avatarName },
} as const;

export const setShotBody = {
  type: 'object',
  required: ['shot'],
  additionalProperties: false,
  properties: { shot: { type: 'string', enum: ['close-up', 'half', 'full'] } },
} as const;

export const avatarParams = {
  type: 'object',
  required: ['id'],
  properties: { id: avatarName },
} as const;

export const rtmpOutputBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', maxLength: 2048, pattern: '^rtmps?://[^\\s/]+(/[^\\s]*)?$' },
  },
} as const;

/** A voice name: an eSpeak NG voice (en-us, cmn, en-us+f3) or ENGINE:NAME. */
export const voiceProperty = { type: 'string', maxLength: 80, pattern: '^([a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*(\\+[a-zA-Z0-9]{1,12})?|(piper|local|custom|openai|cosyvoice|gpt-sovits):[A-Za-z0-9_.-]{1,64})$' } as const;

export const speakBody = {
  type: 'object',
  required: ['text'],
  additionalProperties: false,
  properties: {
    text: { type: 'string', minLength: 1, maxLength: 5000 },
    lang: { type: 'string', enum: ['auto', 'en', 'zh'] },
    voice: voiceProperty,
    interrupt: { type: 'boolean' },
    next: { type: 'boolean' },
  },
} as const;

const color = { type: 'string', maxLength: 40, pattern: '^(#[0-9a-fA-F]{3,8}|[a-z]{3,20}|rgba?\\([0-9., ]{5,40}\\))$' } as const;
const base64 = (maxBytes: number) => ({ type: 'string', maxLength: Math.ceil((maxBytes * 4) / 3), pattern: '^[A-Za-z0-9+/=\\s]+$' }) as const;

export const backgroundBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  maxProperties: 1,
  properties: {
    preset: { type: 'string', enum: ['studio'] },
    color,
    imageBase64: base64(8 * 1024 * 1024),
    videoBase64: base64(16 * 1024 * 1024),
  },
} as const;

/** Position, size and wording (both parts required): there is deliberately no way to switch the AI label off. */
export const labelBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    position: { type: 'string', enum: ['top-left', 'top-right', 'bottom-left', 'bottom-right'] },
    scale: { type: 'number', minimum: 1, maximum: 2 },
    text: { type: 'string', minLength: 2, maxLength: 40 },
  },
} as const;

export const captionsBody = {
  type: 'object',
  required: ['enabled'],
  additionalProperties: false,
  properties: { enabled: { type: 'boolean' } },
} as const;

export const overlayBody = {
  type: 'object',
  required: ['kind', 'x', 'y'],
  additionalProperties: false,
  properties: {
    kind: { type: 'string', enum: ['text', 'image'] },
    text: { type: 'string', minLength: 1, maxLength: 200 },
    imageBase64: base64(4 * 1024 * 1024),
    x: { type: 'number', minimum: -4000, maximum: 4000 },
    y: { type: 'number', minimum: -4000, maximum: 4000 },
    width: { type: 'number', minimum: 1, maximum: 4000 },
    height: { type: 'number', minimum: 1, maximum: 4000 },
    fontSize: { type: 'number', minimum: 8, maximum: 300 },
    color,
    background: color,
  },
} as const;

export const overlayParams = childParams('overlayId');

export const voicePolicyBody = {
  type: 'object',
  required: ['policy'],
  additionalProperties: false,
  properties: { policy: { type: 'string', enum: ['interrupt', 'duck'] } },
} as const;
