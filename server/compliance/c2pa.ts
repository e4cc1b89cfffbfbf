/**
 * C2PA (Content Credentials) manifests for finished MP4 recordings, with @contentauth/c2pa-wasm
 * (c2pa-rs 0.92 compiled to WebAssembly) running in Node.
 *
 * What the wasm build needs in Node, and how signing works with it:
 *
 *  - Loading: the wasm is compiled once per process (lazy singleton) and instantiated with
 *    `init({ module_or_path })` once per thread that uses it.
 *  - Threads: c2pa-rs hashes and rewrites the whole file synchronously (about 35 ms/MB on the 2-core
 *    dev box: 290 MB took 10-16 s, 776 MB 32 s) and wasm memory only grows (peak RSS about 2.3 GB for
 *    290 MB, 4 GB for 776 MB; wasm32 caps memory at 4 GiB, so files much over ~1 GB are expected to fail —
 *    not tried). So by default every call runs in a short-lived worker thread that is given the compiled
 *    module and exits afterwards, giving its memory back; `inThread: true` runs it in the caller's thread.
 *    `signMp4File` / `readMp4ManifestFile` let the worker read and write the file itself.
 *  - Reading: `WasmReader.fromBytes` reads from an in-memory cursor; no browser API is involved.
 *  - Signing: `WasmBuilder.sign` reads its source through a `BlobStream` that calls
 *    `blob.size`, `blob.slice(a, b)` and then `new FileReaderSync().readAsArrayBuffer(slice)`.
 *    `FileReaderSync` exists only in browser workers, and Node's `Blob` can only be read
 *    asynchronously, so this module installs two small shims (see `BytesBlob` and
 *    `installFileReaderSync`): a `Blob` subclass that keeps its bytes (its `slice` keeps them too),
 *    and a global `FileReaderSync` whose `readAsArrayBuffer` returns those bytes synchronously.
 *    The global is only added when none exists, and it refuses blobs that are not `BytesBlob`s.
 *  - The signer: the wasm `SignerDefinition` is `{ alg, reserveSize, sign(bytes) }` with no place
 *    for a certificate chain. The wasm signer tells c2pa-rs it does "direct COSE handling", so c2pa-rs
 *    hands `sign` the raw claim bytes and stores whatever comes back, as is, as the claim signature
 *    (the `c2pa.signature` box). The callback therefore has to return a complete, tagged COSE_Sign1
 *    (detached payload) carrying the certificate chain (`x5chain`) in its protected header, padded to
 *    exactly `reserveSize` bytes — returning a bare ECDSA signature makes c2pa-rs fail when it parses it
 *    as COSE (that CBOR parse error surfaces as `CoseTimeStampGeneration`). `coseSign1` below builds it
 *    the way c2pa-rs's own `cose_sign` does: protected `{1: -7 (ES256), 33: [leaf DER, …]}`,
 *    Sig_structure `["Signature1", protected, h'', claim]` signed with node:crypto (P-256, SHA-256,
 *    IEEE P1363 r‖s), unprotected `{"pad": h'00…'}` for the size. No RFC 3161 time stamp is added (that
 *    would need a TSA round-trip; the wasm signer has no TSA hook); readers then validate the
 *    certificate against the current time.
 */
