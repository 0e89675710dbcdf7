import { createHash, type Hash } from 'node:crypto';
import { indexOfAscii, PdfLexer, startsWith } from '../pdf/lexer.ts';
import { DEFAULT_PDF_LIMITS } from '../pdf/limits.ts';

/**
 * Where each revision of the file ends: just past the `%%EOF` (and its end-of-line) that follows each
 * cross-reference section of the /Prev chain. Without a usable chain (a repaired file), every
 * `%%EOF` in the bytes counts. Searching from each section costs little even for a 50 MB file.
 */
export function revisionEnds(bytes: Uint8Array, sections: readonly number[] = []): number[] {
  const ends = new Set<number>();
  const add = (at: number) => {
    let end = at + 5;
    if (bytes[end] === 0x0d) end++;
    if (bytes[end] === 0x0a) end++;
    ends.add(end);
  };
  if (sections.length > 0) {
    for (const offset of sections) {
      const at = indexOfAscii(bytes, '%%EOF', offset);
      if (at >= 0) add(at);
    }
  } else {
    for (let at = indexOfAscii(bytes, '%%EOF'); at >= 0; at = indexOfAscii(bytes, '%%EOF', at + 5)) add(at);
  }
  return [...ends].sort((a, b) => a - b);
}

/** A byte that is neither a hex digit nor PDF white space (NUL, TAB, LF, FF, CR, space). */
const NOT_HEX_OR_WHITESPACE = /[^0-9A-Fa-f\x00\t\n\f\r ]/;

/** Problems with a signature's /ByteRange, each a sentence; empty when the coverage is sound. */
export function byteRangeProblems(
  bytes: Uint8Array,
  byteRange: number[],
  ends: number[],
  signatureObject: { start: number; end: number } | undefined,
): string[] {
  const problems: string[] = [];
  if (byteRange.length !== 4 || !byteRange.every((n) => Number.isInteger(n) && n >= 0)) {
    problems.push(
      `the ByteRange has ${byteRange.length} entries instead of 4 non-negative integers: the signed bytes are ill-defined`,
    );
    return problems;
  }
  const [a, b, c, d] = byteRange;
  if (a !== 0) problems.push(`the ByteRange starts at byte ${a}, not 0: the beginning of the file is not signed`);
  if (b <= a || c <= b) problems.push('the ByteRange ranges are out of order or overlap');
  if (c + d > bytes.length) problems.push(`the ByteRange runs past the end of the file (${c + d} > ${bytes.length})`);
  if (problems.length > 0) return problems;
  // The gap must be exactly this signature's /Contents hex string.
  if (bytes[b] !== 0x3c || bytes[c - 1] !== 0x3e) {
    problems.push('the gap in the ByteRange is not exactly a hex string: unsigned bytes hide in it');
  } else {
    // One regular-expression scan (native code) rather than a byte loop, which the interpreter ran for
    // milliseconds over a 30 KB signature slot of a command that verifies one file.
    const inner = Buffer.from(bytes.buffer, bytes.byteOffset + b + 1, c - b - 2).toString('latin1');
    const stray = NOT_HEX_OR_WHITESPACE.exec(inner);
    if (stray !== null) {
      const at = b + 1 + stray.index;
      problems.push(
        `the gap in the ByteRange holds non-hex byte 0x${bytes[at].toString(16)} at ${at}: it is larger than the /Contents string`,
      );
    }
  }
  if (signatureObject && (b < signatureObject.start || c > signatureObject.end)) {
    problems.push("the ByteRange gap is not this signature's /Contents (signature wrapping)");
  }
  const end = c + d;
  if (!ends.includes(end)) {
    const next = ends.find((e) => e > end);
    problems.push(
      next === undefined
        ? `the signed range ends at byte ${end}, short of a revision end: the bytes after it are not covered`
        : `the signed range ends at byte ${end}, not at the end of a revision (next revision ends at ${next}): part of the revision is not covered`,
    );
  }
  return problems;
}

/**
 * SHA-256 of a file fed in order while it is being read, with the hash state kept at each chunk's end:
 * once the file is parsed, a signature's range digest costs only the bytes since the checkpoint before
 * its gap (and its tail) instead of a second pass over the file. `inkan verify` hashes each chunk while
 * the next one is read, so that reading and hashing overlap.
 */
export class FileHashCheckpoints {
  readonly #running = createHash('sha256');
  readonly #checkpoints: Array<{ at: number; hash: Hash }> = [{ at: 0, hash: createHash('sha256') }];
  #length = 0;
  /**
   * Where BYTE_RANGE_NEEDLE starts in what was fed, found piece by piece (while the next piece is being
   * read) instead of by one search over the whole file once it is in (byteRangesWrittenIn).
   */
  readonly #needles: number[] = [];
  /** The last bytes of the previous piece: a needle may start in them and end in the next one. */
  #tail: Uint8Array = new Uint8Array(0);

