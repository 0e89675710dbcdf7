/** @inkan/core — the signing core: PAdES signing, RFC 3161, OCSP/CRL, the built-in CA, and the verifier. */
export { CoreError, isCoreError, type CoreErrorCode } from './errors.ts';
export type { Signer, KeyAlgorithm } from './signer.ts';
export type { TimestampAuthority } from './timestamp-authority.ts';
export { firstAnswering, type RevocationProvider } from './revocation.ts';
export { KeyFileSigner } from './keys/key-file-signer.ts';
export { readPkcs12, PKCS12_LIMITS, type Pkcs12Contents } from './keys/pkcs12.ts';
export {
  checkSigningCredential,
  publicKeyOf,
  type SigningCredential,
  type SigningCredentialProblem,
} from './keys/signing-credential.ts';
export * from './pki/index.ts';
export * from './tsp/index.ts';
export { createCadesSignature, estimateCadesSize, parseCmsSignature, verifyCmsSignature } from './cms/index.ts';
export { PdfDocument } from './pdf/document.ts';
export { PdfBudget, DEFAULT_PDF_LIMITS, defaultDecodedBytes, type PdfLimits, type PdfLimitName } from './pdf/limits.ts';
export { joinUpdate, type UpdatedPdf } from './pdf/incremental-update.ts';
export {
  certificateIdStampText,
  stampCertificateId,
  stampCertificateIdParts,
  type StampOptions,
} from './pades/stamp-certificate-id.ts';
export { signPdf, signPdfParts, type SignOptions } from './pades/sign-pdf.ts';
export {
  addFieldValues,
  declareFieldAreas,
  declareFieldAreasParts,
  declaredFieldAreas,
  pageBox,
  sealCharacters,
  FIELD_LIMITS,
  type FieldArea,
  type FieldFill,
  type FieldRect,
  type FieldValue,
} from './pades/field-stamps.ts';
export { readSealImage, SEAL_IMAGE_LIMITS, type SealImage } from './image/seal-image.ts';
export { loadJapaneseFont } from './font/japanese-font.ts';
export { sealPdf, renewPdf, addTimestampValidationData, type SealOptions } from './pades/seal-pdf.ts';
export { newestArchiveTimestamp, hashStrength, type ArchiveTimestamp } from './pades/archive-timestamp.ts';
export { addDocumentTimestamp } from './pades/document-timestamp.ts';
export { listSignatures, type PdfSignatureInfo } from './pades/signatures.ts';
export { verifyPdf, type VerifyOptions } from './verify/verify-pdf.ts';
export type * from './verify/report.ts';
export { Pkcs11Signer, type Pkcs11SignerOptions } from './pkcs11/pkcs11-signer.ts';
export { generateKeyPairOnToken, readPublicKeySpki, type TokenKeyAlgorithm } from './pkcs11/pkcs11-keys.ts';
export { Pkcs11AesKeys, type Pkcs11AesKeysOptions } from './pkcs11/pkcs11-aes-keys.ts';
export {
  renderCompletionCertificate,
  type CompletionCertificateData,
} from './certificate/render-completion-certificate.ts';
export {
  parseYenAmount,
  parseJapaneseDate,
  parseJapaneseNumber,
  checkDateOrder,
  checkAmountOrder,
  detectTaxTreatment,
  toHalfWidth,
  addMonthsIso,
  addDaysIso,
  MAX_YEN_AMOUNT,
  type JaParseResult,
  type JaValueErrorCode,
  type JaEnMessage,
  type DateParseOptions,
} from './text/ja-values.ts';
