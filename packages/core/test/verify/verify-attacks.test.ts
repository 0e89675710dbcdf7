// Attacks on PDFs signed by Inkan's own signer (two signers, B-T, the built-in CA and TSA), crafted
// byte by byte after the 2019 "PDF insecurity" (ISA, SWA, USF) and 2021 shadow-attack descriptions:
// each must make `verifyPdf` say invalid (exit 1) and name what it found. Controls first, so that a
// failure below means the attack was missed, not that signing broke.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createCadesSignature } from '../../src/cms/cades.ts';
import { decodeOid, readDer } from '../../src/asn1/der-reader.ts';
import { octetString, oid, retag, sequence, setOf, tlv } from '../../src/asn1/der-writer.ts';
import { OID } from '../../src/asn1/oids.ts';
import { createWitnessSigner } from '../../src/pki/index.ts';
import { sealPdf } from '../../src/pades/seal-pdf.ts';
import { signPdf } from '../../src/pades/sign-pdf.ts';
import { derOfContents, listSignatures, type PdfSignatureInfo } from '../../src/pades/signatures.ts';
import { PdfDocument } from '../../src/pdf/document.ts';
import { IncrementalUpdate, joinUpdate } from '../../src/pdf/incremental-update.ts';
import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from '../../src/pdf/objects.ts';
import type { Signer } from '../../src/signer.ts';
import type {
  CertificateSummary,
  RevocationReport,
  SignatureReport,
  TimestampReport,
  VerificationReport,
} from '../../src/verify/report.ts';
import type { RevisionChange } from '../../src/verify/revision-diff.ts';
import { verifyPdf } from '../../src/verify/verify-pdf.ts';
import { makePdf } from '../helpers/make-pdf.ts';
import { createPkiFixture, type PkiFixture } from '../helpers/pki-fixture.ts';
import { pdfText } from '../helpers/validators.ts';

const SIGNERS = [
  { name: 'Taro Yamada', email: 'taro@example.jp' },
  { name: 'Hanako Sato', email: 'hanako@example.co.jp' },
];
const MALICIOUS_TEXT = 'PAY 9,999,999 JPY TO MALLORY';

let fixture: PkiFixture;
let signers: Signer[];
/** Two B-T signatures on a plain two-page PDF (classic xref table). */
let signed: Uint8Array;
/** The same, but the signed revision carries hidden objects for the shadow attacks. */
let shadowSigned: Uint8Array;
let shadow: { xobject: number; xobjectDict: number; duplicateOffset: number; contentObject: number };

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
const fromLatin1 = (text: string) => new Uint8Array(Buffer.from(text, 'latin1'));
const sha256 = (...parts: Uint8Array[]) => parts.reduce((h, p) => h.update(p), createHash('sha256')).digest();

function show(report: VerificationReport): string {
  return JSON.stringify(
    {
      exit: report.exitCode,
      attacks: report.attacks,
      problems: report.problems,
      signatures: report.signatures.map((s) => ({
        field: s.fieldName,
        status: s.status,
        coverageOk: s.integrity.coverageOk,
        problems: s.problems,
      })),
    },
    null,
    1,
  );
}

function signaturesOf(pdf: Uint8Array): PdfSignatureInfo[] {
  return listSignatures(PdfDocument.load(pdf));
}

async function verify(pdf: Uint8Array): Promise<VerificationReport> {
  return verifyPdf(pdf, {
    trustAnchors: [fixture.pki.rootCertificate],
    revocationProvider: fixture.pki.revocationProvider,
  });
}

async function signBoth(pdf: Uint8Array): Promise<Uint8Array> {
  let out = pdf;
  for (const [i, who] of SIGNERS.entries()) {
    out = await signPdf(out, {
      signer: signers[i],
      timestampAuthority: fixture.tsa,
      name: `${who.name} <${who.email}>`,
      reason: 'email + access code',
      location: 'envelope env_0123',
    });
  }
  return out;
}

/** Appends a revision made with `edit` (the honest incremental-update writer: what an attacker's editor does). */
function revise(pdf: Uint8Array, edit: (doc: PdfDocument, update: IncrementalUpdate) => void): Uint8Array {
  const doc = PdfDocument.load(pdf);
  const update = new IncrementalUpdate(doc);
  edit(doc, update);
  return joinUpdate(update.build());
}

function contentStream(text: string): PdfStream {
  return new PdfStream(new PdfDict(), fromLatin1(text));
}

/** The resource name of page 1's font (pdf-lib names it Helvetica-<random>). */
function fontName(doc: PdfDocument): string {
  const resources = doc.dict(doc.inherited(doc.page(0).dict, 'Resources'));
  const fonts = doc.dict(resources?.get('Font'));
  const name = fonts ? [...fonts.entries.keys()][0] : undefined;
  assert.ok(name, 'page 1 has a font resource');
  return name;
}

/** Where a signature's /ByteRange array is written: [start, end) of its '[ … ]'. */
function byteRangeSpan(pdf: Uint8Array, byteRange: number[]): { start: number; end: number } {
  const text = latin1(pdf);
  const key = text.lastIndexOf('/ByteRange', byteRange[1]);
  const start = text.indexOf('[', key);
  const end = text.indexOf(']', start) + 1;
  assert.ok(key >= 0 && start > key && end > start, 'the /ByteRange array is found');
  return { start, end };
}

