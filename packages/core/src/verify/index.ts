/**
 * `@inkan/core/verify` — what verifying a PDF needs and nothing else (no PDF writer, fonts, PKCS#11
 * or certificate of completion), so that `inkan verify` loads a fraction of the core.
 */
export { CoreError, isCoreError, type CoreErrorCode } from '../errors.ts';
export { firstAnswering, type RevocationProvider } from '../revocation.ts';
export { HttpRevocationProvider, type HttpRevocationProviderOptions } from '../pki/http-revocation.ts';
export { readPublishedCrls, type PublishedCrls } from '../pki/published-crl.ts';
export { DEFAULT_PDF_LIMITS, defaultDecodedBytes, type PdfLimits, type PdfLimitName } from '../pdf/limits.ts';
export { parseCertificate, CertificateParseError } from '../x509/certificate.ts';
export { verifyPdf, type VerifyOptions } from './verify-pdf.ts';
export { FileHashCheckpoints, type FileDigests } from './byte-range.ts';
export type * from './report.ts';