import { createPrivateKey, createPublicKey, sign as cryptoSign, X509Certificate, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import init, { WasmBuilder, WasmReader } from '@contentauth/c2pa-wasm';

/** The custom assertion that carries the GB 45438 implicit label (AIGC JSON) and how it was made. */
export const AIGC_ASSERTION_LABEL = 'org.onair.aigc';
export const TRAINED_ALGORITHMIC_MEDIA = 'http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia';
const GENERATOR = { name: 'OnAir', version: '0.1.0' };

// ---------------------------------------------------------------------------------------------
// Node shims for the browser-worker APIs the wasm builder uses (only `sign` needs them).

/**
 * A `Blob` over bytes held in memory, which the `FileReaderSync` shim below can read synchronously
 * (Node's own `Blob` only offers async reads). It does not copy: `size` and `slice` work on the held
 * bytes (a slice is another `BytesBlob` over a subarray), and the async readers are overridden to
 * return them too, so a recording is not duplicated into Node's blob store.
 */
class BytesBlob extends Blob {
  /** Named so as not to shadow `Blob.prototype.bytes()`. */
  readonly heldBytes: Uint8Array;
  constructor(bytes: Uint8Array, type = '') {
    super([], { type });
    this.heldBytes = bytes;
    Object.defineProperty(this, 'size', { value: bytes.byteLength });
  }
  override slice(start?: number, end?: number, contentType?: string): Blob {
    return new BytesBlob(this.heldBytes.subarray(start ?? 0, end ?? this.heldBytes.length), contentType ?? '');
  }
  override async arrayBuffer(): Promise<ArrayBuffer> {
    return copyToArrayBuffer(this.heldBytes);
  }
  override async bytes(): Promise<Uint8Array<ArrayBuffer>> {
    return new Uint8Array(copyToArrayBuffer(this.heldBytes));
  }
  override async text(): Promise<string> {
    return new TextDecoder().decode(this.heldBytes);
  }
  override stream(): ReadableStream<Uint8Array<ArrayBuffer>> {
    return new Blob([this.heldBytes as Uint8Array<ArrayBuffer>]).stream();
  }
}

function copyToArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Installs a minimal `FileReaderSync` (only `readAsArrayBuffer`, only for `BytesBlob`s) when Node has none. */
function installFileReaderSync(): void {
  const g = globalThis as { FileReaderSync?: unknown };
  if (g.FileReaderSync) return;
  g.FileReaderSync = class FileReaderSync {
    readAsArrayBuffer(blob: Blob): ArrayBuffer {
      if (!(blob instanceof BytesBlob)) throw new TypeError('FileReaderSync shim (server/compliance/c2pa.ts) reads BytesBlob only');
      return copyToArrayBuffer(blob.heldBytes);
    }
  };
}

let compiled: Promise<WebAssembly.Module> | undefined;
/** Compiles the wasm once per process (lazy singleton); worker threads get the compiled module. */
function wasmModule(): Promise<WebAssembly.Module> {
  compiled ??= (async () => {
    const path = fileURLToPath(import.meta.resolve('@contentauth/c2pa-wasm/c2pa.wasm'));
    return WebAssembly.compile(await readFile(path));
  })().catch((err) => {
    compiled = undefined;
    throw err;
  });
  return compiled;
}

let ready: Promise<void> | undefined;
/** Instantiates the wasm in this thread once, and installs the Node shims. */
function loadC2pa(module?: WebAssembly.Module): Promise<void> {
  ready ??= (async () => {
    await init({ module_or_path: module ?? (await wasmModule()) });
    installFileReaderSync();
  })().catch((err) => {
    ready = undefined;
    throw err;
  });
  return ready;
}

// ---------------------------------------------------------------------------------------------
// A minimal CBOR writer (RFC 8949 definite-length items only), enough for COSE_Sign1.

type Cbor = number | string | Uint8Array | null | Cbor[] | Map<number | string, Cbor> | { tag: number; value: Cbor };

function cborHead(major: number, n: number): number[] {
  const m = major << 5;
  if (n < 24) return [m | n];
  if (n < 0x100) return [m | 24, n];
  if (n < 0x10000) return [m | 25, n >> 8, n & 0xff];
  if (n < 0x1_0000_0000) return [m | 26, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
  throw new RangeError('CBOR length too large');
}

function cbor(v: Cbor): Buffer {
  if (v === null) return Buffer.from([0xf6]);
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new TypeError('CBOR writer: integers only');
    return Buffer.from(v >= 0 ? cborHead(0, v) : cborHead(1, -1 - v));
  }
  if (typeof v === 'string') {
    const b = Buffer.from(v, 'utf8');
    return Buffer.concat([Buffer.from(cborHead(3, b.length)), b]);
  }
  if (v instanceof Uint8Array) return Buffer.concat([Buffer.from(cborHead(2, v.length)), v]);
  if (Array.isArray(v)) return Buffer.concat([Buffer.from(cborHead(4, v.length)), ...v.map(cbor)]);
  if (v instanceof Map) {
    const parts: Buffer[] = [Buffer.from(cborHead(5, v.size))];
    for (const [k, x] of v) parts.push(cbor(k), cbor(x));
    return Buffer.concat(parts);
  }
  return Buffer.concat([Buffer.from(cborHead(6, v.tag)), cbor(v.value)]);
}

// ---------------------------------------------------------------------------------------------
// COSE_Sign1 for the wasm signer callback.

const COSE_ALG_ES256 = -7;
const COSE_HEADER_ALG = 1;
const COSE_HEADER_X5CHAIN = 33;
const COSE_SIGN1_TAG = 18;

function pemCertificates(pem: string): Buffer[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => Buffer.from(new X509Certificate(b).raw));
}

/**
 * A tagged COSE_Sign1 over `payload` (detached), ES256, x5chain in the protected header, padded
 * with an unprotected `pad` byte string so that the encoding is exactly `size` bytes long.
 */
