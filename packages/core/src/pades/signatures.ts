import type { PdfDocument } from '../pdf/document.ts';
import { PdfDict, PdfRef, PdfString, type PdfObject } from '../pdf/objects.ts';

/** A signature or document timestamp found in a PDF's form fields. */
export interface PdfSignatureInfo {
  fieldName: string;
  /** The signature dictionary's object number (0 when direct). */
  objectNumber: number;
  dict: PdfDict;
  type: 'signature' | 'document-timestamp';
  subFilter?: string;
  filter?: string;
  /** The /ByteRange as written (may be malformed: validated by the verifier). */
  byteRange: number[];
  /** The /Contents bytes as stored, padding included. */
  contents: Uint8Array;
}

/** Lists every signature field with a value, walking the AcroForm field tree in order. */
export function listSignatures(doc: PdfDocument): PdfSignatureInfo[] {
  const acroForm = doc.dict(doc.catalog.get('AcroForm'));
  const fields = acroForm ? doc.resolve(acroForm.get('Fields')) : null;
  const out: PdfSignatureInfo[] = [];
  const seen = new Set<number>();
  const visit = (value: PdfObject, parentName: string, inheritedFt: string | undefined, depth: number) => {
    if (depth > 16) return;
    if (value instanceof PdfRef) {
      if (seen.has(value.objectNumber)) return;
      seen.add(value.objectNumber);
    }
    const field = doc.dict(value);
    if (!field) return;
    const t = doc.resolve(field.get('T'));
    const partial = t instanceof PdfString ? t.text() : '';
    const fullName = parentName && partial ? `${parentName}.${partial}` : partial || parentName;
    const ft = field.name('FT') ?? inheritedFt;
    const kids = doc.resolve(field.get('Kids'));
    if (Array.isArray(kids)) for (const kid of kids) visit(kid, fullName, ft, depth + 1);
    if (ft !== 'Sig') return;
    const v = field.get('V');
    const sig = doc.dict(v);
    if (!sig) return;
    const contents = doc.resolve(sig.get('Contents'));
    const byteRange = doc.resolve(sig.get('ByteRange'));
    const type =
      sig.name('Type') === 'DocTimeStamp' || sig.name('SubFilter') === 'ETSI.RFC3161'
        ? 'document-timestamp'
        : 'signature';
    out.push({
      fieldName: fullName,
      objectNumber: v instanceof PdfRef ? v.objectNumber : 0,
      dict: sig,
      type,
      subFilter: sig.name('SubFilter'),
      filter: sig.name('Filter'),
      byteRange: Array.isArray(byteRange)
        ? byteRange.map((n) => (typeof doc.resolve(n) === 'number' ? (doc.resolve(n) as number) : NaN))
        : [],
      contents: contents instanceof PdfString ? contents.bytes : new Uint8Array(0),
    });
  };
  if (Array.isArray(fields)) for (const f of fields) visit(f, '', undefined, 0);
  // Signed order = position of the signed range's end in the file.
  out.sort((a, b) => rangeEnd(a) - rangeEnd(b));
  return out;
}

/** End of the bytes a signature's ByteRange covers (NaN when malformed). */
export function rangeEnd(signature: PdfSignatureInfo): number {
  const r = signature.byteRange;
  return r.length === 4 ? r[2] + r[3] : NaN;
}

/** The DER value inside /Contents: the padding zeros after the outer TLV are cut off. */
export function derOfContents(contents: Uint8Array): Uint8Array {
  if (contents.length < 2 || contents[0] !== 0x30) return contents;
  const first = contents[1];
  let length: number;
  let header = 2;
  if (first < 0x80) length = first;
  else if (first === 0x80)
    return trimZeros(contents); // BER indefinite length: keep up to the last non-zero byte + EOC
  else {
    const n = first & 0x7f;
    if (n > 4 || 2 + n > contents.length) return contents;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + contents[2 + i];
    header = 2 + n;
  }
  const total = header + length;
  return total <= contents.length ? contents.subarray(0, total) : contents;
}

function trimZeros(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 2 && bytes[end - 1] === 0 && bytes[end - 2] === 0 && bytes[end - 3] === 0) end--;
  return bytes.subarray(0, end);
}
