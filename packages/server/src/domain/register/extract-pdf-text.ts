import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** Bounds of text extraction: a register entry's search text, not a full-text archive. */
export const TEXT_LIMITS = { pages: 100, chars: 200_000, bytes: 100 * 1024 * 1024 } as const;

const require = createRequire(import.meta.url);
// pdf.js finds its CMaps (Japanese CID fonts without ToUnicode) by path in Node.
const pdfjsRoot = dirname(require.resolve('pdfjs-dist/package.json'));
const CMAP_URL = `${join(pdfjsRoot, 'cmaps')}/`;

/** What pdf.js exports (its legacy build, for Node). */
type Pdfjs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');

/**
 * The built-ins whose own methods pdf.js's legacy build may replace. Its bundled core-js polyfills
 * replace existing natives of Node 20 with JavaScript versions for edge cases nobody here meets:
 * JSON.parse (JSON.parse with source: every parse re-tokenised in JavaScript), JSON.stringify (a
 * replacer around every value), Array.prototype.push (a loop in JavaScript) and Function.prototype.
 * toString, and pdf.worker.mjs brings its own copy of some of them. Left in place, every job after the
 * first register entry paid for them in every push and every JSON (measured: ≈ 10 % of a job process's
 * CPU, issue 10). Methods pdf.js adds (Promise.withResolvers, Uint8Array.prototype.toHex …) stay.
 */
function builtinsPdfjsMayReplace(): object[] {
  const typedArray = Object.getPrototypeOf(Uint8Array) as object;
  return [
    JSON,
    Object,
    Array,
    Array.prototype,
    Function.prototype,
    String,
    String.prototype,
    Number,
    Number.prototype,
    Math,
    Reflect,
    Promise,
    Promise.prototype,
    Map.prototype,
    Set.prototype,
    WeakMap.prototype,
    typedArray,
    (typedArray as { prototype: object }).prototype,
    Uint8Array,
    Uint8Array.prototype,
    ArrayBuffer.prototype,
    DataView.prototype,
    RegExp.prototype,
    Date.prototype,
    Error,
    Symbol,
  ];
}

/**
 * Runs `load` and puts back every method of the built-ins it replaced (see builtinsPdfjsMayReplace);
 * what it added stays.
 */
export async function keepingNativeBuiltins<T>(load: () => Promise<T>): Promise<T> {
  const saved: Array<[object, PropertyKey, PropertyDescriptor]> = [];
  for (const target of builtinsPdfjsMayReplace())
    for (const key of Reflect.ownKeys(target)) {
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor && typeof descriptor.value === 'function') saved.push([target, key, descriptor]);
    }
  try {
    return await load();
  } finally {
    for (const [target, key, descriptor] of saved)
      if (Object.getOwnPropertyDescriptor(target, key)?.value !== descriptor.value)
        Object.defineProperty(target, key, descriptor);
  }
}

let pdfjs: Promise<Pdfjs> | undefined;

/**
 * pdf.js, loaded once with the natives kept. Its worker module is loaded first, under the same guard:
 * it makes itself `globalThis.pdfjsWorker`, which pdf.js's fake worker (Node has no web workers) then
 * uses instead of importing it later, outside the guard.
 */
function loadPdfjs(): Promise<Pdfjs> {
  pdfjs ??= keepingNativeBuiltins(async () => {
    // (No type declarations of its own: it is imported for its side effect.)
    await import('pdfjs-dist/legacy/build/pdf.worker.mjs' as string);
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  });
  return pdfjs;
}

/**
 * The text layer of a PDF (pages joined by newlines), read with pdf.js's legacy build; bounded to
 * TEXT_LIMITS pages and characters. A PDF that cannot be read gives '' (text is a search aid: an
 * unreadable text layer must not stop a contract from being registered).
 */
export async function extractPdfText(bytes: Uint8Array): Promise<string> {
  if (bytes.length > TEXT_LIMITS.bytes) return '';
  const { getDocument } = await loadPdfjs();
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
