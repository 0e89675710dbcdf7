// Hostile PDFs for the resource-limit tests: small files that decode to gigabytes, nest 100,000
// deep, loop their cross-reference chain or claim millions of objects. Built cheaply: a deflate bomb
// is one self-contained compressed block of zeros repeated, so making a 1 GiB bomb costs 1 MB.
import { readFileSync } from 'node:fs';
import { deflateRawSync, deflateSync, constants } from 'node:zlib';
import { PdfDocument } from '../../src/pdf/document.ts';
import { IncrementalUpdate, joinUpdate } from '../../src/pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfStream } from '../../src/pdf/objects.ts';
import { corpusPath } from './corpus.ts';

const MiB = 1024 * 1024;
const ADLER_MOD = 65521;

/** A signed sample PDF Inkan did not write (pyHanko's B-LTA with a DSS), the base of the signed bombs. */
export function signedSample(): Uint8Array {
  return new Uint8Array(readFileSync(corpusPath('pyhanko', 'valid', 'pades-lta-dss-indirect-arrs-test.pdf')));
}

/**
 * A zlib stream that inflates to `prefix` followed by `zeroMiB` MiB of zero bytes. Each MiB of zeros is
 * the same compressed block (a fresh deflater's output ends byte-aligned and refers only to itself),
 * so the block is made once and repeated; the Adler-32 of the whole is computed, not inflated.
 */
export function deflateBomb(zeroMiB: number, prefix: Uint8Array = new Uint8Array(0)): Uint8Array {
  const sync = { finishFlush: constants.Z_SYNC_FLUSH };
  const head = prefix.length > 0 ? deflateRawSync(prefix, sync) : new Uint8Array(0);
  const block = deflateRawSync(Buffer.alloc(MiB), sync);
  let a = 1;
  let b = 0;
  for (const byte of prefix) {
    a = (a + byte) % ADLER_MOD;
    b = (b + a) % ADLER_MOD;
  }
  // n zero bytes leave a as it is and add n·a to b.
  const zeros = zeroMiB * MiB;
  b = (b + (zeros % ADLER_MOD) * a) % ADLER_MOD;
  const finalBlock = Buffer.from([0x03, 0x00]); // an empty final block with fixed codes
  const adler = Buffer.alloc(4);
  adler.writeUInt32BE(((b << 16) | a) >>> 0);
  const parts: Uint8Array[] = [Buffer.from([0x78, 0x9c]), head];
  for (let i = 0; i < zeroMiB; i++) parts.push(block);
  parts.push(finalBlock, adler);
  return Buffer.concat(parts);
}

