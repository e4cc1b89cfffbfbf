// Unit tests of the real-person avatar's geometry, warp, selection and matte (no enrollment).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { apply, compose, fitSimilarity, invert, measureMouth } from '../pipeline/stages/avatar/real-person/geometry.ts';
import { LipWarpBasis } from '../pipeline/stages/avatar/real-person/lip-warp.ts';
import { mouthRegion } from '../pipeline/stages/avatar/real-person/mouth-region.ts';
import { fitLipModel, predictLips } from '../pipeline/stages/avatar/real-person/lip-shape.ts';
import { applyChromaKey, estimateChromaKey } from '../pipeline/stages/avatar/real-person/matte.ts';
import { LIPS, MESH, STABLE_POINTS } from '../pipeline/stages/face/mesh-indices.ts';
import { EnrollmentError, probeVideo } from '../pipeline/stages/avatar/real-person/probe.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A plausible 468-point face: stable points on a grid, mouth points around (180, 200). */
function face(open = 4): Float32Array {
  const p = new Float32Array(936);
  for (let i = 0; i < 468; i++) {
    p[2 * i] = 150 + (i % 20) * 3;
    p[2 * i + 1] = 100 + Math.floor(i / 20) * 4;
  }
  const set = (i: number, x: number, y: number) => ((p[2 * i] = x), (p[2 * i + 1] = y));
  set(MESH.eyeOuterLeft, 140, 120);
  set(MESH.eyeOuterRight, 230, 120);
  set(MESH.noseTip, 185, 160);
  set(MESH.mouthLeft, 160, 200);
  set(MESH.mouthRight, 210, 200);
  set(MESH.innerUpper, 185, 200 - open / 2);
  set(MESH.innerLower, 185, 200 + open / 2);
  return p;
}

test('similarity fit recovers a known rotation, scale and shift; inverse and compose agree', () => {
  const src = face();
  const t = { a: 1.1 * Math.cos(0.1), b: 1.1 * Math.sin(0.1), tx: 12, ty: -7 };
  const dst = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 2) [dst[i], dst[i + 1]] = apply(t, src[i], src[i + 1]);
  const fit = fitSimilarity(src, dst, STABLE_POINTS);
  for (const k of ['a', 'b', 'tx', 'ty'] as const) assert.ok(Math.abs(fit[k] - t[k]) < 1e-3, `${k}: ${fit[k]} vs ${t[k]}`);
  const id = compose(invert(fit), fit);
  assert.ok(Math.abs(id.a - 1) < 1e-6 && Math.abs(id.b) < 1e-6 && Math.abs(id.tx) < 1e-4 && Math.abs(id.ty) < 1e-4);
});

test('mouth measure is relative to the face scale', () => {
  const m = measureMouth(face(9));
  assert.ok(Math.abs(m.open - 9 / 90) < 1e-6, `open ${m.open}`);
  assert.ok(Math.abs(m.width - 50 / 90) < 1e-6, `width ${m.width}`);
  const big = face(9).map((v) => v * 2);
  assert.ok(Math.abs(measureMouth(big).open - m.open) < 1e-6, 'scale-free');
});

test('thin-plate warp maps the target lip points onto the source lips and keeps the box border fixed', () => {
  const reference = face();
  const region = mouthRegion(reference);
  const target = new Float32Array(LIPS.length * 2);
  const source = new Float32Array(LIPS.length * 2);
  LIPS.forEach((k, i) => {
    const a = (i / LIPS.length) * Math.PI * 2;
    const r = i < 20 ? 1 : 0.6;
    target[2 * i] = 185 + 22 * r * Math.cos(a);
    target[2 * i + 1] = 200 + 8 * r * Math.sin(a);
    source[2 * i] = 185 + 20 * r * Math.cos(a);
    source[2 * i + 1] = 201 + 5 * r * Math.sin(a);
    void k;
  });
  const warp = new LipWarpBasis(region, target).warpTo(source);
  const out: [number, number] = [0, 0];
  // A target point on the grid maps close to its source point (grid interpolation + smoothing).
  let err = 0;
  for (let i = 0; i < LIPS.length; i++) {
    warp.map((target[2 * i] - region.x0) * region.scale, (target[2 * i + 1] - region.y0) * region.scale, out);
    err += Math.hypot(out[0] / region.scale + region.x0 - source[2 * i], out[1] / region.scale + region.y0 - source[2 * i + 1]);
  }
  assert.ok(err / LIPS.length < 0.8, `mean lip error ${err / LIPS.length} px`);
  warp.map(0, 0, out);
  assert.ok(Math.hypot(out[0], out[1]) < 0.5, `corner stays: ${out}`);
  warp.map(region.w - 1, region.h - 1, out);
  assert.ok(Math.hypot(out[0] - (region.w - 1), out[1] - (region.h - 1)) < 1.5, `far corner stays: ${out}`);
});

