// pdf.js set up for our origin: the worker, CMaps, standard fonts and wasm decoders are files
// of this build (see vite.config.ts), so nothing is fetched from elsewhere and the CSP stays tight.
import { GlobalWorkerOptions, PDFWorker, TextLayer, getDocument } from 'pdfjs-dist';
import type { PDFDocumentLoadingTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

let sharedWorker: PDFWorker | null = null;

/** Starts loading the PDF at `url` (same origin, cookies included) in the shared worker. */
export function loadPdf(url: string): PDFDocumentLoadingTask {
  // One worker for every document of the page: several tabs do not start several workers.
  sharedWorker ??= new PDFWorker();
  return getDocument({
    url,
    worker: sharedWorker,
    cMapUrl: '/pdfjs/cmaps/',
    cMapPacked: true,
    standardFontDataUrl: '/pdfjs/standard_fonts/',
    wasmUrl: '/pdfjs/wasm/',
    iccUrl: '/pdfjs/iccs/',
    // No eval/new Function: the page runs under script-src 'self'.
    isEvalSupported: false,
    enableXfa: false,
  });
}

export { TextLayer };
export type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';
