import { CoreError } from '../errors.ts';
import type { PdfDocument } from '../pdf/document.ts';
import type { UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfName } from '../pdf/objects.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { appendSignature } from './signature-field.ts';

/** Bytes reserved for a document timestamp token (tokens with a full chain are 5–8 KB). */
const DOCUMENT_TIMESTAMP_RESERVE = 16384;

/** Appends a document timestamp (SubFilter ETSI.RFC3161) covering the whole file so far. */
export async function addDocumentTimestamp(
  doc: PdfDocument,
  timestampAuthority: TimestampAuthority,
): Promise<UpdatedPdf> {
  if (doc.pageCount === 0) throw new CoreError('PDF_NO_PAGES', 'the PDF has no pages');
  return appendSignature(doc, {
    entries: [
      ['Type', PdfName.of('DocTimeStamp')],
      ['Filter', PdfName.of('Adobe.PPKLite')],
      ['SubFilter', PdfName.of('ETSI.RFC3161')],
    ],
    reservedBytes: DOCUMENT_TIMESTAMP_RESERVE,
    fieldNamePrefix: 'DocumentTimestamp',
    produce: (digest) => timestampAuthority.timestamp(digest),
  });
}
