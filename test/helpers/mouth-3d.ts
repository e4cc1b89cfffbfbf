// Where a built-in 3D host's mouth is in a 1280×720 frame for a shot (the renderer's own camera
// maths), and how open it looks on a received frame.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as THREE from 'three';
import { ShotCamera, type Shot } from '../../pipeline/stages/avatar/three-d/camera-shots.ts';
import { loadGlbHumanoid } from '../../pipeline/stages/avatar/three-d/load-humanoid.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const W = 1280;
const H = 720;
type Frame = { width: number; height: number; data: Uint8Array };

/** Where a host's mouth is at 720p in the close-up (same camera maths as the renderer). */
export async function mouthBox(host: string, shot: Shot): Promise<{ x: number; y: number; w: number; h: number }> {
  const buf = readFileSync(path.join(root, 'models/hosts3d', `${host}.glb`));
  const model = await loadGlbHumanoid(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer);
  const cam = new ShotCamera(W / H, model.body, shot);
  cam.update(0);
  model.scene.updateMatrixWorld(true);
  const lips = model.scene.getObjectByName('Mouth_lips') as THREE.Mesh;
  // The resting lips (a geometry's own bounding box also spans every morph target).
  const box = new THREE.Box3().setFromBufferAttribute(lips.geometry.getAttribute('position') as THREE.BufferAttribute).applyMatrix4(lips.matrixWorld);
  const center = box.getCenter(new THREE.Vector3()).project(cam.camera);
  const edge = new THREE.Vector3(box.max.x, box.getCenter(new THREE.Vector3()).y, box.max.z).project(cam.camera);
  const cx = ((center.x + 1) / 2) * W;
  const cy = ((1 - center.y) / 2) * H;
  const half = Math.abs(((edge.x + 1) / 2) * W - cx);
  // Wide enough for the idle sway and the jaw dropping; narrow enough to stay off the hair.
  console.log(`  ${host}: mouth at (${cx.toFixed(0)}, ${cy.toFixed(0)}), half-width ${half.toFixed(0)} px in the ${shot} shot`);
  return { x: Math.round(cx - half * 1.5), y: Math.round(cy - half * 0.9), w: Math.round(half * 3), h: Math.round(half * 2.6) };
}

/**
 * How open the mouth looks: the height, in rows, of its dark interior (darker than lips, skin and
 * teeth) inside the mouth box. Height, not area, because the target is the opening; rows need a
 * run of dark pixels so the shaded lip edge alone does not count.
 */
export function mouthOpening(box: { x: number; y: number; w: number; h: number }) {
  return (frame: Frame) => {
    // A loaded sender may lower the resolution (WebRTC's CPU adaptation): scale the box with it.
    const k = frame.width / W;
    const b = { x: Math.round(box.x * k), y: Math.round(box.y * k), w: Math.round(box.w * k), h: Math.round(box.h * k) };
    const minRun = Math.max(3, Math.round(b.w / 12));
    let rows = 0;
    for (let y = b.y; y < b.y + b.h; y++) {
      let run = 0;
      let best = 0;
      for (let x = b.x; x < b.x + b.w; x++) {
        run = frame.data[y * frame.width + x]! < 70 ? run + 1 : 0;
        // A run reaching the box's edges is a shadow line (under the chin), not the mouth's inside.
        if (run > best && x < b.x + b.w - 1 && x - run + 1 > b.x) best = run;
      }
      if (best >= minRun) rows++;
    }
    // In 720p rows, whatever the received size.
    return Math.round(rows / k);
  };
}
