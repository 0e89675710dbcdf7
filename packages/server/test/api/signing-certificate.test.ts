// 署名用証明書 (issue 13 part 4), on SQLite and PostgreSQL: an administrator uploads a PKCS#12 of an
// external CA made by openssl (standing in for a public, AATL-listed one), bad uploads are refused with
// codes and write nothing, and an envelope signed in `organization` mode is valid AND trusted for pdfsig
// with an NSS database holding only the external root, and for `inkan verify --trust <that root>`;
// `both` adds the organisation's signature after the witness ones; removing the upload falls back to witness.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyPdf } from '@inkan/core';
import { makeExternalCa, makePkcs12, type ExternalCa } from '../../../core/test/helpers/external-ca.ts';
import { PROFILE } from '../../../core/test/helpers/openssl-ca.ts';
import {
  createNssDb,
  extractSignatures,
  opensslCmsVerify,
  pdfsig,
  pdfText,
} from '../../../core/test/helpers/validators.ts';
import { verifyEventChain } from '../../src/domain/record-event.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { asSession, signIn, type TestSession } from './helpers/admin-session.ts';
import { multipart, snapshot, startHarness, type Harness } from './helpers/harness.ts';
import { signEnvelope, startExternalTsa, type ExternalTsa } from './helpers/trusted-signing.ts';

const DAY = 24 * 3600_000;
const URL_PATH = '/api/v1/admin/signing-certificate';

let work: string;
let ca: ExternalCa;
let tsa: ExternalTsa;
let goodP12: Uint8Array;
let legacyP12: Uint8Array;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'inkan-trust-'));
  ca = await makeExternalCa(join(work, 'ca'), { key: 'ec' });
  const chain = [ca.intermediate.certificate.pemPath, ca.rootPemPath];
  goodP12 = makePkcs12(work, 'org-aes', {
    keyPath: ca.leaf.keyPath,
    certificatePath: ca.leaf.pemPath,
    chain,
    password: '秘密-pass',
  });
  legacyP12 = makePkcs12(work, 'org-legacy', {
    keyPath: ca.leaf.keyPath,
    certificatePath: ca.leaf.pemPath,
    chain,
    password: 'legacy',
    encoding: 'legacy-rc2',
  });
  tsa = await startExternalTsa(ca);
});

after(async () => {
  await tsa?.close();
  await ca?.close();
  rmSync(work, { recursive: true, force: true });
});

