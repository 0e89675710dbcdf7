import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from '../errors.ts';
import { extension } from './certificate-builder.ts';
import { bytesEqual, toHex } from '../asn1/bytes.ts';
import {
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  expectTag,
  isContext,
  readDer,
  type DerNode,
} from '../asn1/der-reader.ts';
import { explicit, nullValue, octetString, oid, sequence, TAG, tlv } from '../asn1/der-writer.ts';
import { hashNameOfOid, OID } from '../asn1/oids.ts';
import {
  issuedBy,
  keyIdentifier,
  normaliseSerialHex,
  readCertificate,
  verifySignature,
  type CertificateInfo,
} from './x509-util.ts';

/** OCSPResponseStatus values of RFC 6960 §4.2.1. */
export const OcspResponseStatus = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
} as const;

/** Name of an OCSPResponseStatus. */
export type OcspResponseStatusName = keyof typeof OcspResponseStatus;

/** One CertID of a request, with its raw DER so that a response can echo it exactly. */
export interface OcspCertId {
  readonly raw: Uint8Array;
  readonly hashAlgorithmOid: string;
  readonly issuerNameHash: Uint8Array;
  readonly issuerKeyHash: Uint8Array;
  readonly serialHex: string;
}

/** A decoded OCSPRequest. */
export interface ParsedOcspRequest {
  readonly certIds: readonly OcspCertId[];
  /** The whole nonce Extension (DER), to be echoed in the response. */
  readonly nonceExtension?: Uint8Array;
}

function readCertId(node: DerNode): OcspCertId {
  const [algorithm, nameHash, keyHash, serial] = expectTag(node, TAG.sequence, 'CertID').children();
  const algorithmParts = expectTag(algorithm, TAG.sequence, 'AlgorithmIdentifier').children();
  const serialContent = expectTag(serial, TAG.integer, 'serialNumber').content;
  if (serialContent.length === 0) throw new CoreError('OCSP_BAD_REQUEST', 'empty serial number');
  return {
    raw: node.raw,
    hashAlgorithmOid: decodeOid(algorithmParts[0]),
    issuerNameHash: expectTag(nameHash, TAG.octetString, 'issuerNameHash').content,
    issuerKeyHash: expectTag(keyHash, TAG.octetString, 'issuerKeyHash').content,
    serialHex: normaliseSerialHex(toHex(serialContent)),
  };
}

/** Finds the nonce Extension among DER Extensions. */
function findNonce(extensions: DerNode): Uint8Array | undefined {
  for (const ext of expectTag(extensions, TAG.sequence, 'Extensions').children()) {
    const parts = expectTag(ext, TAG.sequence, 'Extension').children();
    if (decodeOid(parts[0]) === OID.ocspNonce) return ext.raw;
  }
  return undefined;
}

/** Decodes an OCSPRequest (RFC 6960 §4.1); throws CoreError('OCSP_BAD_REQUEST') or DerError on malformed input. */
export function parseOcspRequest(der: Uint8Array): ParsedOcspRequest {
  const [tbsRequest, signature] = expectTag(readDer(der), TAG.sequence, 'OCSPRequest').children();
  if (signature !== undefined && !isContext(signature, 0))
    throw new CoreError('OCSP_BAD_REQUEST', 'unexpected element after tbsRequest');
  const fields = expectTag(tbsRequest, TAG.sequence, 'TBSRequest').children();
  let index = 0;
  if (isContext(fields[index], 0)) {
    const version = decodeSmallInteger(fields[index].children()[0]);
    if (version !== 0) throw new CoreError('OCSP_BAD_REQUEST', `unsupported OCSP request version ${version}`);
    index++;
  }
  if (isContext(fields[index], 1)) index++; // requestorName: not needed
  const requestList = expectTag(fields[index++], TAG.sequence, 'requestList').children();
  let nonceExtension: Uint8Array | undefined;
  if (isContext(fields[index], 2)) nonceExtension = findNonce(fields[index++].children()[0]);
  if (index !== fields.length) throw new CoreError('OCSP_BAD_REQUEST', 'unexpected fields in TBSRequest');
  const certIds = requestList.map((request) => readCertId(expectTag(request, TAG.sequence, 'Request').children()[0]));
  return { certIds, nonceExtension };
}

