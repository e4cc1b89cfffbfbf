// Writes the built-in hosts as VRM 1.0 (VRMC_vrm) and VRM 0.x (VRM) files: the GLB plus the
// extension that names the humanoid bones and binds the expression presets (aa ih ou ee oh, blink,
// happy…) to the hosts' morph targets. Used by the upload tests and by anyone who wants to edit a
// host in VRM tools:   node --import tsx models/hosts3d/export-vrm.ts [out-dir]
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

type Json = Record<string, any>;

export function readGlb(buf: Buffer): { json: Json; bin: Buffer } {
  if (buf.readUInt32LE(0) !== 0x46546c67) throw new Error('not a GLB');
  const jsonLen = buf.readUInt32LE(12);
  const json = JSON.parse(buf.subarray(20, 20 + jsonLen).toString('utf8')) as Json;
  const binStart = 20 + jsonLen;
  const bin = binStart + 8 <= buf.length ? buf.subarray(binStart + 8, binStart + 8 + buf.readUInt32LE(binStart)) : Buffer.alloc(0);
  return { json, bin };
}

export function writeGlb(json: Json, bin: Buffer): Buffer {
  let text = Buffer.from(JSON.stringify(json), 'utf8');
  if (text.length % 4) text = Buffer.concat([text, Buffer.alloc(4 - (text.length % 4), 0x20)]);
  let body = bin;
  if (body.length % 4) body = Buffer.concat([body, Buffer.alloc(4 - (body.length % 4))]);
  const header = Buffer.alloc(12);
  header.writeUInt32LE(0x46546c67, 0);
  header.writeUInt32LE(2, 4);
  header.writeUInt32LE(12 + 8 + text.length + 8 + body.length, 8);
  const chunk = (type: number, data: Buffer) => {
    const h = Buffer.alloc(8);
    h.writeUInt32LE(data.length, 0);
    h.writeUInt32LE(type, 4);
    return Buffer.concat([h, data]);
  };
  return Buffer.concat([header, chunk(0x4e4f534a, text), chunk(0x004e4942, body)]);
}

/** Mixamo node name → VRM 1.0 humanoid bone. */
const BONES: Record<string, string> = {
  Hips: 'hips', Spine: 'spine', Spine1: 'chest', Spine2: 'upperChest', Neck: 'neck', Head: 'head',
  LeftEye: 'leftEye', RightEye: 'rightEye',
  LeftShoulder: 'leftShoulder', LeftArm: 'leftUpperArm', LeftForeArm: 'leftLowerArm', LeftHand: 'leftHand',
  RightShoulder: 'rightShoulder', RightArm: 'rightUpperArm', RightForeArm: 'rightLowerArm', RightHand: 'rightHand',
  LeftUpLeg: 'leftUpperLeg', LeftLeg: 'leftLowerLeg', LeftFoot: 'leftFoot', LeftToeBase: 'leftToes',
  RightUpLeg: 'rightUpperLeg', RightLeg: 'rightLowerLeg', RightFoot: 'rightFoot', RightToeBase: 'rightToes',
};
for (const side of ['Left', 'Right']) {
  const s = side.toLowerCase();
  for (const [mixamo, vrm] of [['Index', 'Index'], ['Middle', 'Middle'], ['Ring', 'Ring'], ['Pinky', 'Little']]) {
    BONES[`${side}Hand${mixamo}1`] = `${s}${vrm}Proximal`;
    BONES[`${side}Hand${mixamo}2`] = `${s}${vrm}Intermediate`;
    BONES[`${side}Hand${mixamo}3`] = `${s}${vrm}Distal`;
  }
  BONES[`${side}HandThumb1`] = `${s}ThumbMetacarpal`;
  BONES[`${side}HandThumb2`] = `${s}ThumbProximal`;
  BONES[`${side}HandThumb3`] = `${s}ThumbDistal`;
}
/** VRM 1.0 thumb names → VRM 0.x (which has no metacarpal). */
const V0_THUMB: Record<string, string> = { ThumbMetacarpal: 'ThumbProximal', ThumbProximal: 'ThumbIntermediate', ThumbDistal: 'ThumbDistal' };

/** Expression preset → the host's morph targets (name, weight 0..1). */
const EXPRESSIONS: Record<string, [string, number][]> = {
  aa: [['viseme_aa', 1]],
  ih: [['viseme_I', 1]],
  ou: [['viseme_U', 1]],
  ee: [['viseme_E', 1]],
  oh: [['viseme_O', 1]],
  blink: [['eyeBlinkLeft', 1], ['eyeBlinkRight', 1]],
  blinkLeft: [['eyeBlinkLeft', 1]],
  blinkRight: [['eyeBlinkRight', 1]],
  happy: [['mouthSmileLeft', 1], ['mouthSmileRight', 1]],
  surprised: [['eyeWideLeft', 1], ['eyeWideRight', 1], ['browInnerUp', 1]],
};
const V0_PRESET: Record<string, string> = { aa: 'a', ih: 'i', ou: 'u', ee: 'e', oh: 'o', blink: 'blink', blinkLeft: 'blink_l', blinkRight: 'blink_r', happy: 'joy', surprised: 'fun' };

