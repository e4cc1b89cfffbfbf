import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createCanvas } from '@napi-rs/canvas';
import { phonemeToVisemes, VISEMES } from '../pipeline/stages/lipsync/visemes.ts';
import { MouthTrack } from '../pipeline/stages/lipsync/mouth-track.ts';
import { parseSsml, SsmlError, toSegments } from '../pipeline/stages/tts/ssml.ts';
import { detectLang, splitByLanguage } from '../pipeline/stages/tts/tts-types.ts';
import { Resampler } from '../pipeline/stages/tts/resampler.ts';
import { planGestures } from '../pipeline/stages/gesture/gesture-planner.ts';
import { IdleMotion } from '../pipeline/stages/gesture/idle-motion.ts';
import { Compositor, labelRect, buildOverlay, type LabelPosition } from '../pipeline/stages/compose/compositor.ts';
import { ImageBackground, SolidBackground, VideoLoopBackground } from '../pipeline/stages/compose/backgrounds.ts';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

test('visemes: English IPA from eSpeak en-us', () => {
  const cases: [string, string[]][] = [
    ['p', ['PP']], ['b', ['PP']], ['m', ['PP']], ['f', ['FF']], ['v', ['FF']], ['θ', ['TH']], ['ð', ['TH']],
    ['t', ['DD']], ['d', ['DD']], ['k', ['kk']], ['ŋ', ['kk']], ['tʃ', ['CH']], ['dʒ', ['CH']], ['ʃ', ['CH']],
    ['s', ['SS']], ['z', ['SS']], ['n', ['nn']], ['l', ['nn']], ['ɹ', ['RR']], ['ɚ', ['RR']],
    ['ˈɑː', ['aa']], ['æ', ['aa']], ['ɛ', ['E']], ['ə', ['E']], ['iː', ['I']], ['ɪ', ['I']],
    ['ɔ', ['O']], ['uː', ['U']], ['ʊ', ['U']], ['w', ['U']], ['j', ['I']],
    ['ˈaɪ', ['aa', 'I']], ['ˈoʊ', ['O', 'U']], ['eɪ', ['E', 'I']], ['aʊ', ['aa', 'U']], ['ɔɪ', ['O', 'I']],
    ['', ['sil']],
  ];
  for (const [ipa, want] of cases) assert.equal(phonemeToVisemes(ipa), want, `/${ipa}/`);
});

test('visemes: Mandarin IPA from eSpeak cmn (pinyin initials and finals)', () => {
  const cases: [string, string[]][] = [
    ['tɕ', ['CH']], ['tɕʰ', ['CH']], ['ɕ', ['CH']], ['ts.', ['CH']], ['s.', ['CH']], ['ʂ', ['CH']], // j q x zh sh
    ['ts', ['SS']], ['tsʰ', ['SS']], // z c
    ['χ', ['kk']], ['x', ['kk']], ['k', ['kk']], // h k
    ['pʰ', ['PP']], ['m', ['PP']], ['f', ['FF']], ['tʰ', ['DD']], ['n', ['nn']], ['l', ['nn']],
    ['ˈi.', ['I']], ['ˈai', ['aa', 'I']], ['ˈɑu', ['aa', 'U']], ['ua', ['U', 'aa']], ['ˈiɛ', ['I', 'E']],
    ['ˈo', ['O']], ['y', ['U']], ['ɤ', ['E']], ['a5', ['aa']],
  ];
  for (const [ipa, want] of cases) assert.equal(phonemeToVisemes(ipa), want, `/${ipa}/`);
  assert.is(VISEMES.length, 15);
});

