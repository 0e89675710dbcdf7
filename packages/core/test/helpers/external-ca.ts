// An external CA standing in for a public one (an AATL member): root → intermediate → the
// organisation's signing certificate, made by openssl, with CRL and OCSP served over HTTP by the test,
// and PKCS#12 files of the signing key in the encodings tools write (AES-256 PBES2, legacy RC2/3DES).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OpensslCa, PROFILE, type IssuedCertificate } from './openssl-ca.ts';
import { revocationUrls, startRevocationServer, type RevocationServer } from './revocation-server.ts';

const DAY = 24 * 3600_000;

/** The external CA, its revocation responders and the signing certificate it issued. */
export interface ExternalCa {
  dir: string;
  root: OpensslCa;
  intermediate: OpensslCa;
  /** The organisation's signing certificate (digitalSignature + nonRepudiation) and key. */
  leaf: IssuedCertificate;
  rootPemPath: string;
  rootDer: Uint8Array;
  /** Issues another certificate under the intermediate (for expired or wrong-usage cases). */
  issue(
    name: string,
    options: { notBefore: Date; notAfter: Date; extensions: string[]; key?: 'rsa' | 'ec' },
  ): IssuedCertificate;
  close(): Promise<void>;
}

/** The extensions of a document-signing certificate as public CAs issue them (plus the test's revocation URLs). */
export function signingExtensions(server: RevocationServer): string[] {
  return [...PROFILE.signer, 'extendedKeyUsage=emailProtection', ...revocationUrls(server)];
}

/** Makes the external CA in `dir`; `key` is the leaf's key type. */
export async function makeExternalCa(
  dir: string,
  options: { key?: 'rsa' | 'ec'; leafName?: string } = {},
): Promise<ExternalCa> {
  const now = Date.now();
  const root = OpensslCa.root(join(dir, 'root'), 'Inkan Test Public Root CA');
  const rootServer = await startRevocationServer(root);
  const intermediateCertificate = root.issue('Inkan Test Document Signing CA', {
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 5 * 365 * DAY),
    extensions: [...PROFILE.ca(0), ...revocationUrls(rootServer)],
  });
  const intermediate = OpensslCa.under(join(dir, 'intermediate'), intermediateCertificate);
  const intermediateServer = await startRevocationServer(intermediate);
  const issue: ExternalCa['issue'] = (name, o) => intermediate.issue(name, o);
  const leaf = issue(options.leafName ?? 'Inkan Test Organization', {
    notBefore: new Date(now - DAY),
    notAfter: new Date(now + 2 * 365 * DAY),
    extensions: signingExtensions(intermediateServer),
    key: options.key ?? 'ec',
  });
  return {
    dir,
    root,
    intermediate,
    leaf,
    rootPemPath: root.certificate.pemPath,
    rootDer: root.certificate.der,
    issue: (name, o) => issue(name, { ...o, extensions: [...o.extensions, ...revocationUrls(intermediateServer)] }),
    close: async () => {
      await Promise.all([rootServer.close(), intermediateServer.close()]);
    },
  };
}

/** How the PKCS#12 file is encrypted: OpenSSL 3's default (PBES2 AES-256-CBC, HMAC-SHA256 MAC), `openssl -legacy` (RC2-40 certificates, 3DES key, SHA-1 MAC), or 3DES throughout. */
export type Pkcs12Encoding = 'aes-256' | 'legacy-rc2' | '3des';

/** Writes a PKCS#12 file with openssl and returns its bytes. `chain` are extra certificates (PEM paths); `keyOnly` leaves every certificate out. */
export function makePkcs12(
  dir: string,
  name: string,
  options: {
    keyPath: string;
    certificatePath?: string;
    chain?: string[];
    password: string;
    encoding?: Pkcs12Encoding;
  },
): Uint8Array {
  const out = join(dir, `${name}.p12`);
  const encoding = options.encoding ?? 'aes-256';
  const encodingArgs =
    encoding === 'legacy-rc2'
      ? ['-legacy']
      : encoding === '3des'
        ? ['-keypbe', 'PBE-SHA1-3DES', '-certpbe', 'PBE-SHA1-3DES', '-macalg', 'sha1']
        : ['-keypbe', 'AES-256-CBC', '-certpbe', 'AES-256-CBC', '-macalg', 'sha256'];
  const chainPath = join(dir, `${name}-chain.pem`);
  writeFileSync(chainPath, (options.chain ?? []).map((p) => readFileSync(p, 'utf8')).join(''));
  execFileSync(
    'openssl',
    [
      'pkcs12',
      '-export',
      ...encodingArgs,
      '-inkey',
      options.keyPath,
      ...(options.certificatePath ? ['-in', options.certificatePath] : ['-nocerts']),
      ...((options.chain ?? []).length > 0 ? ['-certfile', chainPath] : []),
      '-name',
      name,
      '-passout',
      `pass:${options.password}`,
      '-out',
      out,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Uint8Array(readFileSync(out));
}