  /** Feeds the next bytes of the file (in order). */
  update(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    this.#running.update(chunk);
    const start = this.#length;
    if (this.#tail.length > 0) {
      const across = new Uint8Array(this.#tail.length + Math.min(chunk.length, BYTE_RANGE_NEEDLE.length - 1));
      across.set(this.#tail);
      across.set(chunk.subarray(0, across.length - this.#tail.length), this.#tail.length);
      const at = indexOfAscii(across, BYTE_RANGE_NEEDLE);
      if (at >= 0) this.#needles.push(start - this.#tail.length + at);
    }
    for (let at = indexOfAscii(chunk, BYTE_RANGE_NEEDLE); at >= 0; at = indexOfAscii(chunk, BYTE_RANGE_NEEDLE, at + 1))
      this.#needles.push(start + at);
    // A tail shorter than the needle holds at most one start of it, and none that the search above found.
    const tail = new Uint8Array(Math.min(BYTE_RANGE_NEEDLE.length - 1, this.#tail.length + chunk.length));
    const fromChunk = Math.min(chunk.length, tail.length);
    tail.set(this.#tail.subarray(this.#tail.length - (tail.length - fromChunk)));
    tail.set(chunk.subarray(chunk.length - fromChunk), tail.length - fromChunk);
    this.#tail = tail;
    this.#length += chunk.length;
    this.#checkpoints.push({ at: this.#length, hash: this.#running.copy() });
  }

  /** How many bytes were fed. */
  get length(): number {
    return this.#length;
  }

  /** A hash of the first `position` bytes, still open for more (`bytes` is the file that was fed). */
  prefix(bytes: Uint8Array, position: number): Hash {
    let best = this.#checkpoints[0];
    for (const checkpoint of this.#checkpoints) if (checkpoint.at <= position) best = checkpoint;
    return best.hash.copy().update(bytes.subarray(best.at, position));
  }

  /** The SHA-256 of everything fed, hex. */
  fileSha256(): string {
    return this.#checkpoints[this.#checkpoints.length - 1].hash.copy().digest('hex');
  }

  /**
   * Once the whole file was fed: its SHA-256, the digest of every ByteRange written in it and where its
   * signature values are, as plain data (see FileDigests). Each range costs the bytes from the checkpoint
   * before its gap plus its tail; together at most two more passes over the file, and at most
   * maxSignatures digests (ranges past either bound, which only a hostile file has, are left to the
   * verifier).
   */
  digests(bytes: Uint8Array): FileDigests {
    if (bytes.length !== this.#length) throw new RangeError('digests() needs the very bytes that were fed');
    const byteRanges = new Map<string, Uint8Array>();
    const signatureValues: number[][] = [];
    let budget = 2 * bytes.length;
    for (const { range, holdsSignatureValue } of byteRangesWrittenIn(bytes, this.#needles)) {
      if (holdsSignatureValue) signatureValues.push(range);
      // The verifier asks for at most one range per signature: more digests (ranges that cost no bytes,
      // [0 0 k 0] written thousands of times) would only hold memory.
      if (byteRanges.size >= DEFAULT_PDF_LIMITS.maxSignatures) continue;
      const [a, b, c, d] = range;
      const key = range.join(' ');
      if (a !== 0 || b > c || c + d > bytes.length || byteRanges.has(key)) continue;
      let checkpoint = 0;
      for (const { at } of this.#checkpoints) if (at <= b) checkpoint = at;
      budget -= b - checkpoint + d;
      if (budget < 0) continue;
      byteRanges.set(
        key,
        this.prefix(bytes, b)
          .update(bytes.subarray(c, c + d))
          .digest(),
      );
    }
    return { length: this.#length, sha256: this.fileSha256(), byteRanges, signatureValues };
  }
}

/**
 * What the reader of a file computed while reading it (FileHashCheckpoints.digests): plain data, so that
 * a worker thread that read and hashed the file can hand it over with the bytes, and verifyPdf then makes
 * no pass of its own over them.
 */
export interface FileDigests {
  /** How many bytes were hashed: the digests count only for a file of exactly this length. */
  length: number;
  /** SHA-256 of the whole file, hex. */
  sha256: string;
  /** SHA-256 of the signed bytes of ByteRanges written in the file (well-formed, from byte 0), by "a b c d". */
  byteRanges: Map<string, Uint8Array>;
  /** signatureValuesInFile() of the same bytes. */
  signatureValues: number[][];
}

/**
 * SHA-256 of every well-formed ByteRange and of the whole file in about one pass: signatures'
 * first ranges are prefixes of one another, so a running hash over the file is copied at each
 * range's gap and finished with that range's (short) tail. Other algorithms and malformed ranges
 * are hashed on their own when asked for.
 */
export class ByteRangeDigests {
  readonly fileSha256: string;
  readonly #bytes: Uint8Array;
  readonly #sha256 = new Map<string, Uint8Array>();
  #signatureValues: number[][] | undefined;

  /**
   * `fed`: the same bytes' hash computed while they were read, or the digests computed from it (used when
   * it covers exactly `bytes`).
   */
  constructor(bytes: Uint8Array, byteRanges: readonly number[][], fed?: FileHashCheckpoints | FileDigests) {
    this.#bytes = bytes;
    if (fed !== undefined && !(fed instanceof FileHashCheckpoints)) {
      if (fed.length === bytes.length) {
        // A listed range the reader did not digest (written oddly, or past its budget) is hashed when asked for.
        for (const [key, digest] of fed.byteRanges) this.#sha256.set(key, digest);
        this.#signatureValues = fed.signatureValues;
        this.fileSha256 = fed.sha256;
        return;
      }
      fed = undefined;
    }
    const prefixRanges = byteRanges
      .filter(
        (r) =>
          r.length === 4 &&
          r.every((n) => Number.isInteger(n) && n >= 0) &&
          r[0] === 0 &&
          r[1] <= r[2] &&
          r[2] + r[3] <= bytes.length,
      )
      .sort((x, y) => x[1] - y[1]);
    if (fed !== undefined && fed.length === bytes.length) {
      for (const range of prefixRanges)
        this.#sha256.set(
          range.join(' '),
          fed
            .prefix(bytes, range[1])
            .update(bytes.subarray(range[2], range[2] + range[3]))
            .digest(),
        );
      this.fileSha256 = fed.fileSha256();
      return;
    }
    const running = createHash('sha256');
    let position = 0;
    for (const range of prefixRanges) {
      running.update(bytes.subarray(position, range[1]));
      position = range[1];
      const digest = running
        .copy()
        .update(bytes.subarray(range[2], range[2] + range[3]))
        .digest();
      this.#sha256.set(range.join(' '), digest);
    }
    running.update(bytes.subarray(position));
    this.fileSha256 = running.digest('hex');
  }

  /** The digest of the signed bytes of `byteRange` under `algorithm` (a node:crypto hash name). */
  digest(byteRange: number[], algorithm: string): Uint8Array {
    if (algorithm === 'sha256') {
      const cached = this.#sha256.get(byteRange.join(' '));
      if (cached) return cached;
    }
    return hashByteRange(this.#bytes, byteRange, algorithm);
  }

  /** signatureValuesInFile() of the bytes (found by the reader when it gave them). */
  signatureValues(): number[][] {
    return (this.#signatureValues ??= signatureValuesInFile(this.#bytes));
  }
}

/** Hashes the two signed ranges in place (no concatenation). */
export function hashByteRange(bytes: Uint8Array, byteRange: number[], algorithm = 'sha256'): Uint8Array {
  const hash: Hash = createHash(algorithm);
  const [a, b, c, d] = byteRange;
  hash.update(bytes.subarray(a, a + b));
  hash.update(bytes.subarray(c, c + d));
  return hash.digest();
}

/**
 * Every `/ByteRange [a b c d]` written in the file whose gap holds a DER SEQUENCE (hex "30…"): the
 * signature values present in the bytes, whether or not the document still lists them.
 */
export function signatureValuesInFile(bytes: Uint8Array): number[][] {
  return byteRangesWrittenIn(bytes)
    .filter((r) => r.holdsSignatureValue)
    .map((r) => r.range);
}

/**
 * What byteRangesWrittenIn searches for: '/ByteR', the rest checked at each hit (Buffer.indexOf is ~4×
 * slower for needles over 6 bytes).
 */
const BYTE_RANGE_NEEDLE = '/ByteR';

/** Where BYTE_RANGE_NEEDLE starts in `bytes`. */
function allNeedles(bytes: Uint8Array): number[] {
  const found: number[] = [];
  for (let at = indexOfAscii(bytes, BYTE_RANGE_NEEDLE); at >= 0; at = indexOfAscii(bytes, BYTE_RANGE_NEEDLE, at + 6))
    found.push(at);
  return found;
}

/**
 * Every `/ByteRange [a b c d]` of four unsigned numbers written in the file, and whether its gap holds a
 * DER SEQUENCE (hex "30…"). Reads at most four numbers per occurrence, so hostile input costs one pass.
 * `needles`: where BYTE_RANGE_NEEDLE starts, when the caller found them already (FileHashCheckpoints).
 */
function byteRangesWrittenIn(
  bytes: Uint8Array,
  needles?: readonly number[],
): Array<{ range: number[]; holdsSignatureValue: boolean }> {
  const found: Array<{ range: number[]; holdsSignatureValue: boolean }> = [];
  const lexer = new PdfLexer(bytes);
  const positions = needles ?? allNeedles(bytes);
  for (const at of positions) {
    if (!startsWith(bytes, at, '/ByteRange')) continue;
    lexer.pos = at + 10;
    lexer.skipWhitespaceAndComments();
    if (bytes[lexer.pos] !== 0x5b) continue;
    lexer.pos++;
    const range: number[] = [];
    for (let n = lexer.tryReadUnsigned(); n !== undefined && range.length < 5; n = lexer.tryReadUnsigned())
      range.push(n);
    lexer.skipWhitespaceAndComments();
    if (range.length !== 4 || bytes[lexer.pos] !== 0x5d) continue;
    const [, b, c, d] = range;
    const holdsSignatureValue =
      b < c && c + d <= bytes.length && bytes[b] === 0x3c && bytes[b + 1] === 0x33 && bytes[b + 2] === 0x30;
    found.push({ range, holdsSignatureValue });
  }
  return found;
}
