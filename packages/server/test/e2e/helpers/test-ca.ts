/**
 * A certificate authority for TLS tests, made with openssl: its certificate, and server certificates
 * for 127.0.0.1 issued by it (each with its own P-256 key and a fresh serial number).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runTool } from '../../../../core/test/helpers/validators.ts';

async function openssl(args: string[]): Promise<void> {
  const run = await runTool('openssl', args);
  assert.equal(run.exitCode, 0, run.stderr);
}

const P256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export class TestCa {
  private issued = 0;
  private constructor(
    private readonly dir: string,
    /** The CA certificate (PEM), for clients' `ca`. */
    readonly certificate: Buffer,
  ) {}

  /** A CA in `dir` (its files stay there). */
  static async create(dir: string): Promise<TestCa> {
    const file = (name: string) => join(dir, name);
    await openssl(
      ['req', '-x509', ...P256, '-keyout', file('ca.key'), '-out', file('ca.pem')].concat([
        '-subj',
        '/CN=Inkan test CA',
        '-days',
        '2',
      ]),
    );
    return new TestCa(dir, readFileSync(file('ca.pem')));
  }

  /** A server certificate for 127.0.0.1 and its key, written to `certFile` and `keyFile`; returns its serial (hex, upper case). */
  async issue(certFile: string, keyFile: string): Promise<string> {
    this.issued += 1;
    const base = join(this.dir, `server-${this.issued}`);
    await openssl(['req', '-new', ...P256, '-keyout', keyFile, '-out', `${base}.csr`, '-subj', '/CN=127.0.0.1']);
    writeFileSync(
      `${base}.ext`,
      'subjectAltName = IP:127.0.0.1\nbasicConstraints = CA:FALSE\nkeyUsage = digitalSignature\nextendedKeyUsage = serverAuth\n',
    );
    await openssl([
      'x509',
      '-req',
      '-in',
      `${base}.csr`,
      '-CA',
      join(this.dir, 'ca.pem'),
      '-CAkey',
      join(this.dir, 'ca.key'),
      '-CAcreateserial',
      '-out',
      certFile,
      '-days',
      '2',
      '-extfile',
      `${base}.ext`,
    ]);
    const run = await runTool('openssl', ['x509', '-noout', '-serial', '-in', certFile]);
    return run.stdout
      .trim()
      .replace(/^serial=/, '')
      .toUpperCase();
  }
}
