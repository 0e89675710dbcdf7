// The `inkan` CLI end to end: every test runs the real program as a child process with its own
// INKAN_DATA_DIR, and judges PDFs and tokens with independent tools (openssl, pdftotext, byte scans).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerificationReport } from '@inkan/core';
import { makePdf } from '../../core/test/helpers/make-pdf.ts';
import {
  extractSignatureTimestampToken,
  extractSignatures,
  opensslTsVerify,
  pdfText,
  runTool,
} from '../../core/test/helpers/validators.ts';
import {
  OPENSSL_TSA_POLICY,
  createTsaFixture,
  writeOpensslTsaConfig,
  type TsaFixture,
} from '../../core/test/tsp/tsa-fixture.ts';
import { INKAN_BIN, runInkan, SOURCE_INKAN_BIN, type InkanRun, type RunInkanOptions } from './helpers/run-inkan.ts';
import { refusedUrl, startOpensslTsa, startSilentServer, type TestEndpoint } from './helpers/tsa-servers.ts';

let work: string;
/** One initialised data dir for every test that does not need its own. */
let shared: string;
let sharedInit: InkanRun;
/** A plain two-page PDF. */
let plainPdf: string;
let tsaFixture: TsaFixture;
let opensslTsa: TestEndpoint;
/** Where the export-root test leaves the root certificate, for the --trust test. */
const exportedRoot = () => path('exported-root.pem');
const endpoints: TestEndpoint[] = [];

const path = (name: string) => join(work, name);
const inShared = (args: readonly string[], env?: Record<string, string>) => runInkan(args, { dataDir: shared, env });
/** A data dir path that does not exist (and must not be created by the command). */
const emptyDataDir = () => path(`empty-${randomBytes(4).toString('hex')}`);

function parseReport(run: InkanRun): VerificationReport {
  const report = JSON.parse(run.stdout) as VerificationReport;
  assert.equal(report.schemaVersion, 2);
  // The process exit code is the report's: scripts may use either.
  assert.equal(run.code, report.exitCode, run.stderr);
  return report;
}

async function verifyJson(
  file: string,
  options: Partial<RunInkanOptions> & { trust?: string[] } = {},
): Promise<VerificationReport> {
  const trust = (options.trust ?? []).flatMap((t) => ['--trust', t]);
  return parseReport(
    await runInkan(['verify', file, '--json', ...trust], { dataDir: options.dataDir ?? shared, env: options.env }),
  );
}

function assertOk(run: InkanRun, what: string): void {
  assert.equal(run.code, 0, `${what} failed (${run.code}):\n${run.stderr}`);
}

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'inkan-cli-'));
  shared = path('shared-data');
  plainPdf = path('plain.pdf');
  const [init, pdf, fixture] = await Promise.all([inShared(['init']), makePdf({ pages: 2 }), createTsaFixture()]);
  sharedInit = init;
  writeFileSync(plainPdf, pdf);
  tsaFixture = fixture;
  opensslTsa = await startOpensslTsa(tsaFixture, writeOpensslTsaConfig(tsaFixture));
  endpoints.push(opensslTsa);
});

