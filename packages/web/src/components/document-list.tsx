// Rows of a `doc-list`: the signed PDFs and the certificate of completion, each with its download.
import { useEffect, useState, type ReactNode } from 'react';
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
    <li className="doc-list__item doc-list__item--file">
      <span className="doc-list__icon" aria-hidden="true">
        PDF
      </span>
      <span className="doc-list__body">
        <span className="doc-list__name doc-list__name--wrap">{doc.name}</span>
        <span className="doc-list__meta">{t('common.pages', { n: doc.pages })}</span>
        <HashBox label="SHA-256" value={doc.sha256} />
      </span>
      <a className={buttonClassName} href={href} download={doc.name} aria-label={buttonLabel}>
        {buttonText}
      </a>
    </li>
  );
}

/** A hash in a monospace box that wraps anywhere (64 hex digits fit in two lines on a phone), with a copy button. */
export function HashBox({ label, value }: { label: string; value: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (!copied) return;
    const timer = window.setTimeout(() => setCopied(false), 2000);
    return () => window.clearTimeout(timer);
  }, [copied]);
  const copy = () => {
    if (!navigator.clipboard) return;
    navigator.clipboard.writeText(value).then(
      () => setCopied(true),
      () => {
        // Clipboard refused (permissions): the value stays selectable by hand.
      },
    );
  };
  return (
    <span className="hash-line">
      <span className="hash-line__label">{label}</span>
      <code className="hash-box" data-testid="hash-box">
        {value}
      </code>
      <button
        type="button"
        className="btn btn--tool btn--small hash-line__copy"
        onClick={copy}
        aria-label={t('common.copyLabel', { label })}
      >
        <span aria-live="polite">{copied ? t('common.copied') : t('common.copy')}</span>
      </button>
    </span>
  );
}

/** The certificate of completion: `meta` under its name, `children` the action (a link or a retry). */
export function CertificateListItem({ meta, children }: { meta: ReactNode; children: ReactNode }) {
  const { t } = useI18n();
  return (
    <li className="doc-list__item doc-list__item--file">
      <span className="doc-list__icon doc-list__icon--certificate" aria-hidden="true">
        {t('certificate.icon')}
      </span>
      <span className="doc-list__body">
        <span className="doc-list__name">{t('certificate.name')}</span>
        <span className="doc-list__meta">{meta}</span>
      </span>
      {children}
    </li>
  );
}
