// Lighting computed per vertex (Gouraud) instead of per pixel: on llvmpipe the fragment shader is
// the largest part of a frame (measured: the built-in hosts cost ≈ 30 % less CPU per frame with an
// unlit shader), and a studio-lit presenter's lighting varies smoothly across its few-thousand-vertex
// surfaces. The light rig is the studio's: a sky/ground hemisphere, a key and a fill, shared by every
// material of an avatar and turned into view space once per frame. The cartoon keeps its cel look:
// the fragment shader only quantises the interpolated light into three tones.
import * as THREE from 'three';

export interface StudioLights {
  sky: THREE.Color;
  ground: THREE.Color;
  /** World-space directions towards the lights. */
  up: THREE.Vector3;
  key: { dir: THREE.Vector3; color: THREE.Color };
  fill: { dir: THREE.Vector3; color: THREE.Color };
}

/** The uniforms every material of one avatar shares (view-space light directions, set per frame). */
export class LightRig {
  readonly uniforms = {
    uSky: { value: new THREE.Color() },
    uGround: { value: new THREE.Color() },
    uUpView: { value: new THREE.Vector3() },
    uKeyView: { value: new THREE.Vector3() },
    uKeyColor: { value: new THREE.Color() },
    uFillView: { value: new THREE.Vector3() },
    uFillColor: { value: new THREE.Color() },
  };
  readonly #lights: StudioLights;

  constructor(lights: StudioLights) {
    this.#lights = lights;
    const u = this.uniforms;
    u.uSky.value.copy(lights.sky);
    u.uGround.value.copy(lights.ground);
    u.uKeyColor.value.copy(lights.key.color);
    u.uFillColor.value.copy(lights.fill.color);
  }

  /** Turns the light directions into the camera's view space (call after the camera moved). */
  update(camera: THREE.Camera): void {
    const m = camera.matrixWorldInverse;
    const u = this.uniforms;
    u.uUpView.value.copy(this.#lights.up).transformDirection(m);
    u.uKeyView.value.copy(this.#lights.key.dir).transformDirection(m);
    u.uFillView.value.copy(this.#lights.fill.dir).transformDirection(m);
  }
}

const vertexShader = /* glsl */ `
#include <common>
#include <uv_pars_vertex>
#include <morphtarget_pars_vertex>
#include <skinning_pars_vertex>
uniform vec3 uSky;
uniform vec3 uGround;
uniform vec3 uUpView;
uniform vec3 uKeyView;
uniform vec3 uKeyColor;
uniform vec3 uFillView;
uniform vec3 uFillColor;
varying vec3 vAmbient;
varying vec3 vFill;
varying float vKeyDot;
void main() {
  #include <uv_vertex>
  #include <beginnormal_vertex>
  #include <morphnormal_vertex>
  #include <skinbase_vertex>
  #include <skinnormal_vertex>
  #include <defaultnormal_vertex>
  #include <begin_vertex>
  #include <morphtarget_vertex>
  #include <skinning_vertex>
  #include <project_vertex>
  vec3 n = normalize( transformedNormal );
  #ifdef DOUBLE_SIDED
    // Back faces (a skirt's inside, hair's underside) are lit as seen, not as modelled.
    if ( dot( n, mvPosition.xyz ) > 0.0 ) n = -n;
  #endif
  vAmbient = mix( uGround, uSky, 0.5 * dot( n, uUpView ) + 0.5 );
  vFill = uFillColor * max( dot( n, uFillView ), 0.0 );
  vKeyDot = dot( n, uKeyView );
}
`;

const fragmentShader = /* glsl */ `
#include <common>
#include <uv_pars_fragment>
#include <map_pars_fragment>
uniform vec3 diffuse;
uniform vec3 emissive;
uniform float opacity;
uniform vec3 uKeyColor;
varying vec3 vAmbient;
varying vec3 vFill;
varying float vKeyDot;
void main() {
  vec4 diffuseColor = vec4( diffuse, opacity );
  #include <map_fragment>
  #ifdef TOON
    // Cel shading: the key light in three flat tones (stepped per pixel, so the edges stay crisp).
    float h = 0.5 * vKeyDot + 0.5;
    vec3 key = uKeyColor * ( h < 0.3333 ? 0.59 : h < 0.6667 ? 0.84 : 1.0 );
  #else
    vec3 key = uKeyColor * max( vKeyDot, 0.0 );
  #endif
  gl_FragColor = vec4( diffuseColor.rgb * ( vAmbient + key + vFill ) + emissive, diffuseColor.a );
  #include <colorspace_fragment>
}
`;

/** A material lit per vertex by `rig`, with the colour, emissive, opacity, side and map of `source`. */
export function gouraudMaterial(source: THREE.MeshStandardMaterial, rig: LightRig, toon: boolean): THREE.ShaderMaterial {
  const m = new THREE.ShaderMaterial({
    uniforms: {
      ...rig.uniforms,
      diffuse: { value: source.color.clone() },
      emissive: { value: source.emissive.clone().multiplyScalar(source.emissiveIntensity ?? 1) },
      opacity: { value: source.opacity },
      map: { value: source.map },
      mapTransform: { value: new THREE.Matrix3() },
    },
    vertexShader,
    fragmentShader,
    transparent: source.transparent,
    side: source.side,
    defines: { ...(toon ? { TOON: '' } : {}), ...(source.side === THREE.DoubleSide ? { DOUBLE_SIDED: '' } : {}) },
  });
  // ShaderMaterial reads `map` from the material to set USE_MAP and the uv chunks.
  (m as unknown as { map: THREE.Texture | null }).map = source.map;
  if (source.map) source.map.updateMatrix(), m.uniforms.mapTransform!.value.copy(source.map.matrix);
  return m;
}
