/**
 * Test fixtures for the RFC 3161 tests: a throw-away CA with TSA certificates made by the
 * openssl CLI in a temp dir (independent of src/pki), and a way to run openssl with stdin.
 */
import { spawn } from 'node:child_process';
import { X509Certificate, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';

export interface OpensslResult {
  code: number;
  stdout: Buffer;
  stderr: string;
}

/** Runs openssl with optional stdin; resolves with exit code and output (never rejects on a non-zero exit). */
export function openssl(args: readonly string[], input?: Uint8Array): Promise<OpensslResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString() }),
    );
    child.stdin.end(input === undefined ? undefined : Buffer.from(input));
  });
}

/** Runs openssl and fails loudly on a non-zero exit. */
export async function opensslOk(args: readonly string[], input?: Uint8Array): Promise<Buffer> {
  const result = await openssl(args, input);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

export interface TsaIdentity {
  keyPath: string;
  certPath: string;
  certDer: Uint8Array;
  signer: KeyFileSigner;
}

export interface TsaFixture {
  dir: string;
  rootPath: string;
  rootDer: Uint8Array;
  rsa: TsaIdentity;
  ecdsa: TsaIdentity;
  /** A TSA certificate whose extendedKeyUsage is not critical (RFC 3161 forbids that). */
  nonCriticalEku: TsaIdentity;
  /** Writes bytes into the fixture dir and returns the path. */
  write(name: string, bytes: Uint8Array | string): string;
  cleanup(): void;
}

const EXTENSIONS = `
[tsa]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = critical,timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
[tsa_noncritical]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature,nonRepudiation
extendedKeyUsage = timeStamping
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
`;

/** Creates a root CA and three TSA certificates (RSA, ECDSA P-256, RSA with non-critical EKU). */
export async function createTsaFixture(): Promise<TsaFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'inkan-tsp-'));
  const path = (name: string) => join(dir, name);
  writeFileSync(path('ext.cnf'), EXTENSIONS);
  await opensslOk([
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    path('root.key'),
    '-out',
    path('root.pem'),
    '-days',
    '3650',
    '-subj',
    '/CN=Inkan Test Root/O=Inkan Test',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  const issue = async (name: string, keyArgs: string[], section: string, cn: string): Promise<TsaIdentity> => {
    await opensslOk(['genpkey', ...keyArgs, '-out', path(`${name}.key`)]);
    await opensslOk([
      'req',
      '-new',
      '-key',
      path(`${name}.key`),
      '-subj',
      `/CN=${cn}/O=Inkan Test`,
      '-out',
      path(`${name}.csr`),
    ]);
    await opensslOk([
      'x509',
      '-req',
      '-in',
      path(`${name}.csr`),
      '-CA',
      path('root.pem'),
      '-CAkey',
      path('root.key'),
      '-set_serial',
      `0x${Date.now().toString(16)}${name.length}`,
      '-days',
      '365',
      '-extfile',
      path('ext.cnf'),
      '-extensions',
      section,
      '-out',
      path(`${name}.pem`),
    ]);
    const certDer = new Uint8Array(new X509Certificate(readFileSync(path(`${name}.pem`))).raw);
    return {
      keyPath: path(`${name}.key`),
      certPath: path(`${name}.pem`),
      certDer,
      signer: new KeyFileSigner(readFileSync(path(`${name}.key`), 'utf8'), [certDer]),
    };
  };

  const rsa = await issue(
    'tsa-rsa',
    ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
    'tsa',
    'Inkan Test TSA RSA',
  );
  const ecdsa = await issue(
    'tsa-ec',
    ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    'tsa',
    'Inkan Test TSA ECDSA',
  );
  const nonCriticalEku = await issue(
    'tsa-noncrit',
    ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
    'tsa_noncritical',
    'Inkan Test TSA Lax',
  );
  return {
    dir,
    rootPath: path('root.pem'),
    rootDer: new Uint8Array(new X509Certificate(readFileSync(path('root.pem'))).raw),
    rsa,
    ecdsa,
    nonCriticalEku,
    write(name, bytes) {
      writeFileSync(path(name), bytes);
      return path(name);
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Lower-case hex. */
export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** The policy the openssl-run TSAs of the tests use. */
export const OPENSSL_TSA_POLICY = '1.2.3.4.1';

/**
 * Writes a minimal `openssl ts -reply` configuration with sections:
 * `tsa_default` (SHA-1 ESSCertID, OpenSSL's default), `tsa_ess_sha512` (ESSCertIDv2 with SHA-512),
 * and `tsa_sha512_only` (refuses SHA-256 imprints).
 */
export function writeOpensslTsaConfig(f: TsaFixture): string {
  const common = (serial: string) => `
serial = ${join(f.dir, serial)}
signer_digest = sha256
default_policy = ${OPENSSL_TSA_POLICY}
accuracy = secs:1, millisecs:500
ordering = yes
tsa_name = yes
ess_cert_id_chain = no`;
  return f.write(
    'tsa.cnf',
    `
[ tsa ]
default_tsa = tsa_default
[ tsa_default ]${common('serial-default')}
digests = sha256, sha384, sha512
[ tsa_ess_sha512 ]${common('serial-ess')}
digests = sha256, sha384, sha512
ess_cert_id_alg = sha512
[ tsa_sha512_only ]${common('serial-512')}
digests = sha512
`,
  );
}

/** Answers a TimeStampReq with `openssl ts -reply` (a TSA implementation that is not ours). */
export async function opensslReply(
  f: TsaFixture,
  config: string,
  request: Uint8Array,
  section = 'tsa_default',
  id: TsaIdentity = f.rsa,
): Promise<Buffer> {
  // A file, not stdin: Node's stdio pipes are sockets, which openssl cannot fopen("/dev/stdin").
  const queryPath = f.write(`query-${randomUUID()}.tsq`, request);
  return opensslOk([
    'ts',
    '-reply',
    '-queryfile',
    queryPath,
    '-inkey',
    id.keyPath,
    '-signer',
    id.certPath,
    '-config',
    config,
    '-section',
    section,
  ]);
}
