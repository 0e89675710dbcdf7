import { CoreError } from '../errors.ts';
import { parseCertificate, type X509 } from '../x509/certificate.ts';
import { bytesEqual } from '../asn1/bytes.ts';
import { OID } from '../asn1/oids.ts';
import { PKI_STATUS, parseTimestampResponse } from './response.ts';
import { parseTimestampToken } from './token.ts';

/** What the client asked for, to hold the answer against. */
export interface TimestampExpectation {
  /** The SHA-256 digest sent. */
  digest: Uint8Array;
  /** The nonce sent, as an unsigned integer. */
  nonce: bigint;
  /** The policy asked for, if any. */
  policyOid?: string;
}

/**
 * Checks a TimeStampResp the way a careful client must (RFC 3161 §2.4.2) and returns the token:
 * status granted(WithMods), SHA-256 imprint equal to ours, our nonce, a TSA certificate with
 * the critical timeStamping-only EKU that was valid at genTime, and a valid signature.
 * Throws CoreError('TSA_REJECTED') when the TSA said no, CoreError('TSA_BAD_RESPONSE') otherwise.
 */
export async function validateTimestampResponse(
  responseDer: Uint8Array,
  expected: TimestampExpectation,
): Promise<Uint8Array> {
  const response = parseTimestampResponse(responseDer);
  if (response.status !== PKI_STATUS.granted && response.status !== PKI_STATUS.grantedWithMods) {
    const why = [response.statusText, response.failInfo?.join(',')].filter(Boolean).join(' / ');
    throw new CoreError('TSA_REJECTED', `TSA refused (status ${response.status}${why ? `: ${why}` : ''})`, {
      details: { status: response.status, failInfo: response.failInfo },
    });
  }
  if (response.token === undefined) throw bad('granted response without a token');
  let token;
  try {
    token = parseTimestampToken(response.token);
  } catch (error) {
    throw new CoreError('TSA_BAD_RESPONSE', `unreadable token: ${(error as Error).message}`, { cause: error });
  }
  if (token.messageImprint.hashAlgorithmOid !== OID.sha256)
    throw bad(`token hash algorithm ${token.messageImprint.hashAlgorithmOid} is not SHA-256`);
  if (!bytesEqual(token.messageImprint.digest, expected.digest))
    throw bad('token message imprint differs from the digest sent');
  if (token.nonce !== expected.nonce) throw bad('token nonce differs from the nonce sent');
  if (expected.policyOid !== undefined && token.policyOid !== expected.policyOid)
    throw bad(`token policy ${token.policyOid} is not the one asked for`);
  if (token.signerCertificate === undefined) throw bad('token does not carry the TSA certificate');
  const certificateProblem = tsaCertificateProblem(token.signerCertificate, token.genTime);
  if (certificateProblem !== null) throw bad(`TSA certificate: ${certificateProblem}`);
  const signatureProblem = await token.signatureProblem();
  if (signatureProblem !== null) throw bad(`token signature: ${signatureProblem}`);
  return response.token;
}

function bad(message: string): CoreError {
  return new CoreError('TSA_BAD_RESPONSE', message);
}

/**
 * RFC 3161 §2.3: the TSA certificate has exactly one extendedKeyUsage extension, critical,
 * with id-kp-timeStamping as its only purpose; and it must have been valid at genTime.
 */
export function tsaCertificateProblem(certificateDer: Uint8Array, genTime: Date): string | null {
  let certificate: X509;
  try {
    certificate = parseCertificate(certificateDer);
  } catch {
    return 'not an X.509 certificate';
  }
  const eku = certificate.extensions.get(OID.extKeyUsage);
  if (eku === undefined || certificate.duplicateExtensions.includes(OID.extKeyUsage))
    return 'no extendedKeyUsage extension';
  if (!eku.critical) return 'extendedKeyUsage is not critical';
  const usages = certificate.extendedKeyUsage ?? [];
  if (usages.length !== 1 || usages[0] !== OID.kpTimeStamping)
    return 'extendedKeyUsage is not id-kp-timeStamping alone';
  if (genTime < certificate.notBefore || genTime > certificate.notAfter) return 'not valid at the token time';
  return null;
}
