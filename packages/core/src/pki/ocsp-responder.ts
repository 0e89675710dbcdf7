import type { TbsSigner } from './certificate-builder.ts';
import {
  bitString,
  enumerated,
  explicit,
  generalizedTime,
  implicitPrimitive,
  octetString,
  oid,
  sequence,
  tlv,
  wholeSeconds,
} from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { certIdMatchesIssuer, OcspResponseStatus, parseOcspRequest, type ParsedOcspRequest } from './ocsp-messages.ts';
import { keyIdentifier, readCertificate, signatureAlgorithmIdentifier } from './x509-util.ts';

export { buildOcspRequest, parseOcspResponse, OcspResponseStatus } from './ocsp-messages.ts';
export type { ParsedOcspResponse, OcspSingleStatus, OcspResponseStatusName } from './ocsp-messages.ts';

/** What the responder says about one serial number. */
export type OcspCertStatus =
  { status: 'good' } | { status: 'revoked'; revokedAt: Date; reason?: number } | { status: 'unknown' };

/** Configuration of an OCSP responder for one issuing CA. */
export interface OcspResponderOptions {
  /** The CA whose certificates this responder answers for. */
  issuerCertificate: Uint8Array;
  /** The certificate of the key that signs responses: a delegated responder certificate (EKU OCSPSigning) or the CA itself. */
  responderCertificate: Uint8Array;
  responderSigner: TbsSigner;
  /** Status of a certificate of the issuer, by lower-case hex serial without leading zero octets. */
  statusOf(serialHex: string): OcspCertStatus | Promise<OcspCertStatus>;
  now?: () => Date;
  /** nextUpdate − thisUpdate in seconds; default one day. */
  validitySeconds?: number;
}

/** Answers DER OCSP requests with DER OCSP responses. */
export interface OcspResponder {
  /** Never throws: malformed input gives a malformedRequest response, internal failures internalError. */
  respond(requestDer: Uint8Array): Promise<Uint8Array>;
}

/** More CertIDs than this in one request is treated as abuse (malformedRequest). */
const MAX_REQUESTS = 64;

/** An OCSPResponse without responseBytes (every status except successful). */
function statusOnlyResponse(status: number): Uint8Array {
  return sequence(enumerated(status));
}

function encodeCertStatus(status: OcspCertStatus): Uint8Array {
  if (status.status === 'good') return implicitPrimitive(0, new Uint8Array(0));
  if (status.status === 'unknown') return implicitPrimitive(2, new Uint8Array(0));
  // revoked [1] IMPLICIT RevokedInfo { revocationTime, revocationReason [0] EXPLICIT CRLReason OPTIONAL }
  const reason = status.reason !== undefined && status.reason !== 0 ? [explicit(0, enumerated(status.reason))] : [];
  return tlv(0xa1, generalizedTime(status.revokedAt), ...reason);
}

/**
 * Creates an RFC 6960 OCSP responder. CertIDs for another issuer (or with an unsupported hash) are
 * answered with certStatus `unknown`, as RFC 6960 §2.2 describes for an unrecognised issuer.
 * Responses are SHA-256 signed BasicOCSPResponses, responderID byKey, with the responder
 * certificate included and the request nonce echoed.
 */
export function createOcspResponder(options: OcspResponderOptions): OcspResponder {
  const issuer = readCertificate(options.issuerCertificate);
  const responder = readCertificate(options.responderCertificate);
  const responderId = explicit(2, octetString(keyIdentifier(responder.publicKeyBits)));
  const algorithm = signatureAlgorithmIdentifier(options.responderSigner.keyAlgorithm);
  const validityMs = (options.validitySeconds ?? 86_400) * 1000;
  const now = options.now ?? ((): Date => new Date());

  async function build(request: ParsedOcspRequest): Promise<Uint8Array> {
    const thisUpdate = wholeSeconds(now());
    const nextUpdate = new Date(thisUpdate.getTime() + validityMs);
    const singles: Uint8Array[] = [];
    for (const certId of request.certIds) {
      const status: OcspCertStatus = certIdMatchesIssuer(certId, issuer)
        ? await options.statusOf(certId.serialHex)
        : { status: 'unknown' };
      singles.push(
        sequence(
          certId.raw,
          encodeCertStatus(status),
          generalizedTime(thisUpdate),
          explicit(0, generalizedTime(nextUpdate)),
        ),
      );
    }
    const extensions = request.nonceExtension === undefined ? [] : [explicit(1, sequence(request.nonceExtension))];
    const tbs = sequence(responderId, generalizedTime(thisUpdate), sequence(...singles), ...extensions);
    const signature = await options.responderSigner.sign(tbs);
    const basic = sequence(tbs, algorithm, bitString(signature), explicit(0, sequence(responder.der)));
    return sequence(
      enumerated(OcspResponseStatus.successful),
      explicit(0, sequence(oid(OID.ocspBasic), octetString(basic))),
    );
  }

  return {
    async respond(requestDer) {
      let request: ParsedOcspRequest;
      try {
        request = parseOcspRequest(requestDer);
      } catch {
        return statusOnlyResponse(OcspResponseStatus.malformedRequest);
      }
      if (request.certIds.length === 0 || request.certIds.length > MAX_REQUESTS)
        return statusOnlyResponse(OcspResponseStatus.malformedRequest);
      try {
        return await build(request);
      } catch {
        return statusOnlyResponse(OcspResponseStatus.internalError);
      }
    },
  };
}
