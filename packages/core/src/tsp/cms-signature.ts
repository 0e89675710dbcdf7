import { constants, createHash, verify, type KeyObject } from 'node:crypto';
import { parseCertificate } from '../x509/certificate.ts';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { octetStringBytes } from '../asn1/asn1js-bridge.ts';
import { bytesEqual } from '../asn1/bytes.ts';
import { hashAlgorithmOfOid, OID, signatureSchemeOfOid } from '../asn1/oids.ts';

/**
 * Checks one SignerInfo of a SignedData against `certificateDer` (RFC 5652 §5.4, §5.6):
 * signed attributes present, content-type as expected, message-digest equal to the hash of
 * `content`, and the signature over the DER SET of the signed attributes valid.
 * Returns the problem, or null when everything holds.
 */
export function signerInfoProblem(
  signerInfo: pkijs.SignerInfo,
  content: Uint8Array,
  expectedContentType: string,
  certificateDer: Uint8Array,
): string | null {
  const attributes = signerInfo.signedAttrs?.attributes ?? [];
  if (signerInfo.signedAttrs === undefined || attributes.length === 0) return 'no signed attributes';
  const digest = hashAlgorithmOfOid(signerInfo.digestAlgorithm.algorithmId);
  if (digest === undefined) return `unknown digest algorithm ${signerInfo.digestAlgorithm.algorithmId}`;

  const contentTypes = attributes.filter((a) => a.type === OID.contentType);
  const contentType: unknown = contentTypes[0]?.values[0];
  if (
    contentTypes.length !== 1 ||
    !(contentType instanceof asn1js.ObjectIdentifier) ||
    contentType.valueBlock.toString() !== expectedContentType
  ) {
    return 'content-type attribute missing or wrong';
  }
  const messageDigests = attributes.filter((a) => a.type === OID.messageDigest);
  const messageDigest: unknown = messageDigests[0]?.values[0];
  if (messageDigests.length !== 1 || !(messageDigest instanceof asn1js.OctetString))
    return 'message-digest attribute missing';
  if (!bytesEqual(octetStringBytes(messageDigest), createHash(digest.name).update(content).digest()))
    return 'message digest mismatch';

  // The signature covers the attributes as a SET (tag 0x31), not as the [0] IMPLICIT field, byte for byte as received.
  const signedBytes = new Uint8Array(signerInfo.signedAttrs.encodedValue);
  if (signedBytes.length === 0) return 'signed attributes not available as encoded';
  signedBytes[0] = 0x31;

  let publicKey: KeyObject;
  try {
    const key = parseCertificate(certificateDer).publicKey();
    if (!key) throw new Error('unsupported public key');
    publicKey = key;
  } catch (error) {
    return `signer certificate unreadable: ${(error as Error).message}`;
  }
  const signature = octetStringBytes(signerInfo.signature);
  try {
    return verifyWith(signerInfo, digest.name, publicKey, signedBytes, signature) ? null : 'signature does not verify';
  } catch (error) {
    return `signature cannot be checked: ${(error as Error).message}`;
  }
}

function verifyWith(
  signerInfo: pkijs.SignerInfo,
  digestHash: string,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const algorithm = signerInfo.signatureAlgorithm.algorithmId;
  if (algorithm === OID.rsassaPss) {
    const params = new pkijs.RSASSAPSSParams({ schema: signerInfo.signatureAlgorithm.algorithmParams });
    const hash = hashAlgorithmOfOid(params.hashAlgorithm.algorithmId);
    const mgfHash = new pkijs.AlgorithmIdentifier({ schema: params.maskGenAlgorithm.algorithmParams });
    if (
      hash === undefined ||
      params.maskGenAlgorithm.algorithmId !== OID.mgf1 ||
      mgfHash.algorithmId !== params.hashAlgorithm.algorithmId
    ) {
      throw new Error('unsupported RSASSA-PSS parameters');
    }
    return verify(
      hash.name,
      data,
      { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: params.saltLength },
      signature,
    );
  }
  const scheme = signatureSchemeOfOid(algorithm);
  if (scheme.kind === 'ed25519') return verify(null, data, key, signature);
  // Algorithms that name their hash are accepted in tokens with SHA-2 (256 and up) only.
  if (scheme.kind === 'unsupported' || (scheme.hash !== undefined && !TOKEN_SIGNATURE_HASHES.has(scheme.hash))) {
    throw new Error(`unsupported signature algorithm ${algorithm}`);
  }
  const keyType = key.asymmetricKeyType;
  if (keyType !== (scheme.kind === 'rsa-pkcs1' ? 'rsa' : 'ec')) throw new Error(`${algorithm} with a ${keyType} key`);
  // OpenSSL and others name only the key type (rsaEncryption, ecPublicKey); the hash is then the digestAlgorithm.
  return verify(scheme.hash ?? digestHash, data, { key, dsaEncoding: 'der' }, signature);
}

const TOKEN_SIGNATURE_HASHES: ReadonlySet<string> = new Set(['sha256', 'sha384', 'sha512']);