test('lip model: predictions move the inner lips apart with opening', () => {
  const samples = [0, 2, 4, 6, 8, 0, 8].map((o, j) => {
    const lips = new Float32Array(LIPS.length * 2);
    LIPS.forEach((_, i) => {
      lips[2 * i] = 180 + i;
      lips[2 * i + 1] = 200 + (i >= 20 ? (i < 30 ? -o / 2 : o / 2) : 0);
    });
    return { open: o / 90, width: 0.55 + (j % 2) * 0.02, lips };
  });
  const model = fitLipModel(samples);
  const closed = predictLips(model, 0, 0.56), open = predictLips(model, 8 / 90, 0.56);
  assert.ok(Math.abs(open[2 * 35 + 1] - open[2 * 25 + 1] - 8) < 0.05, `gap of 8 px at the top of the range: ${open[2 * 35 + 1] - open[2 * 25 + 1]}`);
  assert.ok(Math.abs(closed[2 * 35 + 1] - closed[2 * 25 + 1]) < 0.05, 'closed at the bottom');
});

/** A 120×100 RGB frame: backdrop everywhere, a skin-coloured "face" ellipse, a dark prop at the left edge. */
function frame(backdrop: (x: number, y: number) => [number, number, number]): Uint8Array {
  const w = 120, h = 100;
  const rgb = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const inFace = ((x - 60) / 25) ** 2 + ((y - 55) / 35) ** 2 < 1;
      const prop = x < 6 && y > 60;
      const c: [number, number, number] = inFace ? [210, 160, 140] : prop ? [20, 20, 20] : backdrop(x, y);
      rgb.set(c, 3 * (y * w + x));
    }
  }
  return rgb;
}

test('matte: a flat blue screen is keyed, the prop dropped, the face kept; a busy backdrop is not keyed', () => {
  const blue = frame(() => [30, 70, 220]);
  const key = estimateChromaKey(blue, 120, 100);
  assert.ok(key, 'blue screen found');
  const lm = new Float32Array(936);
  for (let i = 0; i < 468; i++) {
    const a = (i / 468) * Math.PI * 2;
    lm[2 * i] = 60 + 20 * Math.cos(a);
    lm[2 * i + 1] = 55 + 28 * Math.sin(a);
  }
  const rgba = applyChromaKey(blue, 120, 100, key!, lm);
  const alpha = (x: number, y: number) => rgba[(y * 120 + x) * 4 + 3];
  assert.is(alpha(2, 2), 0, 'backdrop transparent');
  assert.is(alpha(60, 55), 255, 'face opaque');
  assert.is(alpha(2, 80), 0, 'prop not connected to the person: dropped');
  let seed = 1;
  const rand = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 255;
  assert.is(estimateChromaKey(frame(() => [rand(), rand(), rand()]), 120, 100), undefined, 'noise: no key');
  assert.is(estimateChromaKey(frame(() => [128, 128, 128]), 120, 100), undefined, 'grey wall: no key (not a screen)');
});

test('probe: text and images are refused as videos, with a message', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'onair-probe-'));
  const txt = path.join(dir, 'notes');
  writeFileSync(txt, 'not a video\n'.repeat(100));
  try {
    await probeVideo(txt);
    assert.unreachable('text accepted');
  } catch (err) {
    assert.instance(err, EnrollmentError);
    assert.match((err as Error).message, /not a video/);
  }
});

test.run();
