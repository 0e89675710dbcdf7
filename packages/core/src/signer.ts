/** Key algorithms a Signer can hold. */
export type KeyAlgorithm = 'RSA' | 'ECDSA-P256';

/**
 * Signs bytes with a private key that the core never sees (key file, HSM, cloud KMS).
 * The digest algorithm is always SHA-256: `sign` hashes `data` itself
 * (RSASSA-PKCS1-v1_5 with SHA-256, or ECDSA P-256 with SHA-256).
 */
export interface Signer {
  readonly keyAlgorithm: KeyAlgorithm;
  /** The signing certificate first, then its issuers (DER), up to but not necessarily including the root. */
  readonly certificateChain: readonly Uint8Array[];
  /**
   * Signs `data` (for CMS: the DER of the signed attributes).
   * RSA: the PKCS#1 v1.5 signature. ECDSA: the DER-encoded Ecdsa-Sig-Value (as CMS wants), not raw r||s.
   */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
