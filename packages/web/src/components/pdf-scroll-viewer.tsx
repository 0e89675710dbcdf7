// Every page of one PDF in one scroll (the signer's review): pages are laid out at their size at once
// and drawn with pdf.js only while near the screen (IntersectionObserver); pages far away give their
// canvas back, so a long contract costs the memory of a few pages. Fit-to-width by default (phones),
// pinch (two fingers, or a trackpad pinch), zoom buttons and keys, the page under the middle of the screen reported for "position kept on
// reload", and "the last page was in view" reported once for the ✓ 確認済み mark.
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import type { PDFDocumentProxy, RenderTask } from '../lib/pdfjs.ts';

const ZOOM_STEPS = [0.5, 0.75, 1, 1.25, 1.5, 2, 3];
// Fit-to-width never blows a page up beyond this on very wide screens.
const MAX_FIT_SCALE = 1.6;
// Pages within this distance of the screen are drawn ahead of time (so scrolling shows no blanks).
const RENDER_MARGIN = '150% 0px';
// At most this many pages hold a canvas at once, whatever the zoom: the nearest to the current page win.
const MAX_RENDERED_PAGES = 10;
// A canvas never exceeds this many pixels (device pixels): very large zooms draw at a lower resolution.
const MAX_CANVAS_PIXELS = 16_000_000;
const PAGE_GAP = 12;

type Zoom = { mode: 'fit' } | { mode: 'fixed'; scale: number };

/** A page as laid out: its number and its size on screen (CSS pixels) at `scale` (1 = 72 dpi). */
export interface LaidOutPage {
  pageNumber: number;
  width: number;
  height: number;
  scale: number;
}

/** Where the reader is: the page under the middle of the screen and how far into it (0–1). */
export interface ViewerPosition {
  page: number;
  offset: number;
}

