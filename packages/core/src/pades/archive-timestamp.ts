import { parseCmsSignature } from '../cms/parse.ts';
import { hashNameOfOid } from '../asn1/oids.ts';
import { PdfDocument } from '../pdf/document.ts';
import { parseTimestampToken } from '../tsp/token.ts';
import { readCertificate } from '../pki/x509-util.ts';
import { derOfContents, listSignatures } from './signatures.ts';

/** The newest document timestamp of a PDF: what decides when its archive timestamp must be renewed. */
export interface ArchiveTimestamp {
  /** When it was made (the TSA's genTime). */
  time: Date;
  /** The end of the TSA certificate's validity: renew before it. */
  tsaNotAfter: Date;
  tsaSubject: string;
  /**
   * The weaker of the message imprint's and the CMS signer's hash (node:crypto names: sha1, sha256 …),
   * or `unknown` when either is one this library does not know.
   */
  hash: string;
  /** How many document timestamps the file has (1 after sealing, one more per renewal). */
  documentTimestamps: number;
}

const HASH_STRENGTH: Record<string, number> = { md5: 0, sha1: 1, sha224: 2, sha256: 3, sha384: 4, sha512: 5 };

/** Orders hash names by strength (unknown ones below all known ones). */
export function hashStrength(name: string): number {
  return HASH_STRENGTH[name] ?? -1;
}

/**
 * Reads the newest (last in file order) document timestamp of a PDF; null when it has none. Does not
 * validate anything: the verifier does that; this only says when the archive timestamp runs out.
 * Throws CoreError (PDF_*, CMS_INVALID, PKI_INVALID) on a file it cannot read.
 */
export function newestArchiveTimestamp(pdf: Uint8Array): ArchiveTimestamp | null {
  const timestamps = listSignatures(PdfDocument.load(pdf)).filter((s) => s.type === 'document-timestamp');
  const last = timestamps.at(-1);
  if (!last) return null;
  const der = derOfContents(last.contents);
  const token = parseTimestampToken(der);
  const cms = parseCmsSignature(der);
  const signer = token.signerCertificate ?? cms.signerCertificate;
  if (!signer) return null;
  const tsa = readCertificate(signer);
  const hashes = [hashNameOfOid(token.messageImprint.hashAlgorithmOid), hashNameOfOid(cms.digestAlgorithmOid)];
  const weakest = hashes.reduce<string>(
    (weak, name) => (name === undefined ? 'unknown' : hashStrength(name) < hashStrength(weak) ? name : weak),
    'sha512',
  );
  return {
    time: token.genTime,
    tsaNotAfter: tsa.notAfter,
    tsaSubject: tsa.subjectText,
    hash: weakest,
    documentTimestamps: timestamps.length,
  };
}
