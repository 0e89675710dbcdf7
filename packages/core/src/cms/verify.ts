/**
 * Cryptographic checks of a parsed CMS SignerInfo against a content digest: message digest,
 * signature value (node:crypto), and the ESS signing-certificate binding. Certificate path
 * validation and revocation are the verifier's job, not this module's.
 */
import { constants, createHash, publicDecrypt, verify as verifyWithKey, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../x509/certificate.ts';
import { readCertificateFields } from './certificate-fields.ts';
import { bytesEqual } from '../asn1/bytes.ts';
import { BER, decodeOid, expectTag, octetStringValue, readDer } from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { hashNameOfOid, signatureSchemeOfOid } from '../asn1/oids.ts';
import type { EssCertificateId, ParsedCmsSignature } from './parse.ts';

export interface CmsVerification {
  /** The message-digest attribute equals the content digest (without signed attributes: the signature covers it). */
  readonly messageDigestMatches: boolean;
  /** The signature value verifies over the signed attributes with the signer certificate's key. */
  readonly signatureValid: boolean;
  /** An ESSCertIDv2 (or v1) hash (and issuer/serial, when given) equals the signer certificate. */
  readonly signingCertificateMatches: boolean;
  readonly problems: string[];
}

/**
 * Checks `parsed` against `contentDigest`, the digest of the signed content under
 * `parsed.digestAlgorithmOid` (see `hashNameOfOid`); for a timestamp token, of its eContent.
 * Never throws for bad signatures or unsupported algorithms: they come back as problems.
 */
export function verifyCmsSignature(parsed: ParsedCmsSignature, contentDigest: Uint8Array): CmsVerification {
  const problems = [...parsed.problems];
  const hash = hashNameOfOid(parsed.digestAlgorithmOid);
  if (!hash) problems.push(`unsupported digest algorithm ${parsed.digestAlgorithmOid}`);
  else if (contentDigest.length !== createHash(hash).digest().length)
    problems.push(`the content digest has ${contentDigest.length} bytes, not a ${hash} digest`);

  let key: KeyObject | undefined;
  if (!parsed.signerCertificate) problems.push('the signer certificate is not in the CMS');
  else {
    try {
      key = parseCertificate(parsed.signerCertificate).publicKey();
      if (!key) throw new Error('unsupported public key');
    } catch (error) {
      problems.push(`cannot read the signer certificate's public key: ${messageOf(error)}`);
    }
  }

  let messageDigestMatches = false;
  let signatureValid = false;
  const attributes = parsed.signedAttributes;
  if (attributes) {
    if (attributes.contentTypeOid === undefined) problems.push('the content-type signed attribute is missing');
    else if (attributes.contentTypeOid !== parsed.encapsulatedContentTypeOid)
      problems.push('the content-type attribute differs from the eContentType');
    if (!attributes.messageDigest) problems.push('the message-digest signed attribute is missing');
    else {
      messageDigestMatches = bytesEqual(attributes.messageDigest, contentDigest);
      if (!messageDigestMatches) problems.push('the message digest does not match the content');
    }
    if (key && hash)
      signatureValid = checkSignatureValue(parsed, hash, key, { signedAttributes: attributes.raw }, problems);
    if (attributes.algorithmProtectionMatches === false) {
      // RFC 6211 3: a mismatch means the algorithms may have been substituted; validation fails.
      problems.push('the CMS algorithm protection attribute does not match the SignerInfo algorithms');
      signatureValid = false;
    }
  } else {
    problems.push('the SignerInfo has no signed attributes');
    if (key && hash) signatureValid = checkSignatureValue(parsed, hash, key, { digest: contentDigest }, problems);
    messageDigestMatches = signatureValid; // the signature itself binds the digest
  }

  return {
    messageDigestMatches,
    signatureValid,
    signingCertificateMatches: checkSigningCertificate(parsed, problems),
    problems,
  };
}

const KEY_TYPES = { 'rsa-pkcs1': 'rsa', ecdsa: 'ec', ed25519: 'ed25519' } as const;

function checkSignatureValue(
  parsed: ParsedCmsSignature,
  hash: string,
  key: KeyObject,
  signed: { signedAttributes: Uint8Array } | { digest: Uint8Array },
  problems: string[],
): boolean {
  const scheme = signatureSchemeOfOid(parsed.signatureAlgorithmOid);
  if (scheme.kind === 'unsupported') {
    problems.push(scheme.reason);
    return false;
  }
  if (scheme.kind !== 'ed25519' && scheme.hash !== undefined && scheme.hash !== hash) {
    problems.push(`the signature algorithm uses ${scheme.hash} but the digest algorithm is ${hash}`);
    return false;
  }
  if (key.asymmetricKeyType !== KEY_TYPES[scheme.kind]) {
    problems.push(
      `the signer certificate holds a ${key.asymmetricKeyType ?? 'unknown'} key, not one for ${scheme.kind}`,
    );
    return false;
  }
  let valid: boolean;
  try {
    if ('signedAttributes' in signed) {
      valid =
        scheme.kind === 'ed25519'
          ? verifyWithKey(null, signed.signedAttributes, key, parsed.signatureValue)
          : verifyWithKey(hash, signed.signedAttributes, { key, dsaEncoding: 'der' }, parsed.signatureValue);
    } else if (scheme.kind === 'rsa-pkcs1') {
      valid = rsaSignatureCoversDigest(key, parsed.signatureValue, parsed.digestAlgorithmOid, signed.digest);
    } else {
      // node:crypto cannot verify ECDSA/EdDSA over a precomputed digest.
      problems.push(`${scheme.kind} signatures without signed attributes cannot be checked`);
      return false;
    }
  } catch (error) {
    problems.push(`the signature cannot be checked: ${messageOf(error)}`);
    return false;
  }
  if (!valid) problems.push("the signature value does not verify with the signer certificate's key");
  return valid;
}

/** RSASSA-PKCS1-v1_5 over a digest: recover the DigestInfo and compare it (RFC 8017 8.2.2). */
function rsaSignatureCoversDigest(
  key: KeyObject,
  signature: Uint8Array,
  digestAlgorithmOid: string,
  digest: Uint8Array,
): boolean {
  let digestInfo: Uint8Array;
  try {
    digestInfo = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false; // bad padding: not a signature by this key
  }
  const [algorithm, value] = expectTag(readDer(digestInfo, BER), TAG.sequence, 'DigestInfo').children();
  const algorithmOid = decodeOid(expectTag(algorithm, TAG.sequence, 'DigestInfo algorithm').children()[0]);
  return algorithmOid === digestAlgorithmOid && bytesEqual(octetStringValue(value), digest);
}

/** Whether the ESS signing-certificate(-v2) attributes name `parsed.signerCertificate`; what is wrong goes to `problems`. */
export function checkSigningCertificate(parsed: ParsedCmsSignature, problems: string[]): boolean {
  const attributes = parsed.signedAttributes;
  const ids = [attributes?.signingCertificateV2, attributes?.signingCertificateV1].filter(
    (id): id is EssCertificateId => id !== undefined,
  );
  if (ids.length === 0) {
    problems.push('no signing-certificate-v2 (or signing-certificate) signed attribute');
    return false;
  }
  const certificate = parsed.signerCertificate;
  if (!certificate) return false;
  for (const id of ids) {
    const hash = hashNameOfOid(id.hashAlgorithmOid);
    if (!hash) {
      problems.push(`unsupported ESS certificate hash algorithm ${id.hashAlgorithmOid}`);
      return false;
    }
    if (!bytesEqual(id.certHash, createHash(hash).update(certificate).digest())) {
      problems.push('the signing-certificate attribute names a different certificate than the signer certificate');
      return false;
    }
    if (id.issuerSerial) {
      const fields = readCertificateFields(certificate);
      const issuerMatches = id.issuerSerial.issuerNames.some((name) => bytesEqual(name, fields.issuer));
      if (!issuerMatches || !bytesEqual(id.issuerSerial.serialNumber, fields.serialNumber)) {
        problems.push('the issuer/serial in the signing-certificate attribute differs from the signer certificate');
        return false;
      }
    }
  }
  return true;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
