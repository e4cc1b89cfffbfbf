// The viewer signalling protocol spoken over `/v1/sessions/:id/ws`: JSON requests that each get
// exactly one response with the same id, plus server notifications. Shared by server and SDK.
import type { types as ms } from 'mediasoup-client';

export interface TransportInfo {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
}

export interface ConsumerInfo {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: ms.RtpParameters;
}

export interface Methods {
  getRouterRtpCapabilities: { req: Record<string, never>; res: ms.RtpCapabilities };
  createRecvTransport: { req: Record<string, never>; res: TransportInfo };
  connectTransport: { req: { transportId: string; dtlsParameters: ms.DtlsParameters }; res: Record<string, never> };
  consume: { req: { transportId: string; rtpCapabilities: ms.RtpCapabilities }; res: ConsumerInfo[] };
  resume: { req: { consumerId: string }; res: Record<string, never> };
  /** Operator only (API key or publish token): a transport to send the operator's voice. */
  createSendTransport: { req: Record<string, never>; res: TransportInfo };
  produce: { req: { transportId: string; kind: 'audio'; rtpParameters: ms.RtpParameters }; res: { id: string } };
}

export type Method = keyof Methods;

export interface RequestMessage<M extends Method = Method> {
  id: number;
  method: M;
  data: Methods[M]['req'];
}

export type ResponseMessage =
  | { id: number; ok: true; data: unknown }
  | { id: number; ok: false; error: { status: number; message: string } };

export interface NotificationMessage {
  event: string;
  data: unknown;
}

export const METHODS: readonly Method[] = [
  'getRouterRtpCapabilities',
  'createRecvTransport',
  'connectTransport',
  'consume',
  'resume',
  'createSendTransport',
  'produce',
];
