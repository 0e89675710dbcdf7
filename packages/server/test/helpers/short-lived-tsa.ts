/**
 * A TSA of the installation's own CA whose certificate ends in a few days, put in place of the
 * installation's TSA for signing and sealing until `restore()`: the renewal tests' "TSA certificate valid
 * for days". The certificate is a real RFC 3161 TSA certificate (timeStamping EKU) of the issuing CA.
 */
import { generateKeyPairSync } from 'node:crypto';
import { createTimestampResponder, KeyFileSigner, LocalTimestampAuthority } from '@inkan/core';
import type { SigningServices } from '../../src/signing-services.ts';

/** Swaps in the short-lived TSA; returns how to put the installation's own back. */
export async function useShortLivedTsa(
  signing: SigningServices,
  options: { days: number; name?: string },
): Promise<{ restore(): void }> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const chain = [signing.pki.issuingCertificate, signing.pki.rootCertificate];
  const certificate = await signing.pki.issueTimestampCertificate({
    publicKeySpki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })),
    subjectCommonName: options.name ?? 'Short-lived Test TSA',
    keyAlgorithm: 'RSA',
    validityDays: options.days,
  });
  const tsa = new LocalTimestampAuthority(
    createTimestampResponder({ certificate, chain, signer: new KeyFileSigner(privateKey, [certificate, ...chain]) }),
  );
  const own = { signing: signing.timestampAuthority, sealing: signing.sealOptions.timestampAuthority };
  signing.timestampAuthority = tsa;
  signing.sealOptions = { ...signing.sealOptions, timestampAuthority: tsa };
  return {
    restore: () => {
      signing.timestampAuthority = own.signing;
      signing.sealOptions = { ...signing.sealOptions, timestampAuthority: own.sealing };
    },
  };
}