/** A copy of `pdf` with the signature's /ByteRange rewritten in place (same width, so every offset stays). */
function withByteRange(pdf: Uint8Array, signature: PdfSignatureInfo, range: number[]): Uint8Array {
  const { start, end } = byteRangeSpan(pdf, signature.byteRange);
  const text = `[${range.join(' ')}]`;
  assert.ok(text.length <= end - start, 'the new ByteRange fits the old one');
  const out = Uint8Array.from(pdf);
  out.set(fromLatin1(text.padEnd(end - start, ' ')), start);
  return out;
}

/** A copy of `pdf` with `der` written, hex and zero-padded, into the signature's /Contents (its original gap). */
function withContents(pdf: Uint8Array, signature: PdfSignatureInfo, der: Uint8Array): Uint8Array {
  const [, b, c] = signature.byteRange;
  const hex = Buffer.from(der).toString('hex');
  assert.ok(hex.length <= c - b - 2, 'the CMS fits the reserved /Contents');
  const out = Uint8Array.from(pdf);
  out.set(fromLatin1(hex.padEnd(c - b - 2, '0')), b + 1);
  return out;
}

/**
 * Rewrites signature `index`'s /ByteRange to `range` and signs again, honestly, what that range
 * covers: the CMS is then valid for the declared bytes, so only the coverage checks can object.
 */
async function resignWithRange(pdf: Uint8Array, index: number, range: number[]): Promise<Uint8Array> {
  const signature = signaturesOf(pdf)[index];
  const [, b, c] = signature.byteRange;
  const [r0, r1, r2, r3] = range;
  assert.ok(r0 + r1 <= b && r2 >= c, 'the new ranges leave the real /Contents unsigned');
  const rewritten = withByteRange(pdf, signature, range);
  const digest = sha256(rewritten.subarray(r0, r0 + r1), rewritten.subarray(r2, r2 + r3));
  const cms = await createCadesSignature({
    signer: signers[index],
    contentDigest: digest,
    timestampAuthority: fixture.tsa,
  });
  return withContents(rewritten, signature, cms);
}

/** The CMS of a signature as DER (the zero padding cut off). */
function cmsOf(signature: PdfSignatureInfo): Uint8Array {
  return derOfContents(signature.contents);
}

/**
 * A CAdES CMS like Inkan's, for `digest`, but with its signed attributes filtered by `keep` and
 * signed again with the signer's key (and timestamped again), so that it is well-formed and its
 * signature verifies: only what was left out is wrong.
 */
async function cmsWithSignedAttributes(
  signer: Signer,
  digest: Uint8Array,
  keep: (attributeOid: string) => boolean,
): Promise<Uint8Array> {
  const original = readDer(await createCadesSignature({ signer, contentDigest: digest }));
  const [contentType, wrapped] = original.children();
  const signedData = wrapped.children()[0].children();
  const signerInfos = signedData[signedData.length - 1];
  const parts = signerInfos.children()[0].children();
  // SignerInfo: version, sid, digestAlgorithm, [0] signedAttrs, signatureAlgorithm, signature.
  const attributes = parts[3].children().filter((a) => keep(decodeOid(a.children()[0])));
  const signedAttributes = setOf(attributes.map((a) => a.raw));
  const signature = await signer.sign(signedAttributes);
  const token = await fixture.tsa.timestamp(sha256(signature));
  const unsigned = setOf([sequence(oid(OID.signatureTimeStampToken), setOf([token]))], 0xa1);
  const signerInfo = sequence(
    parts[0].raw,
    parts[1].raw,
    parts[2].raw,
    retag(signedAttributes, 0xa0),
    parts[4].raw,
    octetString(signature),
    unsigned,
  );
  const newSignedData = sequence(...signedData.slice(0, -1).map((t) => t.raw), setOf([signerInfo]));
  return sequence(contentType.raw, tlv(0xa0, newSignedData));
}

/** The digest signature `index` covers (its ByteRange, as written). */
function rangeDigest(pdf: Uint8Array, signature: PdfSignatureInfo): Uint8Array {
  const [a, b, c, d] = signature.byteRange;
  return sha256(pdf.subarray(a, a + b), pdf.subarray(c, c + d));
}

/** Asserts the common verdict of a later-revision attack: exit 1, every signature flags a forbidden change. */
function assertForbiddenLaterChange(report: VerificationReport, kinds: RevisionChange['kind'][]): void {
  assert.equal(report.exitCode, 1, show(report));
  assert.ok(
    report.attacks.some((a) => a === 'shadow-attack' || a === 'incremental-saving'),
    show(report),
  );
  for (const s of report.signatures) {
    assert.equal(s.status, 'invalid', show(report));
    assert.equal(s.laterChanges.allowed, false, show(report));
    // The signatures themselves are intact: it is the later change that makes them invalid.
    assert.equal(s.integrity.digestMatches, true);
    assert.equal(s.integrity.signatureValid, true);
    const forbidden = s.laterChanges.changes.filter((c) => !c.allowed);
    assert.ok(
      forbidden.some((c) => kinds.includes(c.kind)),
      `no forbidden ${kinds.join('/')}: ${JSON.stringify(s.laterChanges.changes, null, 1)}`,
    );
    assert.ok(
      s.problems.some((p) => p.startsWith('changed after signing:')),
      show(report),
    );
  }
}

