/*
 * Verification of uploads in a pool of worker threads, so that one hostile or huge PDF never stalls
 * the HTTP event loop. Each worker has a V8 heap cap (resourceLimits) and each verification a time
 * limit: a worker over either is terminated and replaced, and its upload is refused as too complex.
 * Uploads wait in a bounded queue; when it is full the caller is told to come back (503 Retry-After).
 * Workers start on first use, so a process that never verifies pays nothing.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { CoreError, type PdfLimits, type VerificationReport } from '@inkan/core';
import { startModuleWorker } from '../../jobs/module-worker.ts';
import {
  VerifierBusyError,
  VerifierFailedError,
  type PdfVerifier,
  type VerifyRequest,
} from '../../ports/pdf-verifier.ts';
import type { VerifyTask, VerifyWorkerData, VerifyWorkerMessage } from './verify-worker.ts';

/** Options of the pool. */
export interface VerifyWorkerPoolOptions {
  /** Worker threads (one per core is the usual). */
  workers: number;
  /** V8 old-generation heap cap of each worker, MiB. */
  workerMemoryMb: number;
  /** Time one verification may take, ms. */
  timeoutMs: number;
  /** Verifications that may wait for a worker. */
  queueLength: number;
  /** Resource limits of reading each file. */
  limits?: PdfLimits;
  /** Run the workers at a lower priority than the process (default: yes, for the HTTP server). */
  background?: boolean;
  /** A module to run in the workers instead of ./verify-worker.ts, and what it is given (tests). */
  workerEntry?: string;
  workerData?: Record<string, unknown>;
}

