// Fewer draw calls: rigid parts hung on joints (fingers, eyes, buttons, shoes…) are merged, per
// material, into one skinned mesh whose vertices each follow their joint with weight 1. On llvmpipe
// behind ANGLE a frame's cost is dominated by per-draw overhead, not pixels (83 draws of the
// semi-realistic host cost 7 ms even with a flat material), so this is the largest single saving.
import * as THREE from 'three';
import { mergeGeometries, mergeVertices } from 'three/addons/utils/BufferGeometryUtils.js';

export function mergeRigidParts(root: THREE.Object3D): { before: number; after: number } {
  root.updateMatrixWorld(true);
  const groups = new Map<THREE.Material, THREE.Mesh[]>();
  let before = 0;
  root.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (!mesh.isMesh) return;
    before++;
    const skinned = (mesh as THREE.SkinnedMesh).isSkinnedMesh;
    const morphs = mesh.geometry.morphAttributes.position?.length;
    if (skinned || morphs || Array.isArray(mesh.material) || !mesh.parent || mesh.parent === root) return;
    const list = groups.get(mesh.material) ?? [];
    list.push(mesh);
    groups.set(mesh.material, list);
  });
  let removed = 0;
  for (const [material, meshes] of groups) {
    if (meshes.length < 2) continue;
    const joints: THREE.Object3D[] = [];
    const parts: THREE.BufferGeometry[] = [];
    for (const mesh of meshes) {
      const joint = mesh.parent!;
      let j = joints.indexOf(joint);
      if (j < 0) j = joints.push(joint) - 1;
      // Bind space = the rest pose in the root's frame.
      const g = mesh.geometry.clone();
      for (const name of Object.keys(g.attributes)) if (name !== 'position' && name !== 'normal') g.deleteAttribute(name);
      if (!g.getAttribute('normal')) g.computeVertexNormals();
      const toRoot = new THREE.Matrix4().copy(root.matrixWorld).invert().multiply(mesh.matrixWorld);
      g.applyMatrix4(toRoot);
      const n = g.getAttribute('position').count;
      const skinIndex = new Uint16Array(n * 4);
      const skinWeight = new Float32Array(n * 4);
      for (let v = 0; v < n; v++) {
        skinIndex[v * 4] = j;
        skinWeight[v * 4] = 1;
      }
      g.setAttribute('skinIndex', new THREE.Uint16BufferAttribute(skinIndex, 4));
      g.setAttribute('skinWeight', new THREE.Float32BufferAttribute(skinWeight, 4));
      parts.push(g);
    }
    const indexed = parts.every((p) => p.index);
    const joined = mergeGeometries(indexed ? parts : parts.map((p) => (p.index ? p.toNonIndexed() : p)));
    if (!joined) continue;
    // Non-indexed input makes every triangle carry its own three vertices; indexing them again
    // shares identical ones (the semi host's hair: 9012 → 1611 vertices), and llvmpipe shades
    // vertices on the render thread.
    const merged = indexed ? joined : mergeVertices(joined);
    const skinnedMesh = new THREE.SkinnedMesh(merged, material);
    skinnedMesh.name = `merged:${material.name || meshes[0]!.name}`;
    skinnedMesh.frustumCulled = false;
    root.add(skinnedMesh);
    // Vertices are in the root's frame: bind with the root's world matrix and each joint's rest inverse.
    const inverses = joints.map((joint) => joint.matrixWorld.clone().invert());
    skinnedMesh.bind(new THREE.Skeleton(joints as THREE.Bone[], inverses), root.matrixWorld.clone());
    for (const mesh of meshes) mesh.removeFromParent();
    removed += meshes.length - 1;
  }
  return { before, after: before - removed };
}