before(async () => {
  fixture = await createPkiFixture('RSA-2048');
  signers = [];
  for (const who of SIGNERS) signers.push(await createWitnessSigner(fixture.pki, who));
  signed = await signBoth(await makePdf({ pages: 2 }));

  // The shadow document: before signing, a revision adds a form XObject that nothing shows, an empty
  // indirect /XObject resource dictionary for page 1, and a content stream drawing /Shadow (a name
  // not yet defined, so nothing appears). After it, outside any xref, a second definition of page 1's
  // content stream object with other text (hide-and-replace). All of it is signed.
  const plain = await makePdf({ pages: 2 });
  const doc = PdfDocument.load(plain);
  const update = new IncrementalUpdate(doc);
  const page = doc.page(0);
  const font = fontName(doc);
  const resources = doc.dict(page.dict.get('Resources'))!.clone();
  const fonts = resources.get('Font');
  const xobject = update.add(
    new PdfStream(
      new PdfDict([
        ['Type', PdfName.of('XObject')],
        ['Subtype', PdfName.of('Form')],
        ['BBox', [0, 0, 595, 842]],
        ['Resources', new PdfDict([['Font', fonts as PdfObject]])],
      ]),
      fromLatin1(`BT /${font} 20 Tf 72 600 Td (${MALICIOUS_TEXT}) Tj ET`),
    ),
  );
  const xobjectDict = update.add(new PdfDict());
  resources.set('XObject', xobjectDict);
  const drawShadow = update.add(contentStream('q /Shadow Do Q'));
  const contents = doc.resolve(page.dict.get('Contents'));
  assert.ok(Array.isArray(contents) && contents[0] instanceof PdfRef, 'page 1 /Contents is an array of references');
  update.set(
    page.ref,
    page.dict
      .clone()
      .set('Resources', resources)
      .set('Contents', [...contents, drawShadow]),
  );
  const prepared = latin1(joinUpdate(update.build()));
  const contentObject = (contents[0] as PdfRef).objectNumber;
  const duplicate = `${contentObject} 0 obj\n<< /Length ${`BT /${font} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET`.length} >>\nstream\nBT /${font} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET\nendstream\nendobj\n`;
  shadow = {
    xobject: xobject.objectNumber,
    xobjectDict: xobjectDict.objectNumber,
    duplicateOffset: prepared.length,
    contentObject,
  };
  shadowSigned = await signBoth(fromLatin1(prepared + duplicate));
});
after(() => fixture?.cleanup());

describe('controls', () => {
  test('the two-signer file is valid: exit 0, both B-T', async () => {
    const report = await verify(signed);
    assert.equal(report.exitCode, 0, show(report));
    assert.deepEqual(
      report.signatures.map((s) => s.level),
      ['B-T', 'B-T'],
    );
    assert.deepEqual(
      report.signatures.map((s) => s.signer?.commonName),
      SIGNERS.map((s) => s.name),
    );
    assert.deepEqual(report.attacks, []);
  });

  test('the shadow document is valid as signed, and shows no malicious text', async () => {
    const report = await verify(shadowSigned);
    assert.equal(report.exitCode, 0, show(report));
    assert.doesNotMatch(await pdfText(shadowSigned, { page: 1 }), /MALLORY/);
  });

  test('a sealed file stays exit 0 with every signature at B-LTA', async () => {
    const sealed = await sealPdf(signed, fixture.sealOptions);
    const report = await verify(sealed);
    assert.equal(report.exitCode, 0, show(report));
    assert.deepEqual(
      report.signatures.map((s) => s.type),
      ['signature', 'signature', 'document-timestamp'],
    );
    assert.deepEqual(
      report.signatures.filter((s) => s.type === 'signature').map((s) => s.level),
      ['B-LTA', 'B-LTA'],
    );
    assert.ok(report.signatures.every((s) => s.status === 'valid' && s.laterChanges.allowed));
    assert.deepEqual(report.attacks, []);
  });
});

describe('incremental saving attacks (a later revision changes what is shown)', () => {
  test("page 1's content replaced", async () => {
    const attacked = revise(signed, (doc, update) => {
      const page = doc.page(0);
      const stream = update.add(contentStream(`BT /${fontName(doc)} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET`));
      update.set(page.ref, page.dict.clone().set('Contents', [stream]));
    });
    assert.match(await pdfText(attacked, { page: 1 }), /MALLORY/, 'the attack works in a viewer');
    const report = await verify(attacked);
    assertForbiddenLaterChange(report, ['page-content-changed']);
    assert.ok(
      report.signatures.every((s) =>
        s.laterChanges.changes.some((c) => c.kind === 'page-content-changed' && c.page === 1),
      ),
      show(report),
    );
  });

  test('a page added', async () => {
    const attacked = revise(signed, (doc, update) => {
      const pagesRef = doc.catalog.get('Pages') as PdfRef;
      const pages = doc.dict(pagesRef)!.clone();
      const stream = update.add(contentStream(`BT /${fontName(doc)} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET`));
      // A copy of page 1's dictionary, so that the font resource the text names is there.
      const newPage = update.add(doc.page(0).dict.clone().set('Contents', [stream]).set('Annots', []));
      pages.set('Kids', [...(doc.resolve(pages.get('Kids')) as PdfObject[]), newPage]).set('Count', 3);
      update.set(pagesRef, pages);
    });
    assert.match(await pdfText(attacked, { page: 3 }), /MALLORY/, 'the attack works in a viewer');
    const report = await verify(attacked);
    assertForbiddenLaterChange(report, ['page-added']);
    assert.ok(report.attacks.includes('incremental-saving'), show(report));
  });

  test('an annotation added to page 1', async () => {
    const attacked = revise(signed, (doc, update) => {
      const page = doc.page(0);
      const appearance = update.add(
        new PdfStream(
          new PdfDict([
            ['Type', PdfName.of('XObject')],
            ['Subtype', PdfName.of('Form')],
            ['BBox', [0, 0, 400, 40]],
            ['Resources', doc.dict(page.dict.get('Resources'))!],
          ]),
          fromLatin1(`BT /${fontName(doc)} 18 Tf 4 12 Td (${MALICIOUS_TEXT}) Tj ET`),
        ),
      );
      const annotation = update.add(
        new PdfDict([
          ['Type', PdfName.of('Annot')],
          ['Subtype', PdfName.of('FreeText')],
          ['Rect', [72, 500, 472, 540]],
          ['Contents', new PdfString(fromLatin1(MALICIOUS_TEXT))],
          ['DA', new PdfString(fromLatin1('/Helv 18 Tf 0 g'))],
          ['AP', new PdfDict([['N', appearance]])],
          ['F', 4],
        ]),
      );
      const annots = doc.resolve(page.dict.get('Annots')) as PdfObject[];
      update.set(page.ref, page.dict.clone().set('Annots', [...annots, annotation]));
    });
    const report = await verify(attacked);
    assertForbiddenLaterChange(report, ['annotation-added']);
    assert.ok(report.attacks.includes('incremental-saving'), show(report));
  });
});