test('mouth track: blends neighbours, closes in pauses and at the end', () => {
  const t = new MouthTrack();
  const ms = 48;
  t.addPhonemes([{ at: 0, phoneme: 'h' }, { at: 80 * ms, phoneme: 'ˈɑː' }, { at: 300 * ms, phoneme: 'm' }, { at: 380 * ms, phoneme: '' }], 0);
  t.closeAt(600 * ms);
  const loud = 7000;
  const openA = t.mouthAt(150 * ms, loud).open;
  const openM = t.mouthAt(310 * ms, loud).open;
  assert.ok(openA > 0.8, `wide open on /ɑː/: ${openA}`);
  assert.ok(openM < openA, 'narrower on /m/');
  const samples = Array.from({ length: 60 }, (_, i) => t.mouthAt(i * 10 * ms, loud).open);
  for (let i = 1; i < samples.length; i++) assert.ok(Math.abs(samples[i]! - samples[i - 1]!) < 0.35, `no snapping at ${i * 10} ms`);
  assert.is(t.mouthAt(150 * ms, 0).open, 0, 'silent audio closes the mouth');
  assert.ok(t.mouthAt(700 * ms, loud).open < 0.5, 'pause after the end: lips relax to the rest shape');
});

test('SSML subset: breaks, nested prosody, marks and gestures', () => {
  const segs = parseSsml('<speak>Hi <break time="1.5s"/><prosody rate="slow">slow <prosody rate="150%">then faster</prosody></prosody><mark name="m1"/><gesture name="wave"/> &amp; done</speak>');
  assert.equal(segs, [
    { kind: 'text', text: 'Hi ', rate: 1 },
    { kind: 'break', ms: 1500 },
    { kind: 'text', text: 'slow ', rate: 0.8 },
    { kind: 'text', text: 'then faster', rate: 0.8 * 1.5 },
    { kind: 'mark', name: 'm1' },
    { kind: 'mark', name: 'gesture:wave' },
    { kind: 'text', text: ' & done', rate: 1 },
  ]);
  assert.equal(toSegments('  plain   text '), [{ kind: 'text', text: 'plain text', rate: 1 }]);
});

test('SSML subset: malformed or unsupported input is an error with a message', () => {
  const bad: [string, RegExp][] = [
    ['<speak>open <prosody rate="slow">never closed</speak>', /malformed SSML at line 1/],
    ['<speak>a</speak><speak>b</speak>', /root/],
    ['<voice>x</voice>', /single <speak> root/],
    ['<speak><audio src="a.mp3"/>x</speak>', /unsupported SSML element <audio>/],
    ['<speak>x<break time="forever"/></speak>', /break time "forever"/],
    ['<speak>x<break time="20s"/></speak>', /longer than 10s/],
    ['<speak><prosody rate="ludicrous">x</prosody></speak>', /prosody rate "ludicrous"/],
    ['<speak><prosody>x</prosody></speak>', /needs a rate/],
    ['<speak><mark/>x</speak>', /needs a name/],
    ['<speak><break time="1s"/></speak>', /no text to speak/],
  ];
  for (const [input, message] of bad) {
    try {
      parseSsml(input);
      assert.unreachable(`accepted: ${input}`);
    } catch (err) {
      assert.instance(err, SsmlError, input);
      assert.match((err as Error).message, message);
    }
  }
});

test('language: detection and mixed zh/en runs', () => {
  assert.is(detectLang('Only $19.99 today'), 'en');
  assert.is(detectLang('这款只要99元'), 'zh');
  const runs = splitByLanguage([{ kind: 'text', text: '这款 iPhone 只要 99 元', rate: 1 }]);
  assert.equal(runs.map((r) => (r.kind === 'text' ? [r.text.trim(), r.lang] : [])), [['这款', 'zh'], ['iPhone 只要 99 元'.slice(0, 6), 'en'], ['只要 99 元', 'zh']]);
});

