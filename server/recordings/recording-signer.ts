import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { signMp4File } from '../compliance/c2pa.ts';
import { makeTestSigningChain } from '../compliance/test-cert.ts';
import type { Config } from '../config.ts';
import type { RecordingSigner } from './recordings.ts';

/**
 * The C2PA signer for finished recordings. With ONAIR_C2PA_CERT (PEM chain, leaf first) and
 * ONAIR_C2PA_KEY (its P-256 key) the operator's certificate signs; without them OnAir makes a
 * self-signed chain once (next to the recordings, `c2pa/`) so every recording still carries a
 * manifest — readers report it valid but `signingCredential.untrusted` until a real certificate
 * from a CA on the C2PA trust list is configured.
 */
export async function recordingSigner(config: Config, log: { info(m: string): void; warn(m: string): void }): Promise<RecordingSigner> {
  let chain: { certChainPem: string; privateKeyPem: string };
  if (config.c2pa.certFile && config.c2pa.keyFile) {
    chain = { certChainPem: await readFile(config.c2pa.certFile, 'utf8'), privateKeyPem: await readFile(config.c2pa.keyFile, 'utf8') };
  } else {
    const dir = path.join(path.dirname(path.resolve(config.recordings.dir)), 'c2pa');
    const certFile = path.join(dir, 'chain.pem');
    const keyFile = path.join(dir, 'key.pem');
    if (existsSync(certFile) && existsSync(keyFile)) {
      chain = { certChainPem: await readFile(certFile, 'utf8'), privateKeyPem: await readFile(keyFile, 'utf8') };
    } else {
      await mkdir(dir, { recursive: true });
      chain = await makeTestSigningChain(dir);
      await writeFile(certFile, chain.certChainPem);
      await writeFile(keyFile, chain.privateKeyPem, { mode: 0o600 });
      log.warn(`no ONAIR_C2PA_CERT/ONAIR_C2PA_KEY: recordings are signed with a self-signed certificate made in ${dir} (readers will call it untrusted)`);
    }
  }
  return async (file, record) => {
    await signMp4File(file, file, {
      ...chain,
      title: `OnAir recording ${record.id}`,
      aigc: record.aigc,
      engines: ['eSpeak NG (TTS)', 'OnAir presenter renderer', 'x264 (H.264)', 'FFmpeg AAC'],
      sessionId: record.sessionId,
    });
  };
}
