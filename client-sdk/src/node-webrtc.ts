// Node has no WebRTC: mediasoup-client's browser handlers work on @roamhq/wrtc once its classes
// are installed as the usual globals. Idempotent; call before creating a mediasoup-client Device.
import wrtc from '@roamhq/wrtc';

export function installNodeWebRtcGlobals(): typeof wrtc {
  const g = globalThis as Record<string, unknown>;
  for (const name of [
    'RTCPeerConnection',
    'RTCSessionDescription',
    'RTCIceCandidate',
    'MediaStream',
    'MediaStreamTrack',
    'RTCRtpSender',
    'RTCRtpReceiver',
    'RTCRtpTransceiver',
  ] as const) {
    if (g[name] === undefined) g[name] = (wrtc as Record<string, unknown>)[name];
  }
  return wrtc;
}
