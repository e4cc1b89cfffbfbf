import * as mediasoup from 'mediasoup';
import type { types as ms } from 'mediasoup';
import { EventEmitter } from 'node:events';

/**
 * One mediasoup worker per core, handed out round-robin. A worker that dies is replaced; its
 * routers are closed by mediasoup, and the sessions on them hear it through `workerclose`.
 */
export class WorkerPool extends EventEmitter {
  readonly #workers: ms.Worker[] = [];
  #next = 0;
  #closed = false;

  static async create(size: number): Promise<WorkerPool> {
    const pool = new WorkerPool();
    for (let i = 0; i < size; i++) pool.#workers.push(await pool.#spawn());
    return pool;
  }

  get size(): number {
    return this.#workers.length;
  }

  get workers(): readonly ms.Worker[] {
    return this.#workers;
  }

  next(): ms.Worker {
    const worker = this.#workers[this.#next % this.#workers.length]!;
    this.#next++;
    return worker;
  }

  async #spawn(): Promise<ms.Worker> {
    const worker = await mediasoup.createWorker({ logLevel: 'warn' });
    worker.on('died', (err) => {
      const index = this.#workers.indexOf(worker);
      this.emit('workerDied', worker.pid, err);
      if (this.#closed || index < 0) return;
      this.#spawn().then(
        (fresh) => (this.#workers[index] = fresh),
        (e) => this.emit('error', e),
      );
    });
    return worker;
  }

  close(): void {
    this.#closed = true;
    for (const w of this.#workers) w.close();
  }
}
