// One tab per document, named after it (WAI-ARIA tabs: arrow keys move between tabs).
import { useRef, useState, type KeyboardEvent } from 'react';
import { PdfViewer } from '../../components/pdf-viewer.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';

/** The documents as tabs with a viewer each; a viewer stays loaded once opened. */
export function DocumentTabs({
  documents,
  urlFor,
}: {
  documents: { id: string; name: string; pages: number }[];
  urlFor: (id: string) => string;
}) {
  const { t } = useI18n();
  const [active, setActive] = useState(0);
  const [opened, setOpened] = useState<Set<number>>(() => new Set([0]));
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);

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
    <div className="doc-tabs">
      <div className="tablist" role="tablist" aria-label={t('signer.review.documents')}>
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
          {opened.has(index) && <PdfViewer url={urlFor(doc.id)} name={doc.name} />}
        </div>
      ))}
    </div>
  );
}
