import { randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { CoreError } from '../errors.ts';
import type { PdfDocument } from './document.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.ts';
import { ByteSink, writeIndirect, writeObject } from './serialize.ts';

/** The result of an incremental update: the original bytes followed by the appended tail. */
export interface UpdatedPdf {
  /** The original file, unchanged (never copied). */
  original: Uint8Array;
  /** The appended revision. */
  tail: Uint8Array;
  /** Total length of original + tail. */
  length: number;
}

/** Joins an UpdatedPdf into one buffer (one copy of the file). */
export function joinUpdate(update: UpdatedPdf): Uint8Array {
  return Buffer.concat([update.original, update.tail], update.length);
}

/**
 * Collects new and changed objects and appends them to a PDF as a new revision,
 * so that every earlier byte (and so every earlier signature) stays as it was.
 */
export class IncrementalUpdate {
  readonly #doc: PdfDocument;
  readonly #objects = new Map<number, { ref: PdfRef; value: PdfObject }>();
  #nextNumber: number;

  constructor(doc: PdfDocument) {
    if (doc.xref.repaired) {
      throw new CoreError(
        'PDF_BROKEN_XREF',
        'the PDF has a broken cross-reference table; it cannot be updated without rewriting it',
      );
    }
    this.#doc = doc;
    this.#nextNumber = doc.size;
  }

  /** Reserves a new object number. */
  allocate(): PdfRef {
    return new PdfRef(this.#nextNumber++, 0);
  }

  /** Adds a new object and returns its reference. */
  add(value: PdfObject): PdfRef {
    const ref = this.allocate();
    this.set(ref, value);
    return ref;
  }

  /** Sets (adds or replaces) the object with this reference in the new revision. */
  set(ref: PdfRef, value: PdfObject): void {
    this.#objects.set(ref.objectNumber, { ref, value });
  }

  /** The object as it will stand after this update (the new value, else the original). */
  current(ref: PdfRef): PdfObject {
    const changed = this.#objects.get(ref.objectNumber);
    return changed ? changed.value : this.#doc.getObject(ref);
  }

  /**
   * Serializes the revision. Placeholders inside objects get their `start` set relative to the tail,
   * so the signer can fill in /ByteRange and /Contents afterwards.
   */
  build(): UpdatedPdf & { tailOffset: number } {
    const original = this.#doc.bytes;
    const sink = new ByteSink();
    const last = original[original.length - 1];
    if (last !== 0x0a && last !== 0x0d) sink.write('\n');
    const base = original.length;
    const offsets = new Map<number, number>();
    const sorted = [...this.#objects.values()].sort((a, b) => a.ref.objectNumber - b.ref.objectNumber);
    for (const { ref, value } of sorted) {
      offsets.set(ref.objectNumber, base + sink.position);
      writeIndirect(sink, ref, value);
    }
    const trailer = this.#trailer();
    const xrefOffset = base + sink.position;
    if (this.#doc.xref.kind === 'stream') this.#writeXrefStream(sink, offsets, trailer, xrefOffset);
    else this.#writeXrefTable(sink, offsets, trailer);
    sink.write(`startxref\n${xrefOffset}\n%%EOF\n`);
    const tail = sink.toBytes();
    return { original, tail, length: original.length + tail.length, tailOffset: base };
  }

  #trailer(): PdfDict {
    const old = this.#doc.trailer;
    const trailer = new PdfDict();
    trailer.set('Size', this.#nextNumber);
    trailer.set('Root', old.get('Root') ?? null);
    const info = old.get('Info');
    if (info instanceof PdfRef) trailer.set('Info', info);
    const id = old.get('ID');
    const first = Array.isArray(id) && id[0] instanceof PdfString ? id[0] : new PdfString(randomBytes(16), true);
    trailer.set('ID', [first, new PdfString(randomBytes(16), true)]);
    trailer.set('Prev', this.#doc.xref.startxref);
    return trailer;
  }

  #writeXrefTable(sink: ByteSink, offsets: Map<number, number>, trailer: PdfDict): void {
    sink.write('xref\n');
    for (const [start, run] of runs([...offsets.keys()])) {
      sink.write(`${start} ${run.length}\n`);
      for (const num of run) sink.write(`${String(offsets.get(num)).padStart(10, '0')} 00000 n\r\n`);
    }
    sink.write('trailer\n');
    writeObject(sink, trailer);
    sink.write('\n');
  }

  #writeXrefStream(sink: ByteSink, offsets: Map<number, number>, trailer: PdfDict, xrefOffset: number): void {
    const ref = new PdfRef(this.#nextNumber++, 0);
    trailer.set('Size', this.#nextNumber);
    offsets.set(ref.objectNumber, xrefOffset);
    const numbers = [...offsets.keys()].sort((a, b) => a - b);
    const index: number[] = [];
    const rows: number[] = [];
    for (const [start, run] of runs(numbers)) {
      index.push(start, run.length);
      for (const num of run) {
        const offset = offsets.get(num)!;
        rows.push(1, (offset / 2 ** 32) >>> 0, offset >>> 0, 0);
      }
    }
    // W [1 8 1]: type, 64-bit offset split in two 32-bit words, generation.
    const data = Buffer.alloc((rows.length / 4) * 10);
    for (let i = 0, p = 0; i < rows.length; i += 4, p += 10) {
      data[p] = rows[i];
      data.writeUInt32BE(rows[i + 1], p + 1);
      data.writeUInt32BE(rows[i + 2], p + 5);
      data[p + 9] = rows[i + 3];
    }
    const dict = trailer;
    dict.set('Type', PdfName.of('XRef'));
    dict.set('W', [1, 8, 1]);
    dict.set('Index', index);
    dict.set('Filter', PdfName.of('FlateDecode'));
    writeIndirect(sink, ref, new PdfStream(dict, deflateSync(data)));
  }
}

/** Groups sorted object numbers into contiguous runs. */
function runs(numbers: number[]): Array<[number, number[]]> {
  const sorted = [...numbers].sort((a, b) => a - b);
  const out: Array<[number, number[]]> = [];
  for (const num of sorted) {
    const lastRun = out[out.length - 1];
    if (lastRun && lastRun[1][lastRun[1].length - 1] === num - 1) lastRun[1].push(num);
    else out.push([num, [num]]);
  }
  return out;
}