describe('shadow attacks (the malicious content is already inside the signed revision)', () => {
  test('shadow hide: a later revision only fills the XObject resource dictionary with the hidden XObject', async () => {
    const attacked = revise(shadowSigned, (_doc, update) => {
      update.set(new PdfRef(shadow.xobjectDict), new PdfDict([['Shadow', new PdfRef(shadow.xobject)]]));
    });
    assert.match(await pdfText(attacked, { page: 1 }), /MALLORY/, 'the attack works in a viewer');
    const report = await verify(attacked);
    assertForbiddenLaterChange(report, ['page-content-changed']);
    assert.ok(report.attacks.includes('shadow-attack'), show(report));
  });

  test('shadow hide: a later revision references the unused XObject from new page content', async () => {
    const attacked = revise(shadowSigned, (doc, update) => {
      const page = doc.page(0);
      const resources = doc
        .dict(page.dict.get('Resources'))!
        .clone()
        .set('XObject', new PdfDict([['Evil', new PdfRef(shadow.xobject)]]));
      const draw = update.add(contentStream('q /Evil Do Q'));
      update.set(
        page.ref,
        page.dict
          .clone()
          .set('Resources', resources)
          .set('Contents', [...(doc.resolve(page.dict.get('Contents')) as PdfObject[]), draw]),
      );
    });
    assert.match(await pdfText(attacked, { page: 1 }), /MALLORY/);
    assertForbiddenLaterChange(await verify(attacked), ['page-content-changed']);
  });

  test('hide-and-replace: a later revision is only an xref entry pointing at a second, hidden definition of the content stream', async () => {
    const doc = PdfDocument.load(shadowSigned);
    const entry = `${String(shadow.duplicateOffset).padStart(10, '0')} 00000 n\r\n`;
    const id = doc.trailer.get('ID');
    const trailer = `<< /Size ${doc.size} /Root ${String(doc.trailer.get('Root'))} /Prev ${doc.xref.startxref}${Array.isArray(id) ? ` /ID [<${Buffer.from((id[0] as PdfString).bytes).toString('hex')}> <00112233445566778899aabbccddeeff>]` : ''} >>`;
    const xrefAt = shadowSigned.length;
    const attacked = fromLatin1(
      `${latin1(shadowSigned)}xref\n${shadow.contentObject} 1\n${entry}trailer\n${trailer}\nstartxref\n${xrefAt}\n%%EOF\n`,
    );
    assert.match(await pdfText(attacked, { page: 1 }), /MALLORY/, 'the attack works in a viewer');
    const report = await verify(attacked);
    assertForbiddenLaterChange(report, ['page-content-changed']);
    assert.ok(report.attacks.includes('shadow-attack'), show(report));
  });
});

