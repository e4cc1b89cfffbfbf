/**
 * A throw-away C2PA signing chain for tests and local development: a self-signed P-256 root CA and
 * a P-256 end-entity (leaf) certificate issued by it, made with the `openssl` command line.
 *
 * The leaf follows the C2PA certificate profile that c2pa-rs checks when it validates a manifest
 * signature: X.509 v3, ecdsa-with-SHA256, a validity period, basicConstraints CA:FALSE,
 * keyUsage digitalSignature (critical, no keyCertSign), extendedKeyUsage emailProtection +
 * id-kp-documentSigning (1.3.6.1.5.5.7.3.36) and no anyExtendedKeyUsage, subject and authority
 * key identifiers, no issuer/subject unique ids.
 *
 * A reader reports manifests signed with this chain as `signingCredential.untrusted`: the root is on
 * no C2PA trust list. The signature and the content hashes still validate, so the manifest reads as
 * "valid but untrusted", which is what the tests expect.
 *
 * Using a real certificate instead (production):
 *  1. Get a signing certificate for the operator from a CA on the C2PA trust list
 *     (https://opensource.contentauthenticity.org/docs/conformance/trust-lists), for an ES256
 *     (P-256) key generated and kept by the operator (e.g. `openssl genpkey -algorithm EC
 *     -pkeyopt ec_paramgen_curve:P-256 -out c2pa.key`, then a CSR for the CA). The CA issues a
 *     certificate with the C2PA profile above (it knows it).
 *  2. Put the chain in one PEM file, leaf first, then each intermediate CA certificate (the root
 *     may be left out: readers hold it on their trust list).
 *  3. Pass that PEM text as `certChainPem` and the private key's PEM (PKCS#8 `PRIVATE KEY` or
 *     SEC1 `EC PRIVATE KEY`) as `privateKeyPem` to `signMp4` (server/compliance/c2pa.ts). Keep the key
 *     out of the repository (a secret store / a file readable by the server only).
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

const CA_CONFIG = `[req]
distinguished_name = dn
prompt = no
x509_extensions = v3_ca
[dn]
CN = OnAir Test Root CA (not trusted)
O = OnAir test
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

const LEAF_CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = OnAir Test Signer (not trusted)
O = OnAir test
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = emailProtection, 1.3.6.1.5.5.7.3.36
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid, issuer
`;

/**
 * Creates (in `dir`, which is created if missing) a root CA and a leaf certificate, both P-256, and
 * returns the leaf-first PEM chain (leaf, root) and the leaf's PKCS#8 private key PEM.
 */
export async function makeTestSigningChain(dir: string): Promise<{ certChainPem: string; privateKeyPem: string }> {
  await mkdir(dir, { recursive: true });
  const f = (name: string) => path.join(dir, name);
  await writeFile(f('ca.cnf'), CA_CONFIG);
  await writeFile(f('leaf.cnf'), LEAF_CONFIG);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const genKey = (out: string) => openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out);
  await Promise.all([genKey(f('ca.key')), genKey(f('leaf.key'))]);
  await openssl('req', '-x509', '-new', '-config', f('ca.cnf'), '-key', f('ca.key'), '-sha256', '-days', '3650', '-out', f('ca.pem'));
  await openssl('req', '-new', '-config', f('leaf.cnf'), '-key', f('leaf.key'), '-sha256', '-out', f('leaf.csr'));
  const serial = `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16).padStart(4, '0')}`;
  await openssl(
    'x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-set_serial', serial,
    '-days', '365', '-sha256', '-extfile', f('leaf.cnf'), '-extensions', 'v3_leaf', '-out', f('leaf.pem'),
  );
  const [leaf, ca, privateKeyPem] = await Promise.all([readFile(f('leaf.pem'), 'utf8'), readFile(f('ca.pem'), 'utf8'), readFile(f('leaf.key'), 'utf8')]);
  return { certChainPem: leaf.trim() + '\n' + ca.trim() + '\n', privateKeyPem };
}
