// `inkan verify --online` (the real CLI, a child process) against a live OCSP responder and CRL server
// started by the test (answers by `openssl ocsp` and `openssl ca -gencrl`, see
// core/test/helpers/revocation-server.ts): good → exit 0, revoked → exit 1 REVOKED, responder
// unreachable → exit 1 INDETERMINATE; without --online nothing is asked and the file is not trusted.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { KeyFileSigner, LocalTimestampAuthority, createTimestampResponder, signPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { OpensslCa, PROFILE, type IssuedCertificate } from '../../../core/test/helpers/openssl-ca.ts';
import {
  revocationUrls,
  startRevocationServer,
  type RevocationServer,
} from '../../../core/test/helpers/revocation-server.ts';
import { runInkan } from '../helpers/run-inkan.ts';

const DAY = 24 * 3600_000;
let work: string;
let dataDir: string;
let root: OpensslCa;
let tsa: IssuedCertificate;
let server: RevocationServer;
let pdf: Uint8Array;

interface JsonReport {
  exitCode: number;
  signatures: Array<{ indication: string; subIndication: string | null; revocation: { source: string } }>;
}

async function signedFile(name: string, urls: string[]): Promise<string> {
  const signer = root.issue(name, {
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    extensions: [...PROFILE.signer, ...urls],
  });
  const chain = [root.certificate.der];
  const signed = await signPdf(pdf, {
    signer: new KeyFileSigner(signer.keyPem, [signer.der, ...chain]),
    timestampAuthority: new LocalTimestampAuthority(
      createTimestampResponder({
        certificate: tsa.der,
        chain,
        signer: new KeyFileSigner(tsa.keyPem, [tsa.der, ...chain]),
      }),
    ),
    name,
  });
  const path = join(work, `${name.replace(/\W+/g, '-')}.pdf`);
  writeFileSync(path, signed);
  return path;
}

async function verify(file: string, ...flags: string[]): Promise<{ code: number; report: JsonReport }> {
  const run = await runInkan(['verify', file, '--trust', root.certificate.pemPath, '--json', ...flags], { dataDir });
  assert.equal(run.stderr, '', run.stderr);
  return { code: run.code, report: JSON.parse(run.stdout) as JsonReport };
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'inkan-online-cli-'));
  dataDir = join(work, 'data'); // not initialised: no installation root, no built-in CA answering
  mkdirSync(dataDir);
  root = OpensslCa.root(join(work, 'ca'), 'Online CLI Root');
  server = await startRevocationServer(root);
  tsa = root.issue('Online CLI TSA', {
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 5 * 365 * DAY),
    extensions: [...PROFILE.tsa, ...revocationUrls(server)],
  });
  pdf = await makePdf({ pages: 1 });
});
after(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('inkan verify --online against a live responder', () => {
  it('good: exit 0, TOTAL-PASSED with the revocation data asked online; without --online nothing is asked', async () => {
    server.mode = 'normal';
    const file = await signedFile('CLI Good Signer', revocationUrls(server));
    server.seen.length = 0;
    const offline = await verify(file);
    assert.equal(server.seen.length, 0, 'no request without --online');
    assert.equal(offline.code, 1);
    assert.equal(offline.report.signatures[0].indication, 'INDETERMINATE');

    const online = await verify(file, '--online');
    assert.equal(online.code, 0, JSON.stringify(online.report.signatures));
    assert.equal(online.report.signatures[0].indication, 'TOTAL-PASSED');
    assert.equal(online.report.signatures[0].revocation.source, 'online');
    assert.ok(server.seen.some((r) => r.method === 'POST' && r.path === '/ocsp'));
  });

  it('revoked (the responder says so): exit 1, TOTAL-FAILED / REVOKED', async () => {
    server.mode = 'normal';
    const name = 'CLI Revoked Signer';
    const file = await signedFile(name, revocationUrls(server));
    root.revoke(name, new Date(Date.now() - DAY / 2));
    const { code, report } = await verify(file, '--online');
    assert.equal(code, 1);
    assert.equal(report.signatures[0].indication, 'TOTAL-FAILED');
    assert.equal(report.signatures[0].subIndication, 'REVOKED');
  });

  it('responder unreachable: exit 1, INDETERMINATE / TRY_LATER (not trusted)', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const file = await signedFile('CLI Unreachable Signer', [
      `authorityInfoAccess=OCSP;URI:http://127.0.0.1:${port}/ocsp`,
      `crlDistributionPoints=URI:http://127.0.0.1:${port}/ca.crl`,
    ]);
    const { code, report } = await verify(file, '--online');
    assert.equal(code, 1);
    assert.equal(report.signatures[0].indication, 'INDETERMINATE');
    assert.equal(report.signatures[0].subIndication, 'TRY_LATER');
  });
});
