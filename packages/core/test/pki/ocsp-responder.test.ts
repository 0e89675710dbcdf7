import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from 'node:crypto';
import { isCoreError } from '../../src/errors.ts';
import {
  buildOcspRequest,
  certificateSerialHex,
  CrlReason,
  initBuiltinPki,
  issueSigningCertificate,
  loadBuiltinPki,
  parseOcspRequest,
  parseOcspResponse,
  type BuiltinPki,
} from '../../src/pki/index.ts';
import { openssl, tempDir } from './pki-fixtures.ts';

describe('OCSP responder of the built-in PKI', () => {
  const tmp = tempDir('ocsp');
  const dir = tmp.path;
  let pki: BuiltinPki;
  const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));

  before(async () => {
    await initBuiltinPki({ dir, publicUrl: 'http://127.0.0.1:9', organisationName: 'Inkan Test' });
    pki = await loadBuiltinPki({ dir });
  });
  after(() => tmp.cleanup());

  /** Answers the request file `reqName` and writes the response to `respName`. */
  async function answer(reqName: string, respName: string): Promise<Uint8Array> {
    const response = await pki.ocspResponder.respond(read(reqName));
    writeFileSync(join(dir, respName), response);
    return response;
  }

  it('answers an openssl request with a response openssl verifies as good', async () => {
    const req = await openssl(
      ['ocsp', '-issuer', 'issuing.pem', '-cert', 'signing.pem', '-no_nonce', '-reqout', 'req.der'],
      dir,
    );
    assert.equal(req.code, 0, req.output);
    const response = await answer('req.der', 'resp.der');
    const check = await openssl(
      [
        'ocsp',
        '-respin',
        'resp.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'signing.pem',
        '-no_nonce',
        '-resp_text',
      ],
      dir,
    );
    assert.equal(check.code, 0, check.output);
    assert.match(check.stderr, /Response verify OK/);
    assert.match(check.stdout, /signing\.pem: good/);
    assert.match(check.stdout, /Hash Algorithm: sha1/);
    assert.match(check.stdout, /Signature Algorithm: sha256WithRSAEncryption/);
    assert.match(check.stdout, /Next Update:/);
    assert.match(check.stdout, /Subject: O ?= ?Inkan Test, CN ?= ?Inkan OCSP Responder/);

    const parsed = parseOcspResponse(response);
    assert.equal(parsed.status, 'successful');
    assert.equal(parsed.certStatus, 'good');
    assert.ok(
      parsed.thisUpdate instanceof Date && parsed.nextUpdate instanceof Date && parsed.producedAt instanceof Date,
    );
    assert.ok(parsed.nextUpdate > parsed.thisUpdate);
    assert.deepEqual(parsed.responderCertificate, pki.ocspCertificate);
    assert.equal(await parsed.verify(pki.issuingCertificate), true);
    assert.equal(await parsed.verify(pki.rootCertificate), false, 'the responder is not authorised for the root');
  });

  it('echoes the nonce, and openssl notices a response to another request', async () => {
    assert.equal(
      (await openssl(['ocsp', '-issuer', 'issuing.pem', '-cert', 'signing.pem', '-reqout', 'nonce-a.der'], dir)).code,
      0,
    );
    assert.equal(
      (await openssl(['ocsp', '-issuer', 'issuing.pem', '-cert', 'signing.pem', '-reqout', 'nonce-b.der'], dir)).code,
      0,
    );
    const response = await answer('nonce-a.der', 'nonce-a-resp.der');
    const same = await openssl(
      ['ocsp', '-respin', 'nonce-a-resp.der', '-reqin', 'nonce-a.der', '-issuer', 'issuing.pem', '-CAfile', 'root.pem'],
      dir,
    );
    assert.equal(same.code, 0, same.output);
    assert.match(same.stderr, /Response verify OK/);
    const other = await openssl(
      ['ocsp', '-respin', 'nonce-a-resp.der', '-reqin', 'nonce-b.der', '-issuer', 'issuing.pem', '-CAfile', 'root.pem'],
      dir,
    );
    assert.notEqual(other.code, 0);
    assert.match(other.output, /Nonce Verify error/);

    const requestText = await openssl(['ocsp', '-reqin', 'nonce-a.der', '-req_text'], dir);
    const nonceHex = /OCSP Nonce:\s+([0-9A-F]+)/.exec(requestText.stdout)?.[1];
    assert.ok(nonceHex !== undefined, requestText.output);
    assert.equal(
      Buffer.from(parseOcspResponse(response).nonce ?? [])
        .toString('hex')
        .toUpperCase(),
      nonceHex,
    );
  });

  it('reports a revoked certificate with time and reason after revoke()', async () => {
    const keygen = await openssl(
      ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'user.key'],
      dir,
    );
    assert.equal(keygen.code, 0, keygen.output);
    assert.equal(
      (await openssl(['pkey', '-in', 'user.key', '-pubout', '-outform', 'DER', '-out', 'user.spki'], dir)).code,
      0,
    );
    const cert = await issueSigningCertificate(pki, {
      publicKeySpki: read('user.spki'),
      subjectCommonName: 'User',
      keyAlgorithm: 'RSA',
    });
    writeFileSync(join(dir, 'user.pem'), new X509Certificate(cert).toString());

    writeFileSync(join(dir, 'user-req.der'), buildOcspRequest(cert, pki.issuingCertificate));
    await answer('user-req.der', 'user-good.der');
    const good = await openssl(
      [
        'ocsp',
        '-respin',
        'user-good.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'user.pem',
        '-no_nonce',
      ],
      dir,
    );
    assert.match(good.stdout, /user\.pem: good/, good.output);

    await pki.revoke(certificateSerialHex(cert), CrlReason.keyCompromise);
    await pki.revoke(certificateSerialHex(cert).toUpperCase()); // already revoked: keeps the first record
    const response = await answer('user-req.der', 'user-revoked.der');
    const revoked = await openssl(
      [
        'ocsp',
        '-respin',
        'user-revoked.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'user.pem',
        '-no_nonce',
      ],
      dir,
    );
    assert.equal(revoked.code, 0, revoked.output);
    assert.match(revoked.stderr, /Response verify OK/);
    assert.match(revoked.stdout, /user\.pem: revoked/);
    assert.match(revoked.stdout, /Reason: keyCompromise/);
    assert.match(revoked.stdout, /Revocation Time:/);
    const parsed = parseOcspResponse(response);
    assert.equal(parsed.certStatus, 'revoked');
    assert.equal(parsed.revocationReason, CrlReason.keyCompromise);
    assert.ok(parsed.revokedAt instanceof Date);
    // The platform signing certificate is unaffected.
    assert.equal(
      parseOcspResponse(
        await pki.ocspResponder.respond(buildOcspRequest(pki.signingCertificate, pki.issuingCertificate)),
      ).certStatus,
      'good',
    );
  });

  it('answers garbage with malformedRequest and never throws', async () => {
    const valid = read('req.der');
    const inputs = [
      new Uint8Array(0),
      new Uint8Array([1, 2, 3]),
      valid.subarray(0, valid.length - 5),
      new Uint8Array([...valid, 0]),
      new TextEncoder().encode('GET / HTTP/1.1'),
    ];
    for (const [i, input] of inputs.entries()) {
      const response = await pki.ocspResponder.respond(input);
      assert.equal(parseOcspResponse(response).status, 'malformedRequest', `input ${i}`);
      writeFileSync(join(dir, `bad-${i}.der`), response);
      const text = await openssl(['ocsp', '-respin', `bad-${i}.der`, '-resp_text'], dir);
      assert.match(text.output, /malformedrequest/i, `input ${i}`);
    }
    assert.equal(await parseOcspResponse(read('bad-0.der')).verify(pki.issuingCertificate), false);
  });

  it('answers unknown for a certificate of another issuer', async () => {
    // The issuing CA certificate is issued by the root, which this responder does not serve.
    const response = await pki.ocspResponder.respond(buildOcspRequest(pki.issuingCertificate, pki.rootCertificate));
    writeFileSync(join(dir, 'other-issuer.der'), response);
    const text = await openssl(
      ['ocsp', '-respin', 'other-issuer.der', '-issuer', 'root.pem', '-cert', 'issuing.pem', '-noverify', '-no_nonce'],
      dir,
    );
    assert.match(text.stdout, /issuing\.pem: unknown/, text.output);
    assert.equal(parseOcspResponse(response).certStatus, 'unknown');
    assert.equal(await pki.revocationProvider.ocsp(pki.issuingCertificate, pki.rootCertificate), null);
  });

  it('parseOcspResponse.verify rejects a tampered response', async () => {
    const response = await pki.ocspResponder.respond(buildOcspRequest(pki.signingCertificate, pki.issuingCertificate));
    assert.equal(await parseOcspResponse(response).verify(pki.issuingCertificate), true);
    const tampered = new Uint8Array(response);
    // Flip a bit inside the signature value (which sits before the embedded responder certificate).
    const certAt = Buffer.from(tampered).indexOf(Buffer.from(pki.ocspCertificate));
    tampered[certAt - 40] ^= 0x01;
    assert.equal(await parseOcspResponse(tampered).verify(pki.issuingCertificate), false);
    assert.throws(
      () => parseOcspResponse(new Uint8Array([0x30, 0x03, 0x0a, 0x01])),
      (e) => isCoreError(e, 'OCSP_BAD_RESPONSE'),
    );
  });

  it('parses the requests it builds: SHA-1 CertID, optional nonce', () => {
    const plain = parseOcspRequest(buildOcspRequest(pki.signingCertificate, pki.issuingCertificate));
    assert.equal(plain.certIds.length, 1);
    assert.equal(plain.certIds[0].hashAlgorithmOid, '1.3.14.3.2.26');
    assert.equal(plain.certIds[0].serialHex, certificateSerialHex(pki.signingCertificate));
    assert.equal(plain.nonceExtension, undefined);
    assert.notEqual(
      parseOcspRequest(buildOcspRequest(pki.signingCertificate, pki.issuingCertificate, { nonce: true }))
        .nonceExtension,
      undefined,
    );
  });

  it('serves OCSP in-process through the revocation provider', async () => {
    const response = await pki.revocationProvider.ocsp(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(response !== null);
    writeFileSync(join(dir, 'provider.der'), response);
    const check = await openssl(
      [
        'ocsp',
        '-respin',
        'provider.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'signing.pem',
        '-no_nonce',
      ],
      dir,
    );
    assert.equal(check.code, 0, check.output);
    assert.match(check.stdout, /signing\.pem: good/);
  });
});
