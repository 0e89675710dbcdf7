/** Object-level helpers of the revision diff: which objects a later revision touched, and value equality. */
import type { PdfDocument } from '../pdf/document.ts';
import type { XrefEntry } from '../pdf/xref.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../pdf/objects.ts';

/** Object numbers whose cross-reference entry differs between two states of a file. */
export interface TouchedObjects {
  /** In use in both states, at a different place (or in a rewritten object stream): compare values. */
  changed: number[];
  /** In use only in the later state. */
  added: Set<number>;
  /** In use in the signed state, free (or missing) in the later one. */
  freed: number[];
}

/**
 * Compares the merged xref tables. An entry that is the same in both points at the same bytes
 * (the signed state is a prefix of the later one), so its object cannot have changed — unless it
 * lives in an object stream that the later revision redefined: then it is touched too.
 */
export function touchedObjects(signed: PdfDocument, later: PdfDocument): TouchedObjects {
  const before = signed.xref.entries;
  const after = later.xref.entries;
  // Same offsets only mean same bytes when the later file extends the signed one.
  const prefix = isPrefix(signed.bytes, later.bytes);
  const differs = (num: number, entry: XrefEntry): boolean => !prefix || !sameEntry(before.get(num), entry);
  const rewrittenStreams = new Set<number>();
  for (const [num, entry] of after) if (differs(num, entry)) rewrittenStreams.add(num);

  const changed: number[] = [];
  const added = new Set<number>();
  const freed: number[] = [];
  for (const [num, entry] of after) {
    const old = before.get(num);
    const inStream = entry.kind === 'compressed' && rewrittenStreams.has(entry.streamObjectNumber);
    if (!differs(num, entry) && !inStream) continue;
    const wasUsed = old !== undefined && old.kind !== 'free';
    if (entry.kind === 'free') {
      if (wasUsed) freed.push(num);
    } else if (!wasUsed) added.add(num);
    else changed.push(num);
  }
  // A later xref chain that drops an entry altogether makes the object disappear, like freeing it.
  for (const [num, entry] of before) if (entry.kind !== 'free' && !after.has(num)) freed.push(num);
  changed.sort((a, b) => a - b);
  freed.sort((a, b) => a - b);
  return { changed, added, freed };
}

function sameEntry(a: XrefEntry | undefined, b: XrefEntry): boolean {
  if (a === undefined) return false;
  if (a.kind === 'free' || b.kind === 'free') return a.kind === b.kind;
  if (a.kind === 'offset') return b.kind === 'offset' && a.offset === b.offset && a.generation === b.generation;
  return b.kind === 'compressed' && a.streamObjectNumber === b.streamObjectNumber && a.index === b.index;
}

function isPrefix(head: Uint8Array, whole: Uint8Array): boolean {
  if (head.length > whole.length) return false;
  if (head.buffer === whole.buffer && head.byteOffset === whole.byteOffset) return true;
  return Buffer.from(head.buffer, head.byteOffset, head.byteLength).equals(
    Buffer.from(whole.buffer, whole.byteOffset, head.byteLength),
  );
}

/** The object `num` of `doc`, or undefined when it cannot be read (broken bytes are a finding, not a crash). */
export function readObject(doc: PdfDocument, num: number): PdfObject | undefined {
  try {
    return doc.getObject(num);
  } catch {
    return undefined;
  }
}

/** Resolves a value, or undefined when it cannot be read. */
export function resolveSafe(doc: PdfDocument, value: PdfObject | undefined): PdfObject | undefined {
  try {
    return doc.resolve(value);
  } catch {
    return undefined;
  }
}

/** Resolves to a dictionary (a stream's dictionary too), or undefined. */
export function dictOf(doc: PdfDocument, value: PdfObject | undefined): PdfDict | undefined {
  const v = resolveSafe(doc, value);
  if (v instanceof PdfDict) return v;
  if (v instanceof PdfStream) return v.dict;
  return undefined;
}

/** Resolves to an array, or undefined. */
export function arrayOf(doc: PdfDocument, value: PdfObject | undefined): PdfObject[] | undefined {
  const v = resolveSafe(doc, value);
  return Array.isArray(v) ? v : undefined;
}

/**
 * Structural equality of two values read from two states of a file. References are equal when
 * they name the same object (what that object holds is compared on its own); streams are equal
 * when their decoded data and dictionaries are, so a re-compressed copy counts as unchanged.
 */
