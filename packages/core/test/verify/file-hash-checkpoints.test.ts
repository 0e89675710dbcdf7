import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import {
  ByteRangeDigests,
  FileHashCheckpoints,
  hashByteRange,
  signatureValuesInFile,
} from '../../src/verify/byte-range.ts';

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

/** Random bytes with `/ByteRange [a b c d]` written at `at`, each gap a hex string starting with a DER SEQUENCE. */
function fileWithRanges(size: number, written: Array<{ at: number; range: number[] }>): Buffer {
  const bytes = randomBytes(size);
  for (const { at, range } of written) {
    bytes.write(`/ByteRange [${range.join(' ')}]`, at, 'latin1');
    const [, b, c] = range;
    bytes.fill('0', b + 1, c - 1, 'latin1');
    bytes.write('<30', b, 'latin1');
    bytes.write('>', c - 1, 'latin1');
  }
  return bytes;
}

describe('FileHashCheckpoints.digests (what the reading thread of `inkan verify` hands over)', () => {
  const size = 3_000_000;
  const written = [
    { at: 1000, range: [0, 200_000, 210_000, 1_000_000] },
    { at: 1_300_000, range: [0, 1_400_000, 1_410_000, size - 1_410_000] },
  ];
  const bytes = fileWithRanges(size, written);

  test('gives the file SHA-256, every written range digest and the signature values, as the verifier computes them', () => {
    const digests = fed(bytes, 1024 * 1024).digests(bytes);
    assert.equal(digests.length, size);
    assert.equal(digests.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(
      [...digests.byteRanges.keys()],
      ['0 200000 210000 1000000', `0 1400000 1410000 ${size - 1_410_000}`],
    );
    for (const { range } of written)
      assert.deepEqual(Buffer.from(digests.byteRanges.get(range.join(' '))!), Buffer.from(hashByteRange(bytes, range)));
    assert.deepEqual(digests.signatureValues, signatureValuesInFile(bytes));
    assert.deepEqual(
      digests.signatureValues,
      written.map((w) => w.range),
    );
  });

  test('ByteRangeDigests takes them over, and hashes a listed range they lack itself', () => {
    const digests = fed(bytes, 1024 * 1024).digests(bytes);
    const other = [0, 500_000, 510_000, 100_000]; // listed by a signature, not written as /ByteRange
    const byteRanges = new ByteRangeDigests(bytes, [written[0].range, other], digests);
    assert.equal(byteRanges.fileSha256, digests.sha256);
    assert.deepEqual(Buffer.from(byteRanges.digest(other, 'sha256')), Buffer.from(hashByteRange(bytes, other)));
    assert.deepEqual(
      Buffer.from(byteRanges.digest(written[0].range, 'sha256')),
      Buffer.from(hashByteRange(bytes, written[0].range)),
    );
    assert.deepEqual(byteRanges.signatureValues(), signatureValuesInFile(bytes));
  });

  test('digests of other bytes (a different length) are not used', () => {
    const digests = fed(bytes, 1024 * 1024).digests(bytes);
    const longer = Buffer.concat([bytes, Buffer.from('\n')]);
    const byteRanges = new ByteRangeDigests(longer, [written[0].range], digests);
    assert.equal(byteRanges.fileSha256, createHash('sha256').update(longer).digest('hex'));
    assert.deepEqual(byteRanges.signatureValues(), signatureValuesInFile(longer));
  });

  test('a file writing many ranges with long tails costs at most two more passes; the rest is left to the verifier', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      at: 10_000 + i * 100,
      range: [0, 100_000 + i * 20, 100_010 + i * 20, size - 100_010 - i * 20],
    }));
    const hostile = fileWithRanges(size, many);
    const digests = fed(hostile, 1024 * 1024).digests(hostile);
    assert.equal(digests.signatureValues.length, 40, 'every signature value is still found');
    // Each range costs about the whole file: two fit in the budget of two passes.
    assert.equal(digests.byteRanges.size, 2);
    const last = many[39].range;
    const byteRanges = new ByteRangeDigests(hostile, [last], digests);
    assert.deepEqual(Buffer.from(byteRanges.digest(last, 'sha256')), Buffer.from(hashByteRange(hostile, last)));
  });

  test('a file writing thousands of distinct ranges that cost nothing (gap at a checkpoint, empty tail) gets a bounded number of digests', () => {
    // `/ByteRange [0 0 k 0]`: no bytes before the gap, none after it: each is free for the pass budget.
    const count = 20_000;
    const writes = Array.from({ length: count }, (_, i) => `/ByteRange [0 0 ${i + 1} 0]\n`).join('');
    const hostile = Buffer.concat([Buffer.from(writes, 'latin1'), randomBytes(100_000)]);
    const digests = fed(hostile, 1024 * 1024).digests(hostile);
    assert.ok(digests.byteRanges.size <= 1000, `${digests.byteRanges.size} digests kept`);
    // A range the verifier asks for past the cap is still hashed, correctly.
    const last = [0, 0, count, 0];
    const byteRanges = new ByteRangeDigests(hostile, [last], digests);
    assert.deepEqual(Buffer.from(byteRanges.digest(last, 'sha256')), Buffer.from(hashByteRange(hostile, last)));
  });

  test('finds the ranges piece by piece, a `/ByteRange` split across pieces too', () => {
    const small = fileWithRanges(20_000, [
      { at: 1000, range: [0, 3000, 3100, 10_000] },
      { at: 5003, range: [0, 14_000, 14_100, 5900] },
      { at: 12_345, range: [0, 15_000, 15_100, 4900] },
    ]);
    const whole = signatureValuesInFile(small);
    assert.equal(whole.length, 3);
    // Every split of the 10-byte name falls on a boundary of one of these piece sizes.
    for (const chunk of [1, 2, 3, 4, 5, 6, 7, 9, 11, 1004, 5005, 20_000])
      assert.deepEqual(fed(small, chunk).digests(small).signatureValues, whole, `pieces of ${chunk} bytes`);
  });

  test('refuses bytes other than those fed', () => {
    assert.throws(() => fed(bytes, 1024 * 1024).digests(bytes.subarray(1)), RangeError);
  });
});