describe('signature wrapping and universal signature forgery', () => {
  test('SWA: a later revision redefines the ByteRange to a relocated copy of the signed tail; the old tail becomes unsigned', async () => {
    // Per the 2019 description: the second signed part is copied further on, /ByteRange [0 b c' d]
    // points at the copy, and everything between the real /Contents and the copy (new objects
    // included) falls into the "gap". The digest still matches: the hashed bytes are the same.
    const doc = PdfDocument.load(signed);
    const signature = signaturesOf(signed)[1];
    const [, b, c, d] = signature.byteRange;
    const text = latin1(signed);
    const entry = doc.xref.entries.get(signature.objectNumber);
    assert.ok(entry?.kind === 'offset');
    const objectEnd = text.indexOf('endobj', c) + 'endobj\n'.length;
    const font = fontName(doc);
    const page = doc.page(0);
    const newContent = `${doc.size} 0 obj\n<< /Length ${`BT /${font} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET`.length} >>\nstream\nBT /${font} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET\nendstream\nendobj\n`;
    const pageBytes = (() => {
      const update = new IncrementalUpdate(doc);
      update.set(page.ref, page.dict.clone().set('Contents', [new PdfRef(doc.size)]));
      const tail = latin1(update.build().tail);
      return tail.slice(tail.indexOf(`${page.ref.objectNumber} 0 obj`), tail.indexOf('endobj') + 'endobj\n'.length);
    })();
    let appended = '';
    const offsets = new Map<number, number>();
    const add = (num: number, body: string) => {
      offsets.set(num, signed.length + appended.length);
      appended += body;
    };
    add(doc.size, newContent);
    add(page.ref.objectNumber, pageBytes);
    const signatureObject = text.slice(entry.offset, objectEnd);
    // The copy of the signed tail follows the redefined signature object and a comment ending in '>'.
    const beforeCopy = () => signed.length + appended.length + signatureObject.length + '%>'.length;
    const relocated = beforeCopy();
    const span = byteRangeSpan(signed, signature.byteRange);
    const newRange = `[0 ${b} ${relocated} ${d}]`.padEnd(span.end - span.start, ' ');
    add(signature.objectNumber, text.slice(entry.offset, span.start) + newRange + text.slice(span.end, objectEnd));
    assert.equal(signed.length + appended.length + '%>'.length, relocated);
    appended += `%>${text.slice(c, c + d)}`;
    const xrefAt = signed.length + appended.length;
    const rows = [...offsets.entries()]
      .sort((x, y) => x[0] - y[0])
      .map(([num, at]) => `${num} 1\n${String(at).padStart(10, '0')} 00000 n\r\n`)
      .join('');
    appended += `xref\n${rows}trailer\n<< /Size ${doc.size + 1} /Root ${String(doc.trailer.get('Root'))} /Prev ${doc.xref.startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const attacked = fromLatin1(text + appended);
    assert.match(await pdfText(attacked, { page: 1 }), /MALLORY/, 'the attack works in a viewer');

    const report = await verify(attacked);
    assert.equal(report.exitCode, 1, show(report));
    const s = report.signatures[1];
    assert.deepEqual(s.byteRange, [0, b, relocated, d]);
    assert.equal(s.integrity.digestMatches, true, 'the hashed bytes are the signed ones');
    assert.equal(s.integrity.coverageOk, false, show(report));
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => /signature wrapping/.test(p)),
      show(report),
    );
    assert.ok(
      s.problems.some((p) => /larger than the \/Contents string/.test(p)),
      show(report),
    );
    assert.ok(
      report.attacks.includes('signature-wrapping') && report.attacks.includes('coverage-anomaly'),
      show(report),
    );
    assert.equal(report.signatures[0].status, 'invalid', 'the first signature sees the content change');
  });

  test('the real /Contents moved to a redefined signature dictionary, other bytes left where the ByteRange points', async () => {
    const signature = signaturesOf(signed)[1];
    const [, b, c] = signature.byteRange;
    for (const oddDigits of [false, true]) {
      // The gap is unsigned: the attacker overwrites it (zeros; or an odd count of hex digits, which
      // a PDF reader completes with a 0) and puts the genuine CMS into a later revision.
      const gap = '0'.repeat(c - b - 2);
      const rewritten = Uint8Array.from(signed);
      rewritten.set(fromLatin1(oddDigits ? `${gap.slice(0, -1)} ` : gap), b + 1);
      const attacked = revise(rewritten, (doc, update) => {
        const dict = doc.dict(new PdfRef(signature.objectNumber))!.clone();
        update.set(new PdfRef(signature.objectNumber), dict.set('Contents', new PdfString(signature.contents, true)));
      });
      const report = await verify(attacked);
      assert.equal(report.exitCode, 1, show(report));
      const s = report.signatures[1];
      assert.equal(s.status, 'invalid');
      assert.equal(s.integrity.coverageOk, false, show(report));
      assert.ok(
        s.problems.some((p) => /signature wrapping/.test(p)),
        `odd=${oddDigits}: ${show(report)}`,
      );
      assert.ok(report.attacks.includes('signature-wrapping'), show(report));
    }
  });

  test("a copy of a signature's dictionary in a new field (a signature that its revision never had)", async () => {
    const first = signaturesOf(signed)[0];
    const attacked = revise(signed, (doc, update) => {
      const copy = update.add(
        first.dict.clone().set('Name', new PdfString(fromLatin1('Mallory <mallory@example.com>'))),
      );
      const page = doc.page(0);
      const widget = update.add(
        new PdfDict([
          ['Type', PdfName.of('Annot')],
          ['Subtype', PdfName.of('Widget')],
          ['FT', PdfName.of('Sig')],
          ['T', new PdfString(fromLatin1('Signature3'))],
          ['V', copy],
          ['F', 132],
          ['Rect', [0, 0, 0, 0]],
          ['P', page.ref],
        ]),
      );
      const acroFormRef = doc.catalog.get('AcroForm');
      const acroForm = doc.dict(acroFormRef)!.clone();
      acroForm.set('Fields', [...(doc.resolve(acroForm.get('Fields')) as PdfObject[]), widget]);
      if (acroFormRef instanceof PdfRef) update.set(acroFormRef, acroForm);
      else update.set(doc.catalogRef, doc.catalog.clone().set('AcroForm', acroForm));
      update.set(
        page.ref,
        page.dict.clone().set('Annots', [...(doc.resolve(page.dict.get('Annots')) as PdfObject[]), widget]),
      );
    });
    const report = await verify(attacked);
    assert.equal(report.signatures.length, 3, show(report));
    const duplicate = report.signatures.find((s) => s.claimed.name?.includes('Mallory'));
    assert.ok(duplicate, show(report));
    assert.equal(duplicate.status, 'invalid', show(report));
    assert.ok(
      duplicate.problems.some((p) => /signature wrapping/.test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1, show(report));
  });

  const forgeries: Array<{ label: string; edit: (dict: PdfDict) => PdfDict; problem: RegExp }> = [
    { label: '/ByteRange removed', edit: (d) => (d.delete('ByteRange'), d), problem: /ByteRange has 0 entries/ },
    { label: '/ByteRange []', edit: (d) => d.set('ByteRange', []), problem: /ByteRange has 0 entries/ },
    { label: '/ByteRange null', edit: (d) => d.set('ByteRange', null), problem: /ByteRange has 0 entries/ },
    {
      label: '/Contents removed',
      edit: (d) => (d.delete('Contents'), d),
      problem: /cannot be parsed as CMS|gap .* (does not hold|signature wrapping)/,
    },
    {
      label: '/Contents <>',
      edit: (d) => d.set('Contents', new PdfString(new Uint8Array(0), true)),
      problem: /cannot be parsed as CMS|signature wrapping/,
    },
  ];
  for (const { label, edit, problem } of forgeries) {
    test(`USF: the signature dictionary redefined with ${label}, page content replaced`, async () => {
      const signature = signaturesOf(signed)[1];
      const attacked = revise(signed, (doc, update) => {
        update.set(new PdfRef(signature.objectNumber), edit(doc.dict(new PdfRef(signature.objectNumber))!.clone()));
        const page = doc.page(0);
        const stream = update.add(contentStream(`BT /${fontName(doc)} 24 Tf 72 700 Td (${MALICIOUS_TEXT}) Tj ET`));
        update.set(page.ref, page.dict.clone().set('Contents', [stream]));
      });
      const report = await verify(attacked);
      assert.equal(report.exitCode, 1, show(report));
      const s = report.signatures.find((x) => x.fieldName === 'Signature2');
      assert.ok(s, show(report));
      assert.equal(s.status, 'invalid');
      assert.ok(
        s.problems.some((p) => problem.test(p)),
        show(report),
      );
      assert.equal(report.signatures[0].laterChanges.allowed, false, show(report));
    });
  }
});

describe('signature stripping (a later revision removes a signature made after the others)', () => {
  /** `signed` with the second signature taken out of the form in a new revision: /V only, or the whole field. */
  function strip(mode: 'value' | 'field' | 'all'): Uint8Array {
    return revise(signed, (doc, update) => {
      const catalog = doc.catalog.clone();
      const acroForm = doc.dict(catalog.get('AcroForm'))!.clone();
      const fields = doc.resolve(acroForm.get('Fields')) as PdfObject[];
      const last = fields[fields.length - 1] as PdfRef;
      if (mode === 'value') {
        const field = doc.dict(last)!.clone();
        field.delete('V');
        update.set(last, field);
        return;
      }
      const kept = mode === 'all' ? [] : fields.slice(0, -1);
      update.set(doc.catalogRef, catalog.set('AcroForm', acroForm.set('Fields', kept)));
      const page = doc.page(0);
      const annots = (doc.resolve(page.dict.get('Annots')) as PdfObject[]).filter((a) =>
        kept.some((k) => k instanceof PdfRef && a instanceof PdfRef && k.objectNumber === a.objectNumber),
      );
      update.set(page.ref, page.dict.clone().set('Annots', annots));
    });
  }

  for (const mode of ['value', 'field'] as const) {
    test(`the second signature's ${mode === 'value' ? '/V' : 'field and widget'} removed: exit 1, the removal named`, async () => {
      const report = await verify(strip(mode));
      // The first signature alone is intact (nothing it signed changed) ...
      assert.equal(report.signatures.length, 1, show(report));
      assert.equal(report.signatures[0].status, 'valid', show(report));
      // ... but the file holds a second signature value that the document no longer lists.
      assert.equal(report.exitCode, 1, show(report));
      assert.ok(report.attacks.includes('signature-removed'), show(report));
      assert.ok(
        report.problems.some((p) => /removed or hid that signature/.test(p) && /revision 3/.test(p)),
        show(report),
      );
    });
  }

  test('control: a usage-rights signature (/Perms /UR3, outside the form) made before the signatures is not a removed one', async () => {
    // A signature moved out of the form into /Perms /UR3 (as Reader-extended PDFs carry one), then signed twice.
    const once = await signPdf(await makePdf({ pages: 1 }), { signer: signers[0], timestampAuthority: fixture.tsa });
    const first = signaturesOf(once)[0];
    const extended = revise(once, (doc, update) => {
      const page = doc.page(0);
      update.set(page.ref, page.dict.clone().set('Annots', []));
      const catalog = doc.catalog.clone();
      catalog.delete('AcroForm');
      update.set(doc.catalogRef, catalog.set('Perms', new PdfDict([['UR3', new PdfRef(first.objectNumber)]])));
    });
    const report = await verify(await signBoth(extended));
    assert.equal(report.signatures.length, 2, show(report));
    assert.ok(!report.attacks.includes('signature-removed'), show(report));
    assert.equal(report.exitCode, 0, show(report));
  });

  test('every signature removed: unsigned (exit 2), with the removal said', async () => {
    const report = await verify(strip('all'));
    assert.equal(report.exitCode, 2, show(report));
    assert.deepEqual(report.signatures, []);
    assert.ok(
      report.problems.some((p) => /2 signature value\(s\) that no signature field lists/.test(p)),
      show(report),
    );
  });
});

