import { Device, type types as ms } from 'mediasoup-client';
import { SignallingChannel, type WebSocketFactory } from './signalling.ts';

export interface MediaSessionOptions {
  baseUrl: string;
  sessionId: string;
  token: string;
  WebSocket?: WebSocketFactory;
  /** mediasoup-client handler; detected in browsers, Chrome111 (libwebrtc) in Node. */
  handlerName?: ms.BuiltinHandlerName;
}

/** Opens a session's websocket and a mediasoup-client Device loaded with the router's capabilities. */
export async function openMediaSession(opts: MediaSessionOptions): Promise<{ channel: SignallingChannel; device: Device }> {
  const WebSocketImpl = opts.WebSocket ?? (globalThis.WebSocket as unknown as WebSocketFactory);
  const url = `${opts.baseUrl.replace(/^http/, 'ws')}/v1/sessions/${encodeURIComponent(opts.sessionId)}/ws?token=${encodeURIComponent(opts.token)}`;
  const channel = await SignallingChannel.open(url, WebSocketImpl);
  try {
    const inBrowser = typeof navigator !== 'undefined' && typeof window !== 'undefined';
    const device = new Device({ handlerName: opts.handlerName ?? (inBrowser ? undefined : 'Chrome111') });
    await device.load({ routerRtpCapabilities: await channel.request('getRouterRtpCapabilities', {}) });
    return { channel, device };
  } catch (err) {
    channel.close();
    throw err;
  }
}