test('resampler: 22050 → 48000 keeps length, pitch and continuity across chunks', () => {
  const tone = Int16Array.from({ length: 22050 }, (_, i) => Math.round(10000 * Math.sin((2 * Math.PI * 440 * i) / 22050)));
  const r = new Resampler(22050, 48000);
  const parts = [tone.subarray(0, 1000), tone.subarray(1000, 1001), tone.subarray(1001)].map((p) => r.push(p));
  const out = Int16Array.from(parts.flatMap((p) => [...p]));
  assert.ok(Math.abs(out.length - 48000) <= 3, `length ${out.length}`);
  let crossings = 0;
  for (let i = 1; i < out.length; i++) if (out[i - 1]! < 0 && out[i]! >= 0) crossings++;
  assert.ok(Math.abs(crossings - 440) <= 2, `440 Hz preserved (${crossings} cycles)`);
  for (let i = 1; i < out.length; i++) assert.ok(Math.abs(out[i]! - out[i - 1]!) < 700, `no click at ${i}`);
});

test('gestures: cues from text (en + zh) and marks, deterministic for a seed', () => {
  const text = 'Hello everyone! This product costs only $19.99. Do you like it?';
  const words = [...text.matchAll(/\S+/g)].map((m, i) => ({ at: i * 24000, textOffset: m.index! }));
  const a = planGestures(text, words, [], 7);
  const b = planGestures(text, words, [], 7);
  assert.equal(a, b, 'same seed, same plan');
  const reasons = a.map((c) => c.reason);
  assert.ok(reasons.includes('greeting'), reasons.join());
  assert.ok(reasons.length >= 2, `several cues: ${reasons.join()}`);
  assert.is(planGestures('It costs $19.99', [{ at: 0, textOffset: 0 }, { at: 9000, textOffset: 9 }], [], 1)[0]?.reason, 'number or price');
  assert.is(planGestures('Look at this product', [{ at: 0, textOffset: 0 }, { at: 9000, textOffset: 8 }], [], 1)[0]?.gesture, 'point');
  assert.is(planGestures('Do you like it?', [{ at: 0, textOffset: 0 }], [], 1)[0]?.gesture, 'open-palms');
  assert.is(a[0]!.gesture, 'wave');
  assert.is(a[0]!.at, 0);
  for (let i = 1; i < a.length; i++) assert.ok(a[i]!.at > a[i - 1]!.at, 'cues do not overlap');
  const sides = new Set(Array.from({ length: 20 }, (_, seed) => planGestures(text, words, [], seed)[0]!.side));
  assert.is(sides.size, 2, 'different seeds vary the leading arm');
  const zh = planGestures('大家好！这款产品只要九十九元。', [{ at: 0, textOffset: 0 }, { at: 100000, textOffset: 4 }, { at: 200000, textOffset: 8 }], [], 1);
  assert.is(zh[0]!.gesture, 'wave');
  assert.ok(zh.some((c) => c.gesture === 'point' || c.gesture === 'count'));
  const marked = planGestures('plain words', [{ at: 0, textOffset: 0 }], [{ at: 5000, name: 'gesture:point' }, { at: 9000, name: 'not-a-gesture' }], 1);
  assert.equal(marked.map((c) => [c.gesture, c.at, c.reason]), [['point', 5000, 'mark']]);
});

test('idle motion: blinks at natural random intervals, reproducible from the seed', () => {
  const sample = (seed: number) => {
    const idle = new IdleMotion(seed);
    return Array.from({ length: 25 * 60 }, (_, f) => idle.poseAt(f * 1920));
  };
  const a = sample(3);
  assert.equal(a, sample(3));
  const blinkStarts = a.map((p, i) => (p.blink > 0.5 && (a[i - 1]?.blink ?? 0) <= 0.5 ? i / 25 : -1)).filter((t) => t >= 0);
  assert.ok(blinkStarts.length >= 8 && blinkStarts.length <= 40, `${blinkStarts.length} blinks in 60 s`);
  const gaps = blinkStarts.slice(1).map((t, i) => t - blinkStarts[i]!);
  assert.ok(gaps.every((g) => g >= 0.25 && g <= 6.5), `gaps ${gaps.map((g) => g.toFixed(1)).join(' ')}`);
  assert.ok(new Set(gaps.map((g) => g.toFixed(1))).size > 3, 'intervals vary');
  assert.not.equal(sample(4).map((p) => p.blink), a.map((p) => p.blink));
});

