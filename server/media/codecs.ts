import type { types as ms } from 'mediasoup';

/** VP8 because every browser and @roamhq/wrtc decode it (wrtc has no H.264 decoder). */
export const ROUTER_CODECS: ms.RtpCodecCapability[] = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1500 } },
];
