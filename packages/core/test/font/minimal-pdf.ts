// Writes a one-page PDF by hand around the five font objects, so the font is judged by real
// viewers without any PDF library in between.
import type { Type0FontObjects } from '../../src/font/japanese-font.ts';

export interface TextLine {
  x: number;
  y: number;
  fontSize: number;
  /** Hex operand for Tj, as FontSubset.encode returns it. */
  hex: string;
}

/** A complete PDF (header, 9 objects, xref table, trailer) showing `lines` with font /F1. */
export function buildOnePagePdf(
  font: Type0FontObjects,
  lines: TextLine[],
  mediaBox: [number, number] = [420, 140],
): Uint8Array {
  const content = lines.map((l) => `BT /F1 ${l.fontSize} Tf ${l.x} ${l.y} Td <${l.hex}> Tj ET`).join('\n');
  const fill = (dict: string, refs: Record<string, number>): string =>
    Object.entries(refs).reduce((d, [key, n]) => d.split(`{{${key}}}`).join(`${n} 0 R`), dict);
  const objects: Array<string | { dict: string; data: Uint8Array }> = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${mediaBox[0]} ${mediaBox[1]}] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>`,
    { dict: '<< >>', data: new TextEncoder().encode(content) },
    fill(font.type0Dict, { DESCENDANT: 6, TOUNICODE: 9 }),
    fill(font.cidFontDict, { DESCRIPTOR: 7 }),
    fill(font.fontDescriptorDict, { FONTFILE2: 8 }),
    { dict: `<< /Length1 ${font.fontFile2.length} >>`, data: font.fontFile2 },
    { dict: '<< >>', data: font.toUnicode },
  ];
  const parts: Uint8Array[] = [];
  let length = 0;
  const write = (chunk: string | Uint8Array): void => {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
    parts.push(bytes);
    length += bytes.length;
  };
  write('%PDF-1.7\n%\xE2\xE3\xCF\xD3\n');
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(length);
    if (typeof object === 'string') {
      write(`${i + 1} 0 obj\n${object}\nendobj\n`);
    } else {
      // Add /Length to the stream dictionary: "<< ... >>" becomes "<< /Length n ... >>".
      write(`${i + 1} 0 obj\n<< /Length ${object.data.length} ${object.dict.slice(2)}\nstream\n`);
      write(object.data);
      write('\nendstream\nendobj\n');
    }
  });
  const xrefOffset = length;
  write(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`);
  for (const offset of offsets) write(`${String(offset).padStart(10, '0')} 00000 n \n`);
  write(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xrefOffset}\n%%EOF\n`);
  return Buffer.concat(parts);
}