function sha1(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha1').update(data).digest());
}

/** Builds a one-certificate OCSPRequest with a SHA-1 CertID (what openssl and Adobe send) and an optional nonce. */
export function createOcspRequest(certificate: Uint8Array, issuer: Uint8Array, nonce?: Uint8Array): Uint8Array {
  const cert = readCertificate(certificate);
  const ca = readCertificate(issuer);
  const certId = sequence(
    sequence(oid(OID.sha1), nullValue()),
    octetString(sha1(ca.subjectDer)),
    octetString(sha1(ca.publicKeyBits)),
    // The serial's INTEGER content byte for byte, so that even odd encodings are matched exactly.
    tlv(TAG.integer, cert.serial),
  );
  const extensions =
    nonce === undefined ? [] : [explicit(2, sequence(extension(OID.ocspNonce, false, octetString(nonce))))];
  return sequence(sequence(sequence(sequence(certId)), ...extensions));
}

/** Builds an OCSPRequest for `certificate` issued by `issuer` (SHA-1 CertID; a random 16-byte nonce when asked). */
export function buildOcspRequest(
  certificate: Uint8Array,
  issuer: Uint8Array,
  options: { nonce?: boolean } = {},
): Uint8Array {
  return createOcspRequest(certificate, issuer, options.nonce === true ? new Uint8Array(randomBytes(16)) : undefined);
}

/** Status of one certificate in an OCSP response. */
export interface OcspSingleStatus {
  readonly certId: OcspCertId;
  readonly serialHex: string;
  readonly certStatus: 'good' | 'revoked' | 'unknown';
  readonly revokedAt?: Date;
  readonly revocationReason?: number;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
}

/** A decoded OCSPResponse. The top-level certStatus fields describe the first SingleResponse. */
export interface ParsedOcspResponse {
  readonly status: OcspResponseStatusName;
  readonly certStatus?: 'good' | 'revoked' | 'unknown';
  readonly revokedAt?: Date;
  readonly revocationReason?: number;
  readonly thisUpdate?: Date;
  readonly nextUpdate?: Date;
  readonly producedAt?: Date;
  /** The embedded certificate the responderID names, when there is one. */
  readonly responderCertificate?: Uint8Array;
  /** All certificates embedded in the BasicOCSPResponse. */
  readonly certificates: readonly Uint8Array[];
  readonly responses: readonly OcspSingleStatus[];
  /** The nonce's extnValue content (an OCTET STRING DER per RFC 8954), when the response has one. */
  readonly nonce?: Uint8Array;
  /** The signed part (ResponseData), its signature and the responderID: for path-validating responders. */
  readonly signed?: {
    readonly tbs: Uint8Array;
    readonly signatureAlgorithmOid: string;
    readonly signature: Uint8Array;
    readonly responderId: { byName: Uint8Array } | { byKey: Uint8Array };
  };
  /** The SingleResponse for this certificate's serial number, if any. */
  statusFor(certificate: Uint8Array): OcspSingleStatus | undefined;
  /**
   * True when the response is successful, its signature verifies, and it was signed by `issuer`
   * itself or by a delegated responder that `issuer` certified for OCSPSigning (RFC 6960 §4.2.2.2),
   * valid at producedAt; and every SingleResponse is about a certificate of `issuer`.
   * Trust in `issuer` itself is the caller's business.
   */
  verify(issuer: Uint8Array): Promise<boolean>;
}

const STATUS_NAMES = new Map<number, OcspResponseStatusName>(
  Object.entries(OcspResponseStatus).map(([name, code]) => [code, name as OcspResponseStatusName]),
);

