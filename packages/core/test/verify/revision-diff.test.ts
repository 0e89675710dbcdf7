// The revision diff against real files: PDFs made by @cantoo/pdf-lib, signed by Inkan with an
// openssl-made key, later revisions built by hand with IncrementalUpdate (the attacks), a real
// openssl TSA for document timestamps, and two pyHanko corpus files.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate, createPrivateKey, webcrypto } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { PDFDocument, StandardFonts } from '@cantoo/pdf-lib';
import { CryptoKeySigner, PDF } from '@libpdf/core';
import { KeyFileSigner } from '../../src/keys/key-file-signer.ts';
import { addDocumentTimestamp } from '../../src/pades/document-timestamp.ts';
import { signPdf } from '../../src/pades/sign-pdf.ts';
import { PdfDocument } from '../../src/pdf/document.ts';
import { IncrementalUpdate, joinUpdate } from '../../src/pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../../src/pdf/objects.ts';
import type { TimestampAuthority } from '../../src/timestamp-authority.ts';
import { diffRevisions, type ChangeKind, type RevisionDiff } from '../../src/verify/revision-diff.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { corpusPath } from '../helpers/corpus.ts';

const run = promisify(execFile);
const CORPUS = corpusPath('pyhanko');

let dir: string;
let signer: KeyFileSigner;
let tsa: TimestampAuthority;
let certDer: Uint8Array;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'inkan-revision-diff-'));
  const p = (name: string) => join(dir, name);
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    p('signer.key'),
    '-out',
    p('signer.pem'),
    '-days',
    '30',
    '-subj',
    '/CN=Revision Diff Signer',
  ]);
  certDer = new Uint8Array(new X509Certificate(readFileSync(p('signer.pem'))).raw);
  signer = new KeyFileSigner(readFileSync(p('signer.key'), 'utf8'), [certDer]);

  // A TSA that is not Inkan's: openssl ts -reply with a certificate whose EKU is timeStamping.
  writeFileSync(
    p('tsa-ext.cnf'),
    '[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n',
  );
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-keyout',
    p('tsa.key'),
    '-out',
    p('tsa.pem'),
    '-days',
    '30',
    '-subj',
    '/CN=Revision Diff TSA',
    '-extensions',
    'tsa',
    '-config',
    p('tsa-ext.cnf'),
  ]);
  writeFileSync(
    p('tsa.cnf'),
    `[tsa]\ndefault_tsa=tsa_default\n[tsa_default]\nserial=${p('tsa-serial')}\nsigner_digest=sha256\ndefault_policy=1.2.3.4.1\ndigests=sha256\ness_cert_id_alg=sha256\n`,
  );
  let n = 0;
  tsa = {
    async timestamp(digest) {
      n++;
      await run('openssl', [
        'ts',
        '-query',
        '-digest',
        Buffer.from(digest).toString('hex'),
        '-sha256',
        '-cert',
        '-no_nonce',
        '-out',
        p(`q${n}.tsq`),
      ]);
      await run('openssl', [
        'ts',
        '-reply',
        '-queryfile',
        p(`q${n}.tsq`),
        '-inkey',
        p('tsa.key'),
        '-signer',
        p('tsa.pem'),
        '-config',
        p('tsa.cnf'),
        '-token_out',
        '-out',
        p(`t${n}.der`),
      ]);
      return new Uint8Array(readFileSync(p(`t${n}.der`)));
    },
  };
});
after(() => rmSync(dir, { recursive: true, force: true }));

function diff(signedBytes: Uint8Array, laterBytes: Uint8Array): RevisionDiff {
  const d = diffRevisions(PdfDocument.load(signedBytes), PdfDocument.load(laterBytes));
  if (process.env.SHOW_DIFF) console.log(show(d));
  return d;
}

function kinds(d: RevisionDiff): ChangeKind[] {
  return d.changes.map((c) => c.kind);
}

function show(d: RevisionDiff): string {
  return JSON.stringify(d.changes, null, 1);
}

/** Asserts the diff is forbidden and has a forbidden change of `kind` (on `page` when given). */
function assertForbidden(d: RevisionDiff, kind: ChangeKind, page?: number): void {
  assert.equal(d.allowed, false, show(d));
  const hit = d.changes.find((c) => c.kind === kind && !c.allowed);
  assert.ok(hit, `no forbidden ${kind}: ${show(d)}`);
  if (page !== undefined) assert.equal(hit.page, page, show(d));
  assert.ok(hit.description.length > 20, hit.description);
}