interface Job {
  id: number;
  request: VerifyRequest;
  resolve(report: VerificationReport): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  ready: Promise<void>;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/** The same extension as this module: .ts under tsx, .js once compiled. */
const WORKER_ENTRY = new URL(`./verify-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url).href;

/** A fixed-size pool of verification worker threads with a bounded queue. */
export class VerifyWorkerPool implements PdfVerifier {
  readonly #options: VerifyWorkerPoolOptions;
  readonly #slots = new Set<Slot>();
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  /** Recent verification time (ms), for the Retry-After estimate. */
  #averageMs = 1000;

  constructor(options: VerifyWorkerPoolOptions) {
    this.#options = { ...options, workers: Math.max(1, options.workers) };
  }

  /** Workers running now (started on demand; at most `workers`). */
  get workerCount(): number {
    return this.#slots.size;
  }

  /** Verifications running now. */
  get busy(): number {
    return [...this.#slots].filter((s) => s.job !== undefined).length;
  }

  /** Verifications waiting for a worker. */
  get queued(): number {
    return this.#queue.length;
  }

  verify(request: VerifyRequest): Promise<VerificationReport> {
    if (this.#closed) return Promise.reject(new Error('the verification pool is closed'));
    const free = [...this.#slots].find((s) => s.job === undefined);
    const canStart = free !== undefined || this.#slots.size < this.#options.workers;
    if (!canStart && this.#queue.length >= this.#options.queueLength) {
      const waits = (this.#queue.length + this.#slots.size) / this.#slots.size;
      return Promise.reject(
        new VerifierBusyError(
          Math.max(1, Math.min(Math.ceil(this.#options.timeoutMs / 1000), Math.ceil((waits * this.#averageMs) / 1000))),
        ),
      );
    }
    return new Promise<VerificationReport>((resolve, reject) => {
      const job: Job = { id: this.#nextId++, request, resolve, reject };
      if (free) this.#run(free, job);
      else if (canStart) this.#run(this.#spawn(), job);
      else this.#queue.push(job);
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const job of this.#queue.splice(0)) job.reject(new Error('the verification pool is closed'));
    await Promise.all([...this.#slots].map((slot) => this.#retire(slot, new Error('the verification pool is closed'))));
  }

  #spawn(): Slot {
    const entry = this.#options.workerEntry ?? WORKER_ENTRY;
    const workerData: VerifyWorkerData = {
      ...this.#options.workerData,
      inkanVerifyWorker: true,
      entry,
      limits: this.#options.limits,
      background: this.#options.background ?? true,
    };
    const worker = startModuleWorker(entry, {
      workerData,
      resourceLimits: {
        maxOldGenerationSizeMb: this.#options.workerMemoryMb,
        maxYoungGenerationSizeMb: 32,
        stackSizeMb: 4,
      },
    });
    let started: () => void = () => {};
    const slot: Slot = { worker, ready: new Promise<void>((resolve) => (started = resolve)) };
    this.#slots.add(slot);
    worker.on('message', (message: VerifyWorkerMessage) => {
      if (message.type === 'ready') started();
      else this.#answer(slot, message);
    });
    worker.on('error', (error: Error & { code?: string }) => {
      // Over its heap cap a worker dies with ERR_WORKER_OUT_OF_MEMORY: that file needed too much.
      const failure =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? limitError('memory', this.#options.workerMemoryMb) : error;
      void this.#retire(slot, failure);
    });
    worker.on('exit', () => void this.#retire(slot, new Error('a verification worker stopped')));
    return slot;
  }

  #run(slot: Slot, job: Job): void {
    slot.job = job;
    const started = Date.now();
    const bytes = job.request.bytes;
    // Transferred, not copied: the upload's memory moves to the worker. A Buffer from Node's shared
    // pool (small uploads) must be copied, since its ArrayBuffer holds other data too.
    const own =
      bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
        ? bytes
        : bytes.slice();
    const task: VerifyTask = {
      id: job.id,
      bytes: own,
      trustAnchors: [...job.request.trustAnchors],
      now: job.request.now.toISOString(),
      revocationData: job.request.revocationData,
      online: job.request.online ?? false,
    };
    const finish = job.resolve;
    job.resolve = (report) => {
      this.#averageMs = 0.8 * this.#averageMs + 0.2 * (Date.now() - started);
      finish(report);
    };
    void slot.ready.then(() => {
      if (slot.job !== job) return;
      slot.timer = setTimeout(
        () => void this.#retire(slot, limitError('time', this.#options.timeoutMs)),
        this.#options.timeoutMs,
      );
      slot.worker.postMessage(task, [own.buffer as ArrayBuffer]);
    });
  }

  #answer(slot: Slot, message: Exclude<VerifyWorkerMessage, { type: 'ready' }>): void {
    const job = slot.job;
    if (!job || job.id !== message.id) return;
    clearTimeout(slot.timer);
    slot.job = undefined;
    if (message.type === 'report') job.resolve(message.report);
    else if (message.type === 'too-complex')
      job.reject(new CoreError('PDF_TOO_COMPLEX', message.message, { details: message.details }));
    else job.reject(new VerifierFailedError(message.message, message.file));
    this.#next(slot);
  }

  /** Gives a free worker the next waiting job. */
  #next(slot: Slot): void {
    const job = this.#queue.shift();
    if (job) this.#run(slot, job);
  }

  /** Ends a worker (over a limit, crashed or closing), fails its job, and lets a new one take the queue. */
  async #retire(slot: Slot, error: unknown): Promise<void> {
    if (!this.#slots.delete(slot)) return;
    clearTimeout(slot.timer);
    const job = slot.job;
    slot.job = undefined;
    job?.reject(error);
    await slot.worker.terminate();
    if (!this.#closed && this.#queue.length > 0) this.#run(this.#spawn(), this.#queue.shift()!);
  }
}

/** PDF_TOO_COMPLEX for the pool's own limits (time in ms, memory in MiB). */
function limitError(limit: 'time' | 'memory', max: number): CoreError {
  const what =
    limit === 'time'
      ? `verifying it takes longer than ${max / 1000} s`
      : `verifying it needs more than ${max} MiB of memory`;
  return new CoreError('PDF_TOO_COMPLEX', `the PDF is too complex to verify: ${what} (limit "${limit}": ${max})`, {
    details: { limit, max },
  });
}
