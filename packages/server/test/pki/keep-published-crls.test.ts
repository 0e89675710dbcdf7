// The server keeps the CRLs its CA publishes for `inkan verify` current (keepPublishedCrlsCurrent): a
// missing one is published at start, a current one is left as it is, and the stop waits for a
// refresh under way (nothing is written into the data directory after it).
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { initBuiltinPki, loadBuiltinPki, readPublishedCrls, type BuiltinPki } from '@inkan/core/pki';
import { keepPublishedCrlsCurrent } from '../../src/signing-services.ts';
import { tempDir } from '../../../core/test/pki/pki-fixtures.ts';

describe('keepPublishedCrlsCurrent', () => {
  const tmp = tempDir('keep-crls');
  let pki: BuiltinPki;
  before(async () => {
    await initBuiltinPki({ dir: tmp.path, publicUrl: 'http://127.0.0.1:9' });
    pki = await loadBuiltinPki({ dir: tmp.path });
  });
  after(() => tmp.cleanup());

  it('publishes a missing CRL at once and leaves a current one alone', async () => {
    const issuingBefore = readFileSync(join(tmp.path, 'issuing.crl'));
    rmSync(join(tmp.path, 'root.crl'));
    const errors: Error[] = [];
    const stop = keepPublishedCrlsCurrent(pki, (error) => errors.push(error));
    await stop();
    assert.deepEqual(errors, []);
    assert.ok(existsSync(join(tmp.path, 'root.crl')));
    assert.ok(readFileSync(join(tmp.path, 'issuing.crl')).equals(issuingBefore), 'the current CRL was not replaced');
    const crls = await readPublishedCrls(tmp.path, 'revoked.json', new Date());
    assert.notEqual(crls.forIssuer(pki.rootCertificate), null);
    assert.notEqual(crls.forIssuer(pki.issuingCertificate), null);
  });

  it('reports a failure to publish instead of throwing', async () => {
    const gone = await loadBuiltinPki({ dir: tmp.path, openKeys: 'when-used' });
    rmSync(join(tmp.path, 'root.crl'));
    rmSync(join(tmp.path, 'root.key.pem')); // the key that signs the root's CRL
    const errors: Error[] = [];
    await keepPublishedCrlsCurrent(gone, (error) => errors.push(error))();
    assert.equal(errors.length, 1);
    assert.equal(existsSync(join(tmp.path, 'root.crl')), false);
  });
});
