// The verifier against PDFs that Inkan did not write (pyHanko's test data, kept in packages/core/test/fixtures/corpus):
// coverage anomalies, a sneaky form-override, a foreign PAdES B-LTA file, and malformed files.
// Each verdict below is what packages/core/test/fixtures/corpus/README.md says `inkan verify` must say.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { after, describe, test } from 'node:test';
import { parseCmsSignature } from '../../src/cms/parse.ts';
import { PdfDocument } from '../../src/pdf/document.ts';
import { PdfStream } from '../../src/pdf/objects.ts';
import { derOfContents, listSignatures } from '../../src/pades/signatures.ts';
import type { VerificationReport } from '../../src/verify/report.ts';
import { verifyPdf } from '../../src/verify/verify-pdf.ts';
import { certs, isSelfSigned } from '../../src/x509/chain.ts';
import { corpusPath } from '../helpers/corpus.ts';

const pyhanko = (...parts: string[]) => corpusPath('pyhanko', ...parts);
const load = (...parts: string[]) => new Uint8Array(readFileSync(pyhanko(...parts)));
const show = (report: VerificationReport) =>
  JSON.stringify(
    {
      summary: report.summary,
      attacks: report.attacks,
      problems: report.problems,
      signatures: report.signatures.map((s) => s.problems),
    },
    null,
    1,
  );

describe('coverage anomalies (pyhanko/coverage-anomalies)', () => {
  test('base.pdf: a signature that does not validate is invalid', async () => {
    const report = await verifyPdf(load('coverage-anomalies', 'base.pdf'));
    assert.equal(report.exitCode, 1, show(report));
    assert.equal(report.signatures.length, 1);
    assert.equal(report.signatures[0].status, 'invalid');
    assert.ok(report.signatures[0].problems.length > 0, show(report));
  });

  // Each anomaly is named by words that only its own sentence uses.
  const anomalies: Array<{ file: string; words: RegExp; digestStillMatches: boolean }> = [
    { file: 'one-byterange.pdf', words: /ByteRange has 2 entries instead of 4/, digestStillMatches: false },
    {
      file: 'signature-gap-too-big.pdf',
      words: /gap in the ByteRange .* larger than the \/Contents string/,
      digestStillMatches: true,
    },
    {
      file: 'tail-uncovered.pdf',
      words: /signed range ends at byte \d+, not at the end of a revision .*not covered/,
      digestStillMatches: true,
    },
    {
      file: 'weird-byterange.pdf',
      words: /gap in the ByteRange is not exactly a hex string/,
      digestStillMatches: true,
    },
  ];
  for (const { file, words, digestStillMatches } of anomalies) {
    test(`${file}: invalid, coverage anomaly named`, async () => {
      const report = await verifyPdf(load('coverage-anomalies', file));
      assert.equal(report.exitCode, 1, show(report));
      assert.ok(report.attacks.includes('coverage-anomaly'), show(report));
      const [s] = report.signatures;
      assert.equal(s.status, 'invalid');
      assert.equal(s.integrity.coverageOk, false);
      assert.ok(
        s.problems.some((p) => words.test(p)),
        `no problem matching ${words}: ${show(report)}`,
      );
      // Poppler calls three of these valid because the CMS itself is intact: only coverage catches them.
      assert.equal(s.integrity.digestMatches, digestStillMatches, show(report));
    });
  }

  test('tail-uncovered.pdf is not reported as a gap anomaly, gap-too-big.pdf is', async () => {
    const tail = await verifyPdf(load('coverage-anomalies', 'tail-uncovered.pdf'));
    assert.ok(!tail.signatures[0].problems.some((p) => /larger than the \/Contents/.test(p)), show(tail));
    const gap = await verifyPdf(load('coverage-anomalies', 'signature-gap-too-big.pdf'));
    assert.ok(
      gap.signatures[0].problems.some((p) => /larger than the \/Contents/.test(p)),
      show(gap),
    );
  });
});

