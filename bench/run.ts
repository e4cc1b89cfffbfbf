// `npm run bench`: every benchmark in turn (each prints its own figures).
import { benchViewerJoin } from './viewer-join.ts';
import { benchSessionCpu } from './session-cpu.ts';
import { benchHttpControl } from './http-control.ts';
import { benchPublishAlternatives } from './publish-alternatives.ts';
import { benchPresenter } from './presenter.ts';
import { benchPanel } from './panel.ts';
import { benchVoice } from './voice.ts';
import { benchRealPerson } from './real-person.ts';
import { benchFaceMesh } from './face-mesh.ts';
import { benchRealPersonServer } from './real-person-server.ts';
import { benchSegmentation } from './segmentation.ts';
import { benchLiveRoom } from './live-room.ts';
import { benchRecording } from './recording.ts';
import { benchWatermark } from './watermark.ts';
import { benchPresenter3d } from './presenter-3d.ts';
import { benchVoices } from './voices.ts';
import { benchVoiceUnderLoad } from './voice-under-load.ts';

const only = process.argv[2];
const benches: [string, () => Promise<void>][] = [
  ['viewer-join', benchViewerJoin],
  ['session-cpu', benchSessionCpu],
  ['publish-alternatives', benchPublishAlternatives],
  ['http-control', benchHttpControl],
  ['presenter', benchPresenter],
  ['panel', benchPanel],
  ['voice', benchVoice],
  ['real-person', benchRealPerson],
  ['face-mesh', benchFaceMesh],
  ['real-person-server', benchRealPersonServer],
  ['segmentation', benchSegmentation],
  ['live-room', benchLiveRoom],
  ['recording', benchRecording],
  ['watermark', benchWatermark],
  ['presenter-3d', benchPresenter3d],
  ['voices', benchVoices],
  ['voice-under-load', benchVoiceUnderLoad],
];
for (const [name, fn] of benches) {
  if (only && name !== only) continue;
  console.log(`\n== ${name}`);
  await fn();
}
process.exit(0);
