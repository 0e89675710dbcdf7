// Japanese contract PDFs for tests: a text laid out on A4 pages in Noto Sans JP, lines wrapped at the
// page width (so the text layer has the line breaks of a real contract). The whole font is embedded:
// fontkit's subsetter fails on Noto Sans JP.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PDFDocument, PageSizes, rgb } from '@cantoo/pdf-lib';
import fontkit from '@pdf-lib/fontkit';

const fontPath = createRequire(import.meta.url).resolve(
  '@expo-google-fonts/noto-sans-jp/400Regular/NotoSansJP_400Regular.ttf',
);

/** Lays a text out on A4 pages, wrapping every line at the page width. */
export async function textToPdf(text: string): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.registerFontkit(fontkit);
  const font = await doc.embedFont(readFileSync(fontPath), { subset: false });
  const size = 10.5;
  const margin = 56;
  const [width, height] = PageSizes.A4;
  const maxWidth = width - margin * 2;
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const ch of paragraph) {
      if (font.widthOfTextAtSize(line + ch, size) > maxWidth) {
        lines.push(line);
        line = '';
      }
      line += ch;
    }
    lines.push(line);
  }
  const perPage = Math.floor((height - margin * 2) / (size * 1.6));
  for (let first = 0; first < lines.length; first += perPage) {
    const page = doc.addPage(PageSizes.A4);
    lines.slice(first, first + perPage).forEach((line, index) => {
      if (line.length > 0)
        page.drawText(line, { x: margin, y: height - margin - index * size * 1.6, size, font, color: rgb(0, 0, 0) });
    });
  }
  return doc.save();
}
