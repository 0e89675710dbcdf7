// `inkan verify FILE` on a file large enough to be read in pieces (cli/read-file.ts): the bytes, the file's
// SHA-256 and the digest of a ByteRange written in it come out as from one read and one pass of the
// verifier's own hashing, the whole file is never read a second time, and cancel() stops the reading.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { hashByteRange } from '@inkan/core/verify/file-hash';

/** A large file holding one /ByteRange whose gap is a hex string, at a place no piece boundary favours. */
function largeFileWithByteRange(size: number): { bytes: Buffer; range: number[] } {
  const bytes = randomBytes(size);
  const gapStart = size - 3 * 1024 * 1024 - 12_345;
  const gap = Buffer.from(`<30${'0'.repeat(200)}>`);
  const range = [0, gapStart, gapStart + gap.length, size - gapStart - gap.length];
  gap.copy(bytes, gapStart);
  Buffer.from(`/ByteRange [${range.join(' ')}]`).copy(bytes, gapStart - 100);
  return { bytes, range };
}

test('inkan verify reads a large file once, in pieces, with its digests', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-verify-pieces-'));
  const originalReadFile = fsp.readFile;
  const wholeReads: string[] = [];
  try {
    fsp.readFile = ((path: Parameters<typeof originalReadFile>[0], ...rest: unknown[]) => {
      wholeReads.push(String(path));
      return (originalReadFile as (...a: unknown[]) => unknown)(path, ...rest);
    }) as typeof originalReadFile;
    syncBuiltinESMExports();
    const { readForVerification, READ_IN_PIECES_BYTES } = await import('../../src/cli/verify-file-command.ts');
    const path = join(dir, 'large.bin');
    const { bytes, range } = largeFileWithByteRange(READ_IN_PIECES_BYTES + 5 * 1024 * 1024 + 17);
    writeFileSync(path, bytes);

    const file = readForVerification(path);
    assert.equal(file.inPieces, true);
    const read = await file.result;
    assert.ok(read.ok);
    assert.equal(Buffer.compare(read.bytes, bytes), 0);
    assert.ok(read.digests);
    assert.equal(read.digests.length, bytes.length);
    assert.equal(read.digests.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(read.digests.signatureValues, [range]);
    assert.deepEqual([...read.digests.byteRanges.keys()], [range.join(' ')]);
    assert.deepEqual(read.digests.byteRanges.get(range.join(' ')), hashByteRange(bytes, range));
    assert.deepEqual(wholeReads, [], 'the whole file was read a second time');

    const cancelled = readForVerification(path);
    cancelled.cancel();
    const answer = await cancelled.result;
    assert.equal(answer.ok, false);

    // Below the size, one read (the verifier then hashes the bytes itself).
    const small = join(dir, 'small.bin');
    writeFileSync(small, bytes.subarray(0, 1000));
    const smallRead = readForVerification(small);
    assert.equal(smallRead.inPieces, false);
    const smallAnswer = await smallRead.result;
    assert.ok(smallAnswer.ok);
    assert.equal(smallAnswer.digests, undefined);
    assert.deepEqual(wholeReads, [small]);
  } finally {
    fsp.readFile = originalReadFile;
    syncBuiltinESMExports();
    rmSync(dir, { recursive: true, force: true });
  }
});