function readSingleResponse(node: DerNode): OcspSingleStatus {
  const parts = expectTag(node, TAG.sequence, 'SingleResponse').children();
  const certId = readCertId(parts[0]);
  const status = parts[1];
  let certStatus: OcspSingleStatus['certStatus'];
  let revokedAt: Date | undefined;
  let revocationReason: number | undefined;
  if (isContext(status, 0)) certStatus = 'good';
  else if (isContext(status, 2)) certStatus = 'unknown';
  else if (isContext(status, 1)) {
    certStatus = 'revoked';
    const info = status.children();
    revokedAt = decodeTime(info[0]);
    if (isContext(info[1], 0)) revocationReason = decodeSmallInteger(info[1].children()[0], TAG.enumerated);
  } else throw new CoreError('OCSP_BAD_RESPONSE', 'bad certStatus');
  const thisUpdate = decodeTime(parts[2]);
  const nextUpdate = isContext(parts[3], 0) ? decodeTime(parts[3].children()[0]) : undefined;
  return { certId, serialHex: certId.serialHex, certStatus, revokedAt, revocationReason, thisUpdate, nextUpdate };
}

interface BasicResponse {
  tbsRaw: Uint8Array;
  responderId: { byName: Uint8Array } | { byKey: Uint8Array };
  producedAt: Date;
  responses: OcspSingleStatus[];
  nonce?: Uint8Array;
  signatureAlgorithmOid: string;
  signature: Uint8Array;
  certificates: Uint8Array[];
}

function readBasicResponse(der: Uint8Array): BasicResponse {
  const [tbs, algorithm, signature, certs] = expectTag(readDer(der), TAG.sequence, 'BasicOCSPResponse').children();
  const fields = expectTag(tbs, TAG.sequence, 'ResponseData').children();
  let index = 0;
  if (isContext(fields[index], 0)) index++; // version v1
  const responderNode = fields[index++];
  let responderId: BasicResponse['responderId'];
  if (isContext(responderNode, 1)) responderId = { byName: responderNode.children()[0].raw };
  else if (isContext(responderNode, 2))
    responderId = { byKey: expectTag(responderNode.children()[0], TAG.octetString, 'KeyHash').content };
  else throw new CoreError('OCSP_BAD_RESPONSE', 'bad responderID');
  const producedAt = decodeTime(fields[index++]);
  const responses = expectTag(fields[index++], TAG.sequence, 'responses').children().map(readSingleResponse);
  let nonce: Uint8Array | undefined;
  if (isContext(fields[index], 1)) {
    for (const ext of expectTag(fields[index].children()[0], TAG.sequence, 'Extensions').children()) {
      const parts = ext.children();
      if (decodeOid(parts[0]) === OID.ocspNonce)
        nonce = expectTag(parts[parts.length - 1], TAG.octetString, 'extnValue').content;
    }
  }
  const signatureBits = expectTag(signature, TAG.bitString, 'signature').content;
  if (signatureBits.length < 1 || signatureBits[0] !== 0)
    throw new CoreError('OCSP_BAD_RESPONSE', 'bad signature BIT STRING');
  const certificates = isContext(certs, 0)
    ? expectTag(certs.children()[0], TAG.sequence, 'certs')
        .children()
        .map((c) => new Uint8Array(c.raw))
    : [];
  return {
    tbsRaw: tbs.raw,
    responderId,
    producedAt,
    responses,
    nonce,
    signatureAlgorithmOid: decodeOid(expectTag(algorithm, TAG.sequence, 'AlgorithmIdentifier').children()[0]),
    signature: signatureBits.subarray(1),
    certificates,
  };
}

function responderMatches(cert: CertificateInfo, responderId: BasicResponse['responderId']): boolean {
  return 'byName' in responderId
    ? bytesEqual(cert.subjectDer, responderId.byName)
    : bytesEqual(keyIdentifier(cert.publicKeyBits), responderId.byKey);
}

function tryReadCertificate(der: Uint8Array): CertificateInfo | undefined {
  try {
    return readCertificate(der);
  } catch {
    return undefined;
  }
}

/** The purposes in a certificate's extendedKeyUsage extension (empty when absent). */
export function extendedKeyUsages(cert: CertificateInfo): string[] {
  const ext = cert.extension(OID.extKeyUsage);
  if (ext === undefined) return [];
  return expectTag(readDer(ext.value), TAG.sequence, 'ExtKeyUsageSyntax')
    .children()
    .map((n) => decodeOid(n));
}