/** Builds a later revision of `pdf` with `edit` and returns the whole file. */
function revise(pdf: Uint8Array, edit: (doc: PdfDocument, update: IncrementalUpdate) => void): Uint8Array {
  const doc = PdfDocument.load(pdf);
  const update = new IncrementalUpdate(doc);
  edit(doc, update);
  return joinUpdate(update.build());
}

/** The references of a page's /Contents (one stream or an array). */
function contentRefs(doc: PdfDocument, page: PdfDict): PdfRef[] {
  const contents = page.get('Contents');
  if (contents instanceof PdfRef) {
    const resolved = doc.getObject(contents);
    return Array.isArray(resolved) ? (resolved.filter((v) => v instanceof PdfRef) as PdfRef[]) : [contents];
  }
  return Array.isArray(contents) ? (contents.filter((v) => v instanceof PdfRef) as PdfRef[]) : [];
}

function contentStream(text: string): PdfStream {
  return new PdfStream(new PdfDict(), Buffer.from(text, 'latin1'));
}

async function signedSample(pages = 2): Promise<Uint8Array> {
  return signPdf(await makePdf({ pages }), { signer, name: 'Signer One', reason: 'test' });
}

describe('diffRevisions: allowed later revisions', () => {
  it('a second signature is allowed and reported as signature-added', async () => {
    const first = await signedSample();
    const second = await signPdf(first, { signer, name: 'Signer Two' });
    const d = diff(first, second);
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d), ['signature-added'], show(d));
    assert.equal(d.changes[0].page, 1);
    assert.match(d.changes[0].description, /Signature2/);
    // A third: still only one new signature relative to the second, two relative to the first.
    const third = await signPdf(second, { signer, name: 'Signer Three' });
    assert.deepEqual(kinds(diff(first, third)), ['signature-added', 'signature-added']);
  });

  it('a document timestamp is allowed and reported as document-timestamp-added', async () => {
    const signed = await signedSample();
    const stamped = joinUpdate(await addDocumentTimestamp(PdfDocument.load(signed), tsa));
    const d = diff(signed, stamped);
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d), ['document-timestamp-added'], show(d));
  });

  it('a DSS added to the catalog, then updated in place, is allowed', async () => {
    const signed = await signedSample();
    let dssRef: PdfRef | undefined;
    const withDss = revise(signed, (doc, update) => {
      const cert = update.add(new PdfStream(new PdfDict(), certDer));
      const vri = new PdfDict([['0123456789ABCDEF0123456789ABCDEF01234567', new PdfDict([['Cert', [cert]]])]]);
      dssRef = update.add(
        new PdfDict([
          ['Type', PdfName.of('DSS')],
          ['Certs', [cert]],
          ['OCSPs', []],
          ['CRLs', []],
          ['VRI', vri],
        ]),
      );
      update.set(doc.catalogRef, doc.catalog.clone().set('DSS', dssRef));
    });
    const d = diff(signed, withDss);
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d), ['dss-added'], show(d));
    assert.match(d.changes[0].description, /certificates: 1, OCSP responses: 0, CRLs: 0, VRI entries: 1/);

    const updated = revise(withDss, (doc, update) => {
      const dss = (doc.getObject(dssRef!) as PdfDict).clone();
      const crl = update.add(new PdfStream(new PdfDict(), Buffer.from('not really a CRL')));
      update.set(dssRef!, dss.set('CRLs', [crl]));
    });
    const d2 = diff(withDss, updated);
    assert.equal(d2.allowed, true, show(d2));
    assert.deepEqual(kinds(d2), ['dss-updated'], show(d2));
    const d3 = diff(signed, updated);
    assert.equal(d3.allowed, true, show(d3));
    assert.deepEqual(kinds(d3), ['dss-added'], show(d3));
  });

  it('a B-LTA signature by another library (@libpdf/core: signature, DSS, document timestamp) is allowed', async () => {
    const signed = await signedSample();
    const pkcs8 = createPrivateKey(readFileSync(join(dir, 'signer.key'))).export({ format: 'der', type: 'pkcs8' });
    const key = await webcrypto.subtle.importKey('pkcs8', pkcs8, { name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
    ]);
    const other = new CryptoKeySigner(key as CryptoKey, certDer, 'EC', 'ECDSA');
    const noRevocation = { getOCSP: async () => null, getCRL: async () => null };
    const result = await (
      await PDF.load(signed)
    ).sign({ signer: other, level: 'B-LTA', timestampAuthority: tsa, revocationProvider: noRevocation });
    const d = diff(signed, result.bytes);
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d).sort(), ['document-timestamp-added', 'dss-added', 'signature-added'], show(d));
  });

  it('rewriting objects with identical values (even re-compressed) reports nothing', async () => {
    const signed = await signedSample();
    const later = revise(signed, (doc, update) => {
      const page = doc.page(0);
      update.set(page.ref, page.dict.clone());
      for (const ref of contentRefs(doc, page.dict)) {
        const stream = doc.getObject(ref) as PdfStream;
        const data = doc.streamData(stream);
        const dict = stream.dict.clone();
        dict.delete('Filter');
        update.set(ref, new PdfStream(dict, data)); // same content, stored uncompressed
      }
    });
    const d = diff(signed, later);
    assert.deepEqual(d, { changes: [], allowed: true });
  });
});