function coseSign1(payload: Uint8Array, chain: Buffer[], key: KeyObject, size: number): Uint8Array {
  const protectedBytes = cbor(new Map<number, Cbor>([
    [COSE_HEADER_ALG, COSE_ALG_ES256],
    [COSE_HEADER_X5CHAIN, chain.length === 1 ? chain[0] : chain],
  ]));
  const toBeSigned = cbor(['Signature1', protectedBytes, new Uint8Array(0), payload]);
  const signature = cryptoSign('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' });
  const encode = (pad: number) =>
    cbor({ tag: COSE_SIGN1_TAG, value: [protectedBytes, new Map([['pad', new Uint8Array(pad)]]), null, signature] });
  // The pad's CBOR length prefix is 3 bytes for 256..65535 bytes, so in that range every size is reachable.
  const pad = size - encode(256).length + 256;
  if (pad < 256 || pad > 0xffff) throw new Error(`C2PA signature box of ${size} bytes cannot fit this COSE signature (pad ${pad})`);
  const out = encode(pad);
  if (out.length !== size) throw new Error(`COSE_Sign1 padding failed: ${out.length} != ${size}`);
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface SignMp4Options {
  /** PEM certificates, leaf (signing certificate) first, then intermediates. */
  certChainPem: string;
  /** The leaf's P-256 private key, PEM (PKCS#8 or SEC1). */
  privateKeyPem: string;
  title: string;
  /** The GB 45438 implicit-label JSON string (see aigc.ts). */
  aigc: string;
  /** The engines that produced the media, e.g. ['eSpeak NG', 'OnAir cartoon renderer']. */
  engines: string[];
  sessionId: string;
  /**
   * Run in the calling thread instead of a short-lived worker thread. The wasm work is synchronous
   * (about 35 ms per MB here, e.g. 12 s for a 290 MB file, with the event loop blocked throughout) and
   * wasm memory never shrinks (about 6x the file size at peak), so the default is a worker per call.
   */
  inThread?: boolean;
}

/**
 * Returns `mp4` with an embedded C2PA manifest (c2pa-rs adds a `c2pa.hash.bmff.v3` hard binding):
 * a `c2pa.created` action with digitalSourceType trainedAlgorithmicMedia and OnAir as software agent,
 * and an `org.onair.aigc` assertion with the AIGC label, the engines and the session id.
 * Signed ES256 with the given chain and key. Works for plain and fragmented MP4.
 */
export async function signMp4(mp4: Uint8Array, opts: SignMp4Options): Promise<Uint8Array> {
  const { inThread, ...job } = opts;
  checkSigningInputs(job); // fail early, in the caller's thread, on a bad key/chain/AIGC
  if (inThread) return signHere(mp4, job);
  const { signed } = await runInWorker({ op: 'sign', bytes: await copyForTransfer(mp4), sign: job });
  return signed!;
}

/**
 * `signMp4` from file to file (`outputPath` may equal `inputPath`). With a worker (the default) the
 * recording's bytes are read and written in the worker only, never in the calling thread.
 */
export async function signMp4File(inputPath: string, outputPath: string, opts: SignMp4Options): Promise<void> {
  const { inThread, ...job } = opts;
  checkSigningInputs(job);
  if (inThread) {
    await writeFile(outputPath, await signHere(await readFile(inputPath), job));
    return;
  }
  await runInWorker({ op: 'sign', path: inputPath, outputPath, sign: job });
}

function checkSigningInputs(opts: SignMp4Options): { chain: Buffer[]; key: KeyObject; aigc: unknown } {
  const chain = pemCertificates(opts.certChainPem);
  if (chain.length === 0) throw new Error('certChainPem holds no certificate');
  const key = createPrivateKey(opts.privateKeyPem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('privateKeyPem must be a P-256 (ES256) key');
  }
  const leafKey = new X509Certificate(chain[0]).publicKey.export({ format: 'der', type: 'spki' });
  if (!createPublicKey(key).export({ format: 'der', type: 'spki' }).equals(leafKey)) {
    throw new Error('privateKeyPem does not match the first certificate of certChainPem');
  }
  try {
    return { chain, key, aigc: JSON.parse(opts.aigc) };
  } catch {
    throw new Error('aigc must be a JSON string');
  }
}