/** True when `certId` names a certificate issued by `issuer` (name and key hashes under the CertID's own hash). */
export function certIdMatchesIssuer(certId: OcspCertId, issuer: CertificateInfo): boolean {
  const hash = hashNameOfOid(certId.hashAlgorithmOid);
  if (hash === undefined) return false;
  const nameHash = createHash(hash).update(issuer.subjectDer).digest();
  const keyHash = createHash(hash).update(issuer.publicKeyBits).digest();
  return bytesEqual(nameHash, certId.issuerNameHash) && bytesEqual(keyHash, certId.issuerKeyHash);
}

function isAuthorisedResponder(candidate: CertificateInfo, issuer: CertificateInfo, producedAt: Date): boolean {
  if (bytesEqual(candidate.spki, issuer.spki) && bytesEqual(candidate.subjectDer, issuer.subjectDer)) return true;
  if (!bytesEqual(candidate.issuerDer, issuer.subjectDer)) return false;
  if (!issuedBy(candidate, issuer)) return false;
  if (!extendedKeyUsages(candidate).includes(OID.kpOcspSigning)) return false;
  return producedAt >= candidate.notBefore && producedAt <= candidate.notAfter;
}

/** Decodes an OCSPResponse; throws CoreError('OCSP_BAD_RESPONSE') when it is not one. */
export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  let status: OcspResponseStatusName;
  let basic: BasicResponse | undefined;
  try {
    const [statusNode, bytesNode] = expectTag(readDer(der), TAG.sequence, 'OCSPResponse').children();
    const name = STATUS_NAMES.get(decodeSmallInteger(statusNode, TAG.enumerated));
    if (name === undefined) throw new CoreError('OCSP_BAD_RESPONSE', 'unknown OCSPResponseStatus');
    status = name;
    if (status === 'successful') {
      if (!isContext(bytesNode, 0))
        throw new CoreError('OCSP_BAD_RESPONSE', 'successful response without responseBytes');
      const [type, response] = expectTag(bytesNode.children()[0], TAG.sequence, 'ResponseBytes').children();
      if (decodeOid(type) !== OID.ocspBasic) throw new CoreError('OCSP_BAD_RESPONSE', 'not a basic OCSP response');
      basic = readBasicResponse(expectTag(response, TAG.octetString, 'response').content);
    }
  } catch (cause) {
    if (cause instanceof CoreError && cause.code === 'OCSP_BAD_RESPONSE') throw cause;
    throw new CoreError('OCSP_BAD_RESPONSE', 'not a DER OCSPResponse', { cause });
  }
  const first = basic?.responses[0];
  const responderCertificate = basic?.certificates.find((c) => {
    const info = tryReadCertificate(c);
    return info !== undefined && responderMatches(info, basic.responderId);
  });
  return {
    status,
    certStatus: first?.certStatus,
    revokedAt: first?.revokedAt,
    revocationReason: first?.revocationReason,
    thisUpdate: first?.thisUpdate,
    nextUpdate: first?.nextUpdate,
    producedAt: basic?.producedAt,
    responderCertificate,
    certificates: basic?.certificates ?? [],
    responses: basic?.responses ?? [],
    nonce: basic?.nonce,
    signed: basic && {
      tbs: basic.tbsRaw,
      signatureAlgorithmOid: basic.signatureAlgorithmOid,
      signature: basic.signature,
      responderId: basic.responderId,
    },
    statusFor(certificate) {
      const serial = readCertificate(certificate).serialHex;
      return basic?.responses.find((r) => r.serialHex === serial);
    },
    async verify(issuerDer) {
      if (basic === undefined) return false;
      try {
        const issuer = readCertificate(issuerDer);
        if (basic.responses.length === 0 || !basic.responses.every((r) => certIdMatchesIssuer(r.certId, issuer)))
          return false;
        const candidates = [...basic.certificates.map(tryReadCertificate), issuer].filter(
          (c): c is CertificateInfo => c !== undefined,
        );
        return candidates.some(
          (candidate) =>
            responderMatches(candidate, basic.responderId) &&
            verifySignature(basic.tbsRaw, basic.signatureAlgorithmOid, basic.signature, candidate.spki) &&
            isAuthorisedResponder(candidate, issuer, basic.producedAt),
        );
      } catch {
        return false;
      }
    },
  };
}
