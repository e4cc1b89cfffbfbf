// Cuts a stream of raw video bytes (ffmpeg `-f rawvideo` on a pipe) into whole frames of `size`
// bytes. The frame buffer is reused: copy it if you keep it past the callback.
export function rawFrameSplitter(size: number, onFrame: (frame: Buffer) => void): (chunk: Buffer) => void {
  const frame = Buffer.alloc(size);
  let fill = 0;
  return (chunk) => {
    let off = 0;
    while (off < chunk.length) {
      const n = Math.min(size - fill, chunk.length - off);
      chunk.copy(frame, fill, off, off + n);
      fill += n;
      off += n;
      if (fill === size) {
        fill = 0;
        onFrame(frame);
      }
    }
  };
}