for (const dialect of DIALECTS) {
  describe(`signing certificate (${dialect})`, () => {
    let h: Harness;
    let admin: TestSession;

    before(async () => {
      h = await startHarness(dialect, { env: { INKAN_TSA_URLS: tsa.url } });
      admin = await signIn(h, h.org.admin);
    });
    after(async () => {
      await h?.close();
    });

    const upload = (p12: Uint8Array, password: string, chain?: Uint8Array) => {
      const body = multipart([
        { name: 'pkcs12', filename: 'org.p12', data: p12, contentType: 'application/x-pkcs12' },
        { name: 'password', value: password },
        ...(chain
          ? [{ name: 'chain', filename: 'chain.pem', data: chain, contentType: 'application/x-pem-file' }]
          : []),
      ]);
      return asSession(h, admin, 'PUT', URL_PATH, body.payload, { headers: body.headers });
    };

    it('refuses bad uploads with stable codes and writes nothing', async () => {
      const chain = [ca.intermediate.certificate.pemPath, ca.rootPemPath];
      const expired = ca.issue(`Expired Organization ${dialect}`, {
        notBefore: new Date(Date.now() - 30 * DAY),
        notAfter: new Date(Date.now() - DAY),
        extensions: [...PROFILE.signer],
        key: 'ec',
      });
      const other = ca.issue(`Other Organization ${dialect}`, {
        notBefore: new Date(Date.now() - DAY),
        notAfter: new Date(Date.now() + 30 * DAY),
        extensions: [...PROFILE.signer],
        key: 'ec',
      });
      const pem = (path: string) => new Uint8Array(readFileSync(path));
      const cases: Array<{
        what: string;
        send: () => ReturnType<typeof upload>;
        status: number;
        code: string;
        problem?: string;
      }> = [
        {
          what: 'wrong password',
          send: () => upload(goodP12, 'wrong'),
          status: 400,
          code: 'SIGNING_CERTIFICATE_PASSWORD',
        },
        {
          what: 'key and certificate do not match',
          send: () =>
            upload(
              makePkcs12(work, `key-only-${dialect}`, { keyPath: ca.leaf.keyPath, password: 'x' }),
              'x',
              new Uint8Array(
                Buffer.concat([pem(other.pemPath), pem(ca.intermediate.certificate.pemPath), pem(ca.rootPemPath)]),
              ),
            ),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'KEY_MISMATCH',
        },
        {
          what: 'expired',
          send: () =>
            upload(
              makePkcs12(work, `expired-${dialect}`, {
                keyPath: expired.keyPath,
                certificatePath: expired.pemPath,
                chain,
                password: 'x',
              }),
              'x',
            ),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'EXPIRED',
        },
        {
          what: 'a CA certificate as the signing certificate',
          send: () =>
            upload(
              makePkcs12(work, `ca-leaf-${dialect}`, {
                keyPath: ca.intermediate.certificate.keyPath,
                certificatePath: ca.intermediate.certificate.pemPath,
                chain: [ca.rootPemPath],
                password: 'x',
              }),
              'x',
            ),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'CA_CERTIFICATE',
        },
        {
          what: 'the chain missing',
          send: () =>
            upload(
              makePkcs12(work, `no-chain-${dialect}`, {
                keyPath: ca.leaf.keyPath,
                certificatePath: ca.leaf.pemPath,
                password: 'x',
              }),
              'x',
            ),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'CHAIN_INCOMPLETE',
        },
        {
          what: 'garbage',
          send: () => upload(new TextEncoder().encode('これは証明書ではありません'), 'x'),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'PKCS12_INVALID',
        },
        {
          what: 'a chain file that is not PEM',
          send: () => upload(goodP12, '秘密-pass', new TextEncoder().encode('garbage')),
          status: 400,
          code: 'SIGNING_CERTIFICATE_INVALID',
          problem: 'CHAIN_UNREADABLE',
        },
        {
          what: 'oversize',
          send: () => upload(new Uint8Array(300 * 1024), 'x'),
          status: 413,
          code: 'PAYLOAD_TOO_LARGE',
        },
      ];
      const beforeAll = await snapshot(h);
      for (const c of cases) {
        const res = await c.send();
        assert.equal(res.statusCode, c.status, `${c.what}: ${res.body}`);
        const error = res.json().error;
        assert.equal(error.code, c.code, c.what);
        if (c.problem) assert.equal(error.details.problem, c.problem, c.what);
        assert.match(
          error.message,
          /証明書|パスワード|ファイル|大きすぎ|サイズ/,
          `${c.what}: a Japanese message (${error.message})`,
        );
      }
      assert.deepEqual(await snapshot(h), beforeAll, 'no refused upload changed anything');
      const rows = await h.context.db.selectFrom('signing_certificates').selectAll().execute();
      assert.equal(rows.length, 0);
      // A mode that needs a certificate, without one.
      const mode = await asSession(h, admin, 'PATCH', URL_PATH, { mode: 'organization' });
      assert.equal(mode.statusCode, 409, mode.body);
      assert.equal(mode.json().error.code, 'SIGNING_CERTIFICATE_MISSING');
    });

    it('an envelope signed with the organisation certificate is valid and trusted with only the external root', async () => {
      const uploaded = await upload(legacyP12, 'legacy');
      assert.equal(uploaded.statusCode, 200, uploaded.body);
      assert.match(uploaded.json().uploaded.subject, /CN=Inkan Test Organization/);
      assert.match(uploaded.json().uploaded.root, /CN=Inkan Test Public Root CA/);
      assert.equal(uploaded.json().mode, 'witness', 'uploading does not change the mode');
      // Replacing it with the AES-256 export of the same key works the same.
      const replaced = await upload(goodP12, '秘密-pass');
      assert.equal(replaced.statusCode, 200, replaced.body);
      const row = await h.context.db.selectFrom('signing_certificates').selectAll().executeTakeFirstOrThrow();
      assert.doesNotMatch(
        JSON.stringify(row),
        /秘密-pass|BEGIN PRIVATE KEY/,
        'neither the password nor a plain key is stored',
      );
      const events = await h.context.db
        .selectFrom('events')
        .select(['details'])
        .where('action', '=', 'organization.signing-certificate-changed')
        .execute();
      assert.equal(events.length, 2);
      assert.doesNotMatch(JSON.stringify(events), /秘密-pass|legacy"/);

      const mode = await asSession(h, admin, 'PATCH', URL_PATH, { mode: 'organization' });
      assert.equal(mode.statusCode, 200, mode.body);
      assert.equal(mode.json().mode, 'organization');
      assert.equal(mode.json().source, 'upload');
      const shown = await asSession(h, admin, 'GET', URL_PATH);
      assert.equal(shown.json().mode, 'organization');

      const { bytes, envelopeId } = await signEnvelope(h);
      // pdfsig with an NSS database that trusts only the external root. Poppler 22.12 checks the chain of
      // the first signature by a certificate and reports later signatures by the SAME certificate as
      // "Unknown issue with Certificate or corrupted data." (a stale NSS error; it does the same for PDFs
      // signed twice by the core alone, with no Inkan code around): those are checked, each on its own,
      // with openssl cms -verify against that root alone. pdfsig cannot validate document timestamps.
      const nss = await createNssDb(ca.rootPemPath, { parentDir: work });
      const poppler = await pdfsig(bytes, { nssDir: nss, ocsp: true });
      assert.equal(poppler.signatures.length, 3, poppler.raw);
      const cades = poppler.signatures.filter((s) => s.subFilter === 'ETSI.CAdES.detached');
      assert.equal(cades.length, 2, poppler.raw);
      for (const s of cades) {
        assert.equal(s.validation, 'Signature is Valid.', `pdfsig #${s.index}: ${s.raw}`);
        assert.match(s.signerName ?? '', /Inkan Test Organization/);
      }
      assert.equal(cades[0].certificate, 'Certificate is Trusted.', cades[0].raw);
      for (const s of cades.slice(1))
        assert.ok(
          ['Certificate is Trusted.', 'Unknown issue with Certificate or corrupted data.'].includes(s.certificate),
          s.raw,
        );
      const untrustedNss = await createNssDb(h.context.signing.pki.rootPem(), { parentDir: work });
      const untrustedPoppler = await pdfsig(bytes, { nssDir: untrustedNss, ocsp: true });
      assert.equal(
        untrustedPoppler.signatures[0].certificate,
        "Certificate issuer isn't Trusted.",
        'the test can fail',
      );
      const extracted = extractSignatures(bytes).filter((s) => s.subFilter === 'ETSI.CAdES.detached');
      assert.equal(extracted.length, 2);
      for (const [i, sig] of extracted.entries()) {
        const cms = await opensslCmsVerify({
          cmsDer: sig.contents,
          content: sig.signedBytes,
          rootPem: readFileSync(ca.rootPemPath, 'utf8'),
        });
        assert.equal(
          cms.ok,
          true,
          `openssl cms -verify with only the external root, signature ${i + 1}: ${cms.output}`,
        );
      }

      // Each signature still names its signer and how they were authenticated.
      const report = await verifyPdf(bytes, { trustAnchors: [ca.rootDer] });
      assert.equal(report.exitCode, 0, report.summary + JSON.stringify(report.signatures.map((s) => s.problems)));
      const signatures = report.signatures.filter((s) => s.type === 'signature');
      assert.deepEqual(
        signatures.map((s) => s.claimed.name),
        ['山田 太郎 <taro@contractor.example.jp>', 'Alice Smith <alice@example.com>'],
      );
      assert.equal(
        signatures[0].claimed.reason,
        '署名者: 山田 太郎（メール認証・アクセスコード） / Signed by: 山田 太郎 <taro@contractor.example.jp> (email + access code)',
      );
      assert.ok(signatures.every((s) => s.signer?.commonName === 'Inkan Test Organization'));
      assert.ok(
        signatures.every((s) => s.level === 'B-LTA'),
        JSON.stringify(signatures.map((s) => s.level)),
      );

      // `inkan verify --trust <external root>` in an empty data directory: that root alone.
      const file = join(work, `signed-${dialect}.pdf`);
      writeFileSync(file, bytes);
      const cliDir = join(work, `cli-${dialect}`);
      mkdirSync(cliDir);
      const cli = await runInkan(['verify', file, '--trust', ca.rootPemPath], { dataDir: cliDir });
      assert.equal(cli.code, 0, cli.stdout + cli.stderr);
      const untrusted = await runInkan(['verify', file], { dataDir: cliDir });
      assert.notEqual(untrusted.code, 0, 'without the root the signatures are not trusted');

      // The operation log names the certificate that signed.
      const applied = await h.context.db
        .selectFrom('events')
        .select(['details'])
        .where('envelope_id', '=', envelopeId)
        .where('action', '=', 'recipient.signature-applied')
        .execute();
      assert.equal(applied.length, 2);
      for (const e of applied) assert.equal(JSON.parse(e.details).signingCertificate.sha256, row.sha256);
      // The certificate of completion says which certificate signed.
      const certificate = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelopeId}/certificate`);
      assert.equal(certificate.statusCode, 200);
      // (Lines wrap anywhere in the timeline's cells: compared without white space.)
      const text = (await pdfText(new Uint8Array(certificate.rawPayload))).replace(/\s+/g, '');
      assert.match(
        text,
        /電子署名を付与:山田太郎—署名用証明書O=InkanTrustSamples,CN=InkanTestOrganization（ルート:CN=InkanTestPublicRootCA/,
      );
      assert.equal((await verifyEventChain(h.context.db)).brokenAt, null);
    });

    it('`both`: a witness signature per signer, then the organisation certificate; removing it falls back to witness', async () => {
      const mode = await asSession(h, admin, 'PATCH', URL_PATH, { mode: 'both' });
      assert.equal(mode.statusCode, 200, mode.body);
      const { bytes } = await signEnvelope(h);
      const report = await verifyPdf(bytes, { trustAnchors: [ca.rootDer, ...h.context.signing.trustAnchors] });
      assert.equal(report.exitCode, 0, report.summary + JSON.stringify(report.signatures.map((s) => s.problems)));
      assert.equal(report.signatures.filter((s) => s.type === 'document-timestamp').length, 1);
      const signatures = report.signatures.filter((s) => s.type === 'signature');
      assert.equal(signatures.length, 3);
      assert.deepEqual(
        signatures.map((s) => s.signer?.commonName),
        ['山田 太郎', 'Alice Smith', 'Inkan Test Organization'],
      );
      assert.match(
        signatures[2].claimed.reason ?? '',
        /^署名者: 山田 太郎（メール認証・アクセスコード）、Alice Smith（メール認証・アクセスコード）/,
      );

      const removed = await asSession(h, admin, 'DELETE', URL_PATH);
      assert.equal(removed.statusCode, 200, removed.body);
      assert.equal(removed.json().mode, 'witness');
      assert.equal(removed.json().uploaded, null);
      const again = await asSession(h, admin, 'DELETE', URL_PATH);
      assert.equal(again.statusCode, 404);
      const witness = await signEnvelope(h);
      // (The TSA is the public CA's here, hence its root beside the installation's.)
      const witnessReport = await verifyPdf(witness.bytes, {
        trustAnchors: [ca.rootDer, ...h.context.signing.trustAnchors],
      });
      assert.equal(
        witnessReport.exitCode,
        0,
        witnessReport.summary + JSON.stringify(witnessReport.signatures.map((s) => s.problems)),
      );
      assert.equal(witnessReport.signatures.filter((s) => s.type === 'signature')[0].signer?.commonName, '山田 太郎');
    });
  });
}
