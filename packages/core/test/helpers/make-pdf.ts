// Test PDF factory: plain pages made with @cantoo/pdf-lib, plus deliberately broken variants.
// Nothing here uses Inkan's own src/ code, so the files are independent inputs for the signer.
import { createCipheriv } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  PDFDocument,
  PDFName,
  PageSizes,
  StandardFonts,
  concatTransformationMatrix,
  drawObject,
  popGraphicsState,
  pushGraphicsState,
  rgb,
} from '@cantoo/pdf-lib';

const execFileAsync = promisify(execFile);

/** Options of makePdf. */
export interface MakePdfOptions {
  /** Number of A4 pages, each showing "Page N". */
  pages?: number;
  /** Extra Latin (WinAnsi) text drawn under "Page N" on every page. */
  text?: string;
  /** false: classic xref table; true: xref stream + object streams. */
  useObjectStreams?: boolean;
  /** Grow the file to about this many bytes with an incompressible image on page 1. */
  padToBytes?: number;
  /** Document information /Title. */
  title?: string;
}

// Fixed dates keep the output byte-stable across runs (apart from the pad, which is deterministic too).
const FIXED_DATE = new Date('2024-01-01T00:00:00Z');
const PAD_IMAGE_WIDTH = 1024; // pixels per row; 3 bytes each (DeviceRGB, 8 bits)

/** Builds a plain A4 PDF ("Page N" on each page), optionally with object streams and padded to a size. */
export async function makePdf(options: MakePdfOptions = {}): Promise<Uint8Array> {
  const { pages = 1, text, useObjectStreams = false, padToBytes, title } = options;
  if (!Number.isInteger(pages) || pages < 1)
    throw new RangeError(`makePdf: pages must be a positive integer, got ${pages}`);
  const base = await buildDocument({ pages, text, title, padBytes: 0, useObjectStreams });
  if (padToBytes === undefined || base.length >= padToBytes) return base;
  // The pad image adds its dictionary, an xref entry and a few content operators besides its pixels.
  const padBytes = padToBytes - base.length - 400;
  return padBytes > 0 ? buildDocument({ pages, text, title, padBytes, useObjectStreams }) : base;
}

interface BuildOptions {
  pages: number;
  text?: string;
  title?: string;
  padBytes: number;
  useObjectStreams: boolean;
}

async function buildDocument(o: BuildOptions): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.setTitle(o.title ?? 'Inkan test document');
  doc.setProducer('Inkan test helper (@cantoo/pdf-lib)');
  doc.setCreator('Inkan test helper');
  doc.setCreationDate(FIXED_DATE);
  doc.setModificationDate(FIXED_DATE);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let n = 1; n <= o.pages; n++) {
    const page = doc.addPage(PageSizes.A4);
    const height = page.getHeight();
    page.drawText(`Page ${n}`, { x: 72, y: height - 96, size: 24, font, color: rgb(0, 0, 0) });
    if (o.text !== undefined) {
      page.drawText(o.text, {
        x: 72,
        y: height - 140,
        size: 12,
        font,
        lineHeight: 16,
        maxWidth: page.getWidth() - 144,
      });
    }
  }
  if (o.padBytes > 0) addPadImage(doc, o.padBytes);
  return doc.save({ useObjectStreams: o.useObjectStreams });
}

// An uncompressed RGB image of pseudo-random pixels: no filter can shrink it, so the file size is predictable,
// and it is drawn (small) on page 1 like a scanned attachment would be.
function addPadImage(doc: PDFDocument, padBytes: number): void {
  const rowBytes = PAD_IMAGE_WIDTH * 3;
  const rows = Math.max(1, Math.ceil(padBytes / rowBytes));
  const pixels = pseudoRandomBytes(rows * rowBytes);
  const stream = doc.context.stream(pixels, {
    Type: 'XObject',
    Subtype: 'Image',
    Width: PAD_IMAGE_WIDTH,
    Height: rows,
    ColorSpace: 'DeviceRGB',
    BitsPerComponent: 8,
  });
  const ref = doc.context.register(stream);
  const page = doc.getPage(0);
  const name: PDFName = page.node.newXObject('Pad', ref);
  page.pushOperators(
    pushGraphicsState(),
    concatTransformationMatrix(36, 0, 0, 36, 20, 20),
    drawObject(name),
    popGraphicsState(),
  );
}

