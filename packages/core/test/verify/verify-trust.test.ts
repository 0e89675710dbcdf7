// The verifier's trust decisions on samples built with `openssl ca` (certificates, CRLs, OCSP
// responses made by openssl, not by Inkan's CA): each sample is one bullet of the issue that once came
// out VALID, and each must now give its ETSI EN 319 102-1 indication and sub-indication. Where openssl
// itself has a verdict on the chain (`openssl verify`), the test asks it too.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDer } from '../../src/asn1/der-reader.ts';
import { sequence, tlv } from '../../src/asn1/der-writer.ts';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';
import { collectValidationData, sealPdf } from '../../src/pades/seal-pdf.ts';
import { writeDss } from '../../src/pades/dss.ts';
import { signPdf } from '../../src/pades/sign-pdf.ts';
import { derOfContents, listSignatures } from '../../src/pades/signatures.ts';
import { PdfDocument } from '../../src/pdf/document.ts';
import { IncrementalUpdate, joinUpdate } from '../../src/pdf/incremental-update.ts';
import type { RevocationProvider } from '../../src/revocation.ts';
import { LocalTimestampAuthority } from '../../src/tsp/local-timestamp-authority.ts';
import { buildTimestampRequest } from '../../src/tsp/request.ts';
import { createTimestampResponder } from '../../src/tsp/responder.ts';
import { parseTimestampResponse } from '../../src/tsp/response.ts';
import type { TimestampAuthority } from '../../src/timestamp-authority.ts';
import type { SignatureReport, VerificationReport } from '../../src/verify/report.ts';
import { verifyPdf } from '../../src/verify/verify-pdf.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { OpensslCa, PROFILE, type IssuedCertificate } from '../helpers/openssl-ca.ts';

const HOUR = 3600_000;
const DAY = 24 * HOUR;
let work: string;
let pdf: Uint8Array;
let count = 0;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'inkan-trust-'));
  pdf = await makePdf({ pages: 1 });
});
after(() => rmSync(work, { recursive: true, force: true }));

function freshDir(): string {
  const dir = join(work, `case-${++count}`);
  return dir;
}

/** A root CA with a valid TSA under it (timeStamping, critical), in a fresh directory. */
function rootWithTsa(): { root: OpensslCa; tsa: IssuedCertificate } {
  const root = OpensslCa.root(freshDir(), 'Trust Samples Root');
  const tsa = root.issue('Sample TSA', {
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 5 * 365 * DAY),
    extensions: PROFILE.tsa,
  });
  return { root, tsa };
}

function tsaOf(certificate: IssuedCertificate, chain: Uint8Array[]): TimestampAuthority {
  return new LocalTimestampAuthority(
    createTimestampResponder({
      certificate: certificate.der,
      chain,
      signer: new KeyFileSigner(certificate.keyPem, [certificate.der, ...chain]),
    }),
  );
}

/** A TSA that hands out whatever its responder signs, unchecked: what a forger's own "TSA" does (Inkan's clients refuse such tokens). */
function uncheckedTsaOf(certificate: IssuedCertificate, chain: Uint8Array[]): TimestampAuthority {
  const responder = createTimestampResponder({
    certificate: certificate.der,
    chain,
    signer: new KeyFileSigner(certificate.keyPem, [certificate.der, ...chain]),
  });
  return {
    timestamp: async (digest) => {
      const token = parseTimestampResponse(await responder.respond(buildTimestampRequest(digest))).token;
      assert.ok(token, 'the responder answers with a token');
      return token;
    },
  };
}

async function sign(
  signer: IssuedCertificate,
  chain: Uint8Array[],
  timestampAuthority?: TimestampAuthority,
  extraReservedBytes = 0,
): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: new KeyFileSigner(signer.keyPem, [signer.der, ...chain]),
    timestampAuthority,
    name: signer.name,
    extraReservedBytes,
  });
}

/** Answers CRL requests with each issuer's current CRL, and OCSP requests from `ocsp` (by certificate). */
function provider(cas: OpensslCa[], ocsp = new Map<string, Uint8Array>()): RevocationProvider {
  const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
  return {
    ocsp: async (certificate) => ocsp.get(hex(certificate)) ?? null,
    crl: async (_certificate, issuer) => {
      const ca = cas.find((c) => hex(c.certificate.der) === hex(issuer));
      return ca ? ca.crl(new Date(Date.now() - HOUR), new Date(Date.now() + 7 * DAY)) : null;
    },
  };
}

