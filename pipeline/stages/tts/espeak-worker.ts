// Child process that owns eSpeak NG (GPL-3, WebAssembly). Its synth call is synchronous, so it
// runs here, off the server's event loop; the process boundary also keeps the licence boundary.
// Protocol (IPC, advanced serialisation): {id, text, voice, rate} → many {id, samples, events}
// then {id, done: true} (or {id, error}).
import createModule from '@echogarden/espeak-ng-emscripten';

interface Job {
  id: number;
  text: string;
  voice: string;
  rate: number;
}

const module = await createModule();
const engine = new module.eSpeakNGWorker();
const send = (msg: unknown) => process.send!(msg);
send({ ready: true, sampleRate: engine.get_samplerate() });

process.on('message', (job: Job) => {
  try {
    engine.set_voice(job.voice);
    engine.set_rate(Math.round(175 * job.rate)); // eSpeak's default is 175 words/minute
    engine.synthesize(job.text, (samples, events) => {
      send({
        id: job.id,
        samples,
        events: events
          .filter((e) => e.type === 'phoneme' || e.type === 'word' || e.type === 'sentence')
          .map((e) => ({ type: e.type, ms: e.audio_position, textPosition: e.text_position, length: e.word_length, id: e.id })),
      });
      return 0; // 0 = keep going
    });
    send({ id: job.id, done: true });
  } catch (err) {
    send({ id: job.id, error: (err as Error).message });
  }
});
process.on('disconnect', () => process.exit(0));
