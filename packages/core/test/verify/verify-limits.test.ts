// Bounded resources: hostile PDFs (deflate bombs in an object stream, a content stream and the DSS,
// 100,000 nested arrays, a looping /Prev chain, millions of objects) make the verifier throw
// PDF_TOO_COMPLEX naming the limit, and the peak memory of the process verifying them stays small.
// Each bomb is verified in a child process of its own, so its peak RSS is measured alone.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { isCoreError } from '../../src/errors.ts';
import { decodeStream } from '../../src/pdf/filters.ts';
import { PdfBudget } from '../../src/pdf/limits.ts';
import { PdfDict, PdfName, PdfStream } from '../../src/pdf/objects.ts';
import { verifyPdf } from '../../src/verify/verify-pdf.ts';
import {
  contentStreamBomb,
  deepNestingBomb,
  deflateBomb,
  dssBomb,
  objectCountBomb,
  objectStreamBomb,
  signedSample,
  xrefLoopBomb,
} from '../helpers/pdf-bombs.ts';

const execFileAsync = promisify(execFile);
const MiB = 1024 * 1024;
/** Peak RSS growth allowed for one verification: the bombs below decode to 1–3 GiB without limits. */
const RSS_CAP = 200 * MiB;

interface Outcome {
  code?: string;
  message?: string;
  details?: { limit?: string; max?: number };
  exitCode?: number;
  unexpected?: string;
  rssGrowth: number;
}

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'inkan-bombs-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function verifyInChild(name: string, pdf: Uint8Array, limits?: object): Promise<Outcome> {
  const path = join(dir, `${name}.pdf`);
  writeFileSync(path, pdf);
  const script = new URL('../helpers/measure-verify.ts', import.meta.url).pathname;
  const { stdout } = await execFileAsync(
    process.execPath,
    ['--import', 'tsx', script, path, ...(limits ? [JSON.stringify(limits)] : [])],
    { maxBuffer: MiB },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Outcome;
}

describe('verifier resource limits (each bomb in its own process)', () => {
  const bombs: Array<{ name: string; make: () => Uint8Array; limit: string; decodesTo: string }> = [
    {
      name: 'object stream inflating to 1.5 GiB',
      make: () => objectStreamBomb(1536),
      limit: 'decoded-bytes',
      decodesTo: '1.5 GiB',
    },
    {
      name: 'content stream of a later revision inflating to 1.5 GiB',
      make: () => contentStreamBomb(1536),
      limit: 'decoded-bytes',
      decodesTo: '1.5 GiB',
    },
    {
      name: 'DSS with three streams of 1 GiB each',
      make: () => dssBomb(1024),
      limit: 'decoded-bytes',
      decodesTo: '3 GiB',
    },
    {
      name: '100,000 nested arrays in the catalog',
      make: () => deepNestingBomb(100_000),
      limit: 'nesting-depth',
      decodesTo: '-',
    },
    { name: 'a /Prev chain that loops', make: () => xrefLoopBomb(), limit: 'xref-sections', decodesTo: '-' },
    {
      name: 'an xref stream claiming 3,000,000 objects',
      make: () => objectCountBomb(3_000_000),
      limit: 'objects',
      decodesTo: '6 MB',
    },
  ];
  for (const bomb of bombs) {
    test(`${bomb.name}: PDF_TOO_COMPLEX (${bomb.limit}), peak RSS growth under ${RSS_CAP / MiB} MiB`, async () => {
      const pdf = bomb.make();
      const outcome = await verifyInChild(bomb.name.replace(/\W+/g, '-'), pdf);
      assert.equal(outcome.code, 'PDF_TOO_COMPLEX', JSON.stringify(outcome));
      assert.equal(outcome.details?.limit, bomb.limit, JSON.stringify(outcome));
      assert.match(outcome.message ?? '', new RegExp(`limit "${bomb.limit}"`));
      assert.ok(
        outcome.rssGrowth < RSS_CAP,
        `peak RSS grew by ${Math.round(outcome.rssGrowth / MiB)} MiB for a ${pdf.length}-byte file (decodes to ${bomb.decodesTo})`,
      );
    });
  }

  test('the limits are options: a file within the defaults is refused under a tighter decode budget or object limit', async () => {
    const small = objectStreamBomb(1);
    const normal = await verifyInChild('small', small);
    assert.equal(normal.code, undefined, JSON.stringify(normal));
    assert.equal(normal.exitCode, 2, 'read and reported as unsigned');
    const tight = await verifyInChild('small-tight', small, { maxDecodedBytes: 512 * 1024 });
    assert.equal(tight.code, 'PDF_TOO_COMPLEX', JSON.stringify(tight));
    assert.deepEqual(tight.details, { limit: 'decoded-bytes', max: 512 * 1024 });
    const sample = await verifyInChild('sample', signedSample());
    assert.equal(
      sample.exitCode,
      1,
      `the signed sample verifies as before (untrusted without its root): ${JSON.stringify(sample)}`,
    );
    const fewObjects = await verifyInChild('sample-objects', signedSample(), { maxObjects: 10 });
    assert.deepEqual(fewObjects.details, { limit: 'objects', max: 10 }, JSON.stringify(fewObjects));
  });
});

