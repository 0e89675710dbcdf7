import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Bounds of text extraction: a register entry's search text, not a full-text archive. */
export const TEXT_LIMITS = { pages: 100, chars: 200_000, bytes: 100 * 1024 * 1024 } as const;

const require = createRequire(import.meta.url);
// pdf.js finds its CMaps (Japanese CID fonts without ToUnicode) by path in Node.
const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));
const CMAP_URL = `${join(pdfjsRoot, 'cmaps')}/`;

/**
 * The text layer of a PDF (pages joined by newlines), read with pdf.js's legacy build; bounded to
 * TEXT_LIMITS pages and characters. A PDF that cannot be read gives '' (text is a search aid: an
 * unreadable text layer must not stop a contract from being registered).
 */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  if (bytes.length > TEXT_LIMITS.bytes) return '';
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  let task: ReturnType<typeof getDocument> | undefined;
  try {
    // pdf.js may detach the buffer it is given, and refuses a Node Buffer: hand it a plain copy.
    task = getDocument({
      data: new Uint8Array(bytes),
      isEvalSupported: false,
      disableFontFace: true,
      useSystemFonts: false,
      verbosity: 0,
      cMapUrl: CMAP_URL,
      cMapPacked: true,
      // No standardFontDataUrl: for Helvetica & co. pdf.js would read and repair a substitute font
      // program (Foxit/Liberation) in every document, only to draw glyphs. The text comes from the
      // encoding and the built-in metrics either way (same text, a third to a half of the CPU; issue 10).
      stopAtErrors: false,
    });
    const document = await task.promise;
    const pages: string[] = [];
    let total = 0;
    for (
      let number = 1;
      number <= Math.min(document.numPages, TEXT_LIMITS.pages) && total < TEXT_LIMITS.chars;
      number++
    ) {
      const page = await document.getPage(number);
      const content = await page.getTextContent();
      let text = '';
      for (const item of content.items) {
        if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
      }
      page.cleanup();
      pages.push(text);
      total += text.length;
    }
    return pages.join('\n').slice(0, TEXT_LIMITS.chars);
  } catch {
    return '';
  } finally {
    await task?.destroy().catch(() => undefined);
  }
}