after(async () => {
  await Promise.all(endpoints.map((e) => e.close()));
  tsaFixture?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('inkan init and the built-in PKI', () => {
  it('creates the data dir and PKI, and a second run changes nothing', async () => {
    assertOk(sharedInit, 'init');
    assert.match(sharedInit.stdout, /^initialised /);
    const pki = join(shared, 'pki');
    for (const file of ['pki.json', 'root.pem', 'issuing.pem', 'signing.pem', 'tsa.pem', 'ocsp.pem', 'master.key'])
      assert.ok(existsSync(join(pki, file)), file);
    const before = Object.fromEntries(readdirSync(pki).map((f) => [f, readFileSync(join(pki, f))]));

    const again = await inShared(['init']);
    assertOk(again, 'second init');
    assert.match(again.stdout, /already initialised/);
    const afterwards = Object.fromEntries(readdirSync(pki).map((f) => [f, readFileSync(join(pki, f))]));
    assert.deepEqual(Object.keys(afterwards).sort(), Object.keys(before).sort());
    assert.ok(afterwards['root.pem'].equals(before['root.pem']), 'root certificate bytes changed');
    assert.ok(afterwards['root.key.pem'].equals(before['root.key.pem']), 'root key changed');
  });

  it('with INKAN_MASTER_KEY writes no master.key, and later commands need that same key', async () => {
    const dataDir = path('keyed-data');
    const key = randomBytes(32).toString('hex');
    const wrongKey = randomBytes(32).toString('hex');
    const init = await runInkan(['init'], { dataDir, env: { INKAN_MASTER_KEY: key } });
    assertOk(init, 'init with a master key');
    assert.ok(existsSync(join(dataDir, 'pki', 'pki.json')));
    assert.equal(
      existsSync(join(dataDir, 'pki', 'master.key')),
      false,
      'the master key must not be stored next to the keys',
    );

    const out = (name: string) => path(`keyed-${name}.pdf`);
    const [exportWrong, signRight, signWrong, signNone, initWrong] = await Promise.all([
      runInkan(['pki', 'export-root'], { dataDir, env: { INKAN_MASTER_KEY: wrongKey } }),
      runInkan(['sign', plainPdf, out('right'), '--name', 'Keyed'], { dataDir, env: { INKAN_MASTER_KEY: key } }),
      runInkan(['sign', plainPdf, out('wrong'), '--name', 'Keyed'], { dataDir, env: { INKAN_MASTER_KEY: wrongKey } }),
      runInkan(['sign', plainPdf, out('none'), '--name', 'Keyed'], { dataDir }),
      runInkan(['init'], { dataDir, env: { INKAN_MASTER_KEY: wrongKey } }),
    ]);
    assertOk(signRight, 'sign with the right key');
    assert.ok(existsSync(out('right')));
    for (const [what, run] of [
      ['export-root', exportWrong],
      ['sign', signWrong],
      ['sign without a key', signNone],
      ['init', initWrong],
    ] as const) {
      assert.equal(run.code, 2, `${what} with a wrong key: ${run.stderr}`);
      assert.match(run.stderr, /PKI_BAD_MASTER_KEY/, what);
      assert.match(run.stderr, /INKAN_MASTER_KEY/, `${what}: the message names the variable to fix`);
      assert.equal(run.stdout, '', what);
    }
    assert.match(exportWrong.stderr, /wrong master key/);
    // Verifying needs no key: the own root is trusted, and the revocation status the B-T file lacks
    // comes from the CRLs the installation's CA publishes (verify-builtin-crl-cli.test.ts: without them,
    // only the key opens an answer).
    const [verified, withoutKey] = await Promise.all([
      verifyJson(out('right'), { dataDir, env: { INKAN_MASTER_KEY: key } }),
      verifyJson(out('right'), { dataDir }),
    ]);
    assert.equal(verified.exitCode, 0, JSON.stringify(verified.signatures[0]?.problems));
    assert.equal(withoutKey.exitCode, 0, JSON.stringify(withoutKey.signatures[0]?.problems));
    assert.equal(withoutKey.signatures[0].certificate?.trusted, true);
    assert.equal(existsSync(out('wrong')), false);
    assert.equal(existsSync(out('none')), false);
    assert.equal(
      existsSync(join(dataDir, 'pki', 'master.key')),
      false,
      'a failed command must not create a master key',
    );
  });

  it('pki export-root prints exactly one PEM certificate that openssl reads', async () => {
    const run = await inShared(['pki', 'export-root']);
    assertOk(run, 'export-root');
    assert.equal(run.stdout.match(/-----BEGIN CERTIFICATE-----/g)?.length, 1);
    assert.match(run.stdout, /^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
    const pem = exportedRoot();
    writeFileSync(pem, run.stdout);
    const subject = await runTool('openssl', ['x509', '-noout', '-subject', '-in', pem]);
    assert.equal(subject.exitCode, 0, subject.stderr);
    assert.match(subject.stdout, /Inkan Root CA/);
    // The same certificate the data dir holds (DER equality, via openssl's own fingerprint).
    const fingerprint = async (file: string) =>
      (await runTool('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', file])).stdout;
    assert.equal(await fingerprint(pem), await fingerprint(join(shared, 'pki', 'root.pem')));
  });
});

describe('configuration errors', () => {
  const cases: [variable: string, value: string][] = [
    ['INKAN_PUBLIC_URL', 'ftp://x'],
    ['INKAN_TSA_URLS', 'notaurl'],
    ['INKAN_TSA_TIMEOUT', '5 minutes'],
    ['INKAN_SIGNING_KEY_ALGORITHM', 'DSA'],
    ['INKAN_MASTER_KEY', 'abc'],
  ];
  it('stop before anything is written, with a message naming the variable', async () => {
    await Promise.all(
      cases.map(async ([variable, value]) => {
        const dataDir = emptyDataDir();
        const run = await runInkan(['init'], { dataDir, env: { [variable]: value } });
        assert.notEqual(run.code, 0, `${variable}=${value} was accepted`);
        assert.match(run.stderr, /configuration error/, variable);
        assert.ok(run.stderr.includes(variable), `stderr does not name ${variable}: ${run.stderr}`);
        // Only the bad variable is named: the message points at the one thing to fix.
        for (const [other] of cases)
          if (other !== variable) assert.ok(!run.stderr.includes(other), `${variable}: stderr also names ${other}`);
        assert.equal(existsSync(dataDir), false, `${variable}: the data dir was created despite the error`);
      }),
    );
  });
});

describe('stamp, sign, seal, renew and verify', () => {
  const stamped = () => path('stamped.pdf');
  const signed = () => path('signed.pdf');
  const sealed = () => path('sealed.pdf');
  const renewed = () => path('renewed.pdf');

  it('each step exits 0, appends to the file, and verifies inside the data dir (B-T, then B-LTA)', async () => {
    assertOk(await inShared(['stamp', plainPdf, stamped(), '--id', 'INKAN-TEST-0001']), 'stamp');
    assert.match(await pdfText(stamped(), { page: 1 }), /INKAN-TEST-0001/);
    assertOk(
      await inShared([
        'sign',
        stamped(),
        signed(),
        '--name',
        'Taro Yamada',
        '--email',
        'taro@example.com',
        '--reason',
        'Agreed',
        '--location',
        'Tokyo',
      ]),
      'sign',
    );
    assertOk(await inShared(['seal', signed(), sealed()]), 'seal');
    assertOk(await inShared(['renew', sealed(), renewed()]), 'renew');
    // Incremental updates only: each output starts with its input, byte for byte.
    for (const [input, output] of [
      [stamped(), signed()],
      [signed(), sealed()],
      [sealed(), renewed()],
    ]) {
      const a = readFileSync(input);
      const b = readFileSync(output);
      assert.ok(b.length > a.length && b.subarray(0, a.length).equals(a), `${output} does not extend ${input}`);
    }

    const [signedReport, sealedReport, renewedReport, renewedText] = await Promise.all([
      verifyJson(signed()),
      verifyJson(sealed()),
      verifyJson(renewed()),
      inShared(['verify', renewed()]),
    ]);
    assert.equal(signedReport.exitCode, 0, JSON.stringify(signedReport.signatures[0]?.problems));
    assert.equal(signedReport.signatures.length, 1);
    const s = signedReport.signatures[0];
    assert.equal(s.type, 'signature');
    assert.equal(s.status, 'valid');
    assert.equal(s.level, 'B-T');
    assert.equal(s.coversWholeFile, true);
    assert.equal(s.claimed.name, 'Taro Yamada <taro@example.com>');
    assert.equal(s.claimed.reason, 'Agreed');
    assert.equal(s.claimed.location, 'Tokyo');
    assert.equal(s.signer?.commonName, 'Taro Yamada');
    assert.match(s.timestamp?.tsa ?? '', /Inkan Timestamp Authority/);
    assert.equal(s.timestamp?.trusted, true);
    assert.equal(s.certificate?.trusted, true);

    assert.equal(sealedReport.exitCode, 0);
    assert.deepEqual(
      sealedReport.signatures.map((x) => [x.type, x.status, x.level]),
      [
        ['signature', 'valid', 'B-LTA'],
        ['document-timestamp', 'valid', null],
      ],
    );
    assert.equal(sealedReport.signatures[0].revocation.complete, true);
    assert.equal(sealedReport.signatures[0].revocation.source, 'dss');

    assert.equal(renewedReport.exitCode, 0);
    assert.deepEqual(
      renewedReport.signatures.map((x) => [x.type, x.status]),
      [
        ['signature', 'valid'],
        ['document-timestamp', 'valid'],
        ['document-timestamp', 'valid'],
      ],
    );
    assert.equal(renewedReport.signatures[0].level, 'B-LTA');
    assert.equal(renewedReport.file.revisions, 7);

    assertOk(renewedText, 'verify (text)');
    assert.match(renewedText.stdout, /Result: All 3 signature\(s\) are valid and trusted\./);
  });

  it('outside the data dir a signature is untrusted (exit 1) until --trust names the exported root (exit 0)', async () => {
    assert.ok(
      existsSync(sealed()) && existsSync(exportedRoot()),
      'needs the earlier tests (export-root, the signing chain)',
    );
    const elsewhere = emptyDataDir();
    const [untrusted, trusted] = await Promise.all([
      verifyJson(sealed(), { dataDir: elsewhere }),
      verifyJson(sealed(), { dataDir: elsewhere, trust: [exportedRoot()] }),
    ]);
    assert.equal(untrusted.exitCode, 1);
    assert.deepEqual(
      untrusted.signatures.map((x) => x.status),
      ['untrusted', 'untrusted'],
    );
    assert.equal(untrusted.signatures[0].certificate?.trusted, false);
    // Untrusted is not broken: the bytes and the signature still check out.
    assert.equal(untrusted.signatures[0].integrity.signatureValid, true);
    assert.equal(trusted.exitCode, 0);
    assert.deepEqual(
      trusted.signatures.map((x) => x.status),
      ['valid', 'valid'],
    );
    assert.equal(existsSync(elsewhere), false, 'verify must not create a data dir');
  });

  it('a changed byte in the signed part makes the signature invalid (exit 1)', async () => {
    const bytes = readFileSync(signed());
    // The made PDF's /CreationDate: one digit changed keeps the file parseable but alters signed bytes.
    const at = bytes.indexOf('(D:20240101000000Z)');
    assert.ok(at > 0 && at < extractSignatures(bytes)[0].byteRange[1], 'the creation date lies in the signed range');
    bytes[at + 'D:2024010100000'.length + 1] = '1'.charCodeAt(0);
    const tampered = path('tampered.pdf');
    writeFileSync(tampered, bytes);
    const report = await verifyJson(tampered);
    assert.equal(report.exitCode, 1);
    assert.equal(report.signatures[0].status, 'invalid');
    assert.equal(report.signatures[0].integrity.digestMatches, false);
  });

  it('exit 2: not a PDF, a PDF without signatures, a missing file, a --trust file that is no certificate; signing a non-PDF writes nothing', async () => {
    const notPdf = path('not-a.pdf');
    writeFileSync(notPdf, 'hello, this is text\n');
    const [notPdfRun, unsignedRun, missingRun, signNotPdf, badTrust] = await Promise.all([
      inShared(['verify', notPdf, '--json']),
      inShared(['verify', plainPdf, '--json']),
      inShared(['verify', path('does-not-exist.pdf')]),
      inShared(['sign', notPdf, path('signed-text.pdf'), '--name', 'X']),
      // A --trust file that is no certificate must not be dropped silently.
      inShared(['verify', path('signed.pdf'), '--json', '--trust', notPdf]),
    ]);
    const notPdfReport = parseReport(notPdfRun);
    assert.equal(notPdfReport.exitCode, 2);
    assert.match(notPdfReport.problems.join('\n'), /PDF_NOT_A_PDF/);
    const unsignedReport = parseReport(unsignedRun);
    assert.equal(unsignedReport.exitCode, 2);
    assert.equal(unsignedReport.signatures.length, 0);
    assert.equal(unsignedReport.file.pages, 2);
    assert.equal(missingRun.code, 2);
    assert.match(missingRun.stderr, /does-not-exist\.pdf/);
    assert.equal(signNotPdf.code, 2);
    assert.match(signNotPdf.stderr, /PDF_NOT_A_PDF/);
    assert.equal(existsSync(path('signed-text.pdf')), false);
    assert.equal(badTrust.code, 2);
    assert.equal(badTrust.stdout, '');
    assert.match(badTrust.stderr, /--trust: .*not-a\.pdf is not an X\.509 certificate/);
  });
});

describe('external TSAs (INKAN_TSA_URLS)', () => {
  const sha256Fingerprint = async (file: string) =>
    (await runTool('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', file])).stdout;

  /** The signature timestamp token of the first signature, found by byte scanning. */
  function tokenOf(file: string): { tokenDer: Uint8Array; digestHex: string } {
    const [signature] = extractSignatures(readFileSync(file));
    assert.ok(signature, `${file} has no signature`);
    const { tokenDer, signatureValueSha256Hex } = extractSignatureTimestampToken(signature.contents);
    assert.ok(tokenDer, 'the signature has no timestamp token');
    return { tokenDer, digestHex: signatureValueSha256Hex };
  }

  it("sign takes its timestamp from the configured TSA, which openssl verifies against that TSA's CA", async () => {
    const out = path('external-tsa.pdf');
    const hitsBefore = opensslTsa.hits();
    assertOk(
      await inShared(['sign', plainPdf, out, '--name', 'Hanako Sato'], { INKAN_TSA_URLS: opensslTsa.url }),
      'sign with an external TSA',
    );
    assert.equal(opensslTsa.hits() - hitsBefore, 1);

    const [withoutTsaRoot, withTsaRoot] = await Promise.all([
      verifyJson(out),
      verifyJson(out, { trust: [tsaFixture.rootPath] }),
    ]);
    const ts = withoutTsaRoot.signatures[0].timestamp;
    assert.match(ts?.tsa ?? '', /CN=Inkan Test TSA RSA/);
    assert.equal(ts?.policy, OPENSSL_TSA_POLICY);
    assert.equal(ts?.imprintMatches, true);
    assert.equal(ts?.signatureValid, true);
    // Our root vouches for the signer, not for a foreign TSA: untrusted until its CA is given.
    assert.equal(ts?.trusted, false);
    assert.equal(withoutTsaRoot.signatures[0].certificate?.trusted, true);
    // A token that chains to no anchor proves nothing: the signature is judged at the validation time
    // without it (RFC 3161 §2.3, ETSI EN 319 102-1), and says why.
    assert.equal(ts?.accepted, false);
    assert.equal(withoutTsaRoot.signatures[0].bestSignatureTime, null);
    assert.ok(
      withoutTsaRoot.signatures[0].problems.some((p) => /signature timestamp proves nothing/.test(p)),
      JSON.stringify(withoutTsaRoot.signatures[0].problems),
    );
    assert.equal(withoutTsaRoot.exitCode, 0, JSON.stringify(withoutTsaRoot.signatures[0].problems));
    assert.equal(withTsaRoot.exitCode, 0, JSON.stringify(withTsaRoot.signatures[0].problems));
    assert.equal(withTsaRoot.signatures[0].timestamp?.trusted, true);
    assert.equal(withTsaRoot.signatures[0].level, 'B-T');

    const { tokenDer, digestHex } = tokenOf(out);
    const verified = await opensslTsVerify({ tokenDer, digestHex, rootPem: readFileSync(tsaFixture.rootPath, 'utf8') });
    assert.ok(verified.ok, verified.output);
    // …and not by our own root: the token really is the other TSA's.
    const ours = await opensslTsVerify({
      tokenDer,
      digestHex,
      rootPem: readFileSync(join(shared, 'pki', 'root.pem'), 'utf8'),
    });
    assert.equal(ours.ok, false);
    assert.notEqual(
      await sha256Fingerprint(tsaFixture.rootPath),
      await sha256Fingerprint(join(shared, 'pki', 'root.pem')),
    );
  });

  it('fails over from a refused and a hung URL to a working one (INKAN_TSA_TIMEOUT=1s)', async () => {
    const silent = await startSilentServer();
    endpoints.push(silent);
    const refused = await refusedUrl();
    const out = path('failover.pdf');
    const hitsBefore = opensslTsa.hits();
    const run = await inShared(['sign', plainPdf, out, '--name', 'Failover'], {
      INKAN_TSA_URLS: `${refused},${silent.url},${opensslTsa.url}`,
      INKAN_TSA_TIMEOUT: '1s',
    });
    assertOk(run, 'sign with failover');
    // ≥ 1: undici opens a second connection as it aborts; that costs no extra time.
    assert.ok(silent.hits() >= 1, 'the hung URL was tried');
    assert.equal(opensslTsa.hits() - hitsBefore, 1, 'the working URL answered');
    const { tokenDer, digestHex } = tokenOf(out);
    const verified = await opensslTsVerify({ tokenDer, digestHex, rootPem: readFileSync(tsaFixture.rootPath, 'utf8') });
    assert.ok(verified.ok, verified.output);
  });

  it('all URLs dead: exit 2, TSA_UNAVAILABLE naming each URL, and no OUT file', async () => {
    const silent = await startSilentServer();
    endpoints.push(silent);
    const refused = await refusedUrl();
    const out = path('no-tsa.pdf');
    const run = await inShared(['sign', plainPdf, out, '--name', 'Nobody'], {
      INKAN_TSA_URLS: `${refused},${silent.url}`,
      INKAN_TSA_TIMEOUT: '1s',
    });
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stderr, /TSA_UNAVAILABLE/);
    assert.ok(run.stderr.includes(refused), `stderr does not name ${refused}`);
    assert.ok(run.stderr.includes(silent.url), `stderr does not name ${silent.url}`);
    assert.equal(existsSync(out), false, 'a failed sign must not leave an output file');
  });
});