function verdict(s: SignatureReport): [string, string | null] {
  return [s.indication, s.subIndication];
}

function show(report: VerificationReport): string {
  return JSON.stringify(
    report.signatures.map((s) => ({
      type: s.type,
      indication: s.indication,
      sub: s.subIndication,
      problems: s.problems,
      timestamp: s.timestamp && { accepted: s.timestamp.accepted, problems: s.timestamp.problems },
    })),
    null,
    1,
  );
}

/** `openssl verify` of `leaf` with `root` trusted and `intermediates` offered: its exit code and output. */
function opensslVerify(
  root: IssuedCertificate,
  intermediates: IssuedCertificate[],
  leaf: IssuedCertificate,
): { ok: boolean; output: string } {
  const untrusted = join(work, `untrusted-${++count}.pem`);
  writeFileSync(
    untrusted,
    intermediates.map((c) => execFileSync('openssl', ['x509', '-in', c.pemPath], { encoding: 'utf8' })).join(''),
  );
  try {
    const output = execFileSync(
      'openssl',
      ['verify', '-CAfile', root.pemPath, ...(intermediates.length ? ['-untrusted', untrusted] : []), leaf.pemPath],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return { ok: true, output };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

/** `pdf` with the first signature's CMS carrying `crls` in its SignedData `crls` field (unsigned: the signature stays valid). */
function withCmsCrls(signed: Uint8Array, crls: Uint8Array[]): Uint8Array {
  const signature = listSignatures(PdfDocument.load(signed))[0];
  const [, b, c] = signature.byteRange;
  const contentInfo = readDer(derOfContents(signature.contents));
  const [contentType, wrapped] = contentInfo.children();
  const parts = wrapped.children()[0].children();
  const signerInfos = parts[parts.length - 1];
  const rebuilt = sequence(
    contentType.raw,
    tlv(
      0xa0,
      sequence(
        ...parts
          .slice(0, -1)
          .filter((p) => p.tag !== 0xa1)
          .map((p) => p.raw),
        tlv(0xa1, ...crls),
        signerInfos.raw,
      ),
    ),
  );
  const hex = Buffer.from(rebuilt).toString('hex');
  assert.ok(hex.length <= c - b - 2, 'the CMS with its CRLs fits the reserved /Contents');
  const out = Uint8Array.from(signed);
  out.set(Buffer.from(hex.padEnd(c - b - 2, '0'), 'latin1'), b + 1);
  return out;
}

describe('certificate paths (RFC 5280 §6.1)', () => {
  test('a certificate issued by an end-entity certificate (cA FALSE, no keyUsage): INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE', async () => {
    const { root, tsa } = rootWithTsa();
    const endEntity = root.issue('End Entity', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.endEntityNoKeyUsage,
    });
    const fake = OpensslCa.under(join(root.dir, 'ee'), endEntity);
    const signer = fake.issue('Signer Under An End Entity', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const openssl = opensslVerify(root.certificate, [endEntity], signer);
    assert.equal(openssl.ok, false);
    assert.match(openssl.output, /invalid CA certificate/);
    const report = await verifyPdf(
      await sign(signer, [endEntity.der, root.certificate.der], tsaOf(tsa, [root.certificate.der])),
      { trustAnchors: [root.certificate.der], revocationProvider: provider([root, fake]) },
    );
    assert.deepEqual(verdict(report.signatures[0]), ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'], show(report));
    assert.ok(
      report.signatures[0].problems.some((p) => /not a CA/.test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1);
  });

  test('an expired intermediate: INDETERMINATE / OUT_OF_BOUNDS_NO_POE', async () => {
    const { root, tsa } = rootWithTsa();
    const intermediate = root.issue('Expired Intermediate', {
      notBefore: new Date(Date.now() - 30 * DAY),
      notAfter: new Date(Date.now() - DAY),
      extensions: PROFILE.ca(),
    });
    const ca = OpensslCa.under(join(root.dir, 'int'), intermediate);
    const signer = ca.issue('Signer Under An Expired CA', {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() + 30 * DAY),
      extensions: PROFILE.signer,
    });
    const openssl = opensslVerify(root.certificate, [intermediate], signer);
    assert.equal(openssl.ok, false);
    assert.match(openssl.output, /certificate has expired/);
    const report = await verifyPdf(
      await sign(signer, [intermediate.der, root.certificate.der], tsaOf(tsa, [root.certificate.der])),
      { trustAnchors: [root.certificate.der], revocationProvider: provider([root, ca]) },
    );
    assert.deepEqual(verdict(report.signatures[0]), ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'], show(report));
    assert.ok(
      report.signatures[0].problems.some((p) => /Expired Intermediate.*expired/.test(p)),
      show(report),
    );
  });

  test('a CA with pathLen 0 that issued a sub-CA: INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE', async () => {
    const { root, tsa } = rootWithTsa();
    const constrained = root.issue('PathLen Zero CA', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.ca(0),
    });
    const first = OpensslCa.under(join(root.dir, 'a'), constrained);
    const sub = first.issue('Forbidden Sub CA', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.ca(),
    });
    const second = OpensslCa.under(join(root.dir, 'b'), sub);
    const signer = second.issue('Signer Under A Forbidden Sub CA', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const openssl = opensslVerify(root.certificate, [constrained, sub], signer);
    assert.equal(openssl.ok, false);
    assert.match(openssl.output, /path length constraint exceeded/);
    const report = await verifyPdf(
      await sign(signer, [sub.der, constrained.der, root.certificate.der], tsaOf(tsa, [root.certificate.der])),
      { trustAnchors: [root.certificate.der], revocationProvider: provider([root, first, second]) },
    );
    assert.deepEqual(verdict(report.signatures[0]), ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'], show(report));
    assert.ok(
      report.signatures[0].problems.some((p) => /pathLenConstraint/.test(p)),
      show(report),
    );
  });

  test('a signer whose keyUsage is only keyAgreement: INDETERMINATE / CHAIN_CONSTRAINTS_FAILURE', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Key Agreement Only', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.keyAgreementOnly,
    });
    const report = await verifyPdf(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der])), {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
    });
    assert.deepEqual(verdict(report.signatures[0]), ['INDETERMINATE', 'CHAIN_CONSTRAINTS_FAILURE'], show(report));
    assert.ok(
      report.signatures[0].problems.some((p) => /keyUsage keyAgreement/.test(p)),
      show(report),
    );
  });

  test('control: a proper signer with revocation data is TOTAL-PASSED (exit 0)', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Proper Signer', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    assert.equal(opensslVerify(root.certificate, [], signer).ok, true);
    const report = await verifyPdf(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der])), {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
    });
    assert.deepEqual(verdict(report.signatures[0]), ['TOTAL-PASSED', null], show(report));
    assert.equal(report.signatures[0].timestamp?.accepted, true);
    assert.equal(report.signatures[0].bestSignatureTime, report.signatures[0].timestamp?.time);
    assert.equal(report.exitCode, 0);
  });
});

