// A small CA run by `openssl ca` (not by Inkan's CA code): certificates with any validity window and
// extensions, revocations at chosen times (written into openssl's index), CRLs with chosen
// lastUpdate/nextUpdate, and OCSP responses from `openssl ocsp`. Used to build the verifier's
// trust samples; nothing here imports Inkan's src/.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A certificate made by the CA, with its key. */
export interface IssuedCertificate {
  name: string;
  der: Uint8Array;
  pemPath: string;
  keyPath: string;
  keyPem: string;
}

/** Extensions for `openssl ca -extfile`, one `key=value` per line. */
export type Extensions = string[];

/** ASN.1 time as openssl wants it (YYYYMMDDHHMMSSZ). */
export function opensslTime(date: Date): string {
  return `${date.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

function run(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A CA directory: its own certificate and key, openssl's index and the certificates it issued. */
export class OpensslCa {
  readonly dir: string;
  readonly certificate: IssuedCertificate;
  readonly #serials = new Map<string, string>();

  private constructor(dir: string, certificate: IssuedCertificate) {
    this.dir = dir;
    this.certificate = certificate;
  }

  /** A self-signed root (RSA-2048, keyCertSign + cRLSign, valid 10 years from a day ago). */
  static root(dir: string, name: string): OpensslCa {
    mkdirSync(dir, { recursive: true });
    const keyPath = join(dir, `${name}.key`);
    const pemPath = join(dir, `${name}.pem`);
    run(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-sha256',
        '-keyout',
        keyPath,
        '-out',
        pemPath,
        '-days',
        '3650',
        '-subj',
        `/O=Inkan Trust Samples/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
        '-addext',
        'subjectKeyIdentifier=hash',
      ],
      dir,
    );
    const ca = new OpensslCa(dir, load(name, pemPath, keyPath));
    ca.#prepare();
    return ca;
  }

  /** A CA whose certificate `parent` issued (`certificate` must be a CA certificate of `parent`). */
  static under(dir: string, certificate: IssuedCertificate): OpensslCa {
    mkdirSync(dir, { recursive: true });
    const ca = new OpensslCa(dir, certificate);
    ca.#prepare();
    return ca;
  }

  #prepare(): void {
    writeFileSync(join(this.dir, 'index.txt'), '');
    writeFileSync(
      join(this.dir, 'serial'),
      `${Math.floor(Math.random() * 0xffffff)
        .toString(16)
        .padStart(6, '0')}01\n`,
    );
    writeFileSync(join(this.dir, 'crlnumber'), '01\n');
    writeFileSync(
      join(this.dir, 'ca.cnf'),
      [
        '[ca]',
        'default_ca = local',
        '[local]',
        `dir = ${this.dir}`,
        'database = $dir/index.txt',
        'new_certs_dir = $dir',
        'serial = $dir/serial',
        'crlnumber = $dir/crlnumber',
        `certificate = ${this.certificate.pemPath}`,
        `private_key = ${this.certificate.keyPath}`,
        'default_md = sha256',
        'policy = any',
        'unique_subject = no',
        'email_in_dn = no',
        'copy_extensions = none',
        'default_crl_days = 7',
        '[any]',
        'commonName = supplied',
        'organizationName = optional',
        '',
      ].join('\n'),
    );
  }

  /** Issues a certificate valid from `notBefore` to `notAfter` with `extensions`; `key` 'rsa' (2048) or 'ec' (P-256). */
  issue(
    name: string,
    options: { notBefore: Date; notAfter: Date; extensions: Extensions; key?: 'rsa' | 'ec' },
  ): IssuedCertificate {
    const keyPath = join(this.dir, `${name}.key`);
    const csrPath = join(this.dir, `${name}.csr`);
    const pemPath = join(this.dir, `${name}.pem`);
    const extPath = join(this.dir, `${name}.ext`);
    const newkey =
      options.key === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'] : ['-newkey', 'rsa:2048'];
    run(
      [
        'req',
        '-new',
        ...newkey,
        '-nodes',
        '-keyout',
        keyPath,
        '-out',
        csrPath,
        '-subj',
        `/O=Inkan Trust Samples/CN=${name}`,
      ],
      this.dir,
    );
    writeFileSync(
      extPath,
      `${[...options.extensions, 'subjectKeyIdentifier=hash', 'authorityKeyIdentifier=keyid'].join('\n')}\n`,
    );
    run(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-notext',
        '-in',
        csrPath,
        '-out',
        pemPath,
        '-startdate',
        opensslTime(options.notBefore),
        '-enddate',
        opensslTime(options.notAfter),
        '-extfile',
        extPath,
      ],
      this.dir,
    );
    const issued = load(name, pemPath, keyPath);
    this.#serials.set(
      name,
      run(['x509', '-in', pemPath, '-noout', '-serial'], this.dir)
        .trim()
        .replace(/^serial=/, '')
        .toUpperCase(),
    );
    return issued;
  }

  /** Marks `name` revoked at `at` (openssl's index holds the time; `openssl ca -revoke` would take now). */
  revoke(name: string, at: Date, reason = 'keyCompromise'): void {
    const serial = this.#serials.get(name);
    if (!serial) throw new Error(`no certificate ${name}`);
    const index = join(this.dir, 'index.txt');
    const lines = readFileSync(index, 'utf8')
      .split('\n')
      .map((line) => {
        const fields = line.split('\t');
        if (fields[3]?.toUpperCase() !== serial) return line;
        fields[0] = 'R';
        fields[2] = `${opensslTime(at).slice(2)},${reason}`;
        return fields.join('\t');
      });
    writeFileSync(index, lines.join('\n'));
  }

  /** A CRL (DER) with the index as it stands, thisUpdate/nextUpdate as given. */
  crl(thisUpdate: Date, nextUpdate: Date): Uint8Array {
    const out = join(this.dir, `crl-${thisUpdate.getTime()}-${Math.random().toString(16).slice(2)}.pem`);
    run(
      [
        'ca',
        '-batch',
        '-config',
        'ca.cnf',
        '-gencrl',
        '-crl_lastupdate',
        opensslTime(thisUpdate),
        '-crl_nextupdate',
        opensslTime(nextUpdate),
        '-out',
        out,
      ],
      this.dir,
    );
    return new Uint8Array(execFileSync('openssl', ['crl', '-in', out, '-outform', 'DER']));
  }

  /** An OCSP response (DER) about `name` from `openssl ocsp`, signed by the CA itself, as the index says now. */
  ocsp(name: string, validDays = 2): Uint8Array {
    const request = join(this.dir, `${name}.ocsp-req`);
    const response = join(this.dir, `${name}.ocsp-resp`);
    run(
      [
        'ocsp',
        '-issuer',
        this.certificate.pemPath,
        '-cert',
        join(this.dir, `${name}.pem`),
        '-no_nonce',
        '-reqout',
        request,
      ],
      this.dir,
    );
    run(
      [
        'ocsp',
        '-index',
        'index.txt',
        '-CA',
        this.certificate.pemPath,
        '-rsigner',
        this.certificate.pemPath,
        '-rkey',
        this.certificate.keyPath,
        '-reqin',
        request,
        '-respout',
        response,
        '-ndays',
        String(validDays),
      ],
      this.dir,
    );
    return new Uint8Array(readFileSync(response));
  }
}

function load(name: string, pemPath: string, keyPath: string): IssuedCertificate {
  const der = new Uint8Array(execFileSync('openssl', ['x509', '-in', pemPath, '-outform', 'DER']));
  return { name, der, pemPath, keyPath, keyPem: readFileSync(keyPath, 'utf8') };
}

/** Extension lines for the usual profiles. */
export const PROFILE = {
  ca: (pathLength?: number): Extensions => [
    `basicConstraints=critical,CA:TRUE${pathLength === undefined ? '' : `,pathlen:${pathLength}`}`,
    'keyUsage=critical,keyCertSign,cRLSign',
  ],
  signer: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,nonRepudiation'] as Extensions,
  /** An end entity with no keyUsage at all (and CA:FALSE): not allowed to issue. */
  endEntityNoKeyUsage: ['basicConstraints=critical,CA:FALSE'] as Extensions,
  keyAgreementOnly: ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,keyAgreement'] as Extensions,
  tsa: [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature',
    'extendedKeyUsage=critical,timeStamping',
  ] as Extensions,
};
