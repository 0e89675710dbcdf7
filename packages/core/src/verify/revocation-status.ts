import { parseOcspResponse, type ParsedOcspResponse } from '../pki/ocsp-messages.ts';
import { parseCrls, type ParsedCrl } from '../x509/crl.ts';

/** Revocation data available to the verifier (from the DSS, the CMS, the tokens or a provider). */
export interface RevocationData {
  ocsp: ParsedOcspResponse[];
  crls: ParsedCrl[];
}

/** Parses what can be parsed; unreadable items and unsuccessful OCSP answers are skipped (and so count as missing). */
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
  return { ocsp, crls: parseCrls(crlDers) };
}