export function equalValues(
  a: PdfObject | undefined,
  b: PdfObject | undefined,
  docs?: { a: PdfDocument; b: PdfDocument },
  depth = 0,
): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null || depth > 64) return false;
  if (a instanceof PdfRef)
    return b instanceof PdfRef && a.objectNumber === b.objectNumber && a.generation === b.generation;
  if (a instanceof PdfName) return false; // interned: equal names are ===
  if (a instanceof PdfString) return b instanceof PdfString && Buffer.from(a.bytes).equals(Buffer.from(b.bytes));
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, i) => equalValues(item, b[i], docs, depth + 1));
  }
  if (a instanceof PdfStream) {
    if (!(b instanceof PdfStream)) return false;
    if (equalDicts(a.dict, b.dict, ['Length'], docs, depth) && Buffer.from(a.raw).equals(Buffer.from(b.raw)))
      return true;
    if (!docs || !equalDicts(a.dict, b.dict, ['Length', 'Filter', 'DecodeParms', 'DL'], docs, depth)) return false;
    try {
      return Buffer.from(docs.a.streamData(a)).equals(Buffer.from(docs.b.streamData(b)));
    } catch {
      return false;
    }
  }
  if (a instanceof PdfDict) return b instanceof PdfDict && equalDicts(a, b, [], docs, depth);
  return false; // numbers and booleans are equal only when ===
}

function equalDicts(
  a: PdfDict,
  b: PdfDict,
  ignore: string[],
  docs: { a: PdfDocument; b: PdfDocument } | undefined,
  depth: number,
): boolean {
  const keys = new Set([...a.entries.keys(), ...b.entries.keys()]);
  for (const key of keys) {
    if (ignore.includes(key)) continue;
    if (!equalValues(a.get(key), b.get(key), docs, depth + 1)) return false;
  }
  return true;
}

/** The keys whose values differ between two dictionaries, in a stable order. */
export function changedKeys(a: PdfDict | undefined, b: PdfDict | undefined): string[] {
  const keys = new Set([...(a?.entries.keys() ?? []), ...(b?.entries.keys() ?? [])]);
  return [...keys].filter((key) => !equalValues(a?.get(key), b?.get(key)));
}

/** "added", "removed" or "changed", for a key of two dictionaries. */
export function changeVerb(a: PdfDict | undefined, b: PdfDict | undefined, key: string): string {
  if (!a?.has(key)) return 'added';
  if (!b?.has(key)) return 'removed';
  return 'changed';
}

/** A short English name for what an object is, e.g. "image XObject" or "/Text annotation". */
export function describeObject(value: PdfObject | undefined): string {
  if (value instanceof PdfStream) {
    const d = value.dict;
    const subtype = d.name('Subtype');
    if (subtype === 'Image') return 'image XObject';
    if (subtype === 'Form') return 'form XObject';
    const type = d.name('Type');
    if (type === 'Metadata') return 'XMP metadata stream';
    if (type === 'ObjStm') return 'object stream';
    if (
      d.has('Length1') ||
      d.has('Length2') ||
      subtype === 'Type1C' ||
      subtype === 'CIDFontType0C' ||
      subtype === 'OpenType'
    )
      return 'embedded font file';
    return 'stream';
  }
  if (value instanceof PdfDict) {
    const type = value.name('Type');
    const subtype = value.name('Subtype');
    if (type === 'Annot' || (subtype !== undefined && value.has('Rect')))
      return subtype === 'Widget' ? 'widget annotation' : `/${subtype ?? '?'} annotation`;
    if (type === 'Sig' || type === 'DocTimeStamp') return 'signature dictionary';
    if (value.has('FT') || (value.has('T') && value.has('Kids'))) return 'form field';
    if (type === 'Font') return `font${value.name('BaseFont') ? ` /${value.name('BaseFont')}` : ''}`;
    if (type !== undefined) return `/${type} dictionary`;
    return 'dictionary';
  }
  if (Array.isArray(value)) return 'array';
  if (value === undefined) return 'unreadable object';
  return 'object';
}

/** The text of a string value, shortened for a message. */
export function shortText(doc: PdfDocument, value: PdfObject | undefined): string {
  const v = resolveSafe(doc, value);
  if (v === undefined || v === null) return 'nothing';
  if (v instanceof PdfString) return JSON.stringify(truncate(v.text(), 60));
  if (v instanceof PdfName) return `/${truncate(v.value, 60)}`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return describeObject(v);
}

function truncate(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** The partial field name /T of a dictionary, if any. */
export function fieldNameOf(doc: PdfDocument, dict: PdfDict | undefined): string | undefined {
  const t = resolveSafe(doc, dict?.get('T'));
  return t instanceof PdfString ? t.text() : undefined;
}

/** What a /V value is when it is a signature: a CMS signature or a document timestamp. */
export function signatureKind(
  doc: PdfDocument,
  value: PdfObject | undefined,
): 'signature' | 'document-timestamp' | undefined {
  const d = dictOf(doc, value);
  if (!d) return undefined;
  const type = d.name('Type');
  if (type === 'DocTimeStamp' || (type === undefined && d.name('SubFilter') === 'ETSI.RFC3161'))
    return 'document-timestamp';
  // /Type is optional in a signature dictionary (ISO 32000-1 Table 252); /ByteRange and /Contents are not.
  if (type === 'Sig' || (type === undefined && d.has('ByteRange') && d.has('Contents'))) return 'signature';
  return undefined;
}
