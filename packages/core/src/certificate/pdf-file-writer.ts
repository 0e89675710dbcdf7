// A complete PDF file written from scratch: header, objects, one classic xref table, trailer.
// Used for documents Inkan creates itself (the certificate of completion), not for updates.
import { createHash } from 'node:crypto';
import { PdfDict, PdfRef, PdfString, type PdfObject } from '../pdf/objects.ts';
import { ByteSink, writeIndirect, writeObject } from '../pdf/serialize.ts';

/** Collects numbered objects, then serializes them as one revision. */
export class PdfFileWriter {
  readonly #objects: Array<PdfObject | undefined> = [];

  /** Reserves an object number, for objects that refer to each other (a page and its parent). */
  reserve(): PdfRef {
    this.#objects.push(undefined);
    return new PdfRef(this.#objects.length);
  }

  /** Adds an object and returns its reference. */
  add(value: PdfObject): PdfRef {
    const ref = this.reserve();
    this.set(ref, value);
    return ref;
  }

  /** Fills a reserved object. */
  set(ref: PdfRef, value: PdfObject): void {
    this.#objects[ref.objectNumber - 1] = value;
  }

  /**
   * Serializes the file. The /ID is derived from the objects' bytes, so the same content always
   * gives the same file (repeatable output, comparable across runs).
   */
  toBytes(trailer: { root: PdfRef; info?: PdfRef }): Uint8Array {
    const sink = new ByteSink();
    // The comment of four bytes above 127 tells transfer tools the file is binary (PDF 32000-1 §7.5.2).
    sink.write('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n');
    const offsets: number[] = [];
    this.#objects.forEach((value, i) => {
      if (value === undefined) throw new Error(`object ${i + 1} was reserved but never set`);
      offsets.push(sink.position);
      writeIndirect(sink, new PdfRef(i + 1), value);
    });
    const body = sink.toBytes();
    const id = new PdfString(createHash('sha256').update(body).digest().subarray(0, 16), true);

    const xrefOffset = sink.position;
    const size = this.#objects.length + 1;
    // Each entry is exactly 20 bytes: the end of line is space + LF.
    sink.write(`xref\n0 ${size}\n0000000000 65535 f \n`);
    for (const offset of offsets) sink.write(`${String(offset).padStart(10, '0')} 00000 n \n`);
    const dict = new PdfDict([
      ['Size', size],
      ['Root', trailer.root],
    ]);
    if (trailer.info) dict.set('Info', trailer.info);
    dict.set('ID', [id, id]);
    sink.write('trailer\n');
    writeObject(sink, dict);
    sink.write(`\nstartxref\n${xrefOffset}\n%%EOF\n`);
    return sink.toBytes();
  }
}
