import { CoreError } from '../errors.ts';
import { decodeStream } from './filters.ts';
import { PdfLexer, indexOfAscii } from './lexer.ts';
import { PdfBudget } from './limits.ts';
import { PdfDict, PdfRef, PdfStream, type PdfObject } from './objects.ts';
import { findStartxref, largestObjectNumber, readXref, reconstructXref, type XrefTable } from './xref.ts';

export interface LoadOptions {
  /** Rebuild a broken cross-reference table by scanning instead of failing (for reading only). */
  tolerant?: boolean;
  /** Accept an encrypted file (the verifier can still read its structure). */
  allowEncrypted?: boolean;
  /**
   * The resource limits to read within (default: the limits of a file of this size). Documents read
   * from the same file (its earlier revisions) share one budget.
   */
  budget?: PdfBudget;
}

interface ObjectStreamIndex {
  lexerBytes: Uint8Array;
  offsets: Map<number, number>;
}

/**
 * A lazily read PDF: loading parses only the trailer and the cross-reference sections;
 * objects are parsed when first asked for. The file's bytes are never copied.
 */
export class PdfDocument {
  readonly bytes: Uint8Array;
  readonly xref: XrefTable;
  readonly version: string;
  /** The limits every read of this document counts against. */
  readonly budget: PdfBudget;
  readonly #cache = new Map<number, PdfObject>();
  readonly #objectStreams = new Map<number, ObjectStreamIndex>();
  readonly #resolving = new Set<number>();

  private constructor(bytes: Uint8Array, xref: XrefTable, version: string, budget: PdfBudget) {
    this.bytes = bytes;
    this.xref = xref;
    this.version = version;
    this.budget = budget;
  }

  /** Reads a PDF's structure. Throws CoreError with a PDF_* code for input that is not a usable PDF. */
  static load(bytes: Uint8Array, options: LoadOptions = {}): PdfDocument {
    const headerAt = indexOfAscii(bytes.subarray(0, Math.min(bytes.length, 1024)), '%PDF-');
    if (headerAt < 0) throw new CoreError('PDF_NOT_A_PDF', 'the file is not a PDF (no %PDF- header)');
    const version = Buffer.from(bytes.subarray(headerAt + 5, headerAt + 8)).toString('latin1');
    const budget = options.budget ?? new PdfBudget(bytes.length);
    let xref: XrefTable;
    try {
      xref = readXref(bytes, findStartxref(bytes), budget);
    } catch (error) {
      // Over a limit is not damage: scanning the file instead would only spend more.
      if (
        !options.tolerant ||
        !(error instanceof CoreError) ||
        error.code === 'PDF_TRUNCATED' ||
        error.code === 'PDF_TOO_COMPLEX'
      )
        throw error;
      xref = reconstructXref(bytes, budget);
    }
    const doc = new PdfDocument(bytes, xref, version, budget);
    if (xref.trailer.has('Encrypt') && !options.allowEncrypted) {
      throw new CoreError(
        'PDF_ENCRYPTED',
        'the PDF is encrypted or password-protected; remove the protection and upload it again',
      );
    }
    const root = doc.trailer.get('Root');
    if (!(root instanceof PdfRef))
      throw new CoreError('PDF_BROKEN_XREF', 'the trailer has no document catalog (/Root)');
    try {
      if (!(doc.resolve(root) instanceof PdfDict)) {
        throw new CoreError('PDF_BROKEN_XREF', 'the document catalog cannot be read');
      }
    } catch (error) {
      if (error instanceof CoreError && error.code === 'PDF_TOO_COMPLEX') throw error;
      if (options.tolerant && !xref.repaired) {
        // The xref parsed but points at the wrong places: rebuild it by scanning.
        const repaired = new PdfDocument(bytes, reconstructXref(bytes, budget), version, budget);
        if (repaired.dict(repaired.trailer.get('Root'))) return repaired;
      }
      if (error instanceof CoreError && error.code === 'PDF_BROKEN_XREF') throw error;
      throw new CoreError(
        'PDF_BROKEN_XREF',
        'the document catalog cannot be read: the cross-reference table is wrong',
        { cause: error },
      );
    }
    return doc;
  }

