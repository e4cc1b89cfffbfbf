import type { FastifyRequest } from 'fastify';

/**
 * Reads and drops what is left of a refused upload, so the client, still sending, gets to read the
 * answer (many close their end on a reset) and a keep-alive connection stays usable. Bounded: past
 * `maxBytes` or 30 s the connection is left to close after the answer.
 */
export function drainRequest(raw: FastifyRequest['raw'], maxBytes: number): Promise<void> {
  if (raw.readableEnded || raw.destroyed) return Promise.resolve();
  raw.unpipe();
  return new Promise((resolve) => {
    let seen = 0;
    const done = () => {
      clearTimeout(timer);
      raw.off('data', onData).off('end', done).off('close', done).off('error', done);
      raw.pause();
      resolve();
    };
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) done();
    };
    const timer = setTimeout(done, 30_000);
    raw.on('data', onData).once('end', done).once('close', done).once('error', done);
    raw.resume();
  });
}
