import type { Config } from '../config.ts';
import type { RecordingSigner } from './recordings.ts';

/** The C2PA signer for finished recordings (wired once the signing module lands). */
export async function recordingSigner(_config: Config, _log: { info(m: string): void; warn(m: string): void }): Promise<RecordingSigner | undefined> {
  return undefined;
}
