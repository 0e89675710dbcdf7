/*
 * The body of a verification worker thread: verifies one PDF at a time for the pool
 * (verify-worker-pool.ts) and answers with the report or a typed failure. It holds no context, no
 * database and no keys: only the verifier and the file limits it was started with.
 */
import { createHash } from 'node:crypto';
import { setPriority } from 'node:os';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
// The verifier's entry of the core only: each worker thread loads a fraction of it (no PDF writer, fonts or PKCS#11).
import {
  HttpRevocationProvider,
  isCoreError,
  verifyPdf,
  type PdfLimits,
  type VerificationReport,
} from '@inkan/core/verify';

/** Time allowed to each OCSP or CRL request when the operator lets /verify ask the certificates' URLs. */
const ONLINE_TIMEOUT_MS = 5_000;

/** What the pool hands a worker when starting it. */
export interface VerifyWorkerData {
  [key: string]: unknown;
  inkanVerifyWorker: true;
  /** The module the thread runs: only that one answers (another may import this one). */
  entry: string;
  limits?: PdfLimits;
  /** Lower the thread's priority (the server: verification yields to the HTTP event loop); default true. */
  background?: boolean;
}

/** One verification, as posted to a worker (the bytes' memory is transferred, not copied). */
export interface VerifyTask {
  id: number;
  bytes: Uint8Array;
  trustAnchors: Uint8Array[];
  now: string;
  /** Revocation data fetched in the main thread (the installation's current CRLs): the worker holds no keys. */
  revocationData?: { crls: Uint8Array[]; ocsp: Uint8Array[] };
  /** Whether the OCSP/CRL URLs in the certificates may be asked (INKAN_VERIFY_ONLINE). */
  online: boolean;
}

/** A worker's answers. */
export type VerifyWorkerMessage =
  | { type: 'ready' }
  | { type: 'report'; id: number; report: VerificationReport }
  | { type: 'too-complex'; id: number; message: string; details: Record<string, unknown> }
  | { type: 'failed'; id: number; message: string; file: { size: number; sha256: string } };

/** Verifies one task: the report, PDF_TOO_COMPLEX with its limit, or a failure with the file's size and hash. */
export async function runVerifyTask(task: VerifyTask, limits: PdfLimits | undefined): Promise<VerifyWorkerMessage> {
  try {
    const report = await verifyPdf(task.bytes, {
      trustAnchors: task.trustAnchors,
      at: new Date(task.now),
      limits,
      revocationData: task.revocationData,
      revocationProvider: task.online ? new HttpRevocationProvider({ timeoutMs: ONLINE_TIMEOUT_MS }) : undefined,
    });
    return { type: 'report', id: task.id, report };
  } catch (error) {
    if (isCoreError(error, 'PDF_TOO_COMPLEX'))
      return { type: 'too-complex', id: task.id, message: error.message, details: error.details ?? {} };
    const sha256 = createHash('sha256').update(task.bytes).digest('hex');
    return {
      type: 'failed',
      id: task.id,
      message: (error as Error)?.message ?? String(error),
      file: { size: task.bytes.length, sha256 },
    };
  }
}

if (!isMainThread && (workerData as Partial<VerifyWorkerData> | null)?.entry === import.meta.url) {
  const port = parentPort!;
  const { limits, background } = workerData as VerifyWorkerData;
  // On Linux the nice value is per thread: verification yields the CPU to the HTTP event loop
  // (elsewhere it would lower the whole process, so it is left alone). `inkan verify --batch` is the
  // foreground work itself and keeps its priority.
  if (process.platform === 'linux' && background !== false) setPriority(0, 10);
  port.on('message', (task: VerifyTask) => {
    void runVerifyTask(task, limits).then((answer) => port.postMessage(answer));
  });
  port.postMessage({ type: 'ready' } satisfies VerifyWorkerMessage);
}
