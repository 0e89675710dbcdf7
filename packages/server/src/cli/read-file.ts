/*
 * The reader of `inkan verify FILE` for a large file: the reads run in libuv's thread pool, and each piece is
 * hashed on this thread as soon as it is in, between the rest of the command's start (module loading), so
 * the file's SHA-256 and its ByteRange digests (FileHashCheckpoints.digests) are ready with its bytes and
 * the verifier makes no pass of its own over them. Measured against a worker thread doing the same: the
 * thread's own start cost more than the hashing it took off this one.
 */
import { open } from 'node:fs/promises';
// Only the hashing part of the verifier (byte-range.ts and the PDF lexer), which the verifier loads anyway.
import { FileHashCheckpoints, type FileDigests } from '@inkan/core/verify/file-hash';

/** The size of each read: each piece is hashed while the next is being read. */
const READ_CHUNK = 1024 * 1024;

/**
 * Reads the file at `path` and digests it (see above). `stopped()` is asked between pieces: true ends the
 * reading early (the command ended before needing the file) with undefined.
 */
export async function readAndDigest(
  path: string,
  stopped: () => boolean = () => false,
): Promise<{ bytes: Uint8Array; digests: FileDigests } | undefined> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
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
      next = offset < size && !stopped() ? readAt(offset) : Promise.resolve(0);
      if (stopped()) break;
      hash.update(chunk);
    }
    await next;
    if (stopped()) return undefined;
    const read = bytes.subarray(0, offset);
    return { bytes: read, digests: hash.digests(read) };
  } finally {
    await handle.close();
  }
}