/** Each mesh node with its morph target names (GLTFExporter writes them to mesh.extras.targetNames). */
function morphNodes(json: Json): { node: number; mesh: number; names: string[] }[] {
  const out: { node: number; mesh: number; names: string[] }[] = [];
  (json.nodes as Json[]).forEach((n, node) => {
    if (n.mesh === undefined) return;
    const names = json.meshes[n.mesh].extras?.targetNames as string[] | undefined;
    if (names?.length) out.push({ node, mesh: n.mesh, names });
  });
  return out;
}

function nodeIndex(json: Json): Map<string, number> {
  return new Map((json.nodes as Json[]).map((n, i) => [n.name as string, i]));
}

export function toVrm1(glb: Buffer, title: string): Buffer {
  const { json, bin } = readGlb(glb);
  const nodes = nodeIndex(json);
  const humanBones: Json = {};
  for (const [name, bone] of Object.entries(BONES)) if (nodes.has(name)) humanBones[bone] = { node: nodes.get(name) };
  const morphs = morphNodes(json);
  const preset: Json = {};
  for (const [expr, targets] of Object.entries(EXPRESSIONS)) {
    const binds = morphs.flatMap((m) => targets.filter(([t]) => m.names.includes(t)).map(([t, w]) => ({ node: m.node, index: m.names.indexOf(t), weight: w })));
    if (binds.length) preset[expr] = { morphTargetBinds: binds, isBinary: false };
  }
  json.extensionsUsed = [...new Set([...(json.extensionsUsed ?? []), 'VRMC_vrm'])];
  json.extensions = {
    ...(json.extensions ?? {}),
    VRMC_vrm: {
      specVersion: '1.0',
      meta: { name: title, version: '1', authors: ['OnAir'], licenseUrl: 'https://vrm.dev/licenses/1.0/', avatarPermission: 'everyone', commercialUsage: 'corporation', allowRedistribution: true, modification: 'allowModificationRedistribution', creditNotation: 'unnecessary' },
      humanoid: { humanBones },
      expressions: { preset },
      lookAt: { type: 'bone', offsetFromHeadBone: [0, 0.06, 0] },
    },
  };
  return writeGlb(json, bin);
}

export function toVrm0(glb: Buffer, title: string): Buffer {
  const { json, bin } = readGlb(glb);
  const nodes = nodeIndex(json);
  const humanBones: Json[] = [];
  for (const [name, bone] of Object.entries(BONES)) {
    if (!nodes.has(name)) continue;
    const m = /^(left|right)(Thumb\w+)$/.exec(bone);
    const v0 = m ? `${m[1]}${V0_THUMB[m[2]!]}` : bone;
    humanBones.push({ bone: v0, node: nodes.get(name), useDefaultValues: true });
  }
  const morphs = morphNodes(json);
  const groups: Json[] = [];
  for (const [expr, targets] of Object.entries(EXPRESSIONS)) {
    const binds = morphs.flatMap((m) => targets.filter(([t]) => m.names.includes(t)).map(([t, w]) => ({ mesh: m.mesh, index: m.names.indexOf(t), weight: w * 100 })));
    if (binds.length) groups.push({ name: V0_PRESET[expr], presetName: V0_PRESET[expr], binds, materialValues: [], isBinary: false });
  }
  // VRM 0.x models face −z: turn the whole rig around (readers turn it back, e.g. VRMUtils.rotateVRM0).
  const root = (json.scenes[json.scene ?? 0].nodes as number[])[0]!;
  json.nodes[root].rotation = [0, 1, 0, 0];
  json.extensionsUsed = [...new Set([...(json.extensionsUsed ?? []), 'VRM'])];
  json.extensions = {
    ...(json.extensions ?? {}),
    VRM: {
      exporterVersion: 'OnAir export-vrm',
      specVersion: '0.0',
      meta: { title, version: '1', author: 'OnAir', allowedUserName: 'Everyone', violentUssageName: 'Disallow', sexualUssageName: 'Disallow', commercialUssageName: 'Allow', licenseName: 'CC0' },
      humanoid: { humanBones, armStretch: 0.05, legStretch: 0.05, upperArmTwist: 0.5, lowerArmTwist: 0.5, upperLegTwist: 0.5, lowerLegTwist: 0.5, feetSpacing: 0, hasTranslationDoF: false },
      blendShapeMaster: { blendShapeGroups: groups },
      firstPerson: {
        firstPersonBone: nodes.get('Head'), firstPersonBoneOffset: { x: 0, y: 0.06, z: 0 }, meshAnnotations: [], lookAtTypeName: 'Bone',
        ...Object.fromEntries(['lookAtHorizontalInner', 'lookAtHorizontalOuter', 'lookAtVerticalDown', 'lookAtVerticalUp'].map((k) => [k, { curve: [0, 0, 0, 1, 1, 1, 1, 0], xRange: 90, yRange: 10 }])),
      },
      secondaryAnimation: { boneGroups: [], colliderGroups: [] },
      materialProperties: [],
    },
  };
  return writeGlb(json, bin);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const out = process.argv[2] ?? path.join(dir, 'vrm');
  mkdirSync(out, { recursive: true });
  for (const host of ['host3d-cartoon', 'host3d-semi']) {
    const glb = readFileSync(path.join(dir, `${host}.glb`));
    writeFileSync(path.join(out, `${host}.vrm`), toVrm1(glb, host));
    writeFileSync(path.join(out, `${host}-vrm0.vrm`), toVrm0(glb, host));
    console.log(`${out}/${host}.vrm (VRM 1.0), ${host}-vrm0.vrm (VRM 0.x)`);
  }
}
