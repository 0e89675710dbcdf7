/** A source of RFC 3161 timestamps: the built-in TSA, or external ones over HTTP. */
export interface TimestampAuthority {
  /**
   * Returns a TimeStampToken (the DER of a CMS ContentInfo holding SignedData with TSTInfo)
   * over `digest`, a SHA-256 message imprint. Throws CoreError('TSA_UNAVAILABLE' | 'TSA_BAD_RESPONSE' | 'TSA_REJECTED')
   * and never falls back to local time.
   */
  timestamp(digest: Uint8Array): Promise<Uint8Array>;
}
