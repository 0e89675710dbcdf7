// /d/{token}: the completion mail's ダウンロード link — envelope, certificate ID, the signed PDFs.
import { useEffect, useState } from 'react';
import { ApiError, apiGet } from '../api/client.ts';
import type { DownloadView } from '../api/types.ts';
import { CertificateListItem, DocumentListItem } from '../components/document-list.tsx';
import { PageShell } from '../components/page-shell.tsx';
import { HelpLink } from '../components/sender-contact.tsx';
import { Loading, StatePanel } from '../components/state-panel.tsx';
import { useI18n } from '../i18n/i18n-context.tsx';
import { formatDateTime } from '../i18n/translate.ts';

type Phase =
  | { kind: 'loading' }
  | { kind: 'ready'; view: DownloadView }
  | { kind: 'expired' }
  | { kind: 'invalid' }
  | { kind: 'error'; message: string };

/** The download page for `token`. */
export function DownloadPage({ token }: { token: string }) {
  const { t, language, describeError } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const base = `/api/download/${encodeURIComponent(token)}`;

  useEffect(() => {
    let canceled = false;
    apiGet<DownloadView>(base)
      .then((view) => !canceled && setPhase({ kind: 'ready', view }))
      .catch((caught: unknown) => {
        if (canceled) return;
        if (caught instanceof ApiError && caught.code === 'LINK_EXPIRED') return setPhase({ kind: 'expired' });
        if (caught instanceof ApiError && (caught.code === 'LINK_INVALID' || caught.code === 'NOT_FOUND'))
          return setPhase({ kind: 'invalid' });
        setPhase({ kind: 'error', message: describeError(caught) });
      });
    return () => {
      canceled = true;
    };
  }, [base, describeError]);

  let content;
  if (phase.kind === 'loading') content = <Loading label={t('common.loading')} />;
  else if (phase.kind === 'expired')
    content = (
      <StatePanel tone="warning" title={t('download.expired.title')}>
        <p>{t('download.expired.body')}</p>
        <HelpLink topic="download" />
      </StatePanel>
    );
  else if (phase.kind === 'invalid')
    content = (
      <StatePanel tone="error" title={t('download.invalid.title')}>
        <p>{t('download.invalid.body')}</p>
        <HelpLink topic="link" />
      </StatePanel>
    );
  else if (phase.kind === 'error') content = <StatePanel tone="error" title={phase.message} />;
  else {
    const { envelope, documents, expiresAt } = phase.view;
    content = (
      <section className="card" aria-labelledby="download-title">
        <p className="eyebrow">{t('download.title')}</p>
        <h1 id="download-title" className="page-title page-title--wrap">
          {envelope.name}
        </h1>
        <p className="muted">{t('download.lead')}</p>
        <dl className="facts">
          <div className="facts__row">
            <dt>{t('download.certificateId')}</dt>
            <dd className="mono">{envelope.certificateId}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('download.completedAt')}</dt>
            <dd>{formatDateTime(language, envelope.completedAt)}</dd>
          </div>
          <div className="facts__row">
            <dt>{t('download.expiresAt')}</dt>
            <dd>{formatDateTime(language, expiresAt)}</dd>
          </div>
        </dl>
        <h2 className="section-title">{t('download.documents')}</h2>
        <ul className="doc-list">
          {documents.map((doc) => (
            <DocumentListItem
              key={doc.id}
              doc={doc}
              href={`${base}/documents/${encodeURIComponent(doc.id)}`}
              buttonClassName="btn btn--primary"
              buttonText={t('download.button')}
              buttonLabel={t('download.buttonLabel', { name: doc.name })}
            />
          ))}
          {phase.view.certificate && (
            <CertificateListItem meta={t('certificate.hint')}>
              <a
                className="btn btn--secondary"
                href={`${base}/certificate`}
                download
                aria-label={t('certificate.downloadLabel')}
              >
                {t('download.button')}
              </a>
            </CertificateListItem>
          )}
        </ul>
        <section className="trust-box" aria-labelledby="check-title" data-testid="how-to-check">
          <h2 id="check-title" className="section-title">
            {t('download.check.title')}
          </h2>
          <p>{t('download.check.body')}</p>
          <ul className="trust-box__ways">
            <li>
              <a href="/verify">{t('download.check.verify')}</a>
            </li>
            <li>
              {t('download.check.reader')}{' '}
              <a href="/pki/ca/root.cer" download="inkan-root.cer">
                {t('download.check.root')}
              </a>
              {' · '}
              <a href="/help#adobe-reader" target="_blank" rel="noopener">
                {t('download.check.steps')}
              </a>
            </li>
          </ul>
        </section>
        <HelpLink topic="download" />
      </section>
    );
  }
  return <PageShell title={t('download.title')}>{content}</PageShell>;
}
