// byteRangeProblems' check of the gap: exactly a hex string (hex digits and PDF white space between
// the angle brackets), else the first stray byte is named with its offset.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { byteRangeProblems } from '../../src/verify/byte-range.ts';

/** A file of `before` bytes, the gap `<inner>`, then `after` bytes, with its ByteRange and end. */
function fileWithGap(inner: string, before = 100, after = 50) {
  const bytes = Buffer.concat([
    Buffer.alloc(before, 'a'),
    Buffer.from(`<${inner}>`, 'latin1'),
    Buffer.alloc(after, 'z'),
  ]);
  const range = [0, before, before + inner.length + 2, after];
  return { bytes: new Uint8Array(bytes), range, ends: [bytes.length] };
}

test('a gap of hex digits and PDF white space has no problem', () => {
  const { bytes, range, ends } = fileWithGap(`3082ABCDef09\x00\t\n\f\r ${'0'.repeat(30_000)}`);
  assert.deepEqual(byteRangeProblems(bytes, range, ends, undefined), []);
});

test('the first byte that is neither is named with its offset', () => {
  for (const [inner, stray, index] of [
    ['3082g0', 'g', 4],
    [`${'0'.repeat(20_000)}/Extra`, '/', 20_000],
    ['30\x0b82', '\x0b', 2], // vertical tab is not PDF white space
    ['\x8030', '\x80', 0],
  ] as const) {
    const { bytes, range, ends } = fileWithGap(inner);
    const at = range[1] + 1 + index;
    assert.deepEqual(
      byteRangeProblems(bytes, range, ends, undefined),
      [
        `the gap in the ByteRange holds non-hex byte 0x${stray.charCodeAt(0).toString(16)} at ${at}: it is larger than the /Contents string`,
      ],
      JSON.stringify(inner.slice(0, 12)),
    );
  }
});