describe('bounded decoding', () => {
  test('a deflate bomb built by the test inflates to what it claims (the generator is honest)', () => {
    const stream = new PdfStream(
      new PdfDict([['Filter', PdfName.of('FlateDecode')]]),
      deflateBomb(8, Buffer.from('head')),
    );
    const data = decodeStream(stream, undefined, new PdfBudget(0, { maxDecodedBytes: 9 * MiB }));
    assert.equal(data.length, 8 * MiB + 4);
    assert.equal(Buffer.from(data.subarray(0, 4)).toString('latin1'), 'head');
  });

  test('Flate output stops at the remaining budget, shared by every stream of the file', () => {
    const budget = new PdfBudget(0, { maxDecodedBytes: 3 * MiB });
    const stream = new PdfStream(
      new PdfDict([['Filter', PdfName.of('FlateDecode')]]),
      deflateSync(Buffer.alloc(2 * MiB)),
    );
    decodeStream(stream, undefined, budget);
    assert.equal(budget.decodedBytes, 2 * MiB);
    assert.throws(
      () => decodeStream(stream, undefined, budget),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX') && e.details?.limit === 'decoded-bytes',
    );
    assert.ok(budget.exceeded, 'the budget remembers the limit it went over');
    // Once over, nothing more is decoded, not even a small stream.
    const small = new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), deflateSync(Buffer.from('q Q')));
    assert.throws(
      () => decodeStream(small, undefined, budget),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX'),
    );
  });

  test('ASCII85 "z" (4 zero bytes per input byte) and ASCIIHex count against the budget', () => {
    const zs = new PdfStream(
      new PdfDict([['Filter', PdfName.of('ASCII85Decode')]]),
      Buffer.from(`${'z'.repeat(1000)}~>`, 'latin1'),
    );
    assert.equal(decodeStream(zs, undefined, new PdfBudget(0, { maxDecodedBytes: 4000 })).length, 4000);
    assert.throws(
      () => decodeStream(zs, undefined, new PdfBudget(0, { maxDecodedBytes: 3999 })),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX'),
    );
    const a85 = new PdfStream(
      new PdfDict([['Filter', PdfName.of('ASCII85Decode')]]),
      Buffer.from('87cURD]i,"Ebo80~>', 'latin1'),
    );
    assert.equal(Buffer.from(decodeStream(a85)).toString('latin1'), 'Hello World!');
    const hex = new PdfStream(
      new PdfDict([['Filter', PdfName.of('ASCIIHexDecode')]]),
      Buffer.from('48 65 6c 6c 6f>', 'latin1'),
    );
    assert.throws(
      () => decodeStream(hex, undefined, new PdfBudget(0, { maxDecodedBytes: 4 })),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX'),
    );
    assert.equal(Buffer.from(decodeStream(hex)).toString('latin1'), 'Hello');
  });

  test('a PNG predictor with absurd /Columns allocates nothing and yields no rows; a non-number is malformed', () => {
    const data = deflateSync(Buffer.from([2, 1, 2, 3, 2, 1, 1, 1]));
    const ok = new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        [
          'DecodeParms',
          new PdfDict([
            ['Predictor', 12],
            ['Columns', 3],
          ]),
        ],
      ]),
      data,
    );
    assert.deepEqual([...decodeStream(ok)], [1, 2, 3, 2, 3, 4]);
    const huge = new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        [
          'DecodeParms',
          new PdfDict([
            ['Predictor', 12],
            ['Columns', 2 ** 31],
          ]),
        ],
      ]),
      data,
    );
    assert.equal(decodeStream(huge).length, 0);
    const bad = new PdfStream(
      new PdfDict([
        ['Filter', PdfName.of('FlateDecode')],
        [
          'DecodeParms',
          new PdfDict([
            ['Predictor', 12],
            ['Columns', 1e300],
          ]),
        ],
      ]),
      data,
    );
    assert.throws(
      () => decodeStream(bad),
      (e) => isCoreError(e, 'PDF_MALFORMED'),
    );
  });

  test('every count limit is an option: signatures, xref sections, nesting depth, object streams', async () => {
    const sample = signedSample();
    const over = async (limits: object, limit: string) =>
      assert.rejects(
        verifyPdf(sample, { limits }),
        (e) =>
          isCoreError(e, 'PDF_TOO_COMPLEX') && e.details?.limit === limit && e.message.includes(`limit "${limit}"`),
      );
    await over({ maxSignatures: 1 }, 'signatures');
    await over({ maxXrefSections: 1 }, 'xref-sections');
    await over({ maxNestingDepth: 2 }, 'nesting-depth');
    // The sample keeps no object in an object stream: a file whose catalog is in one shows that limit.
    await assert.rejects(
      verifyPdf(objectStreamBomb(1), { limits: { maxObjectStreams: 0 } }),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX') && e.details?.limit === 'object-streams',
    );
    assert.equal(
      (await verifyPdf(objectStreamBomb(1), { limits: { maxObjectStreams: 1 } })).exitCode,
      2,
      'one object stream is within a limit of 1',
    );
    const report = await verifyPdf(sample, { limits: { maxSignatures: 2, maxXrefSections: 20, maxNestingDepth: 16 } });
    assert.equal(report.exitCode, 1, 'within those limits the sample verifies as before');
  });

  test('in-process: a bomb throws the typed error from verifyPdf (never a report that hides it)', async () => {
    await assert.rejects(
      verifyPdf(objectStreamBomb(128)),
      (e) => isCoreError(e, 'PDF_TOO_COMPLEX') && e.details?.limit === 'decoded-bytes',
    );
    // The DSS is read in code that tolerates unreadable entries: the budget still reports the bomb.
    await assert.rejects(verifyPdf(dssBomb(64)), (e) => isCoreError(e, 'PDF_TOO_COMPLEX'));
  });
});