describe('usage', () => {
  it('no arguments: usage on stderr, exit 2; help (run through a symlink, as npm links bins): exit 0; unknown command: exit 2', async () => {
    const link = path('inkan-link.mjs');
    symlinkSync(INKAN_BIN, link); // how npm installs a package's bin
    const dataDir = emptyDataDir();
    const [none, help, unknown] = await Promise.all([
      runInkan([], { dataDir }),
      runInkan(['help'], { dataDir, entry: link }),
      runInkan(['frobnicate'], { dataDir }),
    ]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Usage:\n[\s\S]*inkan init/);
    assert.equal(none.stdout, '');
    // Through the symlink: main ran (a silent exit 0 would leave stdout empty).
    assert.equal(help.code, 0, help.stderr);
    assert.match(help.stdout, /Usage:[\s\S]*inkan verify FILE/);
    assert.equal(help.stdout, none.stderr);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
  });

  it('the development entry (`npm run inkan`: the sources through tsx) runs the same CLI as the release', async () => {
    const dataDir = emptyDataDir();
    const [source, compiled] = await Promise.all([
      runInkan(['help'], { dataDir, entry: SOURCE_INKAN_BIN }),
      runInkan(['help'], { dataDir }),
    ]);
    assert.equal(source.code, 0, source.stderr);
    assert.match(source.stdout, /Usage:[\s\S]*inkan verify FILE/);
    assert.equal(source.stdout, compiled.stdout);
  });
});