describe('diffRevisions: forbidden later revisions', () => {
  let signed: Uint8Array;
  before(async () => {
    signed = await signedSample();
  });

  it('page 1 content stream redefined under the same object number (shadow "replace")', () => {
    let target = 0;
    const later = revise(signed, (doc, update) => {
      const [ref] = contentRefs(doc, doc.page(0).dict);
      target = ref.objectNumber;
      update.set(ref, contentStream('BT /F1 24 Tf 72 700 Td (Pay 1,000,000 JPY) Tj ET'));
    });
    const d = diff(signed, later);
    assertForbidden(d, 'page-content-changed', 1);
    assert.equal(d.changes.find((c) => !c.allowed)?.objectNumber, target);
    assert.match(d.changes[0].description, /content/);
  });

  it('new content appended through a /Contents array', () => {
    const later = revise(signed, (doc, update) => {
      const page = doc.page(0);
      const extra = update.add(contentStream('BT /F1 24 Tf 72 600 Td (VOID) Tj ET'));
      update.set(page.ref, page.dict.clone().set('Contents', [...contentRefs(doc, page.dict), extra]));
    });
    const d = diff(signed, later);
    assertForbidden(d, 'page-content-changed', 1);
    assert.match(d.changes[0].description, /\/Contents/);
  });

  it('a page added', () => {
    const later = revise(signed, (doc, update) => {
      const pagesRef = doc.catalog.get('Pages') as PdfRef;
      const pages = (doc.getObject(pagesRef) as PdfDict).clone();
      const first = doc.page(0).dict;
      const content = update.add(contentStream('BT /F1 24 Tf 72 700 Td (An extra page) Tj ET'));
      const page = update.add(
        new PdfDict([
          ['Type', PdfName.of('Page')],
          ['Parent', pagesRef],
          ['MediaBox', doc.inherited(first, 'MediaBox') ?? [0, 0, 595, 842]],
          ['Resources', doc.inherited(first, 'Resources') ?? new PdfDict()],
          ['Contents', content],
        ]),
      );
      pages.set('Kids', [...(pages.get('Kids') as PdfObject[]), page]);
      pages.set('Count', (pages.get('Count') as number) + 1);
      update.set(pagesRef, pages);
    });
    const d = diff(signed, later);
    assertForbidden(d, 'page-added', 3);
  });

  it('a text annotation added to page 1', () => {
    const later = revise(signed, (doc, update) => {
      const page = doc.page(0);
      const note = update.add(
        new PdfDict([
          ['Type', PdfName.of('Annot')],
          ['Subtype', PdfName.of('Text')],
          ['Rect', [100, 100, 120, 120]],
          ['Contents', new PdfString(Buffer.from('cancelled'))],
          ['P', page.ref],
        ]),
      );
      const annots = (doc.resolve(page.dict.get('Annots')) as PdfObject[] | null) ?? [];
      update.set(page.ref, page.dict.clone().set('Annots', [...annots, note]));
    });
    const d = diff(signed, later);
    assertForbidden(d, 'annotation-added', 1);
    assert.match(d.changes[0].description, /\/Text annotation/);
  });

  it('an image XObject redefined (shadow "replace" of an image)', async () => {
    const withImage = await signPdf(await makePdf({ pages: 1, padToBytes: 30_000 }), { signer });
    let imageNumber = 0;
    const later = revise(withImage, (doc, update) => {
      const resources = doc.dict(doc.inherited(doc.page(0).dict, 'Resources'))!;
      const xobjects = doc.dict(resources.get('XObject'))!;
      const [, ref] = [...xobjects.entries].find(
        ([, v]) => v instanceof PdfRef && (doc.getObject(v) as PdfStream).dict.name('Subtype') === 'Image',
      ) as [string, PdfRef];
      imageNumber = ref.objectNumber;
      const old = doc.getObject(ref) as PdfStream;
      const dict = old.dict.clone();
      dict.delete('Filter');
      update.set(ref, new PdfStream(dict, new Uint8Array(doc.streamData(old).length).fill(0xff)));
    });
    const d = diff(withImage, later);
    assertForbidden(d, 'page-content-changed', 1);
    const change = d.changes.find((c) => !c.allowed)!;
    assert.equal(change.objectNumber, imageNumber);
    assert.match(change.description, /image XObject/);
    assert.match(change.description, /\/XObject/);
  });

  it('a form field value changed', async () => {
    const form = await PDFDocument.create({ updateMetadata: false });
    const page = form.addPage([595, 842]);
    const field = form.getForm().createTextField('amount');
    field.setText('100 JPY');
    field.addToPage(page, {
      x: 72,
      y: 700,
      width: 200,
      height: 24,
      font: await form.embedFont(StandardFonts.Helvetica),
    });
    const signedForm = await signPdf(await form.save({ useObjectStreams: false }), { signer });
    const later = revise(signedForm, (doc, update) => {
      const fields = doc.resolve(doc.dict(doc.catalog.get('AcroForm'))!.get('Fields')) as PdfObject[];
      const ref = fields.find((f) => doc.dict(f)?.name('FT') === 'Tx') as PdfRef;
      update.set(
        ref,
        doc
          .dict(ref)!
          .clone()
          .set('V', new PdfString(Buffer.from('1,000,000 JPY'))),
      );
    });
    const d = diff(signedForm, later);
    assertForbidden(d, 'form-field-changed');
    assert.match(d.changes[0].description, /'amount'.*"100 JPY".*"1,000,000 JPY"/);
  });

  it('an object freed in the cross-reference table', () => {
    const doc = PdfDocument.load(signed);
    const [ref] = contentRefs(doc, doc.page(0).dict);
    const tailStart = signed.length;
    const table = `xref\n0 1\n0000000000 65535 f\r\n${ref.objectNumber} 1\n0000000000 00001 f\r\n`;
    const info = doc.trailer.get('Info');
    const tail = `${table}trailer\n<< /Size ${doc.size} /Root ${doc.catalogRef.toString()}${info ? ` /Info ${String(info)}` : ''} /Prev ${doc.xref.startxref} >>\nstartxref\n${tailStart}\n%%EOF\n`;
    const later = Buffer.concat([signed, Buffer.from(tail, 'latin1')]);
    const d = diff(signed, later);
    assertForbidden(d, 'object-freed', 1);
    assert.deepEqual(kinds(d), ['object-freed'], show(d));
    assert.equal(d.changes[0].objectNumber, ref.objectNumber);
    assert.match(d.changes[0].description, /deleted/);
  });

  it('/OpenAction added to the catalog', () => {
    const later = revise(signed, (doc, update) => {
      const js = update.add(
        new PdfDict([
          ['S', PdfName.of('JavaScript')],
          ['JS', new PdfString(Buffer.from('app.alert(1)'))],
        ]),
      );
      update.set(doc.catalogRef, doc.catalog.clone().set('OpenAction', js));
    });
    const d = diff(signed, later);
    assertForbidden(d, 'catalog-changed');
    assert.match(d.changes[0].description, /\/OpenAction/);
  });

  it('an object the signed page referred to but lacked, defined later ("shadow add")', async () => {
    const ghost = new PdfRef(500);
    const prepared = revise(await makePdf({ pages: 1 }), (doc, update) => {
      const page = doc.page(0);
      const resources = doc.dict(doc.inherited(page.dict, 'Resources'))!.clone();
      const xobjects = (doc.dict(resources.get('XObject')) ?? new PdfDict()).clone().set('Ghost', ghost);
      update.set(page.ref, page.dict.clone().set('Resources', resources.set('XObject', xobjects)));
    });
    const signedGhost = await signPdf(prepared, { signer });
    assert.equal(PdfDocument.load(signedGhost).getObject(ghost), null);
    const later = revise(signedGhost, (_doc, update) => {
      update.set(
        ghost,
        new PdfStream(
          new PdfDict([
            ['Type', PdfName.of('XObject')],
            ['Subtype', PdfName.of('Form')],
            ['BBox', [0, 0, 595, 842]],
          ]),
          Buffer.from('BT /F1 40 Tf 72 400 Td (VOID) Tj ET'),
        ),
      );
    });
    const d = diff(signedGhost, later);
    assertForbidden(d, 'page-content-changed', 1);
    const change = d.changes.find((c) => !c.allowed)!;
    assert.equal(change.objectNumber, 500);
    assert.match(change.description, /missing from the signed revision, now a form XObject/);
  });

  it('a font redefined inside a rewritten object stream (its xref entry unchanged)', async () => {
    const compact = await signPdf(await makePdf({ pages: 1, useObjectStreams: true }), { signer });
    let fontNumber = 0;
    const later = revise(compact, (doc, update) => {
      const resources = doc.dict(doc.inherited(doc.page(0).dict, 'Resources'))!;
      const fonts = doc.dict(resources.get('Font'))!;
      const fontRef = [...fonts.entries.values()][0] as PdfRef;
      fontNumber = fontRef.objectNumber;
      const entry = doc.xref.entries.get(fontNumber);
      assert.equal(entry?.kind, 'compressed', 'the font dictionary should sit in an object stream');
      if (entry?.kind !== 'compressed') return;
      const streamRef = new PdfRef(entry.streamObjectNumber);
      const objStm = doc.getObject(streamRef) as PdfStream;
      // Same length, so the object stream's offsets stay right: only the font's name changes.
      const data = Buffer.from(doc.streamData(objStm)).toString('latin1').replace('/Helvetica', '/Courier  ');
      const dict = objStm.dict.clone();
      dict.delete('Filter');
      update.set(streamRef, new PdfStream(dict, Buffer.from(data, 'latin1')));
    });
    assert.equal(PdfDocument.load(later).xref.entries.get(fontNumber)?.kind, 'compressed');
    const d = diff(compact, later);
    assertForbidden(d, 'page-content-changed', 1);
    assert.equal(d.changes.find((c) => !c.allowed)?.objectNumber, fontNumber, show(d));
    assert.match(d.changes.find((c) => !c.allowed)!.description, /font/);
  });
});

