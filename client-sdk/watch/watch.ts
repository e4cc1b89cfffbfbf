// The audience page: /watch/:sessionId?token=VIEWER_TOKEN plays the session, muted until clicked
// (browsers' autoplay rules), with the AI-generated disclosure covering it until it plays (≥ 2.5 s).
import { Viewer } from '../src/viewer.ts';

const sessionId = decodeURIComponent(location.pathname.split('/').pop() ?? '');
const token = new URLSearchParams(location.search).get('token') ?? '';
const video = document.getElementById('video') as HTMLVideoElement;
const unmute = document.getElementById('unmute') as HTMLButtonElement;

unmute.onclick = () => {
  video.muted = false;
  unmute.remove();
};
setTimeout(() => document.getElementById('notice')?.remove(), 8000);
// The opening disclosure covers the player until the picture plays, and for at least 2.5 s.
const disclosureUntil = performance.now() + 2500;
video.addEventListener(
  'playing',
  () => setTimeout(() => document.getElementById('disclosure')?.remove(), Math.max(0, disclosureUntil - performance.now())),
  { once: true },
);

Viewer.join({ baseUrl: location.origin, sessionId, token }).then(
  (viewer) => {
    video.srcObject = viewer.stream;
    void video.play().catch(() => {});
    (window as unknown as { onairViewer: Viewer }).onairViewer = viewer;
  },
  (err: Error) => {
    document.getElementById('error')!.textContent = `Cannot play: ${err.message}`;
  },
);
