// `npm run watermark -- detect FILE [--expect-session ID --provider N] [--seconds S] [--wide] [--json]`
//   Reads the invisible watermark from a video (recording, RTMP capture, re-encoded/scaled/cropped
//   copy) and prints provider and content id. With --expect-session it also says whether the mark is
//   that session's (content id = FNV-1a of the session id) and counts bit errors. Exit 0 when a mark
//   is found (and matches, when one is expected), 1 otherwise.
// `npm run watermark -- embed IN OUT --session ID [--provider N] [--amplitude A] [--kbps K]`
//   Marks every frame of IN like the live pipeline does and re-encodes it (x264 veryfast CBR, audio
//   copied) for manual checks.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { rawFrameSplitter } from '../../pipeline/core/raw-frames.ts';
import { payloadFromSession, WatermarkEmbedder, WM_DEFAULT_AMPLITUDE } from '../../pipeline/stages/compose/watermark.ts';
import { detectWatermark, probeVideo } from '../../pipeline/stages/compose/watermark-detect.ts';

const USAGE = `usage:
  npm run watermark -- detect FILE [--expect-session ID --provider N] [--seconds S] [--wide] [--json]
  npm run watermark -- embed IN OUT --session ID [--provider N] [--amplitude A] [--kbps K]`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    'expect-session': { type: 'string' },
    session: { type: 'string' },
    provider: { type: 'string' },
    seconds: { type: 'string' },
    wide: { type: 'boolean' },
    json: { type: 'boolean' },
    amplitude: { type: 'string' },
    kbps: { type: 'string' },
  },
});

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;
const provider = Number(values.provider ?? 0);

async function detect(file: string): Promise<number> {
  const expected = values['expect-session'] !== undefined ? payloadFromSession(values['expect-session'], provider) : undefined;
  const r = await detectWatermark(file, { seconds: values.seconds ? Number(values.seconds) : undefined, wide: values.wide, expected });
  const match = r.found && (!expected || (r.provider === expected.provider && r.contentId === expected.contentId));
  if (values.json) {
    console.log(JSON.stringify({ ...r, match: expected ? match : undefined }));
  } else {
    const where = `scale ${r.scale?.toFixed(4)}, offset ${r.offset?.join(',')} (mod 256), ${r.frames} frames ${r.width}x${r.height}, ${Math.round(r.ms ?? 0)} ms`;
    if (r.found) console.log(`watermark FOUND: provider ${r.provider} content ${hex(r.contentId!)} (confidence ${r.confidence.toFixed(1)}, snr ${r.snr?.toFixed(2)}, ${r.disagreements}/124 coded bits corrected; ${where})`);
    else console.log(`no watermark found (best guess: crc ${r.crcOk ? 'ok' : 'bad'}, confidence ${r.confidence.toFixed(1)}, snr ${r.snr?.toFixed(2)}; ${where})`);
    if (r.bits) console.log(`payload bits: ${r.bits.join('')}`);
    if (expected) {
      console.log(`expected: provider ${expected.provider} content ${hex(expected.contentId)} (session ${values['expect-session']}) → ${r.bitErrors}/48 payload bit errors, ${r.codedBitErrors}/124 coded bit errors before correction: ${match ? 'MATCH' : 'NO MATCH'}`);
    }
  }
  return match ? 0 : 1;
}

async function embed(input: string, output: string): Promise<number> {
  if (!values.session) throw new Error('embed needs --session ID');
  const payload = payloadFromSession(values.session, provider);
  const { width, height, fps } = await probeVideo(input);
  const kbps = Number(values.kbps ?? 3000);
  const embedder = new WatermarkEmbedder({ width, height }, payload, { amplitude: values.amplitude ? Number(values.amplitude) : WM_DEFAULT_AMPLITUDE });
  const decoder = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', input, '-an', '-sn', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { stdio: ['ignore', 'pipe', 'inherit'] });
  // Video from stdin, audio (if any) copied from the input.
  const encoder = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-r', fps, '-i', 'pipe:0',
    '-i', input, '-map', '0:v', '-map', '1:a?', '-c:a', 'copy',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', `${kbps}k`, '-maxrate', `${kbps}k`, '-bufsize', `${kbps * 2}k`, '-x264-params', 'nal-hrd=cbr:force-cfr=1', '-bf', '0',
    output,
  ], { stdio: ['pipe', 'inherit', 'inherit'] });
  let frames = 0;
  decoder.stdout.on(
    'data',
    rawFrameSplitter((width * height * 3) / 2, (frame) => {
      embedder.embed(frame);
      frames++;
      if (!encoder.stdin.write(Buffer.from(frame))) {
        decoder.stdout.pause();
        encoder.stdin.once('drain', () => decoder.stdout.resume());
      }
    }),
  );
  const exited = (p: ReturnType<typeof spawn>) => new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? 1)));
  const decoded = await exited(decoder);
  encoder.stdin.end();
  const encoded = await exited(encoder);
  if (decoded !== 0 || encoded !== 0) {
    console.error(`ffmpeg failed (decoder ${decoded}, encoder ${encoded})`);
    return 1;
  }
  console.log(`marked ${frames} frames ${width}x${height} with provider ${payload.provider} content ${hex(payload.contentId)} (session ${values.session}) → ${output}`);
  return 0;
}

const [command, a, b] = positionals;
if (command === 'detect' && a) process.exitCode = await detect(a);
else if (command === 'embed' && a && b) process.exitCode = await embed(a, b);
else {
  console.error(USAGE);
  process.exitCode = 2;
}
