import type * as THREE from 'three';

/** Replaces every mesh's material(s) by what `swap` returns for it (itself to keep it). */
export function swapMaterials(root: THREE.Object3D, swap: (m: THREE.Material) => THREE.Material): void {
  root.traverse((o) => {
    const mesh = o as THREE.Mesh;
    if (!mesh.isMesh) return;
    mesh.material = Array.isArray(mesh.material) ? mesh.material.map(swap) : swap(mesh.material);
  });
}