describe('coverage anomalies in our own files (re-signed honestly over the anomalous range)', () => {
  test('a ByteRange that does not start at 0', async () => {
    const [, b, c, d] = signaturesOf(signed)[1].byteRange;
    const attacked = await resignWithRange(signed, 1, [9, b - 9, c, d]);
    const report = await verify(attacked);
    const s = report.signatures[1];
    assert.equal(s.integrity.digestMatches, true, 'the CMS is valid for the declared range');
    assert.equal(s.integrity.signatureValid, true);
    assert.equal(s.integrity.coverageOk, false);
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => /starts at byte 9, not 0/.test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1);
    assert.ok(report.attacks.includes('coverage-anomaly'));
    assert.equal(report.signatures[0].status, 'valid', 'the other signature is untouched');
  });

  test('a gap larger than /Contents leaves the rest of the signature dictionary unsigned', async () => {
    const signature = signaturesOf(signed)[1];
    const [, b, c] = signature.byteRange;
    const text = latin1(signed);
    const dictEnd = text.lastIndexOf('>>', text.indexOf('endobj', c)) + 2;
    let attacked = await resignWithRange(signed, 1, [0, b, dictEnd, signed.length - dictEnd]);
    // Now unsigned, the claimed location can be changed without touching the digest.
    const at = latin1(attacked).indexOf('env_0123', c);
    assert.ok(at > c && at < dictEnd, 'the /Location is inside the enlarged gap');
    attacked = Uint8Array.from(attacked);
    attacked.set(fromLatin1('env_6666'), at);
    const report = await verify(attacked);
    const s = report.signatures[1];
    assert.equal(s.claimed.location, 'envelope env_6666');
    assert.equal(s.integrity.digestMatches, true);
    assert.equal(s.integrity.coverageOk, false);
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => /larger than the \/Contents string/.test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1);
  });

  test('a range that stops short of the end of its revision', async () => {
    const [, b, c] = signaturesOf(signed)[1].byteRange;
    const stop = latin1(signed).lastIndexOf('startxref');
    const attacked = await resignWithRange(signed, 1, [0, b, c, stop - c]);
    const report = await verify(attacked);
    const s = report.signatures[1];
    assert.equal(s.integrity.digestMatches, true);
    assert.equal(s.integrity.coverageOk, false);
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => new RegExp(`signed range ends at byte ${stop}.*not covered`).test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1);
  });
});

