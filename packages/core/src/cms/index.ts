/** CMS for PAdES: building CAdES detached signatures, and parsing/verifying other implementations' CMS. */
export {
  createCadesSignature,
  estimateCadesSize,
  DEFAULT_TIMESTAMP_TOKEN_ALLOWANCE,
  type CadesSignatureOptions,
} from './cades.ts';
export {
  parseCmsSignature,
  type CmsAttribute,
  type EssCertificateId,
  type EssIssuerSerial,
  type ParsedCmsSignature,
  type ParsedSignedAttributes,
  type SignerIdentifier,
} from './parse.ts';
export { verifyCmsSignature, type CmsVerification } from './verify.ts';
export { OID, hashNameOfOid, signatureSchemeOfOid, type SignatureScheme } from '../asn1/oids.ts';