/** Shows the PDF at `url` as one scroll of pages; `name` labels the region. */
export function PdfScrollViewer({
  url,
  name,
  active = true,
  initialPosition,
  onPosition,
  onLastPageSeen,
  toolbarEnd,
  pageOverlay,
}: {
  url: string;
  name: string;
  /** False while the viewer's tab is hidden: nothing is measured then. */
  active?: boolean;
  /** Restored once, after the pages are laid out (a reload). */
  initialPosition?: ViewerPosition;
  onPosition?: (position: ViewerPosition) => void;
  /** Called once when the last page has come into view (the document counts as reviewed). */
  onLastPageSeen?: () => void;
  /** Extra toolbar content (the download link). */
  toolbarEnd?: ReactNode;
  /**
   * Drawn over each page, in the page's coordinates (CSS pixels at `page.scale`): the slot where fields
   * to fill on that page are mounted.
   */
  pageOverlay?: (page: LaidOutPage) => ReactNode;
}) {
  const { t } = useI18n();
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [sizes, setSizes] = useState<Array<{ width: number; height: number }> | null>(null);
  const [failed, setFailed] = useState(false);
  const [zoom, setZoom] = useState<Zoom>({ mode: 'fit' });
  const [stageWidth, setStageWidth] = useState(0);
  const [near, setNear] = useState<Set<number>>(() => new Set());
  const [current, setCurrent] = useState(1);
  const stageRef = useRef<HTMLDivElement>(null);
  const slotRefs = useRef<(HTMLDivElement | null)[]>([]);
  const restored = useRef(false);
  const lastSeen = useRef(false);
  const currentRef = useRef<ViewerPosition>({ page: 1, offset: 0 });
  const callbacks = useRef({ onPosition, onLastPageSeen });
  callbacks.current = { onPosition, onLastPageSeen };

  // Load the document and the natural size of every page (cheap: no drawing).
  useEffect(() => {
    let canceled = false;
    let destroy: (() => void) | null = null;
    setDoc(null);
    setSizes(null);
    setFailed(false);
    import('../lib/pdfjs.ts')
      .then(async ({ loadPdf }) => {
        if (canceled) return;
        const task = loadPdf(url);
        destroy = () => void task.destroy();
        const loaded = await task.promise;
        const measured: Array<{ width: number; height: number }> = [];
        for (let n = 1; n <= loaded.numPages; n++) {
          const viewport = (await loaded.getPage(n)).getViewport({ scale: 1 });
          measured.push({ width: viewport.width, height: viewport.height });
          if (canceled) return;
        }
        setDoc(loaded);
        setSizes(measured);
      })
      .catch(() => {
        if (!canceled) setFailed(true);
      });
    return () => {
      canceled = true;
      destroy?.();
    };
  }, [url]);

  // The available width for fit-to-width (also fires when a hidden tab becomes visible).
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage) return;
    const observer = new ResizeObserver((entries) => {
      const width = entries[0]?.contentRect.width ?? 0;
      // A hidden tab measures 0: keep its layout, so that it comes back where it was.
      if (width > 0) setStageWidth(Math.floor(width));
    });
    observer.observe(stage);
    return () => observer.disconnect();
  }, []);

  const scaleOf = useCallback(
    (natural: { width: number }) =>
      zoom.mode === 'fixed'
        ? zoom.scale
        : Math.min(MAX_FIT_SCALE, Math.max(0.25, (stageWidth - 2) / Math.max(1, natural.width))),
    [zoom, stageWidth],
  );
  const pages: LaidOutPage[] =
    sizes && stageWidth > 0
      ? sizes.map((size, index) => {
          const scale = scaleOf(size);
          return {
            pageNumber: index + 1,
            width: Math.floor(size.width * scale),
            height: Math.floor(size.height * scale),
            scale,
          };
        })
      : [];
  const shownScale = pages[current - 1]?.scale ?? pages[0]?.scale ?? 1;
  const laidOut = pages.length > 0;

  // Which pages are near the screen: those get a canvas.
  // A hidden tab's pages do not intersect: they give their canvases back too.
  useEffect(() => {
    if (!laidOut) return;
    const observer = new IntersectionObserver(
      (entries) => {
        setNear((previous) => {
          const next = new Set(previous);
          for (const entry of entries) {
            const page = Number((entry.target as HTMLElement).dataset.page);
            if (entry.isIntersecting) next.add(page);
            else next.delete(page);
          }
          return next;
        });
      },
      { rootMargin: RENDER_MARGIN },
    );
    for (const slot of slotRefs.current) if (slot) observer.observe(slot);
    return () => observer.disconnect();
  }, [laidOut, sizes]);

  // The page under the middle of the screen, the reload position and "last page seen", on scroll.
  const measure = useCallback(() => {
    const slots = slotRefs.current;
    if (slots.length === 0 || !slots[0]) return;
    const middle = window.innerHeight / 2;
    let page = 1;
    let offset = 0;
    for (let i = 0; i < slots.length; i++) {
      const rect = slots[i]?.getBoundingClientRect();
      if (!rect) continue;
      if (rect.top <= middle) {
        page = i + 1;
        offset = rect.height > 0 ? Math.min(1, Math.max(0, (middle - rect.top) / rect.height)) : 0;
      } else break;
    }
    currentRef.current = { page, offset };
    setCurrent(page);
    callbacks.current.onPosition?.({ page, offset });
    const last = slots[slots.length - 1]?.getBoundingClientRect();
    // The last page counts as seen when its top passed the middle of the screen or its bottom is in view.
    if (last && !lastSeen.current && (last.top <= middle || last.bottom <= window.innerHeight) && last.bottom > 0) {
      lastSeen.current = true;
      callbacks.current.onLastPageSeen?.();
    }
  }, []);

  useEffect(() => {
    if (!laidOut || !active) return;
    let frame = 0;
    const onScroll = () => {
      if (frame) return;
      frame = window.requestAnimationFrame(() => {
        frame = 0;
        measure();
      });
    };
    window.addEventListener('scroll', onScroll, { passive: true });
    window.addEventListener('resize', onScroll);
    measure();
    return () => {
      window.removeEventListener('scroll', onScroll);
      window.removeEventListener('resize', onScroll);
      if (frame) window.cancelAnimationFrame(frame);
    };
  }, [laidOut, active, measure]);

  const scrollToPosition = useCallback((position: ViewerPosition, behavior: ScrollBehavior = 'auto') => {
    const slot = slotRefs.current[position.page - 1];
    if (!slot) return;
    const rect = slot.getBoundingClientRect();
    const top = window.scrollY + rect.top + rect.height * position.offset - window.innerHeight / 2;
    window.scrollTo({ top: Math.max(0, top), behavior });
  }, []);

  // A reload comes back where the reader was (once the pages have their sizes).
  useLayoutEffect(() => {
    if (!laidOut || !active || restored.current) return;
    restored.current = true;
    if (initialPosition) {
      currentRef.current = initialPosition;
      scrollToPosition(initialPosition);
    }
  }, [laidOut, active, initialPosition, scrollToPosition]);

  // The tabs share the window's scroll: coming back to this tab returns to where it was read.
  const wasActive = useRef(active);
  useLayoutEffect(() => {
    if (active && !wasActive.current && restored.current) scrollToPosition(currentRef.current);
    wasActive.current = active;
  }, [active, scrollToPosition]);

  // A zoom keeps the reader on the same spot of the same page.
  const zoomKey = zoom.mode === 'fit' ? 'fit' : String(zoom.scale);
  const previousZoom = useRef(zoomKey);
  useLayoutEffect(() => {
    if (previousZoom.current === zoomKey) return;
    previousZoom.current = zoomKey;
    scrollToPosition(currentRef.current);
  }, [zoomKey, scrollToPosition]);

  // Pinch to zoom: two fingers on the pages (phones) or a trackpad pinch (ctrl + wheel). During the
  // gesture the stage is scaled by CSS for feedback; at its end the pages are drawn at the new scale.
  const scaleRef = useRef(1);
  scaleRef.current = shownScale;
  useEffect(() => {
    const stage = stageRef.current;
    if (!stage || !laidOut) return;
    const clamp = (scale: number) => Math.min(ZOOM_STEPS[ZOOM_STEPS.length - 1]!, Math.max(ZOOM_STEPS[0]!, scale));
    let pinch: { distance: number; scale: number; ratio: number } | null = null;
    const distance = (touches: TouchList) =>
      Math.hypot(touches[0]!.clientX - touches[1]!.clientX, touches[0]!.clientY - touches[1]!.clientY);
    const onTouchStart = (event: TouchEvent) => {
      if (event.touches.length !== 2) return;
      pinch = { distance: Math.max(1, distance(event.touches)), scale: scaleRef.current, ratio: 1 };
      const rect = stage.getBoundingClientRect();
      const midX = (event.touches[0]!.clientX + event.touches[1]!.clientX) / 2 - rect.left;
      const midY = (event.touches[0]!.clientY + event.touches[1]!.clientY) / 2 - rect.top;
      stage.style.transformOrigin = `${midX}px ${midY}px`;
    };
    const onTouchMove = (event: TouchEvent) => {
      if (!pinch || event.touches.length !== 2) return;
      // Ours, not the browser's page zoom: the pages are redrawn sharp at the end.
      event.preventDefault();
      pinch.ratio = clamp(pinch.scale * (distance(event.touches) / pinch.distance)) / pinch.scale;
      stage.style.transform = `scale(${pinch.ratio})`;
    };
    const onTouchEnd = (event: TouchEvent) => {
      if (!pinch || event.touches.length >= 2) return;
      const next = clamp(pinch.scale * pinch.ratio);
      const changed = Math.abs(pinch.ratio - 1) > 0.02;
      pinch = null;
      stage.style.transform = '';
      stage.style.transformOrigin = '';
      if (changed) setZoom({ mode: 'fixed', scale: Math.round(next * 100) / 100 });
    };
    let wheelFrame = 0;
    let wheelFactor = 1;
    const onWheel = (event: WheelEvent) => {
      if (!event.ctrlKey) return;
      event.preventDefault();
      wheelFactor *= Math.exp(-event.deltaY / 300);
      if (wheelFrame) return;
      wheelFrame = window.requestAnimationFrame(() => {
        wheelFrame = 0;
        const next = clamp(scaleRef.current * wheelFactor);
        wheelFactor = 1;
        setZoom({ mode: 'fixed', scale: Math.round(next * 100) / 100 });
      });
    };
    stage.addEventListener('touchstart', onTouchStart, { passive: true });
    stage.addEventListener('touchmove', onTouchMove, { passive: false });
    stage.addEventListener('touchend', onTouchEnd);
    stage.addEventListener('touchcancel', onTouchEnd);
    stage.addEventListener('wheel', onWheel, { passive: false });
    return () => {
      stage.removeEventListener('touchstart', onTouchStart);
      stage.removeEventListener('touchmove', onTouchMove);
      stage.removeEventListener('touchend', onTouchEnd);
      stage.removeEventListener('touchcancel', onTouchEnd);
      stage.removeEventListener('wheel', onWheel);
      if (wheelFrame) window.cancelAnimationFrame(wheelFrame);
    };
  }, [laidOut]);

  // The pages that hold a canvas: near the screen, at most MAX_RENDERED_PAGES, nearest first.
  const rendered = new Set(
    [...near].sort((a, b) => Math.abs(a - current) - Math.abs(b - current)).slice(0, MAX_RENDERED_PAGES),
  );

  const total = sizes?.length ?? 0;
  const goTo = (page: number) =>
    scrollToPosition({ page: Math.min(Math.max(1, page), Math.max(1, total)), offset: 0.5 }, 'smooth');
  const zoomIn = () =>
    setZoom({
      mode: 'fixed',
      scale: ZOOM_STEPS.find((s) => s > shownScale + 0.01) ?? ZOOM_STEPS[ZOOM_STEPS.length - 1]!,
    });
  const zoomOut = () =>
    setZoom({ mode: 'fixed', scale: [...ZOOM_STEPS].reverse().find((s) => s < shownScale - 0.01) ?? ZOOM_STEPS[0]! });

  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    if (event.key === '+' || event.key === '=') {
      event.preventDefault();
      zoomIn();
    } else if (event.key === '-') {
      event.preventDefault();
      zoomOut();
    }
  }

  return (
    <div className="viewer viewer--scroll">
      <div className="viewer__toolbar" role="group" aria-label={t('viewer.region', { name })}>
        <div className="viewer__group">
          <button
            type="button"
            className="btn btn--tool"
            onClick={() => goTo(current - 1)}
            disabled={!doc || current <= 1}
            aria-label={t('viewer.prevLabel')}
          >
            <span aria-hidden="true">‹</span> <span className="viewer__label">{t('viewer.prev')}</span>
          </button>
          <span
            className="viewer__page"
            aria-live="polite"
            aria-label={total ? t('viewer.pageLabel', { page: current, total }) : undefined}
            data-testid="viewer-page"
          >
            {total ? t('viewer.page', { page: current, total }) : '– / –'}
          </span>
          <button
            type="button"
            className="btn btn--tool"
            onClick={() => goTo(current + 1)}
            disabled={!doc || current >= total}
            aria-label={t('viewer.nextLabel')}
          >
            <span className="viewer__label">{t('viewer.next')}</span> <span aria-hidden="true">›</span>
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
          {toolbarEnd}
        </div>
      </div>
      <div
        ref={stageRef}
        className="viewer__stage viewer__stage--scroll"
        tabIndex={0}
        role="region"
        aria-label={`${t('viewer.region', { name })}. ${t('viewer.scrollHint')}`}
        onKeyDown={onKeyDown}
      >
        {failed ? (
          <p className="viewer__message" role="alert">
            {t('viewer.error')}
          </p>
        ) : !laidOut ? (
          <p className="viewer__message" role="status">
            <span className="spinner" aria-hidden="true" /> {t('viewer.loading')}
          </p>
        ) : null}
        {doc &&
          !failed &&
          pages.map((page, index) => (
            <div
              key={page.pageNumber}
              ref={(element) => {
                slotRefs.current[index] = element;
              }}
              className="viewer__page-box"
              data-page={page.pageNumber}
              data-rendered={rendered.has(page.pageNumber) ? 'true' : 'false'}
              style={{
                width: page.width,
                height: page.height,
                marginBottom: index === pages.length - 1 ? 0 : PAGE_GAP,
                ['--scale-factor' as string]: String(page.scale),
              }}
            >
              {rendered.has(page.pageNumber) ? (
                <RenderedPage doc={doc} page={page} />
              ) : (
                <span className="viewer__placeholder" aria-hidden="true">
                  {page.pageNumber}
                </span>
              )}
              {pageOverlay && <div className="viewer__overlay">{pageOverlay(page)}</div>}
            </div>
          ))}
      </div>
    </div>
  );
}