// AES-CTR keystream under a fixed key: fast, deterministic and incompressible.
function pseudoRandomBytes(length: number): Uint8Array {
  const cipher = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, 0));
  return cipher.update(Buffer.alloc(length));
}

/** Options of makeEncryptedPdf. */
export interface EncryptedPdfOptions {
  userPassword?: string;
  ownerPassword?: string;
  pages?: number;
}

/** A made PDF encrypted by qpdf with AES-256 (`qpdf --encrypt user owner 256 --`). */
export async function makeEncryptedPdf(options: EncryptedPdfOptions = {}): Promise<Uint8Array> {
  const { userPassword = 'user', ownerPassword = 'owner', pages = 1 } = options;
  const plain = await makePdf({ pages });
  const dir = mkdtempSync(join(tmpdir(), 'inkan-makepdf-'));
  try {
    const input = join(dir, 'in.pdf');
    const output = join(dir, 'out.pdf');
    writeFileSync(input, plain);
    await execFileAsync('qpdf', ['--encrypt', userPassword, ownerPassword, '256', '--', input, output], {
      timeout: 30_000,
    });
    return new Uint8Array(readFileSync(output));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The first `n` bytes of `pdf` (negative `n`: all but the last |n| bytes). */
export function truncate(pdf: Uint8Array, n: number): Uint8Array {
  const end = n < 0 ? Math.max(0, pdf.length + n) : Math.min(pdf.length, n);
  return pdf.slice(0, end);
}

/**
 * A one-page PDF with a classic xref table whose startxref points into the middle of the table
 * and whose in-use entries are all off by a few bytes. Tolerant readers must rebuild the xref.
 */
export async function makeBrokenXrefPdf(): Promise<Uint8Array> {
  const pdf = await makePdf({ pages: 1, useObjectStreams: false });
  let text = Buffer.from(pdf).toString('latin1');
  const startxref = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text);
  if (startxref === null) throw new Error('makeBrokenXrefPdf: no startxref in the made PDF');
  const xrefOffset = Number(startxref[1]);
  // Shift every in-use entry by 3 bytes, keeping the fixed 20-byte entry width.
  const tableStart = text.indexOf('xref', xrefOffset);
  const tableEnd = text.indexOf('trailer', tableStart);
  const table = text
    .slice(tableStart, tableEnd)
    .replace(
      /(\d{10}) (\d{5}) n/g,
      (_m, off: string, gen: string) => `${String(Number(off) + 3).padStart(10, '0')} ${gen} n`,
    );
  text = text.slice(0, tableStart) + table + text.slice(tableEnd);
  // startxref now lands 7 bytes into the table: not at the "xref" keyword.
  const wrong = String(xrefOffset + 7);
  const at = text.lastIndexOf('startxref');
  text = text.slice(0, at) + text.slice(at).replace(/startxref\s+\d+/, `startxref\n${wrong}`);
  return new Uint8Array(Buffer.from(text, 'latin1'));
}

/** A hand-written, syntactically correct PDF whose page tree is empty (/Count 0, /Kids []). */
export function makeZeroPagePdf(): Uint8Array {
  const objects = [
    '1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n',
    '2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n',
  ];
  let body = '%PDF-1.7\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  for (const object of objects) {
    offsets.push(Buffer.byteLength(body, 'latin1'));
    body += object;
  }
  const xrefOffset = Buffer.byteLength(body, 'latin1');
  // Each xref entry is exactly 20 bytes: 10-digit offset, space, 5-digit generation, space, type, CR LF.
  const entries = ['0000000000 65535 f\r\n', ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n\r\n`)];
  body += `xref\n0 ${entries.length}\n${entries.join('')}trailer\n<< /Size ${entries.length} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
  return new Uint8Array(Buffer.from(body, 'latin1'));
}
