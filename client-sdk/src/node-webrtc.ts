// Node has no WebRTC: mediasoup-client's browser handlers work on @roamhq/wrtc once its classes
// are installed as the usual globals. Idempotent; call before creating a mediasoup-client Device.
import wrtc from '@roamhq/wrtc';

let exitGuardInstalled = false;

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
  if (!exitGuardInstalled) {
    exitGuardInstalled = true;
    // @roamhq/wrtc segfaults while tearing down its media sinks when Node exits by draining the
    // event loop. Exiting explicitly at that point (same exit code) skips that teardown.
    process.once('beforeExit', () => process.exit(process.exitCode ?? 0));
  }
  return wrtc;
}
