import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { ByteRangeDigests, FileHashCheckpoints, hashByteRange } from '../../src/verify/byte-range.ts';

/** A file fed in chunks of `chunk` bytes, as `inkan verify` reads it. */
function fed(bytes: Uint8Array, chunk: number): FileHashCheckpoints {
  const hash = new FileHashCheckpoints();
  for (let at = 0; at < bytes.length; at += chunk) hash.update(bytes.subarray(at, at + chunk));
  return hash;
}

describe('FileHashCheckpoints (the file hashed while it is read)', () => {
  const bytes = randomBytes(1_000_003);
  // Gaps before, on and after chunk boundaries, and one inside the first chunk.
  const ranges = [
    [0, 17, 40, 10_000],
    [0, 65_536, 70_000, 500_000],
    [0, 300_001, 300_500, bytes.length - 300_500],
    [0, 999_000, 999_100, 903],
  ];

  for (const chunk of [1, 4096, 65_536, 333_333, 4 * 1024 * 1024]) {
    test(`gives the same digests as hashing the ranges directly (chunks of ${chunk} bytes)`, () => {
      const source = chunk === 1 ? bytes.subarray(0, 5000) : bytes;
      const usable = ranges.filter((r) => r[2] + r[3] <= source.length);
      const digests = new ByteRangeDigests(source, usable, fed(source, chunk));
      assert.equal(digests.fileSha256, createHash('sha256').update(source).digest('hex'));
      for (const range of usable)
        assert.deepEqual(Buffer.from(digests.digest(range, 'sha256')), Buffer.from(hashByteRange(source, range)));
    });
  }

  test('a hash of other bytes than the file (a different length) is not used', () => {
    const partial = new FileHashCheckpoints();
    partial.update(bytes.subarray(0, 1000));
    const digests = new ByteRangeDigests(bytes, [ranges[1]], partial);
    assert.equal(digests.fileSha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(Buffer.from(digests.digest(ranges[1], 'sha256')), Buffer.from(hashByteRange(bytes, ranges[1])));
  });
});