describe('timestamps that prove something (RFC 3161 §2.3)', () => {
  test('an expired signer that timestamps itself: the token proves nothing, INDETERMINATE / OUT_OF_BOUNDS_NO_POE', async () => {
    const { root } = rootWithTsa();
    const signer = root.issue('Expired Self Stamper', {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      extensions: PROFILE.signer,
    });
    const report = await verifyPdf(
      await sign(signer, [root.certificate.der], uncheckedTsaOf(signer, [root.certificate.der])),
      { trustAnchors: [root.certificate.der], revocationProvider: provider([root]) },
    );
    const [s] = report.signatures;
    assert.deepEqual(verdict(s), ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'], show(report));
    assert.equal(s.timestamp?.accepted, false);
    assert.equal(s.bestSignatureTime, null);
    assert.ok(
      s.problems.some((p) => /signature timestamp: .*timeStamping/.test(p)),
      show(report),
    );
  });

  test('a timestamp from a TSA certificate expired at genTime: the token proves nothing, INDETERMINATE / OUT_OF_BOUNDS_NO_POE', async () => {
    const { root } = rootWithTsa();
    const signer = root.issue('Expired Signer', {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      extensions: PROFILE.signer,
    });
    const expiredTsa = root.issue('Expired TSA', {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      extensions: PROFILE.tsa,
    });
    const report = await verifyPdf(
      await sign(signer, [root.certificate.der], uncheckedTsaOf(expiredTsa, [root.certificate.der])),
      { trustAnchors: [root.certificate.der], revocationProvider: provider([root]) },
    );
    const [s] = report.signatures;
    assert.deepEqual(verdict(s), ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'], show(report));
    assert.equal(s.timestamp?.accepted, false);
    assert.ok(
      s.problems.some((p) => /signature timestamp: at the time it stamped .*Expired TSA.*expired/.test(p)),
      show(report),
    );
  });

  test('control: the expired signer with a good TSA is proved to have signed after expiry: TOTAL-FAILED / EXPIRED', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Late Signer', {
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      extensions: PROFILE.signer,
    });
    const report = await verifyPdf(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der])), {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
    });
    assert.deepEqual(verdict(report.signatures[0]), ['TOTAL-FAILED', 'EXPIRED'], show(report));
    assert.equal(report.signatures[0].timestamp?.accepted, true);
  });
});

