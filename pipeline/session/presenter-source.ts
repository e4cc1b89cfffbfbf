import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { AUDIO_CHUNK_SAMPLES, samplesPerFrame, type MediaSource, type VideoFormat, type VideoFrame } from '../core/media.ts';
import type { Avatar } from '../stages/avatar/avatar.ts';
import { Compositor } from '../stages/compose/compositor.ts';
import type { Background } from '../stages/compose/backgrounds.ts';
import { IdleMotion } from '../stages/gesture/idle-motion.ts';
import { stampTimecode } from '../core/timecode.ts';
import { gesturePoseAt } from '../stages/gesture/gesture-pose.ts';
import type { GestureCue } from '../stages/gesture/gesture-planner.ts';
import { MouthTrack } from '../stages/lipsync/mouth-track.ts';
import type { SpeechSegment, Lang, TtsEngine } from '../stages/tts/tts-types.ts';
import { Utterance } from './utterance.ts';
import { VoiceInput } from './voice-input.ts';
import { EnergyTiltMouth, type VoiceMouthEstimator } from '../stages/lipsync/voice-mouth.ts';

/** Audio after the frame that the voice mouth estimator may look at (within the playout delay). */
const VOICE_LOOKAHEAD = (48_000 * 20) / 1000;

export interface SpeakRequest {
  segments: SpeechSegment[];
  text: string;
  lang: Lang;
  voice?: string;
  interrupt?: boolean;
  /** Insert at the head of the queue, after what is playing. */
  next?: boolean;
}

export interface SpeechEventPayload {
  utteranceId: string;
  /** Session timeline position (48 kHz samples) where it happened. */
  pts: number;
  error?: string;
}

export interface PresenterEvents {
  'speech.started': [SpeechEventPayload];
  'speech.ended': [SpeechEventPayload];
  'speech.interrupted': [SpeechEventPayload];
  /** The voice had trouble (a speech server failed and the fallback voice spoke instead). */
  'speech.warning': [SpeechEventPayload & { message: string }];
  'voice.started': [{ pts: number }];
  'voice.ended': [{ pts: number }];
}

/** What the operator's voice does to the presenter's own speech: cut it, or play under it. */
export type VoicePolicy = 'interrupt' | 'duck';
const DUCK_GAIN = 0.25;

export const MAX_QUEUE = 50;

interface MixedChunk {
  pts: number;
  samples: Int16Array;
  /** The operator's voice is in this chunk: the mouth follows it instead of the TTS phonemes. */
  voice: boolean;
  /** Where the chunk starts in the voice stream (for voice chunks). */
  voicePos?: number;
}

/**
 * The live presenter as a MediaSource. Audio is mixed a frame ahead into a tiny ring so each video
 * frame knows the exact samples it will be shown with (mouth energy), and an interrupt only has to
 * silence that ring. Speech events fire when the audio they refer to is handed to the encoders.
 */
export class PresenterSource extends EventEmitter<PresenterEvents> implements MediaSource {
  readonly format: VideoFormat;
  readonly compositor: Compositor;
  readonly #tts: TtsEngine;
  #avatar: Avatar;
  readonly #idle: IdleMotion;
  readonly #mouth = new MouthTrack();
  readonly #seed: number;
  readonly #spf: number;
  #queue: Utterance[] = [];
  #current: { utt: Utterance; base: number } | undefined;
  #cues: (GestureCue & { at: number })[] = [];
  #sentences: { at: number; text: string }[] = [];
  #ring: MixedChunk[] = [];
  #mixedUntil = -1;
  #scheduled: { pts: number; event: keyof PresenterEvents; payload: SpeechEventPayload | { pts: number } }[] = [];
  readonly voice = new VoiceInput();
  voicePolicy: VoicePolicy = 'interrupt';
  readonly #voiceMouth: VoiceMouthEstimator;
  #voiceOn = false;
  #frame: Uint8Array | undefined;
  readonly stats = { underrunSamples: 0, utterances: 0 };
  /** An invisible mark added to every composed frame before any encoder sees it (set by the server). */
  watermark: { embed(i420: Uint8Array): void } | undefined;
  /** Burn the frame number into each frame (measurement only: ONAIR_TIMECODE=1). */
  timecode = false;

  /** What the operator panel and monitoring want to know. */
  status() {
    return {
      speaking: this.speaking,
      queued: this.queueLength,
      voiceActive: this.#voiceOn,
      voicePolicy: this.voicePolicy,
      utterances: this.stats.utterances,
      ttsUnderrunMs: Math.round(this.stats.underrunSamples / 48),
      voiceDroppedMs: Math.round(this.voice.dropped / 48),
    };
  }

