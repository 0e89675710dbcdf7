// Rows of a `doc-list`: the signed PDFs and the certificate of completion, each with its download.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';

/** One PDF: its name, page count and SHA-256 (so the file can be checked), and a download link. */
export function DocumentListItem({
  doc,
  href,
  buttonClassName,
  buttonText,
  buttonLabel,
}: {
  doc: { id: string; name: string; pages: number; sha256: string };
  href: string;
  buttonClassName: string;
  buttonText: string;
  /** The accessible name of the link (it names the document). */
  buttonLabel: string;
}) {
  const { t } = useI18n();
  return (
    <li className="doc-list__item">
      <span className="doc-list__icon" aria-hidden="true">
        PDF
      </span>
      <span className="doc-list__body">
        <span className="doc-list__name">{doc.name}</span>
        <span className="doc-list__meta">
          {t('common.pages', { n: doc.pages })} · SHA-256 <span className="mono hash">{doc.sha256}</span>
        </span>
      </span>
      <a className={buttonClassName} href={href} download={doc.name} aria-label={buttonLabel}>
        {buttonText}
      </a>
    </li>
  );
}

/** The certificate of completion: `meta` under its name, `children` the action (a link or a retry). */
export function CertificateListItem({ meta, children }: { meta: ReactNode; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <li className="doc-list__item">
      <span className="doc-list__icon doc-list__icon--certificate" aria-hidden="true">
        証
      </span>
      <span className="doc-list__body">
        <span className="doc-list__name">{t('certificate.name')}</span>
        <span className="doc-list__meta">{meta}</span>
      </span>
      {children}
    </li>
  );
}