describe('messageDigest attacks (a CMS whose signature verifies, but not over this document)', () => {
  test('a wrong messageDigest', async () => {
    const signature = signaturesOf(signed)[1];
    const cms = await createCadesSignature({
      signer: signers[1],
      contentDigest: sha256(fromLatin1('another document')),
      timestampAuthority: fixture.tsa,
    });
    const report = await verify(withContents(signed, signature, cms));
    const s = report.signatures[1];
    assert.equal(s.integrity.coverageOk, true);
    assert.equal(s.integrity.signatureValid, true, 'the CMS signature itself verifies');
    assert.equal(s.integrity.digestMatches, false);
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => /message digest does not match/.test(p)),
      show(report),
    );
    assert.equal(report.signatures[0].status, 'valid');
    assert.equal(report.exitCode, 1);
  });

  test('no messageDigest signed attribute', async () => {
    const signature = signaturesOf(signed)[1];
    const cms = await cmsWithSignedAttributes(
      signers[1],
      rangeDigest(signed, signature),
      (attribute) => attribute !== OID.messageDigest,
    );
    assert.notEqual(Buffer.compare(cms, cmsOf(signature)), 0);
    const report = await verify(withContents(signed, signature, cms));
    const s = report.signatures[1];
    assert.equal(s.integrity.signatureValid, true, 'the signature over the remaining attributes verifies');
    assert.equal(s.timestamp?.imprintMatches, true, 'and it has a fitting signature timestamp');
    assert.equal(s.integrity.digestMatches, false);
    assert.equal(s.status, 'invalid');
    assert.ok(
      s.problems.some((p) => /message-digest signed attribute is missing/.test(p)),
      show(report),
    );
    assert.equal(report.exitCode, 1);
  });

  test('control: the same re-signing with every attribute kept is valid', async () => {
    const signature = signaturesOf(signed)[1];
    const cms = await cmsWithSignedAttributes(signers[1], rangeDigest(signed, signature), () => true);
    const report = await verify(withContents(signed, signature, cms));
    assert.equal(report.exitCode, 0, show(report));
  });
});

describe('broken timestamp tokens never throw', () => {
  test('a document timestamp whose token is not a TimeStampToken', async () => {
    const sealed = await sealPdf(signed, fixture.sealOptions);
    const timestamp = signaturesOf(sealed).find((s) => s.type === 'document-timestamp')!;
    // A SEQUENCE { INTEGER 1 }: well-formed DER, not a token.
    const report = await verify(withContents(sealed, timestamp, Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)));
    assert.equal(report.exitCode, 1, show(report));
    const t = report.signatures.find((s) => s.type === 'document-timestamp')!;
    assert.equal(t.status, 'invalid');
    assert.ok(
      t.problems.some((p) => /timestamp token cannot be parsed/.test(p)),
      show(report),
    );
    // Without a valid archive timestamp the signatures fall back to B-LT.
    assert.deepEqual(
      report.signatures.filter((s) => s.type === 'signature').map((s) => s.level),
      ['B-LT', 'B-LT'],
    );
  });
});

