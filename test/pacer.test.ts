import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MediaPacer } from '../pipeline/output/pacer.ts';
import { TestCard, readFrameCode } from '../pipeline/sources/test-card.ts';
import type { AudioChunk, MediaSink, VideoFrame } from '../pipeline/core/media.ts';

class Recorder implements MediaSink {
  video: { index: number; pts: number; code: number }[] = [];
  audio: number[] = [];
  writeVideo(f: VideoFrame) {
    this.video.push({ index: f.index, pts: f.pts, code: readFrameCode(f) });
  }
  writeAudio(c: AudioChunk) {
    this.audio.push(c.pts);
  }
}

test('frame n goes out with audio sample n*48000/fps, under any tick jitter', () => {
  let now = 0;
  const pacer = new MediaPacer(new TestCard({ width: 320, height: 180, fps: 25 }), () => now);
  const rec = new Recorder();
  pacer.addSink(rec);
  pacer.start();
  pacer.stop(); // drive by hand
  for (let i = 0; i < 1000; i++) {
    now += 3 + ((i * 7919) % 13); // irregular ticks, 3..15 ms
    pacer.tick();
  }
  const seconds = now / 1000;
  assert.ok(Math.abs(rec.audio.length * 0.01 - seconds) <= 0.01, 'audio keeps wall time');
  assert.ok(Math.abs(rec.video.length / 25 - seconds) <= 0.04, 'video keeps wall time');
  rec.video.forEach((v, i) => {
    assert.is(v.index, i);
    assert.is(v.pts, i * 1920);
    assert.is(v.code, i, 'the card draws the frame number it was asked for');
  });
  rec.audio.forEach((pts, i) => assert.is(pts, i * 480));
  // Each frame is emitted before the audio chunk that starts at or after its pts.
  assert.ok(rec.video.at(-1)!.pts <= rec.audio.at(-1)! + 1920);
});

test('after a stall the pacer skips ahead instead of bursting stale media', () => {
  let now = 0;
  const pacer = new MediaPacer(new TestCard({ width: 320, height: 180, fps: 25 }), () => now);
  const rec = new Recorder();
  pacer.addSink(rec);
  pacer.start();
  pacer.stop();
  now = 100;
  pacer.tick();
  const before = rec.video.length;
  now = 2100; // 2 s event-loop stall
  pacer.tick();
  assert.is(pacer.stats.resyncs, 1);
  assert.ok(rec.video.length - before <= 2, `only what is due now is sent (${rec.video.length - before} frames)`);
  now = 2200;
  pacer.tick();
  const last = rec.video.at(-1)!;
  assert.ok(Math.abs(last.pts / 48 - 2200) < 80, 'timeline continues at wall time');
  assert.is(last.pts % 1920, 0, 'frames stay on the 25 fps grid');
});

test('test card code survives mid-grey noise and rejects non-card frames', () => {
  const card = new TestCard({ width: 1280, height: 720, fps: 25 });
  const frame = card.renderVideo(777_777 & 0xfffff, 0);
  const noisy = Uint8Array.from(frame.data, (v, i) => Math.max(0, Math.min(255, v + ((i * 2654435761) % 41) - 20)));
  assert.is(readFrameCode({ ...frame, data: noisy }), 777_777 & 0xfffff);
  const grey = new Uint8Array(frame.data.length).fill(128);
  assert.is(readFrameCode({ ...frame, data: grey }), -1);
});

test.run();
