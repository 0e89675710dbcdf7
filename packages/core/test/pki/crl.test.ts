import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';
import {
  certificateSerialHex,
  createCrl,
  crlSignedBy,
  CrlReason,
  initBuiltinPki,
  issueSigningCertificate,
  loadBuiltinPki,
  parseOcspResponse,
  type BuiltinPki,
} from '../../src/pki/index.ts';
import { openssl, tempDir } from './pki-fixtures.ts';

function crlNumber(text: string): bigint {
  const match = /CRL Number:\s*\n?\s*(\d+)/.exec(text);
  assert.ok(match !== null, text);
  return BigInt(match[1]);
}

describe('CRLs of the built-in PKI', () => {
  const tmp = tempDir('crl');
  const dir = tmp.path;
  let pki: BuiltinPki;

  before(async () => {
    await initBuiltinPki({ dir, publicUrl: 'http://127.0.0.1:9' });
    pki = await loadBuiltinPki({ dir });
    writeFileSync(join(dir, 'chain.pem'), pki.rootPem() + pki.issuingPem());
  });
  after(() => tmp.cleanup());

  it('signs root and issuing CRLs that openssl verifies', async () => {
    writeFileSync(join(dir, 'root.crl'), await pki.crl('root'));
    writeFileSync(join(dir, 'issuing.crl'), await pki.crl('issuing'));
    const root = await openssl(['crl', '-in', 'root.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout'], dir);
    assert.equal(root.code, 0, root.output);
    assert.match(root.output, /verify OK/);
    const issuing = await openssl(
      ['crl', '-in', 'issuing.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout', '-text'],
      dir,
    );
    assert.equal(issuing.code, 0, issuing.output);
    assert.match(issuing.output, /verify OK/);
    assert.match(issuing.stdout, /Version 2/);
    assert.match(issuing.stdout, /No Revoked Certificates/);
    assert.match(issuing.stdout, /Authority Key Identifier/);
    // The issuing CRL must not verify under the root key.
    const wrongKey = await openssl(
      ['crl', '-in', 'issuing.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout'],
      dir,
    );
    assert.doesNotMatch(wrongKey.output, /verify OK/);
    assert.equal(
      crlSignedBy(new Uint8Array(readFileSync(join(dir, 'issuing.crl'))), new Uint8Array(0), new Uint8Array(0)),
      false,
    );
  });

  it('lists a revoked certificate with its reason, and openssl -crl_check rejects it', async () => {
    assert.equal(
      (await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'u.key'], dir))
        .code,
      0,
    );
    assert.equal(
      (await openssl(['pkey', '-in', 'u.key', '-pubout', '-outform', 'DER', '-out', 'u.spki'], dir)).code,
      0,
    );
    const cert = await issueSigningCertificate(pki, {
      publicKeySpki: new Uint8Array(readFileSync(join(dir, 'u.spki'))),
      subjectCommonName: 'Revoked User',
      keyAlgorithm: 'ECDSA-P256',
    });
    writeFileSync(join(dir, 'u.pem'), new X509Certificate(cert).toString());
    const before = await pki.crl('issuing');
    await pki.revoke(certificateSerialHex(cert), CrlReason.superseded);
    const after = await pki.crl('issuing');
    writeFileSync(join(dir, 'before.crl'), before);
    writeFileSync(join(dir, 'after.crl'), after);

    const text = await openssl(
      ['crl', '-in', 'after.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout', '-text'],
      dir,
    );
    assert.match(text.output, /verify OK/);
    const serial = new X509Certificate(cert).serialNumber.toUpperCase();
    assert.match(text.stdout, new RegExp(`Serial Number: ${serial}`));
    assert.match(text.stdout, /Superseded/);
    const beforeText = await openssl(['crl', '-in', 'before.crl', '-inform', 'DER', '-noout', '-text'], dir);
    assert.ok(crlNumber(text.stdout) > crlNumber(beforeText.stdout), 'CRL numbers must increase');

    assert.equal((await openssl(['crl', '-in', 'after.crl', '-inform', 'DER', '-out', 'after-crl.pem'], dir)).code, 0);
    const check = await openssl(
      [
        'verify',
        '-crl_check',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'issuing.pem',
        '-CRLfile',
        'after-crl.pem',
        'u.pem',
      ],
      dir,
    );
    assert.notEqual(check.code, 0);
    assert.match(check.output, /certificate revoked/);
    const signingStillFine = await openssl(
      [
        'verify',
        '-crl_check',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'issuing.pem',
        '-CRLfile',
        'after-crl.pem',
        'signing.pem',
      ],
      dir,
    );
    assert.equal(signingStillFine.code, 0, signingStillFine.output);
  });

  it('serves CRLs in-process through the revocation provider', async () => {
    const forSigning = await pki.revocationProvider.crl(pki.signingCertificate, pki.issuingCertificate);
    const forIssuing = await pki.revocationProvider.crl(pki.issuingCertificate, pki.rootCertificate);
    assert.ok(forSigning !== null && forIssuing !== null);
    writeFileSync(join(dir, 'p-issuing.crl'), forSigning);
    writeFileSync(join(dir, 'p-root.crl'), forIssuing);
    assert.match(
      (await openssl(['crl', '-in', 'p-issuing.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout'], dir)).output,
      /verify OK/,
    );
    assert.match(
      (await openssl(['crl', '-in', 'p-root.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout'], dir)).output,
      /verify OK/,
    );
    assert.equal(await pki.revocationProvider.crl(pki.signingCertificate, pki.signingCertificate), null);
  });

  it('reuses its OCSP answers and CRLs for sealing, but never after a revocation', async () => {
    const provider = pki.revocationProvider;
    const crl = await provider.crl(pki.signingCertificate, pki.issuingCertificate);
    const ocsp = await provider.ocsp(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(crl !== null && ocsp !== null);
    assert.equal(parseOcspResponse(ocsp).certStatus, 'good');
    // Asked again: the same signed answers, not new signatures.
    assert.deepEqual(await provider.crl(pki.signingCertificate, pki.issuingCertificate), crl);
    assert.deepEqual(await provider.ocsp(pki.signingCertificate, pki.issuingCertificate), ocsp);

    await pki.revoke(certificateSerialHex(pki.signingCertificate), CrlReason.keyCompromise);
    const ocspAfter = await provider.ocsp(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(ocspAfter !== null);
    assert.equal(parseOcspResponse(ocspAfter).certStatus, 'revoked');
    const crlAfter = await provider.crl(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(crlAfter !== null);
    writeFileSync(join(dir, 'reuse-after.crl'), crlAfter);
    const text = await openssl(['crl', '-in', 'reuse-after.crl', '-inform', 'DER', '-noout', '-text'], dir);
    assert.match(
      text.stdout,
      new RegExp(`Serial Number: ${new X509Certificate(pki.signingCertificate).serialNumber.toUpperCase()}`),
      'the fresh CRL lists the revoked certificate',
    );
  });

  it('revoking the issuing CA puts it on the root CRL', async () => {
    await pki.revoke(certificateSerialHex(pki.issuingCertificate), CrlReason.cACompromise);
    writeFileSync(join(dir, 'root2.crl'), await pki.crl('root'));
    const text = await openssl(
      ['crl', '-in', 'root2.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout', '-text'],
      dir,
    );
    assert.match(text.output, /verify OK/);
    assert.match(
      text.stdout,
      new RegExp(`Serial Number: ${new X509Certificate(pki.issuingCertificate).serialNumber.toUpperCase()}`),
    );
    assert.match(text.stdout, /CA Compromise/);
    assert.deepEqual((await pki.statusOf('root', certificateSerialHex(pki.issuingCertificate))).status, 'revoked');
  });
});

describe('createCrl with an ECDSA issuer made by openssl', () => {
  const tmp = tempDir('crl-ec');
  after(() => tmp.cleanup());

  it('produces a CRL openssl verifies under the ECDSA CA', async () => {
    const made = await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        'ca.key',
        '-out',
        'ca.pem',
        '-subj',
        '/CN=EC Test CA',
        '-days',
        '30',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ],
      tmp.path,
    );
    assert.equal(made.code, 0, made.output);
    const caDer = new Uint8Array(new X509Certificate(readFileSync(join(tmp.path, 'ca.pem'))).raw);
    const signer = new KeyFileSigner(readFileSync(join(tmp.path, 'ca.key')), [caDer]);
    const thisUpdate = new Date();
    const crl = await createCrl({
      issuerCertificate: caDer,
      issuerSigner: signer,
      revoked: [
        { serialHex: '0a0b0c', revokedAt: thisUpdate },
        { serialHex: 'ff01', revokedAt: thisUpdate, reason: CrlReason.keyCompromise },
      ],
      thisUpdate,
      nextUpdate: new Date(thisUpdate.getTime() + 86_400_000),
      crlNumber: 42n,
    });
    writeFileSync(join(tmp.path, 'ec.crl'), crl);
    const text = await openssl(
      ['crl', '-in', 'ec.crl', '-inform', 'DER', '-CAfile', 'ca.pem', '-noout', '-text'],
      tmp.path,
    );
    assert.match(text.output, /verify OK/);
    assert.match(text.stdout, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(text.stdout, /Serial Number: 0A0B0C/);
    assert.match(text.stdout, /Serial Number: FF01/);
    assert.match(text.stdout, /Key Compromise/);
    assert.equal(crlNumber(text.stdout), 42n);
  });
});
