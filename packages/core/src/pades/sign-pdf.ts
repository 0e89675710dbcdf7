import { createCadesSignature, estimateCadesSize } from '../cms/cades.ts';
import { CoreError } from '../errors.ts';
import { PdfDocument } from '../pdf/document.ts';
import { joinUpdate, type UpdatedPdf } from '../pdf/incremental-update.ts';
import { PdfDict, PdfName, type PdfObject } from '../pdf/objects.ts';
import { pdfDate, textString } from '../pdf/serialize.ts';
import type { Signer } from '../signer.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { addFieldValues, type FieldFill } from './field-stamps.ts';
import { appendSignature } from './signature-field.ts';

/** What a signature says about its signer; it goes into the signature dictionary. */
export interface SignOptions {
  signer: Signer;
  /** The signature timestamp (B-T). Without it the signature is B-B. */
  timestampAuthority?: TimestampAuthority;
  /** /Name: the signer's name and e-mail, e.g. "山田 太郎 <taro@example.jp>". */
  name?: string;
  /** /Reason: what the signature means and how the signer was authenticated. */
  reason?: string;
  /** /Location: e.g. the envelope id. */
  location?: string;
  /** /ContactInfo. */
  contactInfo?: string;
  /** Signing time written to /M (the timestamp is what proves time). Defaults to now. */
  signingTime?: Date;
  /** Extra bytes to reserve for the CMS beyond the estimate. */
  extraReservedBytes?: number;
  /** Values of this signer's declared fields, drawn in the same revision as the signature (so it covers them). */
  fields?: readonly FieldFill[];
}

/**
 * Adds one PAdES signature (ETSI.CAdES.detached, SHA-256, signing-certificate-v2 and, with a TSA,
 * a signature timestamp) to `pdf` as an incremental update. Earlier signatures stay valid.
 * Returns the original bytes and the appended tail without joining them.
 */
export async function signPdfParts(pdf: Uint8Array, options: SignOptions): Promise<UpdatedPdf> {
  const doc = PdfDocument.load(pdf);
  if (doc.pageCount === 0) throw new CoreError('PDF_NO_PAGES', 'the PDF has no pages');
  const entries: Array<[string, PdfObject]> = [
    ['Type', PdfName.of('Sig')],
    ['Filter', PdfName.of('Adobe.PPKLite')],
    ['SubFilter', PdfName.of('ETSI.CAdES.detached')],
    ['M', pdfDate(options.signingTime ?? new Date())],
  ];
  if (options.name) entries.push(['Name', textString(options.name)]);
  if (options.reason) entries.push(['Reason', textString(options.reason)]);
  if (options.location) entries.push(['Location', textString(options.location)]);
  if (options.contactInfo) entries.push(['ContactInfo', textString(options.contactInfo)]);
  entries.push(['Prop_Build', new PdfDict([['App', new PdfDict([['Name', PdfName.of('Inkan')]])]])]);
  return appendSignature(doc, {
    entries,
    reservedBytes:
      estimateCadesSize(options.signer, options.timestampAuthority !== undefined) + (options.extraReservedBytes ?? 0),
    fieldNamePrefix: 'Signature',
    prepare: options.fields?.length ? (update) => addFieldValues(doc, update, options.fields!) : undefined,
    produce: (contentDigest) =>
      createCadesSignature({ signer: options.signer, contentDigest, timestampAuthority: options.timestampAuthority }),
  });
}

/** Like signPdfParts, joined into one buffer. */
export async function signPdf(pdf: Uint8Array, options: SignOptions): Promise<Uint8Array> {
  return joinUpdate(await signPdfParts(pdf, options));
}
