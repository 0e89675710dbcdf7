import { CoreError } from '../errors.ts';
import { DEFAULT_PDF_LIMITS, tooComplex, type PdfBudget } from './limits.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.ts';

const WS = new Uint8Array(256);
for (const c of [0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20]) WS[c] = 1;
const DELIM = new Uint8Array(256);
for (const c of '()<>[]{}/%') DELIM[c.charCodeAt(0)] = 1;

/** True for PDF white-space bytes. */
export function isWhitespace(byte: number): boolean {
  return WS[byte] === 1;
}

/** Resolves a stream's /Length when it is an indirect reference. */
export type LengthResolver = (ref: PdfRef) => number | undefined;

/** Result of parsing an indirect object `N G obj … endobj`. */
export interface IndirectObject {
  objectNumber: number;
  generation: number;
  value: PdfObject;
  /** Offset just past `endobj` (or past the value when `endobj` is missing). */
  end: number;
  /** For streams: where the stream data starts and ends in the file. */
  streamStart?: number;
  streamEnd?: number;
}

/** A small, allocation-light PDF tokenizer and object parser over a byte array. */
export class PdfLexer {
  pos = 0;
  readonly #maxDepth: number;
  /** `budget` (the file's limits) bounds the nesting of arrays and dictionaries. */
  constructor(
    readonly bytes: Uint8Array,
    private readonly resolveLength?: LengthResolver,
    private readonly budget?: PdfBudget,
  ) {
    this.#maxDepth = budget?.maxNestingDepth ?? DEFAULT_PDF_LIMITS.maxNestingDepth;
  }

  fail(message: string): never {
    throw new CoreError('PDF_MALFORMED', `${message} at byte ${this.pos}`);
  }

  skipWhitespaceAndComments(): void {
    const b = this.bytes;
    let p = this.pos;
    for (;;) {
      while (p < b.length && WS[b[p]] === 1) p++;
      if (p < b.length && b[p] === 0x25 /* % */) {
        while (p < b.length && b[p] !== 0x0a && b[p] !== 0x0d) p++;
        continue;
      }
      break;
    }
    this.pos = p;
  }

  /** Reads a bare keyword or number token (regular characters). */
  readToken(): string {
    this.skipWhitespaceAndComments();
    const b = this.bytes;
    const start = this.pos;
    let p = start;
    while (p < b.length && WS[b[p]] === 0 && DELIM[b[p]] === 0) p++;
    this.pos = p;
    return latin1(b, start, p);
  }

  /** Tries to read an unsigned integer at the current position (after white space). */
  tryReadUnsigned(): number | undefined {
    this.skipWhitespaceAndComments();
    const b = this.bytes;
    let p = this.pos;
    let value = 0;
    const start = p;
    while (p < b.length && b[p] >= 0x30 && b[p] <= 0x39) {
      value = value * 10 + (b[p] - 0x30);
      p++;
    }
    if (p === start) return undefined;
    if (p < b.length && WS[b[p]] === 0 && DELIM[b[p]] === 0) return undefined;
    this.pos = p;
    return value;
  }

  /** Expects a keyword, failing otherwise. */
  expectKeyword(keyword: string): void {
    const save = this.pos;
    const token = this.readToken();
    if (token !== keyword) {
      this.pos = save;
      this.fail(`expected "${keyword}", found "${token.slice(0, 20)}"`);
    }
  }

