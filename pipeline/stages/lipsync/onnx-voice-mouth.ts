import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ort from 'onnxruntime-node';
import { EnergyTiltMouth, loudness, smoothMouth, type VoiceMouthEstimator } from './voice-mouth.ts';
import { MOUTH_SHAPES, VISEMES, type MouthShape } from './visemes.ts';

export const DEFAULT_VOICE_MODEL = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models/voice-visemes/voice-visemes.onnx');

const RATE = 16_000;
const HOP = 160;
const WIN = 400;
/** The model labels hop t − LOOKAHEAD from audio up to hop t (see models/voice-visemes/manifest.json). */
const LOOKAHEAD = 2;
/** Audio before the new hops fed with each run: covers the model's receptive field (33 hops). */
const CONTEXT_HOPS = 48;
const RUN_EVERY_HOPS = 4;

/** The trained audio→viseme network, shared by every session (onnxruntime sessions are thread-safe). */
export class VoiceVisemeModel {
  readonly session: ort.InferenceSession;
  private constructor(session: ort.InferenceSession) {
    this.session = session;
  }
  static async load(file = DEFAULT_VOICE_MODEL, executionProviders: string[] = ['cpu']): Promise<VoiceVisemeModel> {
    const session = await ort.InferenceSession.create(file, { executionProviders, intraOpNumThreads: 1 });
    if (session.inputNames[0] !== 'audio' || session.outputNames[0] !== 'visemes') throw new Error(`${file} is not a voice-visemes model`);
    return new VoiceVisemeModel(session);
  }

  /** Viseme probabilities [hops][15] for 16 kHz audio; hop t describes hop t − LOOKAHEAD. */
  async run(audio16k: Float32Array): Promise<Float32Array[]> {
    const out = await this.session.run({ audio: new ort.Tensor('float32', audio16k, [1, audio16k.length]) });
    const data = out.visemes!.data as Float32Array;
    const hops = out.visemes!.dims[1]!;
    return Array.from({ length: hops }, (_, t) => data.subarray(t * VISEMES.length, (t + 1) * VISEMES.length));
  }
}

/**
 * Streaming mouth estimation for one session's operator voice. Audio is analysed as it arrives
 * (observe), ahead of playout; by the time a frame is shown, its hops' viseme probabilities are
 * ready and the mouth is their expected shape, opened in proportion to the frame's loudness.
 * Until the first results exist it falls back to the energy/tilt baseline.
 */
export class OnnxVoiceMouth implements VoiceMouthEstimator {
  readonly name = 'voice-visemes.onnx';
  readonly #model: VoiceVisemeModel;
  readonly #fallback = new EnergyTiltMouth();
  /** 16 kHz history: the last CONTEXT + pending hops of the voice stream. */
  #history = new Float32Array(0);
  /** Absolute 16 kHz sample index of #history[0]. */
  #historyStart = 0;
  #decimatePhase = 0;
  #nextHopToRun = 0;
  #running = false;
  /** Probabilities by absolute hop index (the hop they describe). */
  readonly #probs = new Map<number, Float32Array>();
  #prev: MouthShape = { open: 0, width: 0.5, round: 0 };
  stats = { runs: 0, msTotal: 0 };

  constructor(model: VoiceVisemeModel) {
    this.#model = model;
  }

  observe(samples48k: Int16Array): void {
    // 48 → 16 kHz: average each group of 3 (a crude low-pass, enough for a 7.6 kHz mel top).
    const out: number[] = [];
    let acc = 0;
    for (const s of samples48k) {
      acc += s;
      if (++this.#decimatePhase === 3) {
        out.push(acc / 3 / 32768);
        acc = 0;
        this.#decimatePhase = 0;
      }
    }
    const merged = new Float32Array(this.#history.length + out.length);
    merged.set(this.#history);
    merged.set(out, this.#history.length);
    this.#history = merged;
    this.#maybeRun();
  }

  #maybeRun(): void {
    if (this.#running) return;
    const end = this.#historyStart + this.#history.length;
    const completeHops = Math.floor((end - WIN) / HOP) + 1; // hops whose window is fully received
    if (completeHops - this.#nextHopToRun < RUN_EVERY_HOPS) return;
    const firstHop = Math.max(0, this.#nextHopToRun - CONTEXT_HOPS);
    const from = firstHop * HOP - this.#historyStart;
    const to = (completeHops - 1) * HOP + WIN - this.#historyStart;
    const input = this.#history.slice(Math.max(0, from), to);
    const newFrom = this.#nextHopToRun;
    this.#nextHopToRun = completeHops;
    this.#running = true;
    const t0 = performance.now();
    this.#model.run(input).then(
      (hops) => {
        this.stats.runs++;
        this.stats.msTotal += performance.now() - t0;
        hops.forEach((p, i) => {
          const hop = firstHop + i;
          if (hop >= newFrom) this.#probs.set(hop - LOOKAHEAD, p);
        });
        // Keep only what later runs and frames still need.
        const keepFrom = (this.#nextHopToRun - CONTEXT_HOPS) * HOP;
        if (keepFrom > this.#historyStart) {
          this.#history = this.#history.slice(keepFrom - this.#historyStart);
          this.#historyStart = keepFrom;
        }
        for (const k of this.#probs.keys()) if (k < this.#nextHopToRun - 200) this.#probs.delete(k);
        this.#running = false;
        this.#maybeRun();
      },
      () => {
        this.#running = false;
      },
    );
  }

  mouthFor(frame: Int16Array, ahead: Int16Array, streamPos?: number): MouthShape {
    const baseline = this.#fallback.mouthFor(frame, ahead);
    if (streamPos === undefined) return baseline;
    // Hops whose window centre falls inside this frame (stream positions are 48 kHz samples).
    const startHop = Math.ceil((streamPos / 3 - WIN / 2) / HOP);
    const endHop = Math.floor(((streamPos + frame.length) / 3 - WIN / 2) / HOP);
    const mean = new Float32Array(VISEMES.length);
    let n = 0;
    for (let h = startHop; h <= endHop; h++) {
      const p = this.#probs.get(h);
      if (!p) continue;
      for (let v = 0; v < mean.length; v++) mean[v]! += p[v]!;
      n++;
    }
    if (n === 0) return baseline;
    let open = 0, width = 0, round = 0;
    VISEMES.forEach((v, i) => {
      const w = mean[i]! / n;
      open += w * MOUTH_SHAPES[v].open;
      width += w * MOUTH_SHAPES[v].width;
      round += w * MOUTH_SHAPES[v].round;
    });
    const loud = loudness(frame);
    this.#prev = smoothMouth(this.#prev, { open: loud * (0.45 + 0.55 * open), width, round: round * (loud > 0.1 ? 1 : 0) });
    return this.#prev;
  }
}
