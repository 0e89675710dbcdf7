import assert from 'node:assert/strict';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createPublicKey, X509Certificate } from 'node:crypto';
import { isCoreError } from '../../src/errors.ts';
import {
  buildOcspRequest,
  certificateSerialHex,
  initBuiltinPki,
  issueSigningCertificate,
  keyFilePassphrase,
  loadBuiltinPki,
  parseMasterKey,
  parseOcspResponse,
  type BuiltinPki,
} from '../../src/pki/index.ts';
import { createPkiFixture } from '../helpers/pki-fixture.ts';
import { openssl, run, tempDir } from './pki-fixtures.ts';

const ORG = '株式会社インカン';

/** The SubjectPublicKeyInfo (DER) of a certificate's key. */
function readPublicSpki(certificate: Uint8Array): Uint8Array {
  return new Uint8Array(
    createPublicKey(new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'pem' })).export({
      type: 'spki',
      format: 'der',
    }),
  );
}
const PUBLIC_URL = 'https://sign.example.jp/';

function pem(der: Uint8Array): string {
  return new X509Certificate(der).toString();
}

/** Verifies a signature made by a Signer with `openssl dgst -sha256 -verify` against the certificate's public key. */
async function opensslVerifiesSignature(
  dir: string,
  certificate: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
): Promise<string> {
  writeFileSync(join(dir, 'leaf.pem'), pem(certificate));
  writeFileSync(join(dir, 'data.bin'), data);
  writeFileSync(join(dir, 'sig.bin'), signature);
  const pub = await openssl(['x509', '-in', 'leaf.pem', '-pubkey', '-noout', '-out', 'leaf.pub'], dir);
  assert.equal(pub.code, 0, pub.output);
  return (await openssl(['dgst', '-sha256', '-verify', 'leaf.pub', '-signature', 'sig.bin', 'data.bin'], dir)).output;
}

/** A serial number as certificateSerialHex writes one (16 random bytes, the first non-zero). */
function randomSerialHex(): string {
  return `5a${randomBytes(15).toString('hex')}`;
}