test('AI label: drawn on every frame, on top of anything, wherever it is placed', async () => {
  const format = { width: 640, height: 360, fps: 25 };
  const blank = createCanvas(10, 10);
  // A full-frame opaque white image overlay and a white background try to hide it.
  const white = createCanvas(640, 360);
  const wctx = white.getContext('2d');
  wctx.fillStyle = '#ffffff';
  wctx.fillRect(0, 0, 640, 360);
  const cover = await buildOverlay('cover', { kind: 'image', imageBase64: white.toBuffer('image/png').toString('base64'), x: 0, y: 0, width: 640, height: 360 });
  for (const position of ['top-left', 'top-right', 'bottom-left', 'bottom-right'] as LabelPosition[]) {
    for (const scale of [1, 1.5, 2]) {
      const c = new Compositor(format, new SolidBackground('#ffffff'));
      c.overlays = [cover];
      c.label = { ...c.label, position, scale };
      const rgba = c.composeRgba(blank, 'a caption that could overlap');
      const r = labelRect(format, c.label);
      let dark = 0;
      let light = 0;
      for (let y = r.y + 2; y < r.y + r.h - 2; y++) {
        for (let x = r.x + 2; x < r.x + r.w - 2; x++) {
          const i = (y * format.width + x) * 4;
          const l = 0.3 * rgba[i]! + 0.59 * rgba[i + 1]! + 0.11 * rgba[i + 2]!;
          if (l < 60) dark++;
          else if (l > 200) light++;
        }
      }
      const area = (r.w - 4) * (r.h - 4);
      assert.ok(dark / area > 0.4, `${position} ×${scale}: label box present (${((dark / area) * 100).toFixed(0)} % dark)`);
      assert.ok(light / area > 0.03, `${position} ×${scale}: label text present`);
    }
  }
});

function pixelAt(rgba: Uint8Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 4;
  return [rgba[i]!, rgba[i + 1]!, rgba[i + 2]!];
}

test('backgrounds: image scaled to cover, and a looping video decoded by ffmpeg', async () => {
  const format = { width: 320, height: 180, fps: 25 };
  const src = createCanvas(100, 100);
  const sctx = src.getContext('2d');
  sctx.fillStyle = '#ff0000';
  sctx.fillRect(0, 0, 100, 100);
  const c = new Compositor(format, await ImageBackground.load(src.toBuffer('image/png')));
  const blank = createCanvas(10, 10);
  assert.equal(pixelAt(c.composeRgba(blank, undefined), 320, 300, 100), [255, 0, 0], 'image covers the frame');

  const dir = mkdtempSync(path.join(tmpdir(), 'onair-bg-'));
  const file = path.join(dir, 'loop.mp4');
  await new Promise<void>((resolve, reject) =>
    execFile('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=0x00ff00:s=160x90:d=1', '-pix_fmt', 'yuv420p', file], (err) => (err ? reject(err) : resolve())),
  );
  const video = new VideoLoopBackground(file, 320, 180, 25);
  try {
    c.background = video;
    const start = Date.now();
    let px = pixelAt(c.composeRgba(blank, undefined), 320, 300, 100);
    while (px[1]! < 200 && Date.now() - start < 5000) {
      await new Promise((r) => setTimeout(r, 50));
      px = pixelAt(c.composeRgba(blank, undefined), 320, 300, 100);
    }
    assert.ok(px[1]! > 200 && px[0]! < 60, `video frame drawn: ${px}`);
    await new Promise((r) => setTimeout(r, 1500)); // past the clip's 1 s end: it loops
    px = pixelAt(c.composeRgba(blank, undefined), 320, 300, 100);
    assert.ok(px[1]! > 200, 'still showing the (looped) video');
  } finally {
    video.close();
  }
});

test.run();
