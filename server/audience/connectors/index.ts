// Connector registry: one factory per platform kind. A new platform adds a case here (and to
// ConnectorConfig) and implements AudienceConnector.
import type { AudienceConnector, ConnectorConfig, ConnectorContext } from '../connector.ts';
import { BilibiliOpenLiveConnector } from './bilibili.ts';
import { YouTubeChatConnector } from './youtube.ts';

export { BilibiliOpenLiveConnector } from './bilibili.ts';
export { YouTubeChatConnector } from './youtube.ts';

export function createConnector(id: string, config: ConnectorConfig, ctx: ConnectorContext): AudienceConnector {
  switch (config.kind) {
    case 'youtube':
      return new YouTubeChatConnector(id, config, ctx);
    case 'bilibili':
      return new BilibiliOpenLiveConnector(id, config, ctx);
    default:
      throw new Error(`unknown connector kind: ${(config as { kind?: unknown }).kind}`);
  }
}

/** Checks a config from the API before a connector is built; returns what's wrong, or undefined. */
export function validateConnectorConfig(config: unknown): string | undefined {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) return 'connector config must be an object';
  const c = config as Record<string, unknown>;
  const text = (key: string) => typeof c[key] === 'string' && (c[key] as string).trim() !== '';
  const optionalText = (key: string) => c[key] === undefined || typeof c[key] === 'string';
  if (c.baseUrl !== undefined) {
    let ok = false;
    try {
      ok = typeof c.baseUrl === 'string' && ['http:', 'https:'].includes(new URL(c.baseUrl).protocol);
    } catch {
      ok = false;
    }
    if (!ok) return 'baseUrl must be an http(s) URL';
  }
  switch (c.kind) {
    case 'youtube':
      for (const key of ['liveChatId', 'videoId', 'apiKey', 'oauthToken']) if (!optionalText(key)) return `youtube: ${key} must be a string`;
      if (!text('liveChatId') && !text('videoId')) return 'youtube: liveChatId or videoId is required';
      if (!text('apiKey') && !text('oauthToken')) return 'youtube: apiKey or oauthToken is required';
      return undefined;
    case 'bilibili':
      if (!text('code')) return 'bilibili: code (the anchor identity code, 身份码) is required';
      if (typeof c.appId !== 'number' || !Number.isInteger(c.appId) || c.appId <= 0) return 'bilibili: appId must be a positive integer';
      if (!text('accessKeyId')) return 'bilibili: accessKeyId is required';
      if (!text('accessKeySecret')) return 'bilibili: accessKeySecret is required';
      return undefined;
    default:
      return `unknown connector kind: ${JSON.stringify(c.kind)} (expected youtube or bilibili)`;
  }
}