describe('diffRevisions: filling an empty signature field', () => {
  /**
   * A signed PDF with an empty signature field 'Approver' whose widget shows appearance stream S.
   * With `shareAppearance`, page 1's resources also name S (as an XObject): S is then page content too.
   */
  async function withEmptyField(
    shareAppearance: boolean,
  ): Promise<{ signed: Uint8Array; widget: PdfRef; appearance: PdfRef }> {
    let widget: PdfRef | undefined;
    let appearance: PdfRef | undefined;
    const prepared = revise(await makePdf({ pages: 1 }), (doc, update) => {
      const page = doc.page(0);
      appearance = update.add(
        new PdfStream(
          new PdfDict([
            ['Type', PdfName.of('XObject')],
            ['Subtype', PdfName.of('Form')],
            ['BBox', [0, 0, 200, 50]],
          ]),
          Buffer.from('0.9 g 0 0 200 50 re f'),
        ),
      );
      widget = update.add(
        new PdfDict([
          ['Type', PdfName.of('Annot')],
          ['Subtype', PdfName.of('Widget')],
          ['FT', PdfName.of('Sig')],
          ['T', new PdfString(Buffer.from('Approver'))],
          ['Rect', [72, 72, 272, 122]],
          ['F', 4],
          ['P', page.ref],
          ['AP', new PdfDict([['N', appearance]])],
        ]),
      );
      const pageDict = page.dict.clone().set('Annots', [widget]);
      if (shareAppearance) {
        const resources = (doc.dict(doc.inherited(page.dict, 'Resources')) ?? new PdfDict()).clone();
        const xobjects = (doc.dict(resources.get('XObject')) ?? new PdfDict()).clone().set('Box', appearance);
        pageDict.set('Resources', resources.set('XObject', xobjects));
      }
      update.set(page.ref, pageDict);
      update.set(
        doc.catalogRef,
        doc.catalog.clone().set(
          'AcroForm',
          new PdfDict([
            ['Fields', [widget]],
            ['SigFlags', 3],
          ]),
        ),
      );
    });
    const signed = await signPdf(prepared, { signer });
    return { signed, widget: widget!, appearance: appearance! };
  }

  /** The field gets a signature value (the diff does not check the CMS) and S is redefined in place. */
  function fill(signed: Uint8Array, widget: PdfRef, appearance: PdfRef, options: { setValue: boolean }): Uint8Array {
    return revise(signed, (doc, update) => {
      if (options.setValue) {
        const value = update.add(
          new PdfDict([
            ['Type', PdfName.of('Sig')],
            ['Filter', PdfName.of('Adobe.PPKLite')],
            ['SubFilter', PdfName.of('ETSI.CAdES.detached')],
            ['ByteRange', [0, 0, 0, 0]],
            ['Contents', new PdfString(new Uint8Array(8), true)],
          ]),
        );
        update.set(widget, (doc.getObject(widget) as PdfDict).clone().set('V', value));
      }
      const old = doc.getObject(appearance) as PdfStream;
      update.set(
        appearance,
        new PdfStream(old.dict.clone(), Buffer.from('BT /Helv 12 Tf 10 20 Td (Signed by the approver) Tj ET')),
      );
    });
  }

  it('signing it and redefining its own appearance stream in place is allowed', async () => {
    const { signed, widget, appearance } = await withEmptyField(false);
    const d = diff(signed, fill(signed, widget, appearance, { setValue: true }));
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d).sort(), ['appearance-changed', 'signature-added'], show(d));
    assert.match(d.changes.find((c) => c.kind === 'signature-added')!.description, /'Approver'/);
  });

  it('the same appearance redefinition is forbidden when page 1 also uses that stream', async () => {
    const { signed, widget, appearance } = await withEmptyField(true);
    const d = diff(signed, fill(signed, widget, appearance, { setValue: true }));
    assertForbidden(d, 'appearance-changed');
    const change = d.changes.find((c) => !c.allowed)!;
    assert.equal(change.objectNumber, appearance.objectNumber);
    assert.match(change.description, /page 1 \(\/Resources\/XObject\/Box\)/);
  });

  it('redefining the appearance of a field that stays unsigned is forbidden', async () => {
    const { signed, widget, appearance } = await withEmptyField(false);
    const d = diff(signed, fill(signed, widget, appearance, { setValue: false }));
    assertForbidden(d, 'appearance-changed');
    assert.match(d.changes[0].description, /signature field 'Approver' was redefined, without that field being signed/);
  });
});

