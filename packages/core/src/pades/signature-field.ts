import { CoreError } from '../errors.ts';
import type { PdfDocument } from '../pdf/document.ts';
import { IncrementalUpdate, type UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfString, type PdfObject } from '../pdf/objects.ts';
import { Placeholder } from '../pdf/serialize.ts';
import { createHash } from 'node:crypto';

/** Placeholders of a signature dictionary, filled after the revision is laid out. */
export interface SignaturePlaceholders {
  byteRange: Placeholder;
  contents: Placeholder;
  /** Bytes reserved for the DER value of /Contents. */
  reservedBytes: number;
}

const BYTE_RANGE_WIDTH = 10;

/** Creates the /ByteRange and /Contents placeholders for `reservedBytes` of signature. */
export function createPlaceholders(reservedBytes: number): SignaturePlaceholders {
  const pad = '0'.repeat(BYTE_RANGE_WIDTH);
  return {
    byteRange: new Placeholder(`[0 ${pad} ${pad} ${pad}]`),
    contents: new Placeholder(`<${'0'.repeat(reservedBytes * 2)}>`),
    reservedBytes,
  };
}

/**
 * Adds an invisible signature field whose value is `signatureDict`, attached to the first page,
 * registering it in the AcroForm. Returns the field's name.
 */
export function addSignatureField(
  doc: PdfDocument,
  update: IncrementalUpdate,
  signatureDict: PdfDict,
  options: { fieldNamePrefix: string },
): string {
  const signatureRef = update.add(signatureDict);
  const catalog = doc.catalog.clone();
  const page = doc.page(0);

  const acroFormValue = catalog.get('AcroForm');
  const acroFormRef = acroFormValue instanceof PdfRef ? acroFormValue : undefined;
  const acroForm = (doc.dict(acroFormValue) ?? new PdfDict()).clone();
  const fieldsValue = acroForm.get('Fields');
  const fieldsRef = fieldsValue instanceof PdfRef ? fieldsValue : undefined;
  const fieldsResolved = doc.resolve(fieldsValue);
  const fields: PdfObject[] = Array.isArray(fieldsResolved) ? [...fieldsResolved] : [];

  const fieldName = uniqueFieldName(doc, fields, options.fieldNamePrefix);
  const widget = new PdfDict([
    ['Type', PdfName.of('Annot')],
    ['Subtype', PdfName.of('Widget')],
    ['FT', PdfName.of('Sig')],
    ['T', new PdfString(Buffer.from(fieldName, 'latin1'))],
    ['V', signatureRef],
    ['F', 132], // Print + Locked
    ['Rect', [0, 0, 0, 0]],
    ['P', page.ref],
  ]);
  const widgetRef = update.add(widget);

  fields.push(widgetRef);
  if (fieldsRef) update.set(fieldsRef, fields);
  else acroForm.set('Fields', fields);
  acroForm.set('SigFlags', 3);
  if (acroFormRef) update.set(acroFormRef, acroForm);
  else catalog.set('AcroForm', acroForm);

  // The page's /Annots gets the widget; when /Annots is an indirect array, that array is updated.
  const current = update.current(page.ref);
  const pageDict = (current instanceof PdfDict ? current : page.dict).clone();
  const annotsValue = pageDict.get('Annots');
  const annotsResolved = doc.resolve(annotsValue);
  const annots: PdfObject[] = Array.isArray(annotsResolved) ? [...annotsResolved, widgetRef] : [widgetRef];
  if (annotsValue instanceof PdfRef && Array.isArray(annotsResolved)) update.set(annotsValue, annots);
  else {
    pageDict.set('Annots', annots);
    update.set(page.ref, pageDict);
  }
  if (!acroFormRef) update.set(doc.catalogRef, mergeCatalog(update, doc, catalog));
  return fieldName;
}

/** The catalog as changed by this update so far, with `changes`' entries applied on top. */
function mergeCatalog(update: IncrementalUpdate, doc: PdfDocument, changes: PdfDict): PdfDict {
  const current = update.current(doc.catalogRef);
  const base = current instanceof PdfDict ? current.clone() : changes;
  for (const [k, v] of changes.entries) base.set(k, v);
  return base;
}

