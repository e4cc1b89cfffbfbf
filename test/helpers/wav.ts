export { readWav, writeWav } from '../../pipeline/core/wav.ts';