describe('revocation read against time (ETSI EN 319 102-1)', () => {
  test('no revocation data at all: INDETERMINATE / TRY_LATER, never valid', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Unchecked Signer', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const report = await verifyPdf(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der])), {
      trustAnchors: [root.certificate.der],
    });
    assert.deepEqual(verdict(report.signatures[0]), ['INDETERMINATE', 'TRY_LATER'], show(report));
    assert.equal(report.exitCode, 1);
  });

  test('CRLs in the CMS are read; a stale good CRL listed before the CRL that revokes: the newest wins, TOTAL-FAILED / REVOKED', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Revoked Before Signing', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const stale = root.crl(new Date(Date.now() - 3 * HOUR), new Date(Date.now() + 7 * DAY));
    const revokedAt = new Date(Date.now() - HOUR);
    root.revoke(signer.name, revokedAt);
    const current = root.crl(new Date(Date.now() - 30 * 60_000), new Date(Date.now() + 7 * DAY));
    const signed = withCmsCrls(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der]), 4096), [
      stale,
      current,
    ]);
    const report = await verifyPdf(signed, { trustAnchors: [root.certificate.der] });
    const [s] = report.signatures;
    assert.equal(s.integrity.signatureValid, true, show(report));
    assert.deepEqual(verdict(s), ['TOTAL-FAILED', 'REVOKED'], show(report));
    assert.equal(s.revocation.revokedAt, new Date(Math.floor(revokedAt.getTime() / 1000) * 1000).toISOString());
    // Only the stale CRL: it says good, and it is all there is, so it counts (freshness is against its nextUpdate).
    const onlyStale = await verifyPdf(
      withCmsCrls(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der]), 4096), [stale]),
      { trustAnchors: [root.certificate.der] },
    );
    assert.deepEqual(verdict(onlyStale.signatures[0]), ['TOTAL-PASSED', null], show(onlyStale));
  });

  test('OCSP good and a CRL revoked: conflicting sources, revoked (TOTAL-FAILED / REVOKED)', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Conflicting Signer', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const good = root.ocsp(signer.name);
    root.revoke(signer.name, new Date(Date.now() - HOUR));
    const revokedCrl = root.crl(new Date(Date.now() - 2 * HOUR), new Date(Date.now() + 7 * DAY));
    const signed = withCmsCrls(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der]), 4096), [
      revokedCrl,
    ]);
    const ocsp = new Map([[Buffer.from(signer.der).toString('hex'), good]]);
    const ocspOnly: RevocationProvider = {
      ocsp: async (c) => ocsp.get(Buffer.from(c).toString('hex')) ?? null,
      crl: async () => null,
    };
    const report = await verifyPdf(signed, { trustAnchors: [root.certificate.der], revocationProvider: ocspOnly });
    assert.deepEqual(verdict(report.signatures[0]), ['TOTAL-FAILED', 'REVOKED'], show(report));
    // Control: openssl's OCSP answer alone is read and says good (so above it was outvoted, not ignored).
    const alone = await verifyPdf(await sign(signer, [root.certificate.der]), {
      trustAnchors: [root.certificate.der],
      revocationProvider: ocspOnly,
    });
    assert.deepEqual(verdict(alone.signatures[0]), ['TOTAL-PASSED', null], show(alone));
    assert.equal(alone.signatures[0].revocation.status, 'good');
  });

  test('revoked after the timestamp: TOTAL-PASSED with the revocation date shown; without a timestamp: INDETERMINATE / REVOKED_NO_POE', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Revoked Later', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    const stamped = await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der]));
    const unstamped = await sign(signer, [root.certificate.der]);
    const revokedAt = new Date(Date.now() + HOUR);
    root.revoke(signer.name, revokedAt);
    const at = new Date(Date.now() + 2 * HOUR);
    const report = await verifyPdf(stamped, {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
      at,
    });
    const [s] = report.signatures;
    assert.deepEqual(verdict(s), ['TOTAL-PASSED', null], show(report));
    assert.equal(s.revocation.status, 'revoked');
    assert.equal(s.revocation.revokedAt, new Date(Math.floor(revokedAt.getTime() / 1000) * 1000).toISOString());
    assert.ok(
      s.problems.some((p) => /revoked on .*after the time the signature is proved to exist/.test(p)),
      show(report),
    );
    const without = await verifyPdf(unstamped, {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
      at,
    });
    assert.deepEqual(verdict(without.signatures[0]), ['INDETERMINATE', 'REVOKED_NO_POE'], show(without));
  });

  test('revoked before the timestamp: TOTAL-FAILED / REVOKED', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Revoked Earlier', {
      notBefore: new Date(Date.now() - DAY),
      notAfter: new Date(Date.now() + 365 * DAY),
      extensions: PROFILE.signer,
    });
    root.revoke(signer.name, new Date(Date.now() - HOUR));
    const report = await verifyPdf(await sign(signer, [root.certificate.der], tsaOf(tsa, [root.certificate.der])), {
      trustAnchors: [root.certificate.der],
      revocationProvider: provider([root]),
    });
    assert.deepEqual(verdict(report.signatures[0]), ['TOTAL-FAILED', 'REVOKED'], show(report));
  });
});