describe('built-in PKI (RSA, master key file)', () => {
  const tmp = tempDir('pki');
  const dir = join(tmp.path, 'pki');
  let pki: BuiltinPki;

  before(async () => {
    const result = await initBuiltinPki({ dir, publicUrl: PUBLIC_URL, organisationName: ORG });
    assert.equal(result.created, true);
    pki = await loadBuiltinPki({ dir });
  });
  after(() => tmp.cleanup());

  it('makes a chain that openssl verifies for the signing, TSA and OCSP certificates', async () => {
    const result = await openssl(
      [
        'verify',
        '-x509_strict',
        '-CAfile',
        'root.pem',
        '-untrusted',
        'issuing.pem',
        'signing.pem',
        'tsa.pem',
        'ocsp.pem',
      ],
      dir,
    );
    assert.equal(result.code, 0, result.output);
    assert.match(result.stdout, /signing\.pem: OK/);
    assert.match(result.stdout, /tsa\.pem: OK/);
    assert.match(result.stdout, /ocsp\.pem: OK/);
    // openssl's purpose checks look at the key usages and (for TSA) the critical timeStamping EKU.
    const tsa = await openssl(
      ['verify', '-purpose', 'timestampsign', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'tsa.pem'],
      dir,
    );
    assert.equal(tsa.code, 0, tsa.output);
    const signingAsTsa = await openssl(
      ['verify', '-purpose', 'timestampsign', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'signing.pem'],
      dir,
    );
    assert.notEqual(signingAsTsa.code, 0, 'the signing certificate must not pass as a TSA certificate');
    const smime = await openssl(
      ['verify', '-purpose', 'smimesign', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'signing.pem'],
      dir,
    );
    assert.equal(smime.code, 0, smime.output);
  });

  it('makes a signing certificate that NSS (the engine of pdfsig) accepts for signing once the root is trusted', async () => {
    const nss = join(tmp.path, 'nss');
    mkdirSync(nss);
    const certutil = (args: string[]): Promise<{ code: number; output: string }> =>
      run('certutil', ['-d', `sql:${nss}`, ...args]);
    assert.equal((await certutil(['-N', '--empty-password'])).code, 0);
    for (const [name, trust] of [
      ['root', 'CT,C,C'],
      ['issuing', ',,'],
      ['signing', ',,'],
    ]) {
      const added = await certutil(['-A', '-n', name, '-t', trust, '-i', join(dir, `${name}.pem`)]);
      assert.equal(added.code, 0, added.output);
    }
    const valid = await certutil(['-V', '-u', 'S', '-n', 'signing']);
    assert.match(valid.output, /certificate is valid/);
    const asCa = await certutil(['-V', '-u', 'V', '-n', 'signing']);
    assert.match(asCa.output, /certificate is invalid/);
  });

  it('puts the required extensions in each certificate', async () => {
    const text = async (name: string): Promise<string> => {
      const r = await openssl(['x509', '-in', `${name}.pem`, '-noout', '-text'], dir);
      assert.equal(r.code, 0, r.output);
      return r.stdout;
    };
    const root = await text('root');
    assert.match(root, /Basic Constraints: critical\s+CA:TRUE\s/);
    assert.match(root, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(root, /Subject Key Identifier/);

    const issuing = await text('issuing');
    assert.match(issuing, /Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    assert.match(issuing, /Key Usage: critical\s+Certificate Sign, CRL Sign/);
    assert.match(issuing, /CA Issuers - URI:https:\/\/sign\.example\.jp\/pki\/ca\/root\.cer/);
    assert.match(issuing, /URI:https:\/\/sign\.example\.jp\/pki\/crl\/root\.crl/);
    assert.match(issuing, /Authority Key Identifier/);

    const signing = await text('signing');
    assert.match(signing, /Key Usage: critical\s+Digital Signature, Non Repudiation/);
    assert.match(signing, /Extended Key Usage: \s+1\.3\.6\.1\.5\.5\.7\.3\.36, E-mail Protection/);
    assert.doesNotMatch(signing, /Extended Key Usage: critical/);
    assert.match(signing, /OCSP - URI:https:\/\/sign\.example\.jp\/pki\/ocsp/);
    assert.match(signing, /CA Issuers - URI:https:\/\/sign\.example\.jp\/pki\/ca\/issuing\.cer/);
    assert.match(signing, /URI:https:\/\/sign\.example\.jp\/pki\/crl\/issuing\.crl/);
    assert.match(signing, /Basic Constraints: critical\s+CA:FALSE/);

    const tsa = await text('tsa');
    assert.match(tsa, /Extended Key Usage: critical\s+Time Stamping\s/);
    assert.match(tsa, /Key Usage: critical\s+Digital Signature, Non Repudiation/);

    const ocsp = await text('ocsp');
    assert.match(ocsp, /Extended Key Usage: \s+OCSP Signing/);
    assert.match(ocsp, /OCSP No Check/);
    assert.match(ocsp, /CA Issuers - URI:https:\/\/sign\.example\.jp\/pki\/ca\/issuing\.cer/);

    // Subjects (UTF-8 organisation name) and 16-byte positive serials.
    const signingCert = new X509Certificate(pki.signingCertificate);
    assert.match(signingCert.subject, /CN=Inkan Signing Service/);
    assert.match(signingCert.subject, new RegExp(`O=${ORG}`));
    for (const der of [
      pki.rootCertificate,
      pki.issuingCertificate,
      pki.signingCertificate,
      pki.tsaCertificate,
      pki.ocspCertificate,
    ]) {
      const serial = new X509Certificate(der).serialNumber;
      assert.equal(serial.length, 32, serial);
      assert.ok(parseInt(serial[0], 16) < 8, 'serial must be positive without a leading zero octet');
    }
    assert.equal(pki.rootPem().trim(), readFileSync(join(dir, 'root.pem'), 'utf8').trim());
  });

  it('writes a manifest without secrets and keeps the CA keys RSA-3072', async () => {
    const manifestText = readFileSync(join(dir, 'pki.json'), 'utf8');
    const manifest = JSON.parse(manifestText);
    assert.equal(manifest.caKeyAlgorithm, 'RSA-3072');
    assert.equal(manifest.signingKeyAlgorithm, 'RSA-2048');
    assert.equal(manifest.publicUrl, 'https://sign.example.jp');
    const masterHex = readFileSync(join(dir, 'master.key'), 'utf8').trim();
    assert.ok(!manifestText.includes(masterHex));
    assert.ok(!manifestText.includes(keyFilePassphrase(parseMasterKey(masterHex))));
    assert.doesNotMatch(manifestText, /PRIVATE KEY/);
    const root = await openssl(['x509', '-in', 'root.pem', '-noout', '-text'], dir);
    assert.match(root.stdout, /Public-Key: \(3072 bit\)/);
  });

  it('is idempotent: a second init changes nothing', async () => {
    const before = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    const again = await initBuiltinPki({ dir, publicUrl: 'https://other.example/', signingKeyAlgorithm: 'ECDSA-P256' });
    assert.equal(again.created, false);
    const afterFiles = Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
    assert.deepEqual(afterFiles, before);
    const reloaded = await loadBuiltinPki({ dir });
    assert.deepEqual(reloaded.signingCertificate, pki.signingCertificate);
    assert.deepEqual(reloaded.rootCertificate, pki.rootCertificate);
  });

  it('stores keys encrypted (0600) so that only the derived passphrase opens them', async () => {
    const passphrase = keyFilePassphrase(parseMasterKey(readFileSync(join(dir, 'master.key'), 'utf8')));
    assert.equal(statSync(join(dir, 'master.key')).mode & 0o777, 0o600);
    const keyFiles = readdirSync(dir).filter((f) => f.endsWith('.key.pem'));
    assert.equal(keyFiles.length, 5);
    for (const file of keyFiles) {
      const text = readFileSync(join(dir, file), 'utf8');
      assert.match(text, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      assert.doesNotMatch(text, /BEGIN (RSA |EC )?PRIVATE KEY/);
      assert.equal(statSync(join(dir, file)).mode & 0o777, 0o600, file);
      const structure = await openssl(['asn1parse', '-in', file], dir);
      assert.match(structure.stdout, /PBES2/);
      assert.match(structure.stdout, /aes-256-cbc/);
      const wrong = await openssl(['pkey', '-in', file, '-passin', 'pass:not-the-passphrase', '-noout'], dir);
      assert.notEqual(wrong.code, 0, `${file} opened with a wrong passphrase`);
    }
    // The decrypted signing key is the one of the signing certificate.
    const pub = await openssl(['pkey', '-in', 'signing.key.pem', '-passin', `pass:${passphrase}`, '-pubout'], dir);
    assert.equal(pub.code, 0, pub.output);
    const certPub = await openssl(['x509', '-in', 'signing.pem', '-noout', '-pubkey'], dir);
    assert.equal(pub.stdout, certPub.stdout);
  });

  it('rejects a wrong master key with PKI_BAD_MASTER_KEY', async () => {
    await assert.rejects(loadBuiltinPki({ dir, masterKey: new Uint8Array(32).fill(7) }), (e) =>
      isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );
    await assert.rejects(loadBuiltinPki({ dir, masterKey: new Uint8Array(16) }), (e) =>
      isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );
  });

  it("with openKeys 'when-used' opens each key on its first signature: a damaged signing key stops neither OCSP nor CRLs, and a wrong master key shows on the first answer", async () => {
    const copy = join(tmp.path, 'pki-damaged-signing-key');
    cpSync(dir, copy, { recursive: true });
    writeFileSync(join(copy, 'signing.key.pem'), 'damaged\n');
    await assert.rejects(loadBuiltinPki({ dir: copy }), (e) => isCoreError(e, 'PKI_INVALID'));

    const lazy = await loadBuiltinPki({ dir: copy, openKeys: 'when-used' });
    const crl = await lazy.revocationProvider.crl(pki.issuingCertificate, pki.rootCertificate);
    assert.ok(crl instanceof Uint8Array);
    writeFileSync(join(tmp.path, 'lazy.crl'), crl);
    writeFileSync(join(tmp.path, 'lazy-root.pem'), pki.rootPem());
    const checked = await openssl(
      ['crl', '-inform', 'DER', '-in', 'lazy.crl', '-CAfile', 'lazy-root.pem', '-noout'],
      tmp.path,
    );
    assert.match(checked.output, /verify OK/);
    const ocsp = await lazy.revocationProvider.ocsp(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(ocsp instanceof Uint8Array && ocsp.length > 0);
    await assert.doesNotReject(lazy.openRevocationKeys());
    assert.equal(lazy.signingSigner.keyAlgorithm, 'RSA');
    await assert.rejects(lazy.signingSigner.sign(new Uint8Array([1])), (e) => isCoreError(e, 'PKI_INVALID'));

    const wrong = await loadBuiltinPki({ dir, masterKey: new Uint8Array(32).fill(7), openKeys: 'when-used' });
    await assert.rejects(wrong.revocationProvider.crl(pki.issuingCertificate, pki.rootCertificate), (e) =>
      isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );
    await assert.rejects(wrong.openRevocationKeys(), (e) => isCoreError(e, 'PKI_BAD_MASTER_KEY'));
  });

  it('reports a directory without a PKI as PKI_NOT_INITIALISED', async () => {
    await assert.rejects(loadBuiltinPki({ dir: tmp.path }), (e) => isCoreError(e, 'PKI_NOT_INITIALISED'));
  });

  it('gives a signing Signer with chain [signing, issuing, root] whose signatures openssl verifies', async () => {
    assert.equal(pki.signingSigner.keyAlgorithm, 'RSA');
    assert.deepEqual(pki.signingSigner.certificateChain, [
      pki.signingCertificate,
      pki.issuingCertificate,
      pki.rootCertificate,
    ]);
    assert.deepEqual(pki.tsaSigner.certificateChain, [pki.tsaCertificate, pki.issuingCertificate, pki.rootCertificate]);
    const data = new TextEncoder().encode('契約書 v1');
    const output = await opensslVerifiesSignature(
      tmp.path,
      pki.signingCertificate,
      data,
      await pki.signingSigner.sign(data),
    );
    assert.match(output, /Verified OK/);
    const wrong = await opensslVerifiesSignature(
      tmp.path,
      pki.signingCertificate,
      new TextEncoder().encode('契約書 v2'),
      await pki.signingSigner.sign(data),
    );
    assert.match(wrong, /Verification failure/);
  });

  it('keeps every certificate issued by several instances at once (threads, processes): none unknown to OCSP', async () => {
    // Two loads of one directory stand for two job worker threads or two worker processes.
    const [a, b] = await Promise.all([loadBuiltinPki({ dir }), loadBuiltinPki({ dir })]);
    const spki = readPublicSpki(a.signingCertificate);
    const issue = (p: typeof a, i: number) =>
      issueSigningCertificate(p, { publicKeySpki: spki, subjectCommonName: `署名者 ${i}`, keyAlgorithm: 'RSA' });
    const certificates = await Promise.all(Array.from({ length: 40 }, (_, i) => issue(i % 2 === 0 ? a : b, i)));
    for (const der of certificates) {
      const serial = new X509Certificate(der).serialNumber;
      assert.deepEqual(await pki.statusOf('issuing', serial), { status: 'good' }, `serial ${serial}`);
    }
  });

  it('follows the issued-certificate log as it grows, a line half-written, a restored log and a damaged line', async () => {
    // `reader` stands for the OCSP responder of another process; `pki` issues, as a job worker does.
    const copy = join(tmp.path, 'pki-log-copy');
    cpSync(dir, copy, { recursive: true });
    const reader = await loadBuiltinPki({ dir: copy });
    const writer = await loadBuiltinPki({ dir: copy });
    const spki = readPublicSpki(writer.signingCertificate);
    const issue = async (name: string): Promise<string> =>
      certificateSerialHex(
        await issueSigningCertificate(writer, { publicKeySpki: spki, subjectCommonName: name, keyAlgorithm: 'RSA' }),
      );
    const first = await issue('一人目');
    assert.deepEqual(await reader.statusOf('issuing', first), { status: 'good' });
    const second = await issue('二人目');
    assert.deepEqual(await reader.statusOf('issuing', second), { status: 'good' }, 'appended after the first read');

    // Another process is halfway through appending a line: the part written is not a record yet.
    const log = join(copy, 'issued.jsonl');
    const before = readFileSync(log);
    const third = randomSerialHex();
    const line = `${JSON.stringify({ serialHex: third, issuer: 'issuing', subject: 'CN=三人目', profile: 'signing', notAfter: '2030-01-01T00:00:00.000Z' })}\n`;
    appendFileSync(log, line.slice(0, 30));
    assert.deepEqual(await reader.statusOf('issuing', third), { status: 'unknown' });
    assert.deepEqual(await reader.statusOf('issuing', second), { status: 'good' });
    appendFileSync(log, line.slice(30));
    assert.deepEqual(await reader.statusOf('issuing', third), { status: 'good' }, 'the line once complete');

    // A restore puts back an older (shorter) log: what it lacks is unknown again.
    writeFileSync(log, before);
    assert.deepEqual(await reader.statusOf('issuing', third), { status: 'unknown' });
    assert.deepEqual(await reader.statusOf('issuing', second), { status: 'good' });

    // A damaged line is an error, not a silently unknown certificate; once mended, answers come back.
    appendFileSync(log, 'not a record\n');
    await assert.rejects(reader.statusOf('issuing', second), (e) => isCoreError(e, 'PKI_INVALID'));
    writeFileSync(log, before);
    assert.deepEqual(await reader.statusOf('issuing', second), { status: 'good' });
  });

  it('reads log records in any valid form (key order, escapes, upper-case hex) and refuses lines that are none', async () => {
    const copy = join(tmp.path, 'pki-log-forms');
    cpSync(dir, copy, { recursive: true });
    const log = join(copy, 'issued.jsonl');
    const mended = existsSync(log) ? readFileSync(log) : Buffer.alloc(0);
    const record = (fields: Record<string, unknown>) => `${JSON.stringify(fields)}\n`;
    const serial = randomSerialHex();
    // Keys in another order, escapes in the subject, the serial in upper case: still this certificate.
    appendFileSync(
      log,
      record({
        issuer: 'issuing',
        notAfter: '2030-01-01T00:00:00.000Z',
        profile: 'signing',
        subject: 'CN="四人目" \\ \u0007',
        serialHex: serial.toUpperCase(),
      }),
    );
    const reader = await loadBuiltinPki({ dir: copy });
    assert.deepEqual(await reader.statusOf('issuing', serial), { status: 'good' });
    assert.deepEqual(await reader.statusOf('root', serial), { status: 'unknown' }, 'another issuer');
    await reader.revoke(serial);
    assert.equal((await reader.statusOf('issuing', serial)).status, 'revoked');

    const valid = {
      serialHex: randomSerialHex(),
      issuer: 'issuing',
      subject: 'CN=x',
      profile: 'signing',
      notAfter: 'x',
    };
    for (const [why, line] of [
      ['a serial number that is not hex', record({ ...valid, serialHex: 'serial-1' })],
      ['an unknown profile', record({ ...valid, profile: 'admin' })],
      ['an unknown issuer', record({ ...valid, issuer: 'other' })],
      ['a field missing', record({ ...valid, notAfter: undefined })],
      ['a raw control character', record(valid).replace('CN=x', 'CN=\u0001')],
      ['JSON that is not an object', '"text"\n'],
    ] as const) {
      writeFileSync(log, Buffer.concat([mended, Buffer.from(line)]));
      const fresh = await loadBuiltinPki({ dir: copy });
      await assert.rejects(fresh.statusOf('issuing', valid.serialHex), (e) => isCoreError(e, 'PKI_INVALID'), why);
    }
  });

  it("answers the seal's OCSP for a certificate its CA signed without reading the issued-certificate log", async () => {
    const copy = join(tmp.path, 'pki-in-hand');
    cpSync(dir, copy, { recursive: true });
    const issuer = await loadBuiltinPki({ dir: copy });
    const spki = readPublicSpki(issuer.signingCertificate);
    const issue = (name: string) =>
      issueSigningCertificate(issuer, { publicKeySpki: spki, subjectCommonName: name, keyAlgorithm: 'RSA' });
    const [kept, revoked] = [await issue('保持'), await issue('失効')];
    await issuer.revoke(certificateSerialHex(revoked));
    // A damaged log: any read of the registry now fails with PKI_INVALID.
    appendFileSync(join(copy, 'issued.jsonl'), 'not a record\n');
    const sealer = await loadBuiltinPki({ dir: copy });
    const statusFor = async (certificate: Uint8Array) => {
      const answer = await sealer.revocationProvider.ocsp!(certificate, sealer.issuingCertificate);
      const parsed = parseOcspResponse(answer!);
      // An answer that could not be made (the damaged log) is an OCSP error status, not a certificate's.
      return parsed.status === 'successful' ? parsed.certStatus : parsed.status;
    };
    assert.equal(await statusFor(kept), 'good');
    assert.equal(await statusFor(revoked), 'revoked');
    // A certificate the CA's key did not sign (another installation's, naming the same issuer) proves
    // nothing: it goes to the registry, as an OCSP request does.
    const other = await createPkiFixture();
    try {
      const foreign = await issueSigningCertificate(other.pki, {
        publicKeySpki: spki,
        subjectCommonName: '他所',
        keyAlgorithm: 'RSA',
      });
      assert.equal(await statusFor(foreign), 'internalError');
    } finally {
      other.cleanup();
    }
    await assert.rejects(sealer.statusOf('issuing', certificateSerialHex(kept)), (e) => isCoreError(e, 'PKI_INVALID'));
  });

  it('issues a signing certificate for an externally held key and answers OCSP for it', async () => {
    const gen = await openssl(
      ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'hsm.key'],
      tmp.path,
    );
    assert.equal(gen.code, 0, gen.output);
    const spki = await openssl(['pkey', '-in', 'hsm.key', '-pubout', '-outform', 'DER', '-out', 'hsm.spki'], tmp.path);
    assert.equal(spki.code, 0, spki.output);
    const publicKeySpki = new Uint8Array(readFileSync(join(tmp.path, 'hsm.spki')));
    await assert.rejects(
      issueSigningCertificate(pki, { publicKeySpki, subjectCommonName: 'x', keyAlgorithm: 'RSA' }),
      (e) => isCoreError(e, 'PKI_INVALID'),
    );

    const cert = await issueSigningCertificate(pki, {
      publicKeySpki,
      subjectCommonName: '山田 太郎',
      keyAlgorithm: 'ECDSA-P256',
    });
    writeFileSync(join(tmp.path, 'hsm.pem'), pem(cert));
    writeFileSync(join(tmp.path, 'root.pem'), pki.rootPem());
    writeFileSync(join(tmp.path, 'issuing.pem'), pki.issuingPem());
    const verify = await openssl(['verify', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'hsm.pem'], tmp.path);
    assert.equal(verify.code, 0, verify.output);
    const text = await openssl(['x509', '-in', 'hsm.pem', '-noout', '-text'], tmp.path);
    assert.match(text.stdout, /Extended Key Usage: \s+1\.3\.6\.1\.5\.5\.7\.3\.36, E-mail Protection/);
    assert.match(text.stdout, /prime256v1/);
    assert.match(new X509Certificate(cert).subject, /CN=山田 太郎/);

    const response = await pki.ocspResponder.respond(buildOcspRequest(cert, pki.issuingCertificate));
    writeFileSync(join(tmp.path, 'hsm-resp.der'), response);
    const ocsp = await openssl(
      [
        'ocsp',
        '-respin',
        'hsm-resp.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'hsm.pem',
        '-no_nonce',
      ],
      tmp.path,
    );
    assert.equal(ocsp.code, 0, ocsp.output);
    assert.match(ocsp.stdout, /hsm\.pem: good/);
    assert.deepEqual(await pki.statusOf('issuing', certificateSerialHex(cert)), { status: 'good' });
  });

  it('refuses to revoke a serial it never issued', async () => {
    await assert.rejects(pki.revoke('0badc0de'), (e) => isCoreError(e, 'PKI_UNKNOWN_CERTIFICATE'));
    assert.deepEqual(await pki.statusOf('issuing', '0badc0de'), { status: 'unknown' });
  });
});

describe('built-in PKI with a caller-supplied master key', () => {
  const tmp = tempDir('pki-master');
  after(() => tmp.cleanup());

  it('accepts hex or base64, writes no master.key, and needs the key to load', async () => {
    const hex = 'a1'.repeat(32);
    const masterKey = parseMasterKey(hex);
    assert.deepEqual(parseMasterKey(Buffer.from(masterKey).toString('base64')), masterKey);
    assert.throws(
      () => parseMasterKey('abcd'),
      (e) => isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );
    assert.throws(
      () => parseMasterKey('not a key!'),
      (e) => isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );

    const created = await initBuiltinPki({ dir: tmp.path, publicUrl: 'http://localhost:3000', masterKey });
    assert.equal(created.created, true);
    assert.ok(!readdirSync(tmp.path).includes('master.key'));
    await assert.rejects(loadBuiltinPki({ dir: tmp.path }), (e) => isCoreError(e, 'PKI_BAD_MASTER_KEY'));
    await assert.rejects(loadBuiltinPki({ dir: tmp.path, masterKey: parseMasterKey('b2'.repeat(32)) }), (e) =>
      isCoreError(e, 'PKI_BAD_MASTER_KEY'),
    );
    const pki = await loadBuiltinPki({
      dir: tmp.path,
      masterKey: parseMasterKey(Buffer.from(masterKey).toString('base64')),
    });
    const pass = keyFilePassphrase(masterKey);
    const opened = await openssl(['pkey', '-in', 'root.key.pem', '-passin', `pass:${pass}`, '-noout'], tmp.path);
    assert.equal(opened.code, 0, opened.output);
    assert.equal(pki.manifest.masterKeyFile, null);
  });
});

describe('built-in PKI with ECDSA P-256 end-entity keys', () => {
  const tmp = tempDir('pki-ec');
  let pki: BuiltinPki;
  before(async () => {
    await initBuiltinPki({ dir: tmp.path, publicUrl: 'http://127.0.0.1:8080', signingKeyAlgorithm: 'ECDSA-P256' });
    pki = await loadBuiltinPki({ dir: tmp.path });
  });
  after(() => tmp.cleanup());

  it('issues P-256 signing, TSA and OCSP certificates under the RSA CAs that openssl verifies', async () => {
    const verify = await openssl(
      ['verify', '-CAfile', 'root.pem', '-untrusted', 'issuing.pem', 'signing.pem', 'tsa.pem', 'ocsp.pem'],
      tmp.path,
    );
    assert.equal(verify.code, 0, verify.output);
    for (const name of ['signing', 'tsa', 'ocsp']) {
      const text = await openssl(['x509', '-in', `${name}.pem`, '-noout', '-text'], tmp.path);
      assert.match(text.stdout, /Public Key Algorithm: id-ecPublicKey/);
      assert.match(text.stdout, /NIST CURVE: P-256/);
    }
    assert.equal(pki.signingSigner.keyAlgorithm, 'ECDSA-P256');
    assert.equal(pki.tsaSigner.keyAlgorithm, 'ECDSA-P256');
  });

  it('signs with ECDSA (DER signature) and answers OCSP with an ECDSA-signed response openssl accepts', async () => {
    const data = new TextEncoder().encode('hello');
    assert.match(
      await opensslVerifiesSignature(tmp.path, pki.signingCertificate, data, await pki.signingSigner.sign(data)),
      /Verified OK/,
    );
    const response = await pki.ocspResponder.respond(buildOcspRequest(pki.signingCertificate, pki.issuingCertificate));
    writeFileSync(join(tmp.path, 'resp.der'), response);
    const ocsp = await openssl(
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
      tmp.path,
    );
    assert.equal(ocsp.code, 0, ocsp.output);
    assert.match(ocsp.stdout, /Signature Algorithm: ecdsa-with-SHA256/);
    assert.match(ocsp.stdout, /signing\.pem: good/);
    assert.match(ocsp.stderr, /Response verify OK/);
  });
});