describe('suspicious later revision (pyhanko/suspicious)', () => {
  test('form-update-override-appearance-stream-sneaky.pdf: the override is a forbidden later change', async () => {
    const report = await verifyPdf(load('suspicious', 'form-update-override-appearance-stream-sneaky.pdf'));
    assert.equal(report.exitCode, 1, show(report));
    const flagged = report.signatures.filter((s) => !s.laterChanges.allowed);
    assert.ok(flagged.length > 0, show(report));
    const forbidden = flagged.flatMap((s) => s.laterChanges.changes.filter((c) => !c.allowed));
    assert.ok(forbidden.length > 0, show(report));
    for (const change of forbidden) assert.ok(change.description.length > 30, change.description);
    // It is an appearance override: the description says which appearance stream and that signed content uses it.
    assert.ok(
      forbidden.some((c) => c.kind === 'appearance-changed' && /appearance stream/.test(c.description)),
      JSON.stringify(forbidden),
    );
    for (const s of flagged) {
      assert.equal(s.status, 'invalid');
      assert.ok(
        s.problems.some((p) => p.startsWith('changed after signing:')),
        show(report),
      );
    }
    assert.ok(report.attacks.length > 0, show(report));
  });
});

describe('a foreign PAdES B-LTA file (pyhanko/valid/pades-lta-dss-indirect-arrs-test.pdf)', () => {
  const file = () => load('valid', 'pades-lta-dss-indirect-arrs-test.pdf');

  /** The self-signed certificates among the file's DSS and CMS certificates: its own root(s). */
  function rootsOf(bytes: Uint8Array): Uint8Array[] {
    const doc = PdfDocument.load(bytes);
    const found: Uint8Array[] = [];
    const dss = doc.dict(doc.catalog.get('DSS'));
    const list = dss ? doc.resolve(dss.get('Certs')) : null;
    if (Array.isArray(list)) {
      for (const item of list) {
        const stream = doc.resolve(item);
        if (stream instanceof PdfStream) found.push(doc.streamData(stream));
      }
    }
    for (const s of listSignatures(doc))
      if (s.type === 'signature') found.push(...parseCmsSignature(derOfContents(s.contents)).certificates);
    return certs(found)
      .filter(isSelfSigned)
      .map((c) => c.der);
  }

  test('with its root as trust anchor: signature B-LTA and a document timestamp, all valid (exit 0)', async () => {
    const bytes = file();
    const roots = rootsOf(bytes);
    assert.equal(roots.length, 1, 'exactly one self-signed root in the file');
    const report = await verifyPdf(bytes, { trustAnchors: roots });
    assert.equal(report.exitCode, 0, show(report));
    const signatures = report.signatures.filter((s) => s.type === 'signature');
    const timestamps = report.signatures.filter((s) => s.type === 'document-timestamp');
    assert.equal(signatures.length, 1, show(report));
    assert.ok(timestamps.length >= 1, show(report));
    // Revision order: the signature first, then the timestamp(s) over it.
    assert.deepEqual(
      report.signatures.map((s) => s.index),
      report.signatures.map((_, i) => i + 1),
    );
    assert.ok(
      report.signatures.every((s, i, all) => i === 0 || (s.revision ?? 0) > (all[i - 1].revision ?? 0)),
      show(report),
    );
    const [s] = signatures;
    assert.equal(s.level, 'B-LTA');
    assert.equal(s.status, 'valid');
    assert.equal(s.integrity.coverageOk, true);
    assert.equal(s.integrity.digestMatches, true);
    assert.equal(s.integrity.signatureValid, true);
    assert.equal(s.integrity.signingCertificateMatches, true);
    assert.equal(s.signer?.commonName, 'Alice');
    assert.ok(s.timestamp, 'signature timestamp reported');
    assert.ok(s.timestamp.tsa.includes('Time Stamping Authority'), s.timestamp.tsa);
    assert.equal(s.timestamp.imprintMatches, true);
    assert.equal(s.timestamp.trusted, true);
    // The signer certificate has long expired; validated at the timestamp's time it was valid.
    assert.ok(new Date(s.certificate!.chain[0].notAfter) < new Date(), 'the certificate has expired by now');
    assert.equal(s.certificate?.validAtSigningTime, true);
    assert.equal(s.certificate?.trusted, true);
    assert.equal(s.revocation.source, 'dss');
    assert.equal(s.revocation.complete, true);
    assert.equal(s.revocation.status, 'good');
    assert.equal(s.laterChanges.allowed, true, JSON.stringify(s.laterChanges));
    for (const t of timestamps) {
      assert.equal(t.status, 'valid', show(report));
      assert.equal(t.timestamp?.imprintMatches, true);
      assert.ok(t.timestamp?.time);
    }
    assert.deepEqual(report.attacks, []);
  });

  test('without a trust anchor: intact but untrusted (exit 1)', async () => {
    const report = await verifyPdf(file());
    assert.equal(report.exitCode, 1, show(report));
    assert.ok(report.signatures.length >= 2);
    for (const s of report.signatures) {
      assert.equal(s.status, 'untrusted', show(report));
      assert.equal(s.integrity.digestMatches, true);
      assert.equal(s.integrity.signatureValid, true);
      assert.ok(
        s.problems.some((p) => /trusted root/.test(p)),
        show(report),
      );
    }
    assert.deepEqual(report.attacks, []);
  });
});

