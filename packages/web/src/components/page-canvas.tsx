// One PDF page drawn with pdf.js at a given width, with an overlay positioned in PDF points: the
// sender places fields on it, the signer fills them on it. `toScreen` maps a rectangle in the page's
// user space to CSS pixels of the drawn page (rotation and crop box included); `toPdf` maps a click back.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import type { PDFDocumentProxy } from '../lib/pdfjs.ts';
import './fields.css';

/** A rectangle [x0, y0, x1, y1] in PDF points. */
export type PdfRect = [number, number, number, number];

/** The geometry of a drawn page. */
export interface PageGeometry {
  width: number;
  height: number;
  /** The page's visible box in PDF points. */
  box: PdfRect;
  toScreen(rect: PdfRect): { left: number; top: number; width: number; height: number };
  toPdf(x: number, y: number): [number, number];
}

/** Loads a PDF once per URL (shared by the pages drawn from it). */
export function usePdf(url: string | null): { doc: PDFDocumentProxy | null; failed: boolean } {
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!url) return;
    let canceled = false;
    let destroy: (() => void) | null = null;
    setDoc(null);
    setFailed(false);
    import('../lib/pdfjs.ts')
      .then(({ loadPdf }) => {
        if (canceled) return;
        const task = loadPdf(url);
        destroy = () => void task.destroy();
        return task.promise.then((loaded) => {
          if (!canceled) setDoc(loaded);
        });
      })
      .catch(() => {
        if (!canceled) setFailed(true);
      });
    return () => {
      canceled = true;
      destroy?.();
    };
  }, [url]);
  return { doc, failed };
}

/** Draws page `pageNumber` of `doc` `width` CSS pixels wide; `overlay` is laid over it. */
export function PageCanvas({
  doc,
  pageNumber,
  width,
  overlay,
  label,
  onClickPoint,
}: {
  doc: PDFDocumentProxy;
  pageNumber: number;
  width: number;
  overlay?: (geometry: PageGeometry) => ReactNode;
  label: string;
  /** A click on the page (not on the overlay's own controls), in PDF points. */
  onClickPoint?: (point: [number, number], geometry: PageGeometry) => void;
}) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [geometry, setGeometry] = useState<PageGeometry | null>(null);

  useEffect(() => {
    let canceled = false;
    let task: { cancel(): void; promise: Promise<unknown> } | null = null;
    void (async () => {
      const page = await doc.getPage(pageNumber);
      if (canceled) return;
      const natural = page.getViewport({ scale: 1 });
      const scale = Math.max(0.1, width / natural.width);
      const viewport = page.getViewport({ scale });
      const canvas = canvasRef.current;
      if (!canvas) return;
      const ratio = window.devicePixelRatio || 1;
      canvas.width = Math.floor(viewport.width * ratio);
      canvas.height = Math.floor(viewport.height * ratio);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      const [vx0, vy0, vx1, vy1] = page.view as [number, number, number, number];
      setGeometry({
        width: Math.floor(viewport.width),
        height: Math.floor(viewport.height),
        box: [vx0, vy0, vx1, vy1],
        toScreen: (rect) => {
          const [x0, y0, x1, y1] = viewport.convertToViewportRectangle(rect) as [number, number, number, number];
          return {
            left: Math.min(x0, x1),
            top: Math.min(y0, y1),
            width: Math.abs(x1 - x0),
            height: Math.abs(y1 - y0),
          };
        },
        toPdf: (x, y) => viewport.convertToPdfPoint(x, y) as [number, number],
      });
      const render = page.render({
        canvas,
        viewport,
        transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
      });
      task = render;
      await render.promise;
    })().catch(() => undefined);
    return () => {
      canceled = true;
      task?.cancel();
    };
  }, [doc, pageNumber, width]);

  return (
    <div
      className="page-canvas"
      style={geometry ? { width: geometry.width, height: geometry.height } : undefined}
      role="group"
      aria-label={label}
      onClick={(event) => {
        if (!geometry || !onClickPoint || event.target !== event.currentTarget.querySelector('canvas')) return;
        const bounds = event.currentTarget.getBoundingClientRect();
        onClickPoint(geometry.toPdf(event.clientX - bounds.left, event.clientY - bounds.top), geometry);
      }}
    >
      <canvas ref={canvasRef} className="page-canvas__canvas" aria-hidden="true" />
      {geometry && overlay?.(geometry)}
    </div>
  );
}

/** The width available to a page inside `element` (tracks resizes). */
export function useAvailableWidth(max = 720): [React.RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const observer = new ResizeObserver((entries) => {
      setWidth(Math.min(max, Math.floor(entries[0]?.contentRect.width ?? 0)));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [max]);
  return [ref, width];
}
