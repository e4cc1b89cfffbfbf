// Records one take from the microphone as raw PCM (not MediaRecorder's Opus: the studio's checks —
// clipping, noise floor — must see the samples the microphone gave) and hands it back as a 16-bit
// WAV. The browser's voice processing is off: echo cancellation, noise suppression and automatic
// gain would hide exactly what the checks look for.
export class TakeRecorder {
  #ctx: AudioContext | undefined;
  #stream: MediaStream | undefined;
  #node: ScriptProcessorNode | undefined;
  #chunks: Float32Array[] = [];

  get recording(): boolean {
    return this.#node !== undefined;
  }

  async start(): Promise<void> {
    this.#stream = await navigator.mediaDevices.getUserMedia({ audio: { echoCancellation: false, noiseSuppression: false, autoGainControl: false, channelCount: 1 } });
    this.#ctx = new AudioContext({ sampleRate: 48_000 });
    const source = this.#ctx.createMediaStreamSource(this.#stream);
    // ScriptProcessorNode: deprecated but everywhere, and needs no worklet module (CSP 'self' only).
    this.#node = this.#ctx.createScriptProcessor(4096, 1, 1);
    this.#chunks = [];
    this.#node.onaudioprocess = (e) => this.#chunks.push(new Float32Array(e.inputBuffer.getChannelData(0)));
    source.connect(this.#node);
    this.#node.connect(this.#ctx.destination);
  }

  /** Stops and returns the take (WAV) with its length in seconds. */
  async stop(): Promise<{ wav: Blob; seconds: number }> {
    this.#node?.disconnect();
    this.#node = undefined;
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    const rate = this.#ctx?.sampleRate ?? 48_000;
    await this.#ctx?.close();
    this.#ctx = undefined;
    const n = this.#chunks.reduce((s, c) => s + c.length, 0);
    const pcm = new Int16Array(n);
    let o = 0;
    for (const c of this.#chunks) for (const v of c) pcm[o++] = Math.max(-32768, Math.min(32767, Math.round(v * 32768)));
    return { wav: wavBlob(pcm, rate), seconds: n / rate };
  }
}

function wavBlob(pcm: Int16Array, rate: number): Blob {
  const header = new DataView(new ArrayBuffer(44));
  const text = (at: number, s: string) => [...s].forEach((ch, i) => header.setUint8(at + i, ch.charCodeAt(0)));
  text(0, 'RIFF');
  header.setUint32(4, 36 + pcm.byteLength, true);
  text(8, 'WAVEfmt ');
  header.setUint32(16, 16, true);
  header.setUint16(20, 1, true);
  header.setUint16(22, 1, true);
  header.setUint32(24, rate, true);
  header.setUint32(28, rate * 2, true);
  header.setUint16(32, 2, true);
  header.setUint16(34, 16, true);
  text(36, 'data');
  header.setUint32(40, pcm.byteLength, true);
  return new Blob([header.buffer, pcm.buffer as ArrayBuffer], { type: 'audio/wav' });
}