describe('malformed files (pyhanko/malformed): no crash, no hang, never valid', () => {
  const TIME_LIMIT_MS = 20_000;
  const files = readdirSync(pyhanko('malformed'))
    .filter((f) => f.endsWith('.pdf'))
    .sort();

  test('the corpus has malformed files', () => {
    assert.ok(files.length >= 5, files.join(', '));
  });

  /**
   * verifyPdf runs in a worker thread, so that even a synchronous endless loop is bounded: the timer
   * in this thread still fires, fails the test and terminates the worker (one worker for all files,
   * replaced after a timeout, because loading TypeScript into a worker takes a while).
   */
  let worker: Worker | undefined;
  function startWorker(): Worker {
    return new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const ready = import(workerData.tsx).then((tsx) => tsx.register()).then(() => import(workerData.verifier));
       parentPort.on('message', async (path) => {
         try { parentPort.postMessage({ report: await (await ready).verifyPdf(require('node:fs').readFileSync(path)) }); }
         catch (error) { parentPort.postMessage({ thrown: String((error && error.stack) || error) }); }
       });`,
      {
        eval: true,
        workerData: {
          tsx: import.meta.resolve('tsx/esm/api'),
          verifier: new URL('../../src/verify/verify-pdf.ts', import.meta.url).href,
        },
      },
    );
  }
  after(async () => {
    await worker?.terminate();
  });

  async function verifyBounded(path: string): Promise<VerificationReport> {
    const current = (worker ??= startWorker());
    let timer: NodeJS.Timeout | undefined;
    const result = new Promise<{ report?: VerificationReport; thrown?: string }>((resolve, reject) => {
      current.once('message', resolve);
      current.once('error', reject);
    });
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`verifyPdf did not finish within ${TIME_LIMIT_MS} ms`)), TIME_LIMIT_MS);
    });
    current.postMessage(path);
    try {
      const outcome = await Promise.race([result, limit]);
      if (outcome.thrown !== undefined) assert.fail(`verifyPdf threw: ${outcome.thrown}`);
      return outcome.report!;
    } catch (error) {
      worker = undefined;
      await current.terminate();
      throw error;
    } finally {
      clearTimeout(timer);
      current.removeAllListeners('message').removeAllListeners('error');
    }
  }

  for (const file of files) {
    test(`${file}: a report with exit code 2, or 1 with problems`, async () => {
      const report = await verifyBounded(pyhanko('malformed', file));
      assert.notEqual(report.exitCode, 0, show(report));
      assert.ok(report.exitCode === 1 || report.exitCode === 2, show(report));
      if (report.exitCode === 2) {
        assert.ok(report.problems.length > 0, show(report));
        assert.deepEqual(report.signatures, []);
      } else {
        assert.ok(report.problems.length > 0 || report.signatures.some((s) => s.problems.length > 0), show(report));
      }
      assert.equal(report.file.size, readFileSync(pyhanko('malformed', file)).length);
    });
  }
});
