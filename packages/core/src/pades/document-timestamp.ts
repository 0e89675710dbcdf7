import { CoreError } from '../errors.ts';
import { PdfDocument } from '../pdf/document.ts';
import { IncrementalUpdate, type UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfDict, PdfName, type PdfObject } from '../pdf/objects.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { addSignatureField, createPlaceholders, digestByteRange, fillByteRange, fillContents } from './signature-field.ts';

/** Bytes reserved for a document timestamp token (tokens with a full chain are 5–8 KB). */
const DOCUMENT_TIMESTAMP_RESERVE = 16384;

/** Appends a document timestamp (SubFilter ETSI.RFC3161) covering the whole file so far. */
export async function addDocumentTimestamp(doc: PdfDocument, timestampAuthority: TimestampAuthority): Promise<UpdatedPdf> {
  if (doc.pageCount === 0) throw new CoreError('PDF_NO_PAGES', 'the PDF has no pages');
  const placeholders = createPlaceholders(DOCUMENT_TIMESTAMP_RESERVE);
  const dict = new PdfDict([
    ['Type', PdfName.of('DocTimeStamp')],
    ['Filter', PdfName.of('Adobe.PPKLite')],
    ['SubFilter', PdfName.of('ETSI.RFC3161')],
    ['ByteRange', placeholders.byteRange as unknown as PdfObject],
    ['Contents', placeholders.contents as unknown as PdfObject],
  ]);
  const update = new IncrementalUpdate(doc);
  addSignatureField(doc, update, dict, { fieldNamePrefix: 'DocumentTimestamp' });
  const updated = update.build();
  const layout = fillByteRange(updated, placeholders);
  const token = await timestampAuthority.timestamp(digestByteRange(updated, layout));
  fillContents(updated, layout, placeholders, token);
  return updated;
}
