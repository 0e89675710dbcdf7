import { parseCmsSignature } from '../cms/parse.ts';
import { CoreError } from '../errors.ts';
import { PdfDocument } from '../pdf/document.ts';
import { IncrementalUpdate, joinUpdate } from '../pdf/incremental-update.ts';
import { parseOcspResponse } from '../pki/ocsp-messages.ts';
import type { RevocationProvider } from '../revocation.ts';
import type { TimestampAuthority } from '../timestamp-authority.ts';
import { OID } from '../asn1/oids.ts';
import { buildChain, cert, certs, isSelfSigned, type Cert } from '../x509/chain.ts';
import { addDocumentTimestamp } from './document-timestamp.ts';
import { vriKey, writeDss, type VriEntry } from './dss.ts';
import { derOfContents, listSignatures, type PdfSignatureInfo } from './signatures.ts';

export interface SealOptions {
  timestampAuthority: TimestampAuthority;
  revocationProvider: RevocationProvider;
  /** Certificates that complete chains (issuing CA, root, OCSP responder, TSA chain). */
  extraCertificates?: readonly Uint8Array[];
}

/**
 * Seals a signed PDF for the long term (PAdES B-LTA): a DSS revision holding the certificates and
 * revocation data of every signature and timestamp, then a document timestamp over everything.
 */
export async function sealPdf(pdf: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  const doc = PdfDocument.load(pdf);
  if (listSignatures(doc).length === 0) throw new CoreError('PDF_UNSUPPORTED', 'the PDF has no signature to seal');
  return addValidationDataAndTimestamp(doc, options);
}

/**
 * Renews the archive timestamp: validation data for the latest document timestamp (and anything
 * still missing), then a new document timestamp. Run before the last timestamp's TSA certificate expires.
 */
export async function renewPdf(pdf: Uint8Array, options: SealOptions): Promise<Uint8Array> {
  const doc = PdfDocument.load(pdf);
  if (!listSignatures(doc).some((s) => s.type === 'document-timestamp')) {
    throw new CoreError('PDF_UNSUPPORTED', 'the PDF has no document timestamp to renew; seal it first');
  }
  return addValidationDataAndTimestamp(doc, options);
}

/**
 * Adds a DSS revision with the validation data (chain, OCSP/CRL) of the newest document timestamp, as
 * Adobe's "LTV enabled" does: the file then proves its last timestamp valid on its own, until the next
 * renewal, even when that timestamp's TSA is not the one of the earlier signatures. An allowed change
 * after a document timestamp (PAdES, ETSI EN 319 142-1 §5.4).
 */
export async function addTimestampValidationData(
  pdf: Uint8Array,
  options: Pick<SealOptions, 'revocationProvider' | 'extraCertificates'>,
): Promise<Uint8Array> {
  const doc = PdfDocument.load(pdf);
  const last = listSignatures(doc)
    .filter((s) => s.type === 'document-timestamp')
    .at(-1);
  if (!last) throw new CoreError('PDF_UNSUPPORTED', 'the PDF has no document timestamp');
  const entries = await collectValidationData(doc, options, (s) => s.fieldName === last.fieldName);
  const update = new IncrementalUpdate(doc);
  writeDss(doc, update, entries);
  return joinUpdate(update.build());
}

async function addValidationDataAndTimestamp(doc: PdfDocument, options: SealOptions): Promise<Uint8Array> {
  const entries = await collectValidationData(doc, options);
  const update = new IncrementalUpdate(doc);
  writeDss(doc, update, entries);
  const withDss = joinUpdate(update.build());
  return joinUpdate(await addDocumentTimestamp(PdfDocument.load(withDss), options.timestampAuthority));
}

/** For each signature and timestamp: its chains and their revocation data, fetched once per certificate. */
export async function collectValidationData(
  doc: PdfDocument,
  options: Pick<SealOptions, 'revocationProvider' | 'extraCertificates'>,
  include: (signature: PdfSignatureInfo) => boolean = () => true,
): Promise<VriEntry[]> {
  const extra = certs(options.extraCertificates ?? []);
  const revocationCache = new Map<
    string,
    Promise<{ ocsp: Uint8Array[]; crls: Uint8Array[]; certificates: Uint8Array[] }>
  >();
  const entries: VriEntry[] = [];
  for (const signature of listSignatures(doc).filter(include)) {
    const der = derOfContents(signature.contents);
    const leaves: Cert[] = [];
    const pool: Cert[] = [...extra];
    try {
      if (signature.type === 'signature') {
        const cms = parseCmsSignature(der);
        pool.push(...certs(cms.certificates));
        if (cms.signerCertificate) leaves.push(cert(cms.signerCertificate));
        if (cms.signatureTimestampToken) addTokenLeaf(cms.signatureTimestampToken, leaves, pool);
      } else {
        addTokenLeaf(der, leaves, pool);
      }
    } catch (error) {
      throw new CoreError('CMS_INVALID', `signature ${signature.fieldName} cannot be read for validation data`, {
        cause: error,
      });
    }
    const entry: VriEntry = { key: vriKey(signature.contents), certificates: [], ocspResponses: [], crls: [] };
    const added = new Set<string>();
    const addCert = (c: Cert) => {
      if (!added.has(c.id)) {
        added.add(c.id);
        entry.certificates.push(c.der);
      }
    };
    for (const leaf of leaves) {
      const chain = buildChain(leaf, pool);
      for (let i = 0; i < chain.length; i++) {
        addCert(chain[i]);
        const issuer = chain[i + 1];
        if (!issuer || isSelfSigned(chain[i])) continue;
        let pending = revocationCache.get(chain[i].id);
        if (!pending) {
          pending = fetchRevocation(chain[i], issuer, options.revocationProvider);
          revocationCache.set(chain[i].id, pending);
        }
        const data = await pending;
        entry.ocspResponses.push(...data.ocsp);
        entry.crls.push(...data.crls);
        for (const c of certs(data.certificates)) addCert(c);
      }
    }
    entries.push(entry);
  }
  return entries;
}

function addTokenLeaf(tokenDer: Uint8Array, leaves: Cert[], pool: Cert[]): void {
  // Only the certificates are needed here: the CMS reader gets them without decoding the token through
  // pkijs (which cost more than the rest of sealing); the token was checked when it was obtained.
  const token = parseCmsSignature(tokenDer);
  if (token.encapsulatedContentTypeOid !== OID.tstInfo)
    throw new CoreError('CMS_INVALID', 'the timestamp token does not hold a TSTInfo');
  pool.push(...certs(token.certificates));
  if (token.signerCertificate) leaves.push(cert(token.signerCertificate));
}

async function fetchRevocation(
  subject: Cert,
  issuer: Cert,
  provider: RevocationProvider,
): Promise<{ ocsp: Uint8Array[]; crls: Uint8Array[]; certificates: Uint8Array[] }> {
  const ocsp = await provider.ocsp(subject.der, issuer.der);
  if (ocsp) {
    const parsed = parseOcspResponse(ocsp);
    if (parsed.status === 'successful') return { ocsp: [ocsp], crls: [], certificates: [...parsed.certificates] };
  }
  const crl = await provider.crl(subject.der, issuer.der);
  return { ocsp: [], crls: crl ? [crl] : [], certificates: [] };
}