describe('long-term validation (B-LTA)', () => {
  test('a signer certificate valid for 2 days, checked 1 year later: TOTAL-PASSED through the document timestamp; without it OUT_OF_BOUNDS_NO_POE', async () => {
    const { root, tsa } = rootWithTsa();
    const signer = root.issue('Two Day Signer', {
      notBefore: new Date(Date.now() - HOUR),
      notAfter: new Date(Date.now() + 2 * DAY),
      extensions: PROFILE.signer,
    });
    const timestampAuthority = tsaOf(tsa, [root.certificate.der]);
    const signed = await sign(signer, [root.certificate.der], timestampAuthority);
    const options = {
      timestampAuthority,
      revocationProvider: provider([root]),
      extraCertificates: [root.certificate.der, tsa.der],
    };
    const lta = await sealPdf(signed, options);
    // B-LT: the same validation data in a DSS, but no document timestamp proves when it existed.
    const doc = PdfDocument.load(signed);
    const update = new IncrementalUpdate(doc);
    writeDss(doc, update, await collectValidationData(doc, options));
    const lt = joinUpdate(update.build());

    const yearLater = new Date(Date.now() + 365 * DAY);
    const now = await verifyPdf(lta, { trustAnchors: [root.certificate.der] });
    assert.equal(now.exitCode, 0, show(now));
    const later = await verifyPdf(lta, { trustAnchors: [root.certificate.der], at: yearLater });
    assert.deepEqual(
      later.signatures.map(verdict),
      [
        ['TOTAL-PASSED', null],
        ['TOTAL-PASSED', null],
      ],
      show(later),
    );
    assert.equal(later.signatures[0].level, 'B-LTA');
    assert.equal(later.exitCode, 0);
    // Validated at the time the document timestamp proves, not a year later.
    assert.equal(later.signatures[0].validationTime, later.signatures[1].timestamp?.time);

    const ltLater = await verifyPdf(lt, { trustAnchors: [root.certificate.der], at: yearLater });
    assert.equal(ltLater.signatures[0].level, 'B-LT');
    assert.deepEqual(verdict(ltLater.signatures[0]), ['INDETERMINATE', 'OUT_OF_BOUNDS_NO_POE'], show(ltLater));
    assert.equal(ltLater.exitCode, 1);
  });
});
