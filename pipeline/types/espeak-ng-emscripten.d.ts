// The package ships no types; this covers the part of its Emscripten binding OnAir uses.
declare module '@echogarden/espeak-ng-emscripten' {
  export interface EspeakEvent {
    type: string;
    text_position: number;
    word_length: number;
    audio_position: number;
    id: unknown;
  }
  export interface ESpeakNGWorker {
    get_samplerate(): number;
    set_voice(name: string): void;
    set_rate(wpm: number): void;
    synthesize(text: string, callback: (samples: Int16Array, events: EspeakEvent[]) => number): void;
  }
  export interface EspeakModule {
    eSpeakNGWorker: new () => ESpeakNGWorker;
  }
  const createModule: (options?: object) => Promise<EspeakModule>;
  export default createModule;
}