  /** Parses one direct object at the current position. */
  parseObject(depth = 0): PdfObject {
    if (depth >= this.#maxDepth) {
      const reason = `arrays and dictionaries are nested more than ${this.#maxDepth} deep at byte ${this.pos}`;
      if (this.budget) this.budget.exceed('nesting-depth', this.#maxDepth, reason);
      throw tooComplex('nesting-depth', this.#maxDepth, reason);
    }
    this.skipWhitespaceAndComments();
    const b = this.bytes;
    if (this.pos >= b.length) this.fail('unexpected end of file');
    const c = b[this.pos];
    switch (c) {
      case 0x2f: // /
        return this.parseName();
      case 0x28: // (
        return this.parseLiteralString();
      case 0x3c: // <
        if (b[this.pos + 1] === 0x3c) return this.parseDict(depth);
        return this.parseHexString();
      case 0x5b: {
        // [
        this.pos++;
        const items: PdfObject[] = [];
        for (;;) {
          this.skipWhitespaceAndComments();
          if (this.pos >= b.length) this.fail('unterminated array');
          if (b[this.pos] === 0x5d) {
            this.pos++;
            return items;
          }
          items.push(this.parseObject(depth + 1));
        }
      }
      default:
        break;
    }
    if ((c >= 0x30 && c <= 0x39) || c === 0x2b || c === 0x2d || c === 0x2e) {
      return this.parseNumberOrRef();
    }
    const token = this.readToken();
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token === 'null') return null;
    if (token === '') {
      this.pos++;
      this.fail(`unexpected character 0x${c.toString(16)}`);
    }
    this.fail(`unexpected token "${token.slice(0, 20)}"`);
  }

  private parseNumberOrRef(): number | PdfRef {
    const start = this.pos;
    const token = this.readToken();
    const value = Number(token);
    if (!Number.isFinite(value)) {
      // Tolerate junk like "--5" or "1.2.3" the way readers do: take the numeric prefix.
      const parsed = parseFloat(token.replace(/^[-+]+/, (m) => (m.includes('-') ? '-' : '')));
      if (!Number.isFinite(parsed)) {
        this.pos = start;
        this.fail(`bad number "${token.slice(0, 20)}"`);
      }
      return parsed;
    }
    if (Number.isInteger(value) && value >= 0 && /^\d+$/.test(token)) {
      const save = this.pos;
      const generation = this.tryReadUnsigned();
      if (generation !== undefined) {
        this.skipWhitespaceAndComments();
        if (this.bytes[this.pos] === 0x52 /* R */) {
          const next = this.bytes[this.pos + 1];
          if (next === undefined || WS[next] === 1 || DELIM[next] === 1) {
            this.pos++;
            return new PdfRef(value, generation);
          }
        }
      }
      this.pos = save;
    }
    return value;
  }

  private parseName(): PdfName {
    const b = this.bytes;
    let p = this.pos + 1;
    const start = p;
    let escaped = false;
    while (p < b.length && WS[b[p]] === 0 && DELIM[b[p]] === 0) {
      if (b[p] === 0x23) escaped = true;
      p++;
    }
    this.pos = p;
    if (!escaped) return PdfName.of(latin1(b, start, p));
    // Escapes only shrink a name: its raw length bounds the decoded one.
    const out = new Uint8Array(p - start);
    let n = 0;
    for (let i = start; i < p; i++) {
      if (b[i] === 0x23 && i + 2 < p + 1 && isHex(b[i + 1]) && isHex(b[i + 2])) {
        out[n++] = (hexValue(b[i + 1]) << 4) | hexValue(b[i + 2]);
        i += 2;
      } else out[n++] = b[i];
    }
    return PdfName.of(Buffer.from(out.buffer, 0, n).toString('latin1'));
  }

  private parseLiteralString(): PdfString {
    const b = this.bytes;
    let p = this.pos + 1;
    let depth = 1;
    const out = new ByteSink();
    while (p < b.length) {
      const c = b[p];
      if (c === 0x5c) {
        // backslash
        const n = b[p + 1];
        p += 2;
        switch (n) {
          case 0x6e:
            out.push(0x0a);
            break;
          case 0x72:
            out.push(0x0d);
            break;
          case 0x74:
            out.push(0x09);
            break;
          case 0x62:
            out.push(0x08);
            break;
          case 0x66:
            out.push(0x0c);
            break;
          case 0x0d:
            if (b[p] === 0x0a) p++;
            break;
          case 0x0a:
            break;
          default:
            if (n >= 0x30 && n <= 0x37) {
              let v = n - 0x30;
              for (let k = 0; k < 2 && b[p] >= 0x30 && b[p] <= 0x37; k++) v = v * 8 + (b[p++] - 0x30);
              out.push(v & 0xff);
            } else if (n !== undefined) out.push(n);
        }
        continue;
      }
      if (c === 0x28) depth++;
      else if (c === 0x29) {
        depth--;
        if (depth === 0) {
          this.pos = p + 1;
          return new PdfString(out.bytes(), false);
        }
      }
      out.push(c);
      p++;
    }
    this.pos = p;
    this.fail('unterminated string');
  }

  private parseHexString(): PdfString {
    const b = this.bytes;
    let p = this.pos + 1;
    const end = b.indexOf(0x3e, p);
    if (end < 0) this.fail('unterminated hex string');
    if (end - p >= 256 && (end - p) % 2 === 0) {
      // Long runs of pure hex (signature /Contents) decoded natively; Buffer stops at the first
      // non-hex pair, so a full-length result means there was nothing else (else the loop below).
      const decoded = Buffer.from(Buffer.from(b.buffer, b.byteOffset + p, end - p).toString('latin1'), 'hex');
      if (decoded.length * 2 === end - p) {
        this.pos = end + 1;
        return new PdfString(new Uint8Array(decoded), true); // a copy: small Buffers share a pool
      }
    }
    const out = new Uint8Array(Math.ceil((end - p) / 2));
    let n = 0;
    let hi = -1;
    for (; p < end; p++) {
      const v = hexValue(b[p]);
      if (v < 0) {
        if (WS[b[p]] === 1) continue;
        this.fail('bad character in hex string');
      }
      if (hi < 0) hi = v;
      else {
        out[n++] = (hi << 4) | v;
        hi = -1;
      }
    }
    if (hi >= 0) out[n++] = hi << 4;
    this.pos = end + 1;
    return new PdfString(out.subarray(0, n), true);
  }

  private parseDict(depth: number): PdfDict {
    const b = this.bytes;
    this.pos += 2;
    const dict = new PdfDict();
    for (;;) {
      this.skipWhitespaceAndComments();
      if (this.pos >= b.length) this.fail('unterminated dictionary');
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        this.pos += 2;
        return dict;
      }
      if (b[this.pos] !== 0x2f) this.fail('dictionary key is not a name');
      const key = this.parseName();
      this.skipWhitespaceAndComments();
      if (b[this.pos] === 0x3e && b[this.pos + 1] === 0x3e) {
        // a key without a value: tolerate as null, like most readers
        dict.set(key.value, null);
        continue;
      }
      dict.set(key.value, this.parseObject(depth + 1));
    }
  }