  get trailer(): PdfDict {
    return this.xref.trailer;
  }

  /** The next free object number (the trailer's /Size). */
  get size(): number {
    const size = this.trailer.get('Size');
    const fromEntries = largestObjectNumber(this.xref.entries) + 1;
    return typeof size === 'number' ? Math.max(size, fromEntries) : fromEntries;
  }

  /** Returns the object with this number (null for free or missing objects, as the spec says). */
  getObject(ref: PdfRef | number): PdfObject {
    const num = typeof ref === 'number' ? ref : ref.objectNumber;
    const cached = this.#cache.get(num);
    if (cached !== undefined) return cached;
    if (this.#resolving.has(num))
      throw new CoreError('PDF_MALFORMED', `object ${num} refers to itself while being read`);
    // Reading an object can read others (a stream's /Length): a chain of them must not exhaust the stack.
    if (this.#resolving.size >= this.budget.maxNestingDepth) {
      this.budget.exceed(
        'nesting-depth',
        this.budget.maxNestingDepth,
        `reading object ${num} needs more than ${this.budget.maxNestingDepth} other objects read first`,
      );
    }
    this.#resolving.add(num);
    try {
      const value = this.#readObject(num);
      this.#cache.set(num, value);
      return value;
    } finally {
      this.#resolving.delete(num);
    }
  }

  /** Follows references until a direct object. */
  resolve(value: PdfObject | undefined): PdfObject {
    let v: PdfObject | undefined = value;
    for (let i = 0; i < 32 && v instanceof PdfRef; i++) v = this.getObject(v);
    if (v instanceof PdfRef) throw new CoreError('PDF_MALFORMED', 'reference chain too long');
    return v ?? null;
  }

  /** Resolves `value` and returns it if it is a dictionary (a stream's dictionary is not returned). */
  dict(value: PdfObject | undefined): PdfDict | undefined {
    const v = this.resolve(value);
    return v instanceof PdfDict ? v : undefined;
  }

  /** The decoded data of a stream object. */
  streamData(stream: PdfStream): Uint8Array {
    return decodeStream(stream, (o) => this.resolve(o), this.budget);
  }

  get catalog(): PdfDict {
    const catalog = this.dict(this.trailer.get('Root'));
    if (!catalog) throw new CoreError('PDF_MALFORMED', 'the document catalog is not a dictionary');
    return catalog;
  }

  get catalogRef(): PdfRef {
    return this.trailer.get('Root') as PdfRef;
  }

  /** The page count from the page tree root's /Count. */
  get pageCount(): number {
    const pages = this.dict(this.catalog.get('Pages'));
    const count = pages ? this.resolve(pages.get('Count')) : 0;
    return typeof count === 'number' && count > 0 ? Math.floor(count) : 0;
  }

  /** Every page, in order, walking the page tree with loop protection. */
  pages(): Array<{ ref: PdfRef; dict: PdfDict }> {
    const out: Array<{ ref: PdfRef; dict: PdfDict }> = [];
    this.#walkPages(this.catalog.get('Pages'), new Set(), out, Infinity, 0);
    return out;
  }

  /** The page at `index` (0-based) without reading the rest of the tree when it is the first. */
  page(index: number): { ref: PdfRef; dict: PdfDict } {
    const out: Array<{ ref: PdfRef; dict: PdfDict }> = [];
    this.#walkPages(this.catalog.get('Pages'), new Set(), out, index + 1, 0);
    const page = out[index];
    if (!page)
      throw new CoreError('PDF_NO_PAGES', index === 0 ? 'the PDF has no pages' : `the PDF has no page ${index + 1}`);
    return page;
  }

  /** A page attribute, inherited from the page tree if the page lacks it (Resources, MediaBox, CropBox, Rotate). */
  inherited(pageDict: PdfDict, key: string): PdfObject | undefined {
    let node: PdfDict | undefined = pageDict;
    for (let depth = 0; node && depth < 64; depth++) {
      const value = node.get(key);
      if (value !== undefined) return value;
      node = this.dict(node.get('Parent'));
    }
    return undefined;
  }

  #walkPages(
    nodeRef: PdfObject | undefined,
    seen: Set<number>,
    out: Array<{ ref: PdfRef; dict: PdfDict }>,
    limit: number,
    depth: number,
  ): void {
    if (out.length >= limit || depth > 64) return;
    if (!(nodeRef instanceof PdfRef)) {
      if (depth === 0) throw new CoreError('PDF_NO_PAGES', 'the PDF has no page tree');
      return;
    }
    if (seen.has(nodeRef.objectNumber)) throw new CoreError('PDF_MALFORMED', 'the page tree contains a loop');
    seen.add(nodeRef.objectNumber);
    const node = this.dict(nodeRef);
    if (!node) return;
    const type = node.name('Type');
    const kids = this.resolve(node.get('Kids'));
    if (type === 'Pages' || (type === undefined && Array.isArray(kids))) {
      if (!Array.isArray(kids)) return;
      for (const kid of kids) {
        this.#walkPages(kid, seen, out, limit, depth + 1);
        if (out.length >= limit) return;
      }
      return;
    }
    out.push({ ref: nodeRef, dict: node });
  }

