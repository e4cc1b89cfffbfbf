// The audience page: /watch/:sessionId?token=VIEWER_TOKEN plays the session, muted until clicked
// (browsers' autoplay rules), with the AI-presenter disclosure shown when the stream opens.
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
