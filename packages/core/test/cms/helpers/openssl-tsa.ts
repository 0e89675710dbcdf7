/** A test-only RFC 3161 TSA: `openssl ts -query` / `openssl ts -reply -token_out` with a test TSA certificate. */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TimestampAuthority } from '../../../src/timestamp-authority.ts';
import { opensslOk } from './openssl.ts';
import type { TestPki } from './test-pki.ts';

export class OpensslTimestampAuthority implements TimestampAuthority {
  readonly #dir: string;
  readonly #config: string;
  #count = 0;
  /** How many tokens were issued (tests check that a TSA was asked). */
  get issued(): number {
    return this.#count;
  }

  constructor(pki: TestPki) {
    this.#dir = pki.dir;
    this.#config = path.join(pki.dir, 'tsa.cnf');
  }

  /** Writes the TSA configuration and serial file; call once before use. */
  async init(pki: TestPki): Promise<this> {
    await writeFile(path.join(this.#dir, 'tsa-serial'), '01\n');
    await writeFile(
      this.#config,
      [
        '[tsa]',
        'default_tsa = test_tsa',
        '[test_tsa]',
        `serial = ${path.join(this.#dir, 'tsa-serial')}`,
        `signer_cert = ${pki.tsa.certificatePath}`,
        `signer_key = ${pki.tsa.keyPath}`,
        'signer_digest = sha256',
        'default_policy = 1.3.6.1.4.1.99999.1',
        'digests = sha256, sha384, sha512',
        'accuracy = secs:1',
        'ess_cert_id_alg = sha256',
        '',
      ].join('\n'),
    );
    return this;
  }

  async timestamp(digest: Uint8Array): Promise<Uint8Array> {
    const id = ++this.#count;
    const query = path.join(this.#dir, `query-${id}.tsq`);
    const token = path.join(this.#dir, `token-${id}.der`);
    await opensslOk([
      'ts',
      '-query',
      '-digest',
      Buffer.from(digest).toString('hex'),
      '-sha256',
      '-cert',
      '-out',
      query,
    ]);
    await opensslOk(['ts', '-reply', '-config', this.#config, '-queryfile', query, '-token_out', '-out', token]);
    return new Uint8Array(await readFile(token));
  }
}
