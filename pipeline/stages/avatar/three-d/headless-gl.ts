// A WebGL 1 context without a window, for three.js in Node. `gl` (headless-gl) renders through
// ANGLE's GLX back end, so it needs an X display: when the server has none, one private Xvfb is
// started on first use and shared by every 3D presenter (llvmpipe renders; Xvfb only hosts it).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export type WebGLContext = WebGLRenderingContext & { destroy?: () => void };
type CreateGl = (width: number, height: number, options?: WebGLContextAttributes) => WebGLContext | null;

let display: Promise<string> | undefined;
let xvfb: ChildProcess | undefined;

/** The X display 3D rendering uses: $DISPLAY when it works, else a private Xvfb. */
export function ensureDisplay(): Promise<string> {
  display ??= (async () => {
    if (process.env.DISPLAY && tryContext()) return process.env.DISPLAY;
    const child = spawn('Xvfb', ['-displayfd', '1', '-screen', '0', '64x64x24', '-nolisten', 'tcp', '-noreset'], { stdio: ['ignore', 'pipe', 'pipe'] });
    xvfb = child;
    process.once('exit', () => child.kill());
    const number = await new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
      child.once('error', (e) => reject(new Error(`3D rendering needs Xvfb (apt-get install xvfb): ${e.message}`)));
      child.once('exit', (code) => reject(new Error(`Xvfb exited (${code}): ${err.trim().split('\n').slice(-2).join(' ')}`)));
    });
    // From here on it must not keep the process alive: it lives exactly as long as the server.
    child.unref();
    for (const stream of [child.stdout, child.stderr] as unknown as { unref?: () => void; destroy(): void }[]) {
      stream.destroy();
    }
    process.env.DISPLAY = `:${number}`;
    if (!tryContext()) throw new Error(`no WebGL context on Xvfb ${process.env.DISPLAY} (is libgl1-mesa-dri installed?)`);
    return process.env.DISPLAY;
  })();
  display.catch(() => (display = undefined));
  return display;
}

function tryContext(): boolean {
  const gl = createGl(4, 4);
  if (!gl) return false;
  release(gl);
  return true;
}

let loaded: CreateGl | undefined;
function createGl(width: number, height: number, options?: WebGLContextAttributes): WebGLContext | null {
  // llvmpipe rasterises on the calling thread unless told otherwise (Mesa reads this when it loads).
  // Its worker threads only added hand-off cost for an avatar-sized draw on a 2-core box: a speaking
  // 3D session used ~5 % of a core more with them, and a frame rendered under 1.5 ms sooner.
  // Set LP_NUM_THREADS yourself to override (a box with many idle cores may want them).
  process.env.LP_NUM_THREADS ??= '0';
  loaded ??= require('gl') as CreateGl;
  return loaded(width, height, options);
}

/** A context of this size (call ensureDisplay first). Throws with the reason when there is none. */
export function createContext(width: number, height: number): WebGLContext {
  const gl = createGl(width, height, { alpha: true, depth: true, antialias: false, premultipliedAlpha: false, preserveDrawingBuffer: true, stencil: false });
  if (!gl) throw new Error(`no WebGL context (DISPLAY=${process.env.DISPLAY ?? 'unset'})`);
  return gl;
}

export function release(gl: WebGLContext): void {
  (gl.getExtension('STACKGL_destroy_context') as { destroy(): void } | null)?.destroy();
}

/** For tests and benchmarks that want to know whether a private Xvfb was started. */
export function privateXvfbPid(): number | undefined {
  return xvfb?.pid;
}