  #readObject(num: number): PdfObject {
    const entry = this.xref.entries.get(num);
    if (!entry || entry.kind === 'free') return null;
    if (entry.kind === 'offset') {
      if (entry.offset < 0 || entry.offset >= this.bytes.length) {
        throw new CoreError('PDF_BROKEN_XREF', `object ${num} points outside the file`);
      }
      const lexer = new PdfLexer(
        this.bytes,
        (ref) => {
          const v = this.resolve(ref);
          return typeof v === 'number' ? v : undefined;
        },
        this.budget,
      );
      lexer.pos = entry.offset;
      const obj = lexer.parseIndirectObject();
      if (obj.objectNumber !== num) {
        throw new CoreError(
          'PDF_BROKEN_XREF',
          `the cross-reference entry of object ${num} points at object ${obj.objectNumber}`,
        );
      }
      return obj.value;
    }
    const index = this.#objectStream(entry.streamObjectNumber);
    const offset = index.offsets.get(num);
    if (offset === undefined) return null;
    const lexer = new PdfLexer(index.lexerBytes, undefined, this.budget);
    lexer.pos = offset;
    return lexer.parseObject();
  }

  #objectStream(streamNumber: number): ObjectStreamIndex {
    const cached = this.#objectStreams.get(streamNumber);
    if (cached) return cached;
    const stream = this.getObject(streamNumber);
    if (!(stream instanceof PdfStream))
      throw new CoreError('PDF_MALFORMED', `object stream ${streamNumber} is not a stream`);
    const n = this.resolve(stream.dict.get('N'));
    const first = this.resolve(stream.dict.get('First'));
    if (typeof n !== 'number' || typeof first !== 'number' || n < 0 || first < 0) {
      throw new CoreError('PDF_MALFORMED', `object stream ${streamNumber} has a bad /N or /First`);
    }
    this.budget.chargeObjectStream();
    this.budget.check('objects', n, this.budget.maxObjects);
    const data = this.streamData(stream);
    const lexer = new PdfLexer(data, undefined, this.budget);
    const offsets = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const objectNumber = lexer.tryReadUnsigned();
      const relative = lexer.tryReadUnsigned();
      if (objectNumber === undefined || relative === undefined)
        throw new CoreError('PDF_MALFORMED', `object stream ${streamNumber} has a bad header`);
      if (first + relative > data.length)
        throw new CoreError('PDF_MALFORMED', `object stream ${streamNumber} points past its end`);
      if (!offsets.has(objectNumber)) offsets.set(objectNumber, first + relative);
    }
    const index = { lexerBytes: data, offsets };
    this.#objectStreams.set(streamNumber, index);
    return index;
  }
}