  /** Parses `N G obj … endobj` at the current position, including stream data. */
  parseIndirectObject(): IndirectObject {
    const objectNumber = this.tryReadUnsigned();
    const generation = this.tryReadUnsigned();
    if (objectNumber === undefined || generation === undefined) this.fail('expected an object header');
    this.expectKeyword('obj');
    const value = this.parseObject();
    const result: IndirectObject = { objectNumber, generation, value, end: this.pos };
    this.skipWhitespaceAndComments();
    const b = this.bytes;
    if (value instanceof PdfDict && startsWith(b, this.pos, 'stream')) {
      let p = this.pos + 6;
      if (b[p] === 0x0d) p++;
      if (b[p] === 0x0a) p++;
      const streamStart = p;
      let length = value.get('Length');
      if (length instanceof PdfRef) length = this.resolveLength?.(length);
      let streamEnd = -1;
      if (typeof length === 'number' && length >= 0 && streamStart + length <= b.length) {
        // Trust /Length only when "endstream" follows it.
        let q = streamStart + length;
        while (q < b.length && WS[b[q]] === 1) q++;
        if (startsWith(b, q, 'endstream')) streamEnd = streamStart + length;
      }
      if (streamEnd < 0) {
        const found = indexOfAscii(b, 'endstream', streamStart);
        if (found < 0) this.fail('stream without endstream');
        streamEnd = found;
        if (b[streamEnd - 1] === 0x0a) streamEnd--;
        if (b[streamEnd - 1] === 0x0d) streamEnd--;
      }
      result.value = new PdfStream(value, b.subarray(streamStart, streamEnd));
      result.streamStart = streamStart;
      result.streamEnd = streamEnd;
      this.pos = indexOfAscii(b, 'endstream', streamEnd) + 9;
      this.skipWhitespaceAndComments();
    }
    if (startsWith(b, this.pos, 'endobj')) this.pos += 6;
    result.end = this.pos;
    return result;
  }
}

/** A growing byte buffer: a string's bytes without a JavaScript array of numbers (8× the memory). */
class ByteSink {
  #buffer = new Uint8Array(64);
  #length = 0;
  push(value: number): void {
    if (this.#length === this.#buffer.length) {
      const grown = new Uint8Array(this.#buffer.length * 2);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer[this.#length++] = value;
  }
  bytes(): Uint8Array {
    return this.#buffer.slice(0, this.#length);
  }
}

function isHex(c: number): boolean {
  return hexValue(c) >= 0;
}

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

/** Decodes bytes [start, end) as latin1 without allocating a Buffer for short runs. */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start < 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}

/** True when the ASCII `text` occurs at `pos`. */
export function startsWith(bytes: Uint8Array, pos: number, text: string): boolean {
  if (pos + text.length > bytes.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[pos + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** Index of ASCII `text` at or after `from`, or -1. */
export function indexOfAscii(bytes: Uint8Array, text: string, from = 0): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(text, from, 'latin1');
}

/** Last index of ASCII `text` at or before `from`, or -1. */
export function lastIndexOfAscii(bytes: Uint8Array, text: string, from = bytes.length): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).lastIndexOf(text, from, 'latin1');
}
