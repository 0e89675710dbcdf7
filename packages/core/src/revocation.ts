/**
 * Fetches revocation data for long-term validation (DSS). The built-in implementation
 * answers from the built-in CA in-process; the HTTP one asks the URLs in the certificate.
 */
export interface RevocationProvider {
  /** DER OCSPResponse for `certificate` issued by `issuer`, or null when none can be had. */
  ocsp(certificate: Uint8Array, issuer: Uint8Array): Promise<Uint8Array | null>;
  /** DER CRL covering `certificate`, or null when none can be had. */
  crl(certificate: Uint8Array, issuer: Uint8Array): Promise<Uint8Array | null>;
}

/** Asks each provider in turn and returns the first answer (e.g. the installation's own CA, then the URLs online). */
export function firstAnswering(providers: readonly RevocationProvider[]): RevocationProvider {
  const ask = async (
    method: 'ocsp' | 'crl',
    certificate: Uint8Array,
    issuer: Uint8Array,
  ): Promise<Uint8Array | null> => {
    for (const provider of providers) {
      try {
        const answer = await provider[method](certificate, issuer);
        if (answer) return answer;
      } catch {
        continue;
      }
    }
    return null;
  };
  return {
    ocsp: (certificate, issuer) => ask('ocsp', certificate, issuer),
    crl: (certificate, issuer) => ask('crl', certificate, issuer),
  };
}
