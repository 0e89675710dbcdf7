// One tab per document, named after it (WAI-ARIA tabs: arrow keys move between tabs), each with its
// pages in one scroll, a ✓ 確認済み mark once its last page has been in view, and a download of the
// document. Tab, position and marks survive a reload (review-memory.ts).
import { useCallback, useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from 'react';
import { PdfScrollViewer, type LaidOutPage, type ViewerPosition } from '../../components/pdf-scroll-viewer.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { loadReview, saveReview } from './review-memory.ts';

/** A document of the review. */
export interface ReviewDocument {
  id: string;
  name: string;
  pages: number;
}

/** The documents as tabs with a viewer each; a viewer stays loaded once opened. */
export function DocumentTabs({
  documents,
  urlFor,
  downloadUrlFor,
  memoryKey,
  onReviewedChange,
  pageOverlay,
}: {
  documents: ReviewDocument[];
  urlFor: (id: string) => string;
  /** The document as a file to keep (before signing). */
  downloadUrlFor?: (id: string) => string;
  /** sessionStorage key of this review (null: nothing remembered). */
  memoryKey: string | null;
  /** The ids of the documents reviewed so far (last page in view). */
  onReviewedChange?: (reviewed: ReadonlySet<string>) => void;
  /** Fields to fill drawn over a page of a document (mounted per page by the viewer). */
  pageOverlay?: (documentId: string, page: LaidOutPage) => ReactNode;
}) {
  const { t } = useI18n();
  const [memory] = useState(() => loadReview(memoryKey));
  const [active, setActive] = useState(() => Math.min(memory.tab, Math.max(0, documents.length - 1)));
  const [opened, setOpened] = useState<Set<number>>(() => new Set([active]));
  const [reviewed, setReviewed] = useState<Set<string>>(
    () => new Set(memory.reviewed.filter((id) => documents.some((d) => d.id === id))),
  );
  const positions = useRef<Record<string, ViewerPosition>>({ ...memory.positions });
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const rootRef = useRef<HTMLDivElement>(null);
  const tablistRef = useRef<HTMLDivElement>(null);

  // The viewer's toolbar sticks just under the (sticky) tab list, whose height varies with the names.
  useEffect(() => {
    const list = tablistRef.current;
    const root = rootRef.current;
    if (!list || !root) return;
    const observer = new ResizeObserver(() =>
      root.style.setProperty('--tablist-height', `${Math.ceil(list.getBoundingClientRect().height)}px`),
    );
    observer.observe(list);
    return () => observer.disconnect();
  }, []);
  const saveTimer = useRef<number | null>(null);

  // The latest tab, marks and callback, for the debounced save and the effects below.
  const latest = useRef({ active, reviewed, onReviewedChange });
  latest.current = { active, reviewed, onReviewedChange };

  const saveNow = useCallback(() => {
    if (saveTimer.current !== null) window.clearTimeout(saveTimer.current);
    saveTimer.current = null;
    const { active: tab, reviewed: marks } = latest.current;
    saveReview(memoryKey, { tab, positions: positions.current, reviewed: [...marks] });
  }, [memoryKey]);
  // Scrolling reports many positions a second: they are written at most every 150 ms, and at once
  // when the page goes away (a reload) or the review ends.
  const persist = useCallback(() => {
    if (saveTimer.current !== null) return;
    saveTimer.current = window.setTimeout(saveNow, 150);
  }, [saveNow]);
  useEffect(() => {
    const flush = () => {
      if (saveTimer.current !== null) saveNow();
    };
    window.addEventListener('pagehide', flush);
    return () => {
      window.removeEventListener('pagehide', flush);
      flush();
    };
  }, [saveNow]);

  useEffect(() => {
    latest.current.onReviewedChange?.(reviewed);
    persist();
  }, [reviewed, active, persist]);

  function select(index: number, focus = false) {
    setActive(index);
    setOpened((current) => (current.has(index) ? current : new Set(current).add(index)));
    if (focus) tabRefs.current[index]?.focus();
  }

  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>, index: number) {
    const last = documents.length - 1;
    let next: number | null = null;
    if (event.key === 'ArrowRight') next = index === last ? 0 : index + 1;
    else if (event.key === 'ArrowLeft') next = index === 0 ? last : index - 1;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = last;
    if (next !== null) {
      event.preventDefault();
      select(next, true);
    }
  }

  return (
    <div className="doc-tabs" ref={rootRef}>
      <div className="tablist" ref={tablistRef} role="tablist" aria-label={t('signer.review.documents')}>
        {documents.map((doc, index) => (
          <button
            key={doc.id}
            ref={(element) => {
              tabRefs.current[index] = element;
            }}
            id={`doc-tab-${index}`}
            type="button"
            role="tab"
            className="tab"
            aria-selected={index === active}
            aria-controls={`doc-panel-${index}`}
            tabIndex={index === active ? 0 : -1}
            onClick={() => select(index)}
            onKeyDown={(event) => onKeyDown(event, index)}
            title={doc.name}
          >
            <span className="tab__icon" aria-hidden="true">
              PDF
            </span>
            <span className="tab__name">{doc.name}</span>
            <span className="tab__meta">{t('common.pages', { n: doc.pages })}</span>
            {reviewed.has(doc.id) && (
              <span className="tab__check" data-testid="tab-reviewed">
                <span aria-hidden="true">✓</span> {t('signer.review.reviewed')}
              </span>
            )}
          </button>
        ))}
      </div>
      {documents.map((doc, index) => (
        <div
          key={doc.id}
          id={`doc-panel-${index}`}
          role="tabpanel"
          aria-labelledby={`doc-tab-${index}`}
          hidden={index !== active}
          className="tabpanel"
        >
          {opened.has(index) && (
            <PdfScrollViewer
              url={urlFor(doc.id)}
              name={doc.name}
              active={index === active}
              initialPosition={positions.current[doc.id]}
              onPosition={(position) => {
                positions.current[doc.id] = position;
                persist();
              }}
              onLastPageSeen={() =>
                setReviewed((current) => (current.has(doc.id) ? current : new Set(current).add(doc.id)))
              }
              pageOverlay={pageOverlay ? (page) => pageOverlay(doc.id, page) : undefined}
              toolbarEnd={
                downloadUrlFor && (
                  <a
                    className="btn btn--tool"
                    href={downloadUrlFor(doc.id)}
                    download={doc.name}
                    aria-label={t('signer.review.downloadLabel', { name: doc.name })}
                    data-testid="review-download"
                  >
                    <span aria-hidden="true">↓</span>{' '}
                    <span className="viewer__label">{t('signer.review.download')}</span>
                  </a>
                )
              }
            />
          )}
        </div>
      ))}
    </div>
  );
}