async function signHere(mp4: Uint8Array, opts: SignMp4Options, module?: WebAssembly.Module): Promise<Uint8Array> {
  const { chain, key, aigc } = checkSigningInputs(opts);
  await loadC2pa(module);
  const manifest = {
    claim_generator_info: [GENERATOR],
    title: opts.title,
    format: 'video/mp4',
    assertions: [
      {
        label: 'c2pa.actions', // c2pa-rs writes it as c2pa.actions.v2 (claim v2)
        data: {
          actions: [
            {
              action: 'c2pa.created',
              digitalSourceType: TRAINED_ALGORITHMIC_MEDIA,
              softwareAgent: GENERATOR,
              description: `AI presenter recording (${opts.engines.join(', ')})`,
            },
          ],
        },
      },
      {
        label: AIGC_ASSERTION_LABEL,
        data: { AIGC: aigc, engines: opts.engines, sessionId: opts.sessionId },
      },
    ],
  };

  const certBytes = chain.reduce((n, c) => n + c.length, 0);
  const reserveSize = certBytes + 2048; // COSE framing + 64-byte signature + padding
  const builder = WasmBuilder.fromJson(JSON.stringify(manifest));
  try {
    return await builder.sign(
      {
        alg: 'es256',
        reserveSize,
        sign: async (claim) => coseSign1(claim, chain, key, reserveSize) as Uint8Array<ArrayBuffer>,
      },
      [],
      'video/mp4',
      new BytesBlob(mp4, 'video/mp4'),
    );
  } finally {
    builder.free();
  }
}

export interface Mp4ManifestReport {
  /**
   * True when the file has a manifest whose signature and content hashes validate. A signer that is
   * not on a trust list (`signingCredential.untrusted`) does not make it invalid; see `trusted`.
   */
  valid: boolean;
  /** Whether a C2PA manifest store was found at all. */
  hasManifest: boolean;
  /**
   * Failure codes: C2PA validation status codes of the active manifest (e.g. `signingCredential.untrusted`,
   * `assertion.bmffHash.mismatch`); `manifest.notFound` when the file has no manifest; otherwise the
   * reader's error text.
   */
  validationErrors: string[];
  /** c2pa-rs validation state: 'Invalid' | 'Valid' | 'Trusted' (absent when there is no manifest). */
  validationState?: string;
  /** Whether the signing certificate chains to a trust anchor the reader was given. */
  trusted?: boolean;
  activeManifest?: unknown;
  /** The `org.onair.aigc` assertion's data. */
  aigc?: unknown;
}

export interface ReadMp4ManifestOptions {
  /** PEM root certificates the reader treats as trust anchors (e.g. the test CA). No C2PA trust list is loaded otherwise. */
  trustAnchorsPem?: string;
  /** Run in the calling thread instead of a short-lived worker thread (see SignMp4Options.inThread). */
  inThread?: boolean;
}

interface StatusEntry {
  code: string;
  explanation?: string;
}

/** Reads and validates the C2PA manifest of an MP4. */
export async function readMp4Manifest(mp4: Uint8Array, opts: ReadMp4ManifestOptions = {}): Promise<Mp4ManifestReport> {
  const { inThread, ...job } = opts;
  if (inThread) return readHere(mp4, job);
  const { report } = await runInWorker({ op: 'read', bytes: await copyForTransfer(mp4), read: job });
  return report!;
}

/** `readMp4Manifest` of a file (read in the worker). */
export async function readMp4ManifestFile(path: string, opts: ReadMp4ManifestOptions = {}): Promise<Mp4ManifestReport> {
  const { inThread, ...job } = opts;
  if (inThread) return readHere(await readFile(path), job);
  const { report } = await runInWorker({ op: 'read', path, read: job });
  return report!;
}