  constructor(format: VideoFormat, tts: TtsEngine, avatar: Avatar, background: Background, seed = 1, voiceMouth: VoiceMouthEstimator = new EnergyTiltMouth()) {
    super();
    this.#voiceMouth = voiceMouth;
    if (voiceMouth.observe) this.voice.onSamples = (mono) => voiceMouth.observe!(mono);
    this.format = format;
    this.#tts = tts;
    this.#avatar = avatar;
    this.#seed = seed;
    this.#idle = new IdleMotion(seed);
    this.#spf = samplesPerFrame(format.fps);
    this.compositor = new Compositor(format, background);
  }

  /** Shows another avatar from the next frame on; speech, gestures and the scene carry on. */
  setAvatar(avatar: Avatar): void {
    const previous = this.#avatar;
    this.#avatar = avatar;
    if (previous !== avatar) previous.dispose?.();
  }

  get avatar(): Avatar {
    return this.#avatar;
  }

  get queueLength(): number {
    return this.#queue.length + (this.#current ? 1 : 0);
  }

  get speaking(): boolean {
    return this.#current !== undefined;
  }

  speak(req: SpeakRequest): string {
    if (req.interrupt) this.interrupt();
    if (this.queueLength >= MAX_QUEUE) throw new RangeError(`the speech queue is full (${MAX_QUEUE} utterances)`);
    const utt = new Utterance(randomUUID(), req.text);
    if (req.next) this.#queue.unshift(utt);
    else this.#queue.push(utt);
    this.stats.utterances++;
    void utt.synthesize(this.#tts, { segments: req.segments, lang: req.lang, voice: req.voice }, this.#seed + this.stats.utterances);
    return utt.id;
  }

  /** Stops the current utterance at the next audio chunk and drops the queue. Returns how many. */
  interrupt(): number {
    const stopped = [...(this.#current ? [this.#current.utt] : []), ...this.#queue];
    const cut = this.#ring[0]?.pts ?? Math.max(0, this.#mixedUntil);
    for (const c of this.#ring) c.samples.fill(0); // not yet sent: silence it
    this.#mouth.closeAt(cut);
    this.#cues = this.#cues.filter((c) => c.at < cut);
    this.#sentences.push({ at: cut, text: '' });
    this.#scheduled = this.#scheduled.filter((s) => s.pts < cut);
    for (const utt of stopped) {
      utt.cancel();
      this.emit('speech.interrupted', { utteranceId: utt.id, pts: cut });
    }
    this.#current = undefined;
    this.#queue = [];
    return stopped.length;
  }

  /** The operator's live voice (mono or interleaved, any rate), as it arrives. */
  pushVoice(samples: Int16Array, sampleRate: number, channels = 1): void {
    this.voice.push(samples, sampleRate, channels);
  }

  /** Mixes 10 ms chunks from `start` (first call only) until `end` is covered. */
  #mixUntil(start: number, end: number): void {
    if (this.#mixedUntil < 0) this.#mixedUntil = start - (start % AUDIO_CHUNK_SAMPLES);
    while (this.#mixedUntil < end) {
      const pts = this.#mixedUntil;
      const voiceNow = this.voice.active;
      if (voiceNow !== this.#voiceOn) {
        this.#voiceOn = voiceNow;
        // The operator takes over: the presenter's own speech stops (or, ducked, plays under it).
        if (voiceNow && this.voicePolicy === 'interrupt' && this.queueLength > 0) this.interrupt();
        this.#scheduled.push({ pts, event: voiceNow ? 'voice.started' : 'voice.ended', payload: { pts } });
      }
      if (voiceNow && this.voicePolicy === 'interrupt') {
        const samples = new Int16Array(AUDIO_CHUNK_SAMPLES);
        const voicePos = this.voice.position;
        this.voice.read(samples);
        this.#ring.push({ pts, samples, voice: true, voicePos });
        this.#mixedUntil += AUDIO_CHUNK_SAMPLES;
        continue;
      }
      const samples = new Int16Array(AUDIO_CHUNK_SAMPLES);
      let filled = 0;
      while (filled < samples.length) {
        if (!this.#current && !this.#startNext(pts + filled)) break;
        const cur = this.#current!;
        this.#drainEvents(cur.utt, cur.base);
        const n = cur.utt.read(samples, filled);
        filled += n;
        if (cur.utt.drained) {
          this.#drainEvents(cur.utt, cur.base);
          this.#finish(pts + filled);
        } else if (n === 0) {
          this.stats.underrunSamples += samples.length - filled; // TTS behind playback: stay silent
          break;
        }
      }
      let voicePos: number | undefined;
      if (voiceNow) {
        const voice = new Int16Array(AUDIO_CHUNK_SAMPLES);
        voicePos = this.voice.position;
        this.voice.read(voice);
        for (let i = 0; i < samples.length; i++) samples[i] = Math.max(-32768, Math.min(32767, Math.round(samples[i]! * DUCK_GAIN) + voice[i]!));
      }
      this.#ring.push({ pts, samples, voice: voiceNow, voicePos });
      this.#mixedUntil += AUDIO_CHUNK_SAMPLES;
    }
  }

  #startNext(pts: number): boolean {
    const next = this.#queue[0];
    if (!next || (next.buffered === 0 && !next.synthesisDone)) return false; // wait for first audio
    this.#queue.shift();
    this.#current = { utt: next, base: pts };
    this.#scheduled.push({ pts, event: 'speech.started', payload: { utteranceId: next.id, pts } });
    return true;
  }

  #finish(pts: number): void {
    const utt = this.#current!.utt;
    this.#mouth.closeAt(pts);
    this.#sentences.push({ at: pts, text: '' });
    this.#scheduled.push({ pts, event: 'speech.ended', payload: { utteranceId: utt.id, pts, error: utt.error?.message } });
    this.#current = undefined;
  }

  #drainEvents(utt: Utterance, base: number): void {
    if (utt.pendingEvents.length) {
      const phonemes = [];
      const visemes = [];
      for (const e of utt.pendingEvents) {
        if (e.type === 'phoneme') phonemes.push(e);
        else if (e.type === 'viseme') visemes.push(e);
        else if (e.type === 'sentence') this.#sentences.push({ at: base + e.at, text: e.text });
        else if (e.type === 'warning') this.emit('speech.warning', { utteranceId: utt.id, pts: base + e.at, message: e.message });
      }
      this.#mouth.addPhonemes(phonemes, base);
      this.#mouth.addVisemes(visemes, base);
      utt.pendingEvents = [];
    }
    if (utt.pendingCues.length) {
      for (const c of utt.pendingCues) this.#cues.push({ ...c, at: base + c.at });
      utt.pendingCues = [];
    }
  }

  renderAudio(pts: number, out: Int16Array): void {
    this.#mixUntil(pts, pts + out.length);
    while (this.#ring.length && this.#ring[0]!.pts < pts) this.#ring.shift();
    const chunk = this.#ring.shift();
    if (chunk && chunk.pts === pts) out.set(chunk.samples);
    else out.fill(0);
    // Announce what this chunk starts or ends, now that it is going out.
    const due = this.#scheduled.filter((s) => s.pts < pts + out.length);
    if (due.length) {
      this.#scheduled = this.#scheduled.filter((s) => s.pts >= pts + out.length);
      for (const s of due) (this.emit as (e: string, p: unknown) => boolean)(s.event, s.payload);
    }
  }

  /** The chunks that will play during [pts, pts + frame). */
  #frameChunks(pts: number): MixedChunk[] {
    return this.#ring.filter((c) => c.pts >= pts && c.pts < pts + this.#spf);
  }

  renderVideo(index: number, pts: number): VideoFrame {
    this.#mixUntil(pts, pts + this.#spf);
    const chunks = this.#frameChunks(pts);
    let mouth;
    if (chunks.some((c) => c.voice)) {
      // Operator voice: estimate the mouth from the frame's audio plus what follows it.
      const frame = new Int16Array(chunks.length * AUDIO_CHUNK_SAMPLES);
      chunks.forEach((c, i) => frame.set(c.samples, i * AUDIO_CHUNK_SAMPLES));
      mouth = this.#voiceMouth.mouthFor(frame, this.voice.peek(VOICE_LOOKAHEAD), chunks.find((c) => c.voice)?.voicePos);
    } else {
      let sum = 0;
      let n = 0;
      for (const c of chunks) {
        for (const s of c.samples) sum += s * s;
        n += c.samples.length;
      }
      mouth = this.#mouth.mouthAt(pts, n ? Math.sqrt(sum / n) : 0);
    }
    this.#cues = this.#cues.filter((c) => pts - c.at < (c.durationMs + 1000) * 48);
    const gesture = gesturePoseAt(this.#cues, pts);
    const avatarCanvas = this.#avatar.renderFrame({ mouth, idle: this.#idle.poseAt(pts), left: gesture.left, right: gesture.right, nod: gesture.nod });
    this.#mouth.forgetBefore(pts);
    const caption = this.#captionAt(pts);
    this.#frame = this.compositor.compose(avatarCanvas, caption, this.#avatar.contentBounds);
    this.watermark?.embed(this.#frame);
    if (this.timecode) stampTimecode(this.#frame, this.format.width, this.format.height, index);
    return { index, pts, width: this.format.width, height: this.format.height, data: this.#frame };
  }

  #captionAt(pts: number): string | undefined {
    let text: string | undefined;
    let keep = 0;
    for (let i = 0; i < this.#sentences.length; i++) {
      if (this.#sentences[i]!.at <= pts) {
        text = this.#sentences[i]!.text;
        keep = i;
      }
    }
    if (keep > 0) this.#sentences.splice(0, keep);
    return text || undefined;
  }

  close(): void {
    this.interrupt();
    this.compositor.background.close();
    this.#avatar.dispose?.();
  }
}
