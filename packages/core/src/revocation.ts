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
