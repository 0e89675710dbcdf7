/*
 * The reader of `inkan verify FILE` (a worker thread): reads the file, hashes each piece while the next
 * one is read, then digests the ByteRanges written in it (FileHashCheckpoints.digests). All of that runs
 * beside the main thread, which meanwhile loads the configuration and the verifier; the bytes then move
 * to the main thread without a copy (their memory is transferred).
 */
import { open } from 'node:fs/promises';
import { parentPort, workerData } from 'node:worker_threads';
// Only the hashing part of the verifier (byte-range.ts and the PDF lexer): this thread loads nothing else.
import { FileHashCheckpoints, type FileDigests } from '@inkan/core/verify/file-hash';

/** What the main thread hands the worker. */
export interface ReadFileWorkerData {
  inkanReadFileWorker: true;
  path: string;
}

/** The worker's one message: the file (its memory transferred) and its digests, or why it could not be read. */
export type ReadFileWorkerMessage =
  { ok: true; buffer: ArrayBuffer; length: number; digests: FileDigests } | { ok: false; message: string };

/** The size of each read: each piece is hashed while the next is being read. */
const READ_CHUNK = 1024 * 1024;

async function readAndDigest(path: string): Promise<{ buffer: ArrayBuffer; length: number; digests: FileDigests }> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    const hash = new FileHashCheckpoints();
    const readAt = (offset: number) =>
      handle.read(bytes, offset, Math.min(READ_CHUNK, size - offset), offset).then((r) => r.bytesRead);
    let offset = 0;
    let next = size > 0 ? readAt(0) : Promise.resolve(0);
    while (offset < size) {
      const bytesRead = await next;
      if (bytesRead === 0) break; // the file shrank while being read: verify what is there
      const chunk = bytes.subarray(offset, offset + bytesRead);
      offset += bytesRead;
      next = offset < size ? readAt(offset) : Promise.resolve(0);
      hash.update(chunk);
    }
    await next;
    return { buffer, length: offset, digests: hash.digests(bytes.subarray(0, offset)) };
  } finally {
    await handle.close();
  }
}

const data = workerData as Partial<ReadFileWorkerData> | null;
if (parentPort !== null && data?.inkanReadFileWorker === true && typeof data.path === 'string') {
  const port = parentPort;
  readAndDigest(data.path).then(
    ({ buffer, length, digests }) =>
      port.postMessage({ ok: true, buffer, length, digests } satisfies ReadFileWorkerMessage, [buffer]),
    (error: unknown) =>
      port.postMessage({
        ok: false,
        message: error instanceof Error ? error.message : String(error),
      } satisfies ReadFileWorkerMessage),
  );
}