/** One page drawn on a canvas with its text layer; unmounting gives the canvas memory back. */
function RenderedPage({ doc, page }: { doc: PDFDocumentProxy; page: LaidOutPage }) {
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const textRef = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let canceled = false;
    let renderTask: RenderTask | null = null;
    let textLayer: { cancel(): void } | null = null;
    const canvas = canvasRef.current;
    (async () => {
      const [{ TextLayer }, pdfPage] = await Promise.all([import('../lib/pdfjs.ts'), doc.getPage(page.pageNumber)]);
      if (canceled) return;
      const viewport = pdfPage.getViewport({ scale: page.scale });
      const textDiv = textRef.current;
      if (!canvas || !textDiv) return;
      const ratio = window.devicePixelRatio || 1;
      const outputScale = Math.min(ratio, Math.sqrt(MAX_CANVAS_PIXELS / Math.max(1, viewport.width * viewport.height)));
      canvas.width = Math.floor(viewport.width * outputScale);
      canvas.height = Math.floor(viewport.height * outputScale);
      canvas.style.width = `${page.width}px`;
      canvas.style.height = `${page.height}px`;
      renderTask = pdfPage.render({
        canvas,
        viewport,
        transform: outputScale !== 1 ? [outputScale, 0, 0, outputScale, 0, 0] : undefined,
      });
      textDiv.replaceChildren();
      const layer = new TextLayer({ textContentSource: pdfPage.streamTextContent(), container: textDiv, viewport });
      textLayer = layer;
      await Promise.all([renderTask.promise, layer.render()]);
      if (!canceled) canvas.dataset.drawn = 'true';
    })().catch((error: unknown) => {
      if (!canceled && !(error instanceof Error && error.name === 'RenderingCancelledException')) setFailed(true);
    });
    return () => {
      canceled = true;
      renderTask?.cancel();
      textLayer?.cancel();
      // Give the pixels back now rather than when the garbage collector gets to the element.
      if (canvas) {
        canvas.width = 0;
        canvas.height = 0;
      }
    };
  }, [doc, page.pageNumber, page.scale, page.width, page.height]);

  return (
    <>
      <canvas ref={canvasRef} className="viewer__canvas" aria-hidden="true" />
      <div ref={textRef} className="textLayer" />
      {failed && <span className="viewer__placeholder viewer__placeholder--failed">!</span>}
    </>
  );
}
