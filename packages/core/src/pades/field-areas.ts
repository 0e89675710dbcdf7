// What the verifier needs to know about declared field areas (field-stamps.ts), without the font code.
import type { PdfDocument } from '../pdf/document.ts';
import type { PdfObject } from '../pdf/objects.ts';

/** A rectangle in the page's user space (PDF points): [x0, y0, x1, y1] with x0 < x1, y0 < y1. */
export type FieldRect = [number, number, number, number];

/** The key of the page dictionary holding the declared field rectangles. */
export const FIELD_AREAS_KEY = 'InkanFields';
/** The resource name prefix of field drawings: `InkanField{k}` draws declared area k. */
export const FIELD_XOBJECT_PREFIX = 'InkanField';

/** Bounds: fields per document, characters of a text value, characters of a generated seal. */
export const FIELD_LIMITS = { areasPerDocument: 200, textChars: 200, sealChars: 6, minSide: 6 } as const;

/** Reads an /InkanFields value: an array of 4-number arrays, or undefined when malformed. */
export function readAreas(doc: PdfDocument, value: PdfObject | undefined): FieldRect[] | undefined {
  try {
    return readAreasOrThrow(doc, value);
  } catch {
    return undefined; // an unreadable declaration declares nothing
  }
}

function readAreasOrThrow(doc: PdfDocument, value: PdfObject | undefined): FieldRect[] | undefined {
  const list = doc.resolve(value);
  if (!Array.isArray(list) || list.length > FIELD_LIMITS.areasPerDocument) return undefined;
  const out: FieldRect[] = [];
  for (const item of list) {
    const rect = doc.resolve(item);
    if (!Array.isArray(rect) || rect.length !== 4) return undefined;
    const numbers = rect.map((n) => doc.resolve(n));
    if (!numbers.every((n): n is number => typeof n === 'number' && Number.isFinite(n))) return undefined;
    out.push(numbers as FieldRect);
  }
  return out;
}
