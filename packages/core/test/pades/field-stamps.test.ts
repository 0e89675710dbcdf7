// Fields and seals (issue 11 part 4): declared before the first signature, drawn into the page
// content in the same revision as each signer's signature. Checked with pdftoppm (red pixels of the
// 印影 inside its rectangle), pdftotext (the values), pdfsig (every signature valid) and our verifier
// (signer 1's signature allows signer 2's field drawing, and flags a change to a field afterwards).
import assert from 'node:assert/strict';
import { crc32, deflateSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import {
  createWitnessSigner,
  CoreError,
  declareFieldAreasParts,
  joinUpdate,
  readSealImage,
  signPdf,
  stampCertificateId,
  verifyPdf,
  type FieldFill,
  type FieldRect,
  type SealImage,
  type VerificationReport,
} from '../../src/index.ts';
import { PdfDocument } from '../../src/pdf/document.ts';
import { IncrementalUpdate } from '../../src/pdf/incremental-update.ts';
import { PdfDict, PdfRef, PdfStream } from '../../src/pdf/objects.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';
import { pdfsig, pdfText, qpdfCheck, runTool, withTempDir } from '../helpers/validators.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const A = { name: '山田 太郎', email: 'taro@example.jp' };
const B = { name: '佐藤 花子', email: 'hanako@example.co.jp' };

// Page 1 (index 0): A's seal, A's text, A's date; page 2: B's seal (organisation image), B's checkbox, B's text.
const AREAS: Array<{ page: number; rect: FieldRect }> = [
  { page: 0, rect: [380, 120, 440, 180] },
  { page: 0, rect: [80, 200, 300, 222] },
  { page: 0, rect: [80, 240, 220, 262] },
  { page: 1, rect: [380, 120, 440, 180] },
  { page: 1, rect: [80, 200, 96, 216] },
  { page: 1, rect: [80, 240, 300, 262] },
];

let fixture: PkiFixture;
let declared: Uint8Array;
let indexes: number[];
let signedByA: Uint8Array;
let signedByBoth: Uint8Array;
let stampImage: SealImage;

/** A 64×64 RGBA PNG: a red square ring on a transparent background (what a scanned 角印 looks like). */
function redSquarePng(): Uint8Array {
  const size = 64;
  const rows: Buffer[] = [];
  for (let y = 0; y < size; y++) {
    const row = Buffer.alloc(1 + size * 4);
    row[0] = 0; // filter None
    for (let x = 0; x < size; x++) {
      const ring = x < 8 || x >= size - 8 || y < 8 || y >= size - 8;
      row.set(ring ? [200, 20, 30, 255] : [0, 0, 0, 0], 1 + x * 4);
    }
    rows.push(row);
  }
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return Buffer.concat([length, Buffer.from(type, 'latin1'), data, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8;
  header[9] = 6;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function fill(area: number, value: FieldFill['value']): FieldFill {
  return { page: AREAS[area].page, area: indexes[area], value };
}

async function sign(pdf: Uint8Array, who: { name: string; email: string }, fields: FieldFill[]): Promise<Uint8Array> {
  return signPdf(pdf, {
    signer: await createWitnessSigner(fixture.pki, who),
    timestampAuthority: fixture.tsa,
    name: `${who.name} <${who.email}>`,
    reason: 'email + access code',
    location: 'envelope env_fields',
    fields,
  });
}

async function verify(pdf: Uint8Array): Promise<VerificationReport> {
  return verifyPdf(pdf, {
    trustAnchors: [fixture.pki.rootCertificate],
    revocationProvider: fixture.pki.revocationProvider,
  });
}

/** Page `page` (1-based) rendered by pdftoppm at 72 dpi (1 pixel = 1 point) as RGB rows. */
async function render(pdf: Uint8Array, page: number): Promise<{ width: number; height: number; rgb: Buffer }> {
  return withTempDir(async (dir) => {
    await writeFile(join(dir, 'in.pdf'), pdf);
    const run = await runTool('pdftoppm', [
      '-r',
      '72',
      '-f',
      String(page),
      '-l',
      String(page),
      join(dir, 'in.pdf'),
      join(dir, 'out'),
    ]);
    assert.equal(run.exitCode, 0, run.stderr);
    const files = (await import('node:fs')).readdirSync(dir).filter((f) => f.endsWith('.ppm'));
    const ppm = await readFile(join(dir, files[0]));
    const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.toString('latin1', 0, 40));
    assert.ok(header, 'pdftoppm wrote a P6 file');
    return { width: Number(header[1]), height: Number(header[2]), rgb: ppm.subarray(header[0].length) };
  });
}

/** Counts red and dark pixels inside a rectangle given in PDF points (origin bottom-left). */
function pixelsIn(
  image: { width: number; height: number; rgb: Buffer },
  rect: FieldRect,
): { red: number; dark: number } {
  let red = 0;
  let dark = 0;
  for (let y = Math.ceil(image.height - rect[3]); y < Math.floor(image.height - rect[1]); y++) {
    for (let x = Math.ceil(rect[0]); x < Math.floor(rect[2]); x++) {
      const at = (y * image.width + x) * 3;
      const [r, g, b] = [image.rgb[at], image.rgb[at + 1], image.rgb[at + 2]];
      if (r > 150 && g < 100 && b < 100) red++;
      if (r < 90 && g < 90 && b < 90) dark++;
    }
  }
  return { red, dark };
}

describe('fields and seals drawn with the signatures', () => {
  before(async () => {
    fixture = await createPkiFixture();
    const original = stampCertificateId(await makePdf({ pages: 2 }), { certificateId: 'IKN-FIELDS-0001' });
    const update = declareFieldAreasParts(original, AREAS);
    declared = joinUpdate(update);
    indexes = update.indexes;
    stampImage = readSealImage(redSquarePng());
    signedByA = await sign(declared, A, [
      fill(0, { kind: 'seal', name: A.name }),
      fill(1, { kind: 'text', text: '株式会社テスト 代表取締役' }),
      fill(2, { kind: 'text', text: '2026年12月6日' }),
    ]);
    signedByBoth = await sign(signedByA, B, [
      fill(3, { kind: 'image', image: stampImage }),
      fill(4, { kind: 'checkbox', checked: true }),
      fill(5, { kind: 'text', text: '' }),
    ]);
  });
  after(() => fixture?.cleanup());

  test('the declaration keeps the file well formed and names each area by its index on its page', async () => {
    assert.deepEqual(indexes, [0, 1, 2, 0, 1, 2]);
    const check = await qpdfCheck(signedByBoth);
    assert.equal(check.exitCode, 0, check.output);
  });

  test('pdftoppm shows the 印影, the organisation image and the check mark inside their rectangles', async () => {
    const page1 = await render(signedByBoth, 1);
    const seal = pixelsIn(page1, AREAS[0].rect);
    assert.ok(seal.red > 200, `red pixels in the seal rectangle: ${seal.red}`);
    assert.ok(pixelsIn(page1, AREAS[1].rect).dark > 50, 'the text value is drawn');
    // Nothing red outside the declared rectangles (the seal is clipped to its box).
    assert.equal(pixelsIn(page1, [0, 0, 370, 110]).red, 0);
    const page2 = await render(signedByBoth, 2);
    assert.ok(pixelsIn(page2, AREAS[3].rect).red > 300, 'the organisation image is drawn');
    assert.ok(pixelsIn(page2, AREAS[4].rect).dark > 20, 'the check box and its mark are drawn');
    const before = await render(declared, 1);
    assert.equal(pixelsIn(before, AREAS[0].rect).red, 0, 'nothing is drawn before signing');
  });

  test('pdftotext reads the text values', async () => {
    const text = await pdfText(signedByBoth, { page: 1 });
    assert.match(text, /株式会社テスト 代表取締役/);
    assert.match(text, /2026年12月6日/);
  });

  test('pdfsig finds both signatures valid', async () => {
    const result = await pdfsig(signedByBoth, { nssDir: fixture.nssDir });
    assert.equal(result.signatures.length, 2);
    for (const s of result.signatures) assert.equal(s.validation, 'Signature is Valid.');
  });

  test('our verifier: both signatures valid; signer 2 drawing into declared empty fields is an allowed change', async () => {
    const report = await verify(signedByBoth);
    assert.equal(report.exitCode, 0, report.summary);
    const first = report.signatures[0];
    assert.equal(first.status, 'valid');
    assert.ok(first.laterChanges.allowed);
    const drawn = first.laterChanges.changes.filter((c) => c.kind === 'field-values-added');
    assert.deepEqual(
      drawn.map((c) => c.page),
      [2],
    );
  });

  test('a change to a filled field after signing is flagged', async () => {
    // Redefine the drawing of signer 1's text field (page 1, area 1) with other words.
    const doc = PdfDocument.load(signedByBoth);
    const page = doc.page(0);
    const xobjects = doc.dict(doc.dict(page.dict.get('Resources'))!.get('XObject'))!;
    const ref = xobjects.get('InkanField1');
    assert.ok(ref instanceof PdfRef);
    const update = new IncrementalUpdate(doc);
    const old = doc.resolve(ref) as PdfStream;
    const dict = old.dict.clone();
    dict.delete('Filter');
    update.set(ref, new PdfStream(dict, Buffer.from('0 g 80 200 100 10 re f')));
    const tampered = joinUpdate(update.build());
    const report = await verify(tampered);
    assert.equal(report.exitCode, 1);
    for (const s of report.signatures) {
      assert.equal(s.laterChanges.allowed, false);
      assert.equal(s.status, 'invalid');
    }
  });

  test('a second drawing into a field already filled is flagged', async () => {
    // Appends `q /InkanField0 Do Q`-like drawing under a new name over signer 1's seal area.
    const doc = PdfDocument.load(signedByBoth);
    const page = doc.page(0);
    const update = new IncrementalUpdate(doc);
    const pageDict = page.dict.clone();
    const resources = doc.dict(pageDict.get('Resources'))!.clone();
    const xobjects = doc.dict(resources.get('XObject'))!.clone();
    const form = update.add(
      new PdfStream(
        new PdfDict([
          ['Subtype', (await import('../../src/pdf/objects.ts')).PdfName.of('Form')],
          ['BBox', AREAS[0].rect],
        ]),
        Buffer.from('1 g 380 120 60 60 re f'),
      ),
    );
    assert.ok(xobjects.has('InkanField0'));
    xobjects.set('InkanField9', form);
    resources.set('XObject', xobjects);
    pageDict.set('Resources', resources);
    const contents = doc.resolve(pageDict.get('Contents')) as PdfRef[];
    pageDict.set('Contents', [
      ...contents,
      update.add(new PdfStream(new PdfDict(), Buffer.from('q /InkanField9 Do Q'))),
    ]);
    update.set(page.ref, pageDict);
    const report = await verify(joinUpdate(update.build()));
    assert.equal(report.exitCode, 1);
    assert.equal(report.signatures[1].laterChanges.allowed, false);
  });

  test('fields that were not declared, or are filled twice, are refused', async () => {
    await assert.rejects(
      sign(signedByA, B, [{ page: 0, area: 7, value: { kind: 'checkbox', checked: false } }]),
      (error: unknown) => error instanceof CoreError && error.code === 'FIELD_INVALID',
    );
    await assert.rejects(
      sign(signedByA, B, [fill(0, { kind: 'seal', name: B.name })]),
      (error: unknown) => error instanceof CoreError && error.code === 'FIELD_INVALID',
    );
    assert.throws(
      () => declareFieldAreasParts(declared, [{ page: 0, rect: [500, 800, 700, 900] }]),
      (error: unknown) => error instanceof CoreError && error.code === 'FIELD_INVALID',
    );
  });

  test('seal images: bad input is refused with a reason', () => {
    assert.throws(() => readSealImage(new Uint8Array([1, 2, 3, 4])), /neither PNG nor JPEG/);
    const png = Buffer.from(redSquarePng());
    png.writeUInt32BE(5000, 16); // width in IHDR
    assert.throws(() => readSealImage(png), /larger than 2000/);
    assert.equal(stampImage.width, 64);
    assert.ok(stampImage.alpha, 'the transparency becomes a soft mask');
  });
});