/** Writes a PDF with a classic xref table from numbered object bodies (`N 0 obj` … `endobj` added). */
export function classicPdf(objects: Array<{ num: number; body: Uint8Array | string }>, trailer: string): Uint8Array {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1')];
  let offset = parts[0].length;
  const offsets = new Map<number, number>();
  for (const { num, body } of objects) {
    const bytes = Buffer.concat([
      Buffer.from(`${num} 0 obj\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'latin1') : Buffer.from(body),
      Buffer.from('\nendobj\n', 'latin1'),
    ]);
    offsets.set(num, offset);
    parts.push(bytes);
    offset += bytes.length;
  }
  const size = Math.max(...offsets.keys()) + 1;
  let xref = `xref\n0 ${size}\n0000000000 65535 f\r\n`;
  for (let n = 1; n < size; n++)
    xref += offsets.has(n) ? `${String(offsets.get(n)).padStart(10, '0')} 00000 n\r\n` : '0000000000 65535 f\r\n';
  parts.push(Buffer.from(`${xref}trailer\n<< /Size ${size} ${trailer} >>\nstartxref\n${offset}\n%%EOF\n`, 'latin1'));
  return new Uint8Array(Buffer.concat(parts));
}

/** A stream object body: the dictionary entries given plus /Length, then the data. */
function streamBody(dictEntries: string, data: Uint8Array): Uint8Array {
  return Buffer.concat([
    Buffer.from(`<< ${dictEntries} /Length ${data.length} >>\nstream\n`, 'latin1'),
    Buffer.from(data),
    Buffer.from('\nendstream', 'latin1'),
  ]);
}

/**
 * The catalog and page tree live in an object stream that inflates to `zeroMiB` MiB (the 1.5 MB file
 * of the issue inflates to 1.5 GB): reading the catalog decodes the bomb.
 */
export function objectStreamBomb(zeroMiB = 1536): Uint8Array {
  const catalog = '<< /Type /Catalog /Pages 3 0 R >>';
  const pages = '<< /Type /Pages /Kids [] /Count 0 >>';
  const header = `2 0 3 ${catalog.length + 1} `;
  const decoded = Buffer.from(`${header}${catalog}\n${pages}\n`, 'latin1');
  const stream = streamBody(
    `/Type /ObjStm /N 2 /First ${header.length} /Filter /FlateDecode`,
    deflateBomb(zeroMiB, decoded),
  );
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const obj1 = Buffer.concat([Buffer.from('1 0 obj\n', 'latin1'), stream, Buffer.from('\nendobj\n', 'latin1')]);
  const xrefAt = head.length + obj1.length;
  // /W [1 4 2]: type, field 2 (offset or object stream), field 3 (generation or index).
  const row = (type: number, f2: number, f3: number) => {
    const r = Buffer.alloc(7);
    r[0] = type;
    r.writeUInt32BE(f2, 1);
    r.writeUInt16BE(f3, 5);
    return r;
  };
  const rows = Buffer.concat([row(0, 0, 65535), row(1, head.length, 0), row(2, 1, 0), row(2, 1, 1), row(1, xrefAt, 0)]);
  const xref = Buffer.concat([
    Buffer.from('4 0 obj\n', 'latin1'),
    streamBody('/Type /XRef /Size 5 /W [1 4 2] /Root 2 0 R', rows),
    Buffer.from('\nendobj\n', 'latin1'),
  ]);
  return new Uint8Array(Buffer.concat([head, obj1, xref, Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1')]));
}

/** A signed PDF whose later revision replaces page 1's content stream with one inflating to `zeroMiB` MiB. */
export function contentStreamBomb(zeroMiB = 1536): Uint8Array {
  const pdf = signedSample();
  const doc = PdfDocument.load(pdf);
  const update = new IncrementalUpdate(doc);
  const page = doc.page(0);
  const contents = page.dict.get('Contents');
  const bomb = new PdfStream(
    new PdfDict([['Filter', PdfName.of('FlateDecode')]]),
    deflateBomb(zeroMiB, Buffer.from('BT /F1 24 Tf 72 700 Td (PAY MALLORY) Tj ET\n', 'latin1')),
  );
  if (contents instanceof PdfRef) update.set(contents, bomb);
  else update.set(page.ref, page.dict.clone().set('Contents', update.add(bomb)));
  return joinUpdate(update.build());
}

/** A signed PDF whose later revision adds a DSS of three streams (certificates, OCSP, CRLs) of `zeroMiB` MiB each. */
export function dssBomb(zeroMiB = 1024): Uint8Array {
  const pdf = signedSample();
  const doc = PdfDocument.load(pdf);
  const update = new IncrementalUpdate(doc);
  const bomb = () =>
    update.add(new PdfStream(new PdfDict([['Filter', PdfName.of('FlateDecode')]]), deflateBomb(zeroMiB)));
  const dss = new PdfDict([
    ['Certs', [bomb()]],
    ['OCSPs', [bomb()]],
    ['CRLs', [bomb()]],
  ]);
  update.set(doc.catalogRef, doc.catalog.clone().set('DSS', update.add(dss)));
  return joinUpdate(update.build());
}

/** A catalog holding `depth` arrays nested in one another. */
export function deepNestingBomb(depth = 100_000): Uint8Array {
  return classicPdf(
    [
      { num: 1, body: `<< /Type /Catalog /Pages 2 0 R /Nest ${'['.repeat(depth)}${']'.repeat(depth)} >>` },
      { num: 2, body: '<< /Type /Pages /Kids [] /Count 0 >>' },
    ],
    '/Root 1 0 R',
  );
}

/** Two cross-reference sections whose /Prev name each other: following the chain never ends. */
export function xrefLoopBomb(): Uint8Array {
  // A fixed-width /Prev (leading zeros are a valid integer) is patched once the second section's offset is known.
  const placeholder = '/Prev 0000000000';
  const base = Buffer.from(
    classicPdf(
      [
        { num: 1, body: '<< /Type /Catalog /Pages 2 0 R >>' },
        { num: 2, body: '<< /Type /Pages /Kids [] /Count 0 >>' },
      ],
      `/Root 1 0 R ${placeholder}`,
    ),
  ).toString('latin1');
  const firstXref = base.lastIndexOf('xref\n0 ');
  const secondXref = base.length;
  const patched = base.replace(placeholder, `/Prev ${String(secondXref).padStart(10, '0')}`);
  const second = `xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 3 /Root 1 0 R /Prev ${firstXref} >>\nstartxref\n${secondXref}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(patched + second, 'latin1'));
}

/** A cross-reference stream claiming `count` objects (2 bytes a row, deflated to almost nothing). */
export function objectCountBomb(count = 3_000_000): Uint8Array {
  const rows = Buffer.alloc(count * 2);
  // Type 1 (at an offset), offset byte 9: entries a reader must keep, not free ones it could share.
  for (let i = 0; i < count; i++) {
    rows[i * 2] = 1;
    rows[i * 2 + 1] = 9;
  }
  const head = Buffer.from('%PDF-1.7\n%\xe2\xe3\n', 'latin1');
  const catalogAt = head.length;
  const catalog = Buffer.from(
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n',
    'latin1',
  );
  const xrefAt = head.length + catalog.length;
  rows[2] = 1;
  rows[3] = catalogAt;
  const xref = Buffer.concat([
    Buffer.from(`3 0 obj\n`, 'latin1'),
    streamBody(
      `/Type /XRef /Size ${count} /W [1 1 0] /Index [0 ${count}] /Root 1 0 R /Filter /FlateDecode`,
      deflateSync(rows),
    ),
    Buffer.from('\nendobj\n', 'latin1'),
  ]);
  return new Uint8Array(Buffer.concat([head, catalog, xref, Buffer.from(`startxref\n${xrefAt}\n%%EOF\n`, 'latin1')]));
}