function uniqueFieldName(doc: PdfDocument, fields: PdfObject[], prefix: string): string {
  const taken = new Set<string>();
  const visit = (value: PdfObject, depth: number) => {
    const field = doc.dict(value);
    if (!field || depth > 8) return;
    const t = doc.resolve(field.get('T'));
    if (t instanceof PdfString) taken.add(t.text());
    const kids = doc.resolve(field.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) visit(kid, depth + 1);
  };
  for (const f of fields) visit(f, 0);
  for (let i = 1; ; i++) {
    const candidate = `${prefix}${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Byte positions of the signature's /Contents in the whole file, and its /ByteRange. */
export interface SignatureLayout {
  byteRange: [number, number, number, number];
  /** Offset of '<' (contents hex starts one byte later) and of the byte after '>'. */
  contentsStart: number;
  contentsEnd: number;
}

/** Fills /ByteRange in the tail and returns the layout. */
export function fillByteRange(
  updated: UpdatedPdf & { tailOffset: number },
  placeholders: SignaturePlaceholders,
): SignatureLayout {
  const { tail, tailOffset, length } = updated;
  if (placeholders.contents.start < 0 || placeholders.byteRange.start < 0)
    throw new CoreError('PDF_MALFORMED', 'signature placeholders were not written');
  const contentsStart = tailOffset + placeholders.contents.start;
  const contentsEnd = tailOffset + placeholders.contents.end;
  const byteRange: [number, number, number, number] = [0, contentsStart, contentsEnd, length - contentsEnd];
  const text = `[${byteRange.join(' ')}]`.padEnd(placeholders.byteRange.text.length, ' ');
  if (text.length > placeholders.byteRange.text.length)
    throw new CoreError('PDF_UNSUPPORTED', 'the file is too large for a 10-digit ByteRange');
  Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).write(text, placeholders.byteRange.start, 'latin1');
  return { byteRange, contentsStart, contentsEnd };
}

/** SHA-256 over the signed ranges, reading the original and the tail in place (no concatenation). */
export function digestByteRange(updated: UpdatedPdf & { tailOffset: number }, layout: SignatureLayout): Uint8Array {
  const hash = createHash('sha256');
  hash.update(updated.original);
  const { tail, tailOffset } = updated;
  hash.update(tail.subarray(0, layout.contentsStart - tailOffset));
  hash.update(tail.subarray(layout.contentsEnd - tailOffset));
  return hash.digest();
}

/** Writes the DER signature, hex-encoded and zero-padded, into /Contents. */
export function fillContents(
  updated: UpdatedPdf & { tailOffset: number },
  layout: SignatureLayout,
  placeholders: SignaturePlaceholders,
  der: Uint8Array,
): void {
  if (der.length > placeholders.reservedBytes) {
    throw new CoreError(
      'PDF_SIGNATURE_TOO_LARGE',
      `the signature (${der.length} bytes) exceeds the space reserved (${placeholders.reservedBytes} bytes)`,
    );
  }
  const { tail, tailOffset } = updated;
  Buffer.from(tail.buffer, tail.byteOffset, tail.byteLength).write(
    Buffer.from(der).toString('hex'),
    layout.contentsStart - tailOffset + 1,
    'latin1',
  );
}

/**
 * Appends a revision holding a new signature field whose dictionary is `entries` plus /ByteRange and
 * /Contents, then fills /Contents with what `produce` returns for the digest of the signed ranges.
 */
export async function appendSignature(
  doc: PdfDocument,
  options: {
    entries: Array<[string, PdfObject]>;
    reservedBytes: number;
    fieldNamePrefix: string;
    /** Adds other changes to the same revision before the signature field (e.g. field values). */
    prepare?: (update: IncrementalUpdate) => void;
    produce: (digest: Uint8Array) => Promise<Uint8Array>;
  },
): Promise<UpdatedPdf> {
  const placeholders = createPlaceholders(options.reservedBytes);
  const [first, ...rest] = options.entries;
  const dict = new PdfDict([
    first,
    ...rest.filter(([k]) => k === 'Filter' || k === 'SubFilter'),
    ['ByteRange', placeholders.byteRange as unknown as PdfObject],
    ['Contents', placeholders.contents as unknown as PdfObject],
    ...rest.filter(([k]) => k !== 'Filter' && k !== 'SubFilter'),
  ]);
  const update = new IncrementalUpdate(doc);
  options.prepare?.(update);
  addSignatureField(doc, update, dict, { fieldNamePrefix: options.fieldNamePrefix });
  const updated = update.build();
  const layout = fillByteRange(updated, placeholders);
  fillContents(updated, layout, placeholders, await options.produce(digestByteRange(updated, layout)));
  return updated;
}