describe('diffRevisions: pyHanko corpus', () => {
  /** Ends of the signed ranges of every /ByteRange in the file, in file order. */
  function byteRangeEnds(bytes: Uint8Array): number[] {
    const text = Buffer.from(bytes).toString('latin1');
    return [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map(
      (m) => Number(m[3]) + Number(m[4]),
    );
  }

  it('form-update-override-appearance-stream-sneaky.pdf: the overridden appearance is forbidden', () => {
    const bytes = new Uint8Array(
      readFileSync(join(CORPUS, 'suspicious/form-update-override-appearance-stream-sneaky.pdf')),
    );
    const [end] = byteRangeEnds(bytes);
    assert.ok(end < bytes.length);
    const d = diff(bytes.subarray(0, end), bytes);
    assertForbidden(d, 'appearance-changed', 1);
    const change = d.changes.find((c) => !c.allowed)!;
    assert.match(change.description, /appearance stream \(object 9\)/);
    assert.match(change.description, /catalog \(\/FooBar\)/);
    // Signing the empty field itself is fine; only the shared appearance is the problem.
    assert.ok(
      d.changes.some((c) => c.kind === 'signature-added' && c.allowed),
      show(d),
    );
  });

  it('pades-lta-dss-indirect-arrs-test.pdf: DSS and document timestamps after the signature are allowed', () => {
    const bytes = new Uint8Array(readFileSync(join(CORPUS, 'valid/pades-lta-dss-indirect-arrs-test.pdf')));
    const [end] = byteRangeEnds(bytes);
    const d = diff(bytes.subarray(0, end), bytes);
    assert.equal(d.allowed, true, show(d));
    assert.deepEqual(kinds(d).sort(), ['document-timestamp-added', 'dss-added'], show(d));
  });
});