async function readHere(mp4: Uint8Array, opts: ReadMp4ManifestOptions, module?: WebAssembly.Module): Promise<Mp4ManifestReport> {
  await loadC2pa(module);
  const settings = opts.trustAnchorsPem ? JSON.stringify({ trust: { user_anchors: opts.trustAnchorsPem } }) : null;
  let reader: WasmReader;
  try {
    reader = await WasmReader.fromBytes('video/mp4', mp4, settings);
  } catch (err) {
    // The wasm reader throws strings such as `C2pa(JumbfNotFound)`.
    const message = err instanceof Error ? err.message : String(err);
    const missing = /JumbfNotFound|ProvenanceMissing/.test(message);
    return { valid: false, hasManifest: false, validationErrors: [missing ? 'manifest.notFound' : message] };
  }
  try {
    const store = JSON.parse(reader.json()) as {
      active_manifest?: string;
      manifests?: Record<string, { assertions?: { label: string; data: unknown }[] }>;
      validation_state?: string;
      validation_status?: StatusEntry[];
      validation_results?: { activeManifest?: { success?: StatusEntry[]; informational?: StatusEntry[]; failure?: StatusEntry[] } };
    };
    const activeManifest = store.active_manifest ? store.manifests?.[store.active_manifest] : undefined;
    const failures = new Set<string>();
    for (const s of store.validation_status ?? []) failures.add(s.code);
    for (const s of store.validation_results?.activeManifest?.failure ?? []) failures.add(s.code);
    const validationErrors = [...failures];
    const state = store.validation_state;
    const trusted = state === 'Trusted';
    const valid = activeManifest !== undefined && state !== 'Invalid' && validationErrors.every((c) => c === 'signingCredential.untrusted');
    const aigc = activeManifest?.assertions?.find((a) => a.label === AIGC_ASSERTION_LABEL)?.data;
    return { valid, hasManifest: true, validationErrors, validationState: state, trusted, activeManifest, aigc };
  } finally {
    reader.free();
  }
}

// ---------------------------------------------------------------------------------------------
// Worker threads: one per call, running this same module, given the wasm module compiled once here.

const JOB_KEY = 'onairC2paJob';

/** What a worker is asked to do: the MP4 comes as (transferred) bytes or as a file path. */
interface Job {
  op: 'sign' | 'read';
  bytes?: Uint8Array;
  path?: string;
  /** For 'sign' from a path: where to write the signed file (nothing is sent back). */
  outputPath?: string;
  sign?: SignMp4Options;
  read?: ReadMp4ManifestOptions;
}
interface JobResult {
  signed?: Uint8Array;
  report?: Mp4ManifestReport;
  error?: string;
}

/**
 * A copy of `bytes` in its own ArrayBuffer, made in 8 MB steps that yield to the event loop (a
 * single copy of a few hundred MB stalls this thread for over a second on a small machine). It is
 * transferred to the worker: structured-cloning it would copy it again, in one go. (A Buffer's own
 * `slice` would not copy, and transferring its memory would detach the caller's bytes.)
 */
async function copyForTransfer(bytes: Uint8Array): Promise<Uint8Array> {
  const out = new Uint8Array(bytes.byteLength);
  const step = 8 << 20;
  for (let i = 0; i < bytes.byteLength; i += step) {
    out.set(bytes.subarray(i, i + step), i);
    if (i + step < bytes.byteLength) await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}

async function runInWorker(job: Job): Promise<JobResult> {
  const workerData = { [JOB_KEY]: { ...job, module: await wasmModule() } };
  const transferList = job.bytes ? [job.bytes.buffer as ArrayBuffer] : [];
  const url = import.meta.url;
  // Under tsx (`node --import tsx`, as npm start/test run), a worker does not inherit the TypeScript
  // loader on Node 20, so the worker registers it before importing this module.
  const worker = url.endsWith('.ts')
    ? new Worker(
        `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(url)}); })`,
        { eval: true, workerData, transferList },
      )
    : new Worker(new URL(url), { workerData, transferList });
  return new Promise<JobResult>((resolve, reject) => {
    let settled = false;
    worker.once('message', (result: JobResult) => {
      settled = true;
      void worker.terminate();
      if (result.error) reject(new Error(`c2pa ${job.op}: ${result.error}`));
      else resolve(result);
    });
    worker.once('error', (err) => {
      if (!settled) reject(err);
      settled = true;
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`c2pa ${job.op} worker exited with code ${code} and no result`));
      settled = true;
    });
  });
}

async function workerMain(job: Job & { module: WebAssembly.Module }): Promise<void> {
  try {
    const mp4 = job.bytes ?? (await readFile(job.path!));
    if (job.op === 'sign') {
      const signed = await signHere(mp4, job.sign!, job.module);
      if (job.outputPath) {
        await writeFile(job.outputPath, signed);
        parentPort!.postMessage({} satisfies JobResult);
      } else {
        parentPort!.postMessage({ signed } satisfies JobResult, [signed.buffer as ArrayBuffer]);
      }
    } else {
      parentPort!.postMessage({ report: await readHere(mp4, job.read!, job.module) } satisfies JobResult);
    }
  } catch (err) {
    parentPort!.postMessage({ error: err instanceof Error ? err.message : String(err) } satisfies JobResult);
  }
}

if (!isMainThread && parentPort && (workerData as Record<string, unknown> | null)?.[JOB_KEY]) {
  void workerMain((workerData as Record<string, Job & { module: WebAssembly.Module }>)[JOB_KEY]);
}
