// 16-bit PCM WAV files: voice prompts, recorded takes, voice datasets and test clips.
import { readFileSync, writeFileSync } from 'node:fs';

/** A mono 16-bit PCM WAV file's bytes. */
export function encodeWav(samples: Int16Array, sampleRate: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples.byteLength, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples.byteLength, 40);
  return Buffer.concat([header, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength)]);
}

export function writeWav(path: string, samples: Int16Array, sampleRate: number): void {
  writeFileSync(path, encodeWav(samples, sampleRate));
}

/** A 16-bit PCM WAV (first channel of several), as samples and rate; throws on anything else. */
export function decodeWav(buf: Buffer, name = 'audio'): { samples: Int16Array; sampleRate: number } {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${name} is not a WAV file`);
  let pos = 12;
  let sampleRate = 0;
  let channels = 1;
  let bits = 0;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    if (id === 'fmt ') {
      channels = buf.readUInt16LE(pos + 10);
      sampleRate = buf.readUInt32LE(pos + 12);
      bits = buf.readUInt16LE(pos + 22);
    } else if (id === 'data') {
      if (bits !== 16) throw new Error(`${name} must be 16-bit PCM (it is ${bits}-bit)`);
      const end = Math.min(buf.length, pos + 8 + size);
      const bytes = buf.subarray(pos + 8, end - ((end - pos - 8) % (2 * channels)));
      const all = new Int16Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
      return { samples: channels === 1 ? all : all.filter((_, i) => i % channels === 0), sampleRate };
    }
    pos += 8 + size + (size % 2);
  }
  throw new Error(`${name} has no data chunk`);
}

export function readWav(path: string): { samples: Int16Array; sampleRate: number } {
  return decodeWav(readFileSync(path), path);
}
