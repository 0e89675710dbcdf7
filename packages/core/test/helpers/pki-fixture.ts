import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTimestampResponder,
  initBuiltinPki,
  loadBuiltinPki,
  LocalTimestampAuthority,
  type BuiltinPki,
  type PkiKeyAlgorithm,
  type SealOptions,
  type TimestampAuthority,
} from '../../src/index.ts';
import { createNssDb, toPem } from './validators.ts';

/** A built-in PKI in a temp dir with its TSA, an NSS database trusting its root, and seal options. */
export interface PkiFixture {
  dir: string;
  pki: BuiltinPki;
  tsa: TimestampAuthority;
  nssDir: string;
  rootPem: string;
  /** Issuing CA + root, for openssl -untrusted / -CAfile. */
  chainPem: string;
  sealOptions: SealOptions;
  cleanup(): void;
}

/** Creates a fresh built-in PKI (RSA-3072 CAs; the signing key as asked). */
export async function createPkiFixture(signingKeyAlgorithm: PkiKeyAlgorithm = 'RSA-2048'): Promise<PkiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-pki-'));
  await initBuiltinPki({
    dir,
    publicUrl: 'http://127.0.0.1:9',
    signingKeyAlgorithm,
    organisationName: '株式会社インカン テスト',
  });
  const pki = await loadBuiltinPki({ dir });
  const tsa = new LocalTimestampAuthority(
    createTimestampResponder({
      certificate: pki.tsaCertificate,
      chain: [pki.issuingCertificate, pki.rootCertificate],
      signer: pki.tsaSigner,
    }),
  );
  const rootPem = pki.rootPem();
  const nssDir = await createNssDb(rootPem, { parentDir: dir });
  return {
    dir,
    pki,
    tsa,
    nssDir,
    rootPem,
    chainPem: toPem(pki.issuingCertificate),
    sealOptions: {
      timestampAuthority: tsa,
      revocationProvider: pki.revocationProvider,
      extraCertificates: [pki.issuingCertificate, pki.rootCertificate, pki.ocspCertificate],
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
