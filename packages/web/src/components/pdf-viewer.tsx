// One PDF rendered page by page with pdf.js: page navigation (前へ / 次へ), zoom (＋ / − / fit),
// a text layer so the text can be selected and read by screen readers, and arrow-key paging.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import type { PDFDocumentProxy, RenderTask } from '../lib/pdfjs.ts';

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
// Fit-to-width never blows a page up beyond this on very wide screens.
const MAX_FIT_SCALE = 1.6;
// contentRect excludes the stage padding; keep 2px so the page shadow is not clipped.
const STAGE_MARGIN = 2;

type Zoom = { mode: 'fit' } | { mode: 'fixed'; scale: number };

/** Shows the PDF at `url`; `name` labels the region. */
export function PdfViewer({ url, name }: { url: string; name: string }) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [failed, setFailed] = useState(false);
  const [pageNumber, setPageNumber] = useState(1);
  const [zoom, setZoom] = useState<Zoom>({ mode: 'fit' });
  const [stageWidth, setStageWidth] = useState(0);
  const [shownScale, setShownScale] = useState(1);
  const stageRef = useRef<HTMLDivElement>(null);
  const pageRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);

  // Load the document.
  useEffect(() => {
    let canceled = false;
    let destroy: (() => void) | null = null;
    setDoc(null);
    setFailed(false);
    setPageNumber(1);
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

  // Track the available width for fit-to-width (also fires when a hidden tab becomes visible).
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const observer = new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width ?? 0;
      setStageWidth(Math.floor(width));
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, []);

  // Render the current page whenever the page, zoom or width changes.
  useEffect(() => {
    if (!doc || stageWidth === 0) return;
    let canceled = false;
    let renderTask: RenderTask | null = null;
    let textLayer: { cancel(): void } | null = null;
    (async () => {
      const [{ TextLayer }, page] = await Promise.all([import('../lib/pdfjs.ts'), doc.getPage(pageNumber)]);
      if (canceled) return;
      const natural = page.getViewport({ scale: 1 });
      const fitScale = Math.min(MAX_FIT_SCALE, Math.max(0.25, (stageWidth - STAGE_MARGIN) / natural.width));
      const scale = zoom.mode === 'fit' ? fitScale : zoom.scale;
      const viewport = page.getViewport({ scale });
      const outputScale = window.devicePixelRatio || 1;
      const canvas = canvasRef.current;
      const pageDiv = pageRef.current;
      const textDiv = textRef.current;
      if (!canvas || !pageDiv || !textDiv) return;
      canvas.width = Math.floor(viewport.width * outputScale);
      canvas.height = Math.floor(viewport.height * outputScale);
      canvas.style.width = `${Math.floor(viewport.width)}px`;
      canvas.style.height = `${Math.floor(viewport.height)}px`;
      pageDiv.style.width = `${Math.floor(viewport.width)}px`;
      pageDiv.style.height = `${Math.floor(viewport.height)}px`;
      pageDiv.style.setProperty('--scale-factor', String(scale));
      setShownScale(scale);
      renderTask = page.render({
        canvas,
        viewport,
        transform: outputScale !== 1 ? [outputScale, 0, 0, outputScale, 0, 0] : undefined,
      });
      textDiv.replaceChildren();
      const layer = new TextLayer({ textContentSource: page.streamTextContent(), container: textDiv, viewport });
      textLayer = layer;
      await Promise.all([renderTask.promise, layer.render()]);
    })().catch((error: unknown) => {
      // A canceled render (page flipped quickly) is expected; anything else is a real failure.
      if (!canceled && !(error instanceof Error && error.name === 'RenderingCancelledException')) setFailed(true);
    });
    return () => {
      canceled = true;
      renderTask?.cancel();
      textLayer?.cancel();
    };
  }, [doc, pageNumber, zoom, stageWidth]);

  const total = doc?.numPages ?? 0;
  const goTo = useCallback(
    (page: number) => setPageNumber((current) => (total ? Math.min(total, Math.max(1, page)) : current)),
    [total],
  );
  const zoomIn = () =>
    setZoom({
      mode: 'fixed',
      scale: ZOOM_STEPS.find((s) => s > shownScale + 0.01) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1]!,
    });
  const zoomOut = () =>
    setZoom({ mode: 'fixed', scale: [...ZOOM_STEPS].reverse().find((s) => s < shownScale - 0.01) ?? ZOOM_STEPS[0]! });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === 'ArrowRight' || event.key === 'PageDown') {
      event.preventDefault();
      goTo(pageNumber + 1);
    } else if (event.key === 'ArrowLeft' || event.key === 'PageUp') {
      event.preventDefault();
      goTo(pageNumber - 1);
    } else if (event.key === '+' || event.key === '=') {
      event.preventDefault();
      zoomIn();
    } else if (event.key === '-') {
      event.preventDefault();
      zoomOut();
    }
  }

  return (
    <div className="viewer">
      <div className="viewer__toolbar" role="group" aria-label={t('viewer.region', { name })}>
        <div className="viewer__group">
          <button
            type="button"
            className="btn btn--tool"
            onClick={() => goTo(pageNumber - 1)}
            disabled={!doc || pageNumber <= 1}
            aria-label={t('viewer.prevLabel')}
          >
            <span aria-hidden="true">‹</span> {t('viewer.prev')}
          </button>
          <span
            className="viewer__page"
            aria-live="polite"
            aria-label={total ? t('viewer.pageLabel', { page: pageNumber, total }) : undefined}
          >
            {total ? t('viewer.page', { page: pageNumber, total }) : '– / –'}
          </span>
          <button
            type="button"
            className="btn btn--tool"
            onClick={() => goTo(pageNumber + 1)}
            disabled={!doc || pageNumber >= total}
            aria-label={t('viewer.nextLabel')}
          >
            {t('viewer.next')} <span aria-hidden="true">›</span>
          </button>
        </div>
        <div className="viewer__group">
          <button
            type="button"
            className="btn btn--tool btn--square"
            onClick={zoomOut}
            disabled={!doc}
            aria-label={t('viewer.zoomOut')}
            title={t('viewer.zoomOut')}
          >
            −
          </button>
          <span className="viewer__zoom">{t('viewer.zoomLevel', { percent: Math.round(shownScale * 100) })}</span>
          <button
            type="button"
            className="btn btn--tool btn--square"
            onClick={zoomIn}
            disabled={!doc}
            aria-label={t('viewer.zoomIn')}
            title={t('viewer.zoomIn')}
          >
            ＋
          </button>
          <button
            type="button"
            className="btn btn--tool"
            onClick={() => setZoom({ mode: 'fit' })}
            disabled={!doc}
            aria-pressed={zoom.mode === 'fit'}
          >
            {t('viewer.fit')}
          </button>
        </div>
      </div>
      <div
        ref={stageRef}
        className="viewer__stage"
        tabIndex={0}
        role="region"
        aria-label={`${t('viewer.region', { name })}. ${t('viewer.keyboardHint')}`}
        onKeyDown={onKeyDown}
      >
        {failed ? (
          <p className="viewer__message" role="alert">
            {t('viewer.error')}
          </p>
        ) : !doc ? (
          <p className="viewer__message" role="status">
            <span className="spinner" aria-hidden="true" /> {t('viewer.loading')}
          </p>
        ) : null}
        <div ref={pageRef} className="viewer__page-box" hidden={!doc || failed}>
          <canvas ref={canvasRef} className="viewer__canvas" aria-hidden="true" />
          <div ref={textRef} className="textLayer" />
        </div>
      </div>
    </div>
  );
}