describe('the --json report shape', () => {
  // Every key of the schema (report.ts), checked by tsc against the interfaces so the lists cannot drift.
  const reportKeys = {
    schemaVersion: 1,
    file: 1,
    signatures: 1,
    attacks: 1,
    problems: 1,
    exitCode: 1,
    summary: 1,
  } satisfies Record<keyof VerificationReport, 1>;
  const fileKeys = { size: 1, sha256: 1, revisions: 1, pages: 1 } satisfies Record<keyof VerificationReport['file'], 1>;
  const signatureKeys = {
    index: 1,
    fieldName: 1,
    type: 1,
    subFilter: 1,
    revision: 1,
    coversWholeFile: 1,
    byteRange: 1,
    signer: 1,
    claimed: 1,
    integrity: 1,
    timestamp: 1,
    certificate: 1,
    revocation: 1,
    level: 1,
    laterChanges: 1,
    indication: 1,
    subIndication: 1,
    bestSignatureTime: 1,
    validationTime: 1,
    status: 1,
    problems: 1,
  } satisfies Record<keyof SignatureReport, 1>;
  const signerKeys = { commonName: 1, subject: 1, email: 1, organization: 1 } satisfies Record<
    keyof NonNullable<SignatureReport['signer']>,
    1
  >;
  const claimedKeys = { name: 1, reason: 1, location: 1, contactInfo: 1, signingTime: 1 } satisfies Record<
    keyof SignatureReport['claimed'],
    1
  >;
  const integrityKeys = {
    coverageOk: 1,
    digestMatches: 1,
    signatureValid: 1,
    signingCertificateMatches: 1,
    digestAlgorithm: 1,
  } satisfies Record<keyof SignatureReport['integrity'], 1>;
  const timestampKeys = {
    time: 1,
    tsa: 1,
    serialNumber: 1,
    policy: 1,
    imprintMatches: 1,
    signatureValid: 1,
    chain: 1,
    trusted: 1,
    accepted: 1,
    problems: 1,
  } satisfies Record<keyof TimestampReport, 1>;
  const certificateKeys = { chain: 1, trusted: 1, validAtSigningTime: 1 } satisfies Record<
    keyof NonNullable<SignatureReport['certificate']>,
    1
  >;
  const summaryKeys = {
    subject: 1,
    issuer: 1,
    serialNumber: 1,
    notBefore: 1,
    notAfter: 1,
    fingerprint: 1,
  } satisfies Record<keyof CertificateSummary, 1>;
  const revocationKeys = {
    source: 1,
    ocspResponses: 1,
    crls: 1,
    status: 1,
    complete: 1,
    revokedAt: 1,
  } satisfies Record<keyof RevocationReport, 1>;
  const laterKeys = { allowed: 1, changes: 1 } satisfies Record<keyof SignatureReport['laterChanges'], 1>;
  const changeKeys = { kind: 1, allowed: 1, description: 1 } satisfies Partial<Record<keyof RevisionChange, 1>>;

  function assertKeys(value: unknown, keys: Record<string, 1>, where: string): void {
    assert.ok(value !== null && typeof value === 'object' && !Array.isArray(value), `${where} is an object`);
    for (const key of Object.keys(keys)) {
      assert.ok(Object.hasOwn(value, key), `${where}.${key} is missing`);
      assert.notEqual((value as Record<string, unknown>)[key], undefined, `${where}.${key} is undefined`);
    }
  }

  function assertShape(report: VerificationReport): void {
    const json = JSON.stringify(report);
    const parsed = JSON.parse(json) as VerificationReport;
    // deepStrictEqual tells {a: undefined} from {}: an undefined field would fail here.
    assert.deepEqual(parsed, report);
    assertKeys(parsed, reportKeys, 'report');
    assertKeys(parsed.file, fileKeys, 'report.file');
    parsed.signatures.forEach((s, i) => {
      const at = `signatures[${i}]`;
      assertKeys(s, signatureKeys, at);
      if (s.signer !== null) assertKeys(s.signer, signerKeys, `${at}.signer`);
      assertKeys(s.claimed, claimedKeys, `${at}.claimed`);
      assertKeys(s.integrity, integrityKeys, `${at}.integrity`);
      if (s.timestamp !== null) {
        assertKeys(s.timestamp, timestampKeys, `${at}.timestamp`);
        s.timestamp.chain.forEach((c, j) => assertKeys(c, summaryKeys, `${at}.timestamp.chain[${j}]`));
      }
      if (s.certificate !== null) {
        assertKeys(s.certificate, certificateKeys, `${at}.certificate`);
        s.certificate.chain.forEach((c, j) => assertKeys(c, summaryKeys, `${at}.certificate.chain[${j}]`));
      }
      assertKeys(s.revocation, revocationKeys, `${at}.revocation`);
      assertKeys(s.laterChanges, laterKeys, `${at}.laterChanges`);
      s.laterChanges.changes.forEach((c, j) => assertKeys(c, changeKeys, `${at}.laterChanges.changes[${j}]`));
    });
  }

  test('sealed, attacked, unsigned and unreadable reports round-trip through JSON with every field', async () => {
    const sealed = await verify(await sealPdf(signed, fixture.sealOptions));
    assert.ok(
      sealed.signatures.some(
        (s) => s.timestamp !== null && s.certificate !== null && s.laterChanges.changes.length > 0,
      ),
    );
    assertShape(sealed);
    const attacked = await verify(
      revise(signed, (doc, update) => {
        const page = doc.page(0);
        update.set(page.ref, page.dict.clone().set('Contents', [update.add(contentStream('BT ET'))]));
      }),
    );
    assert.ok(attacked.signatures.some((s) => s.laterChanges.changes.some((c) => !c.allowed)));
    assertShape(attacked);
    const unsigned = await verify(await makePdf({ pages: 1 }));
    assert.equal(unsigned.exitCode, 2);
    assertShape(unsigned);
    const notPdf = await verify(fromLatin1('hello, world'));
    assert.equal(notPdf.exitCode, 2);
    assertShape(notPdf);
    const broken = await verify(Uint8Array.from(signed).fill(0x20, 200, 400));
    assertShape(broken);
  });
});
