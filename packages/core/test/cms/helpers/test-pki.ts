/** A throw-away PKI made with the openssl CLI: root → intermediate → signers, root → TSA. */
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KeyFileSigner } from '../../../src/keys/key-file-signer.ts';
import { opensslOk } from './openssl.ts';

export type KeySpec = 'rsa-2048' | 'rsa-3072' | 'p-256';

export interface IssuedCertificate {
  readonly keyPath: string;
  readonly certificatePath: string;
  readonly certificate: Uint8Array;
}

export interface TestPki {
  readonly dir: string;
  readonly root: IssuedCertificate;
  readonly intermediate: IssuedCertificate;
  readonly tsa: IssuedCertificate;
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[signer_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_ext]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

const KEY_OPTIONS: Record<KeySpec, string[]> = {
  'rsa-2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-3072': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  'p-256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

/** A random positive 16-byte serial in hex. */
export function randomSerial(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x10;
  return `0x${bytes.toString('hex')}`;
}

function pemToDer(file: string): Uint8Array {
  return new Uint8Array(new X509Certificate(readFileSync(file)).raw);
}

/** Generates a key file of the given kind. */
export async function generateKey(dir: string, name: string, spec: KeySpec): Promise<string> {
  const keyPath = path.join(dir, `${name}.key`);
  await opensslOk(['genpkey', ...KEY_OPTIONS[spec], '-out', keyPath]);
  return keyPath;
}

/** Issues a certificate for `keyPath` under `issuer` with the given extension section. */
export async function issueCertificate(
  dir: string,
  name: string,
  keyPath: string,
  issuer: IssuedCertificate,
  extensions: 'ca_ext' | 'signer_ext' | 'tsa_ext',
  serial = randomSerial(),
): Promise<IssuedCertificate> {
  const config = path.join(dir, 'pki.cnf');
  const csr = path.join(dir, `${name}.csr`);
  const certificatePath = path.join(dir, `${name}.pem`);
  await opensslOk([
    'req',
    '-new',
    '-key',
    keyPath,
    '-subj',
    `/O=Inkan Test/CN=${name}`,
    '-config',
    config,
    '-out',
    csr,
  ]);
  await opensslOk([
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    issuer.certificatePath,
    '-CAkey',
    issuer.keyPath,
    '-set_serial',
    serial,
    '-days',
    '30',
    '-sha256',
    '-extfile',
    config,
    '-extensions',
    extensions,
    '-out',
    certificatePath,
  ]);
  return { keyPath, certificatePath, certificate: pemToDer(certificatePath) };
}

/** Creates root, intermediate and TSA certificates in `dir`. */
export async function createTestPki(dir: string): Promise<TestPki> {
  writeFileSync(path.join(dir, 'pki.cnf'), CONFIG);
  const rootKey = await generateKey(dir, 'root', 'rsa-2048');
  const rootPath = path.join(dir, 'root.pem');
  await opensslOk([
    'req',
    '-x509',
    '-new',
    '-key',
    rootKey,
    '-subj',
    '/O=Inkan Test/CN=Inkan Test Root',
    '-days',
    '30',
    '-sha256',
    '-config',
    path.join(dir, 'pki.cnf'),
    '-extensions',
    'ca_ext',
    '-set_serial',
    randomSerial(),
    '-out',
    rootPath,
  ]);
  const root = { keyPath: rootKey, certificatePath: rootPath, certificate: pemToDer(rootPath) };
  const intermediate = await issueCertificate(
    dir,
    'intermediate',
    await generateKey(dir, 'intermediate', 'rsa-2048'),
    root,
    'ca_ext',
  );
  const tsa = await issueCertificate(dir, 'tsa', await generateKey(dir, 'tsa', 'rsa-2048'), root, 'tsa_ext');
  return { dir, root, intermediate, tsa };
}

/** Issues a signing certificate under the intermediate and wraps its key in a KeyFileSigner (chain: leaf, intermediate). */
export async function createSigner(
  pki: TestPki,
  name: string,
  spec: KeySpec,
): Promise<{ signer: KeyFileSigner; issued: IssuedCertificate }> {
  const issued = await issueCertificate(
    pki.dir,
    name,
    await generateKey(pki.dir, name, spec),
    pki.intermediate,
    'signer_ext',
  );
  const signer = new KeyFileSigner(readFileSync(issued.keyPath, 'utf8'), [
    issued.certificate,
    pki.intermediate.certificate,
  ]);
  return { signer, issued };
}
