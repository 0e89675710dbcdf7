// The recipients and documents of an envelope as 送信内容の確認 shows them; the approval page (稟議) shows the
// same sections so that an approver reads exactly what the sender reviewed.
import type { ReactNode } from 'react';
import type { Envelope } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { canRevealCode, RevealCodeButton } from './envelope-tools.tsx';

/** The recipients in signing order with their identity check, access code state and field count. */
export function ReviewRecipientsSection(props: {
  envelope: Envelope;
  /** Fields placed per recipient id (undefined while unknown). */
  fieldCounts?: ReadonlyMap<string, number>;
  title: string;
  /** Below the list (the review page's note on access codes). */
  footnote?: ReactNode;
}) {
  const { t } = useI18n();
  const { envelope, fieldCounts } = props;
  const recipients = [...envelope.recipients].sort((a, b) => a.order - b.order);
  return (
    <section className="card" aria-labelledby="review-recipients">
      <h2 id="review-recipients" className="section-title">
        {props.title}
      </h2>
      <ol className="recipient-rows">
        {recipients.map((recipient) => (
          <li key={recipient.id} className="recipient-row">
            <span className="order-badge" aria-label={`${t('env.recipient.order')} ${recipient.order}`}>
              {recipient.order}
            </span>
            <div className="recipient-row__body">
              <div className="recipient-row__line">
                <span className="recipient-row__name">{recipient.name}</span>
              </div>
              <div className="recipient-row__meta">
                <span className="recipient-row__email">{recipient.email}</span>
                <span>{t(recipient.language === 'ja' ? 'lang.ja' : 'lang.en')}</span>
              </div>
              <dl className="review-facts">
                <div>
                  <dt>{t('review.auth')}</dt>
                  <dd>{t(`new.recipient.auth.${recipient.auth}`)}</dd>
                </div>
                {recipient.auth === 'access_code' && (
                  <div>
                    <dt>{t('review.code')}</dt>
                    <dd>{recipient.accessCodeStored === false ? t('review.codeMissing') : t('review.codeHidden')}</dd>
                  </div>
                )}
                {fieldCounts && (
                  <div>
                    <dt>{t('review.fields')}</dt>
                    <dd>
                      {fieldCounts.get(recipient.id)
                        ? t('review.fieldsCount', { n: fieldCounts.get(recipient.id) ?? 0 })
                        : t('review.none')}
                    </dd>
                  </div>
                )}
              </dl>
            </div>
            <div className="recipient-row__actions">
              {canRevealCode(envelope, recipient) && (
                <RevealCodeButton envelopeId={envelope.id} recipient={recipient} />
              )}
            </div>
          </li>
        ))}
      </ol>
      {props.footnote}
    </section>
  );
}

/** The documents with their page counts; with `linkBase` (the envelope's API path) their names open the PDF. */
export function ReviewDocumentsSection(props: { envelope: Envelope; linkBase?: string; children?: ReactNode }) {
  const { t } = useI18n();
  return (
    <section className="card" aria-labelledby="review-documents">
      <h2 id="review-documents" className="section-title">
        {t('review.documents')}
      </h2>
      <ul className="doc-list">
        {props.envelope.documents.map((doc) => (
          <li key={doc.id} className="doc-list__item">
            <span className="doc-list__icon" aria-hidden="true">
              PDF
            </span>
            <span className="doc-list__body">
              {props.linkBase ? (
                <a
                  className="doc-list__name doc-list__name--wrap"
                  href={`${props.linkBase}/documents/${encodeURIComponent(doc.id)}`}
                  target="_blank"
                  rel="noreferrer"
                >
                  {doc.name}
                </a>
              ) : (
                <span className="doc-list__name doc-list__name--wrap">{doc.name}</span>
              )}
              <span className="doc-list__meta">{t('review.pages', { n: doc.pages })}</span>
            </span>
          </li>
        ))}
      </ul>
      {props.children}
    </section>
  );
}
