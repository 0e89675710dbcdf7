// Whom a signer can ask: the organisation and the person who sent, with mail and telephone links; and
// the link to the help pages (困ったときは). Shown on the code, lock, done and review pages.
import { useI18n } from '../i18n/i18n-context.tsx';
import type { SenderContact } from '../api/types.ts';

/** The sender's contact as a small card. */
export function SenderContactCard({ contact, heading = 'h2' }: { contact: SenderContact; heading?: 'h2' | 'h3' }) {
  const { t } = useI18n();
  const Heading = heading;
  return (
    <section className="contact-card" aria-label={t('contact.title')} data-testid="sender-contact">
      <Heading className="contact-card__title">{t('contact.title')}</Heading>
      <p className="contact-card__who">
        <span className="contact-card__org">{contact.organization}</span>
        {contact.name && <span className="contact-card__name">{t('contact.person', { name: contact.name })}</span>}
      </p>
      {(contact.email || contact.phone) && (
        <dl className="contact-card__ways">
          {contact.email && (
            <div>
              <dt>{t('contact.email')}</dt>
              <dd>
                <a href={`mailto:${contact.email}`} className="contact-card__link">
                  {contact.email}
                </a>
              </dd>
            </div>
          )}
          {contact.phone && (
            <div>
              <dt>{t('contact.phone')}</dt>
              <dd>
                <a href={`tel:${contact.phone.replace(/[^0-9+]/g, '')}`} className="contact-card__link">
                  {contact.phone}
                </a>
              </dd>
            </div>
          )}
        </dl>
      )}
      {!contact.email && !contact.phone && <p className="muted small">{t('contact.noDirect')}</p>}
    </section>
  );
}

/** 困ったときは: a link to the help page (a topic anchor), opened beside the signer's page. */
export function HelpLink({ topic, className }: { topic?: string; className?: string }) {
  const { t } = useI18n();
  return (
    <p className={className ?? 'help-link'}>
      <span aria-hidden="true" className="help-link__icon">
        ?
      </span>{' '}
      <a href={`/help${topic ? `#${topic}` : ''}`} target="_blank" rel="noopener" data-testid="help-link">
        {t('help.link')}
      </a>
    </p>
  );
}
