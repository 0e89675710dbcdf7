import { X509Certificate as PeculiarCertificate, X509Crl } from '@peculiar/x509';
import { parseOcspResponse, type ParsedOcspResponse } from '../pki/ocsp-messages.ts';
import type { Cert } from '../x509/chain.ts';

/** Revocation data available to the verifier (from the DSS and the CMS). */
export interface RevocationData {
  ocsp: ParsedOcspResponse[];
  crls: X509Crl[];
}

/** Parses what can be parsed; unreadable items are skipped (and so count as missing). */
export function parseRevocationData(ocspDers: Uint8Array[], crlDers: Uint8Array[]): RevocationData {
  const ocsp: ParsedOcspResponse[] = [];
  for (const der of ocspDers) {
    try {
      const parsed = parseOcspResponse(der);
      if (parsed.status === 'successful') ocsp.push(parsed);
    } catch {
      continue;
    }
  }
  const crls: X509Crl[] = [];
  for (const der of crlDers) {
    try {
      crls.push(new X509Crl(Uint8Array.from(der)));
    } catch {
      continue;
    }
  }
  return { ocsp, crls };
}

/**
 * The status of `subject` (issued by `issuer`) per the data: an OCSP response about it, verified
 * against its issuer, or a CRL from its issuer whose signature verifies. 'missing' when neither exists.
 */
export async function revocationStatusOf(subject: Cert, issuer: Cert, data: RevocationData): Promise<'good' | 'revoked' | 'unknown' | 'missing'> {
  for (const response of data.ocsp) {
    const single = response.statusFor(subject.der);
    if (!single) continue;
    if (!(await response.verify(issuer.der))) continue;
    return single.certStatus;
  }
  const serial = subject.x509.serialNumber.toLowerCase().replace(/^0+/, '');
  for (const crl of data.crls) {
    if (crl.issuer !== issuerName(subject)) continue;
    let verified = false;
    try {
      verified = await crl.verify({ publicKey: new PeculiarCertificate(Uint8Array.from(issuer.der)) });
    } catch {
      verified = false;
    }
    if (!verified) continue;
    const revoked = crl.entries.some((e) => e.serialNumber.toLowerCase().replace(/^0+/, '') === serial);
    return revoked ? 'revoked' : 'good';
  }
  return 'missing';
}

/** The issuer name as @peculiar/x509 prints it, so it compares with X509Crl.issuer. */
function issuerName(subject: Cert): string {
  return new PeculiarCertificate(Uint8Array.from(subject.der)).issuer;
}
