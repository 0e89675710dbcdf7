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

/** The size of each read: each piece is hashed while the next ones are being read. */
const READ_CHUNK = 1024 * 1024;
/**
 * Reads asked for at once. With one, the pool thread waited whenever this thread was busy loading modules
 * before it asked for the next piece; with two, the next piece is being read meanwhile.
 */
const READS_IN_FLIGHT = 2;

/**
 * Reads the file at `path` and digests it (see above). `stopped()` is asked between pieces: true ends the
 * reading early (the command ended before needing the file) with undefined.
 */
export async function readAndDigest(
  path: string,
  stopped: () => boolean = () => false,
): Promise<{ bytes: Uint8Array; digests: FileDigests } | undefined> {
  const handle = await open(path, 'r');
  const reads: Array<{ at: number; length: number; done: Promise<number> }> = [];
  try {
    const { size } = await handle.stat();
    const bytes = Buffer.allocUnsafe(size);
    const hash = new FileHashCheckpoints();
    let asked = 0;
    const askMore = () => {
      while (reads.length < READS_IN_FLIGHT && asked < size && !stopped()) {
        const length = Math.min(READ_CHUNK, size - asked);
        const done = handle.read(bytes, asked, length, asked).then((r) => r.bytesRead);
        done.catch(() => undefined); // awaited in order below; a later one's failure must not go unhandled meanwhile
        reads.push({ at: asked, length, done });
        asked += length;
      }
    };
    let offset = 0;
    askMore();
    while (reads.length > 0) {
      // The pieces come in order: each starts where the one before ended.
      const read = reads.shift()!;
      const bytesRead = await read.done;
      if (stopped()) break;
      offset = read.at + bytesRead;
      if (bytesRead === read.length) askMore();
      hash.update(bytes.subarray(read.at, offset));
      if (bytesRead < read.length) break; // the file shrank while being read: verify what is there
    }
    if (stopped()) return undefined;
    const read = bytes.subarray(0, offset);
    return { bytes: read, digests: hash.digests(read) };
  } finally {
    // A read still under way must not find its file handle closed.
    await Promise.allSettled(reads.map((r) => r.done));
    await handle.close();
  }
}
