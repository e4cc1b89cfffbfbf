import ort from 'onnxruntime-node';

/**
 * Execution providers for the enrollment-side vision models (FaceMesh, person segmentation): CUDA
 * when ONAIR_FACE_EP=cuda (onnxruntime-node's CUDA EP binaries must be installed,
 * `npm install --onnxruntime-node-install=cuda12`), else CPU.
 */
export function visionExecutionProviders(): string[] {
  return process.env.ONAIR_FACE_EP === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
}

/**
 * Opens a model with one intra-op thread (enrollment runs niced in a child process next to live
 * streams and must not take every core). The CUDA EP is an optional install: when it can't start,
 * the model runs on CPU with a warning instead of failing the job.
 */
export async function openModelSession(file: string, what: string, executionProviders: string[]): Promise<{ session: ort.InferenceSession; used: string[] }> {
  const options: ort.InferenceSession.SessionOptions = { executionProviders, intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
  try {
    return { session: await ort.InferenceSession.create(file, options), used: executionProviders };
  } catch (err) {
    if (!executionProviders.includes('cuda')) throw err;
    console.warn(`${what}: CUDA execution provider unavailable (${(err as Error).message.split('\n')[0]}); using CPU`);
    return { session: await ort.InferenceSession.create(file, { ...options, executionProviders: ['cpu'] }), used: ['cpu'] };
  }
}
