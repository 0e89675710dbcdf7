/** The built-in PKI: CA, OCSP responder, CRLs, encrypted key storage, and HTTP revocation fetching. */
export {
  BuiltinPki,
  CA_KEY_ALGORITHM,
  certificateSerialHex,
  initBuiltinPki,
  issueSigningCertificate,
  createWitnessSigner,
  type WitnessIdentity,
  loadBuiltinPki,
  type InitBuiltinPkiOptions,
  type IssueSigningCertificateOptions,
  type LoadBuiltinPkiOptions,
  type PkiManifest,
} from './builtin-pki.ts';
export {
  createCrl,
  CrlReason,
  isCrlReasonCode,
  type CreateCrlOptions,
  type CrlReasonCode,
  type RevokedEntry,
} from './crl.ts';
export { PUBLISHED_CRL_FILES, readPublishedCrls, type CaRole, type PublishedCrls } from './published-crl.ts';
export { crlSignedBy, HttpRevocationProvider, type HttpRevocationProviderOptions } from './http-revocation.ts';
export {
  generatePrivateKey,
  keyFilePassphrase,
  parseMasterKey,
  readEncryptedPrivateKey,
  writeEncryptedPrivateKey,
  MASTER_KEY_MIN_BYTES,
  type PkiKeyAlgorithm,
} from './key-storage.ts';
export {
  buildOcspRequest,
  createOcspResponder,
  OcspResponseStatus,
  parseOcspResponse,
  type OcspCertStatus,
  type OcspResponder,
  type OcspResponderOptions,
  type OcspResponseStatusName,
  type OcspSingleStatus,
  type ParsedOcspResponse,
} from './ocsp-responder.ts';
export { parseOcspRequest, type OcspCertId, type ParsedOcspRequest } from './ocsp-messages.ts';
export { pkiUrls, type PkiUrls } from './profiles.ts';
export type { TbsSigner } from './certificate-builder.ts';
