/**
 * Streaming Catmull-Rom (cubic) resampler for mono Int16 PCM, e.g. eSpeak's 22050 Hz → 48 kHz.
 * Keeps three input samples of history between calls so chunk boundaries are seamless.
 */
export class Resampler {
  readonly #step: number;
  #pos = 0; // position of the next output sample, in input samples, relative to #hist[1]
  #hist: number[] = [0, 0, 0];

  constructor(fromRate: number, toRate: number) {
    this.#step = fromRate / toRate;
  }

  push(input: Int16Array): Int16Array {
    // Work buffer: 3 samples of history followed by the new input.
    const buf = new Float32Array(input.length + 3);
    buf[0] = this.#hist[0]!;
    buf[1] = this.#hist[1]!;
    buf[2] = this.#hist[2]!;
    buf.set(input, 3);
    const out: number[] = [];
    // Interpolate between buf[i+1] and buf[i+2]; needs buf[i]..buf[i+3].
    let pos = this.#pos;
    while (Math.floor(pos) + 3 < buf.length) {
      const i = Math.floor(pos);
      const t = pos - i;
      const p0 = buf[i]!, p1 = buf[i + 1]!, p2 = buf[i + 2]!, p3 = buf[i + 3]!;
      const v = p1 + 0.5 * t * (p2 - p0 + t * (2 * p0 - 5 * p1 + 4 * p2 - p3 + t * (3 * (p1 - p2) + p3 - p0)));
      out.push(Math.max(-32768, Math.min(32767, Math.round(v))));
      pos += this.#step;
    }
    const consumed = input.length;
    this.#pos = pos - consumed;
    this.#hist = [buf[buf.length - 3]!, buf[buf.length - 2]!, buf[buf.length - 1]!];
    return Int16Array.from(out);
  }
}
