// JSON schemas for request validation; fastify answers a 400 with the violated rule.
export const sessionParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

export const outputParams = {
  type: 'object',
  required: ['id', 'outputId'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 64 },
    outputId: { type: 'string', minLength: 1, maxLength: 64 },
  },
} as const;

export const createSessionBody = {
  type: ['object', 'null'],
  additionalProperties: false,
  properties: {},
} as const;

export const rtmpOutputBody = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', maxLength: 2048, pattern: '^rtmps?://[^\\s/]+(/[^\\s]*)?$' },
  },
} as const;
