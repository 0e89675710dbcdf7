// /help: 困ったときは — the FAQ for signers (access code, expired and locked links, after signing,
// download, checking signatures on the verify page and in Adobe Acrobat Reader, 保管) and senders
// (errors when sending), with the operator's support contact. Linked from every signer page and mail.
import { useEffect, useState } from 'react';
import { apiGet } from '../api/client.ts';
import type { HelpInfo } from '../api/types.ts';
import { PageShell } from '../components/page-shell.tsx';
import { useI18n } from '../i18n/i18n-context.tsx';
import type { MessageKey } from '../i18n/translate.ts';

/** The topics in order; `id` is the anchor the mails and pages link to. */
const SIGNER_TOPICS = [
  { id: 'access-code', key: 'accessCode' },
  { id: 'expired', key: 'expired' },
  { id: 'link', key: 'link' },
  { id: 'locked', key: 'locked' },
  { id: 'after-signing', key: 'afterSigning' },
  { id: 'download', key: 'download' },
  { id: 'verify', key: 'verify' },
  { id: 'adobe-reader', key: 'adobe' },
  { id: 'store', key: 'store' },
] as const;
const SENDER_TOPICS = [{ id: 'sending-errors', key: 'sendErrors' }] as const;

type TopicKey = (typeof SIGNER_TOPICS)[number]['key'] | (typeof SENDER_TOPICS)[number]['key'];

/** The help page. */
export function HelpPage() {
  const { t } = useI18n();
  const [info, setInfo] = useState<HelpInfo | null>(null);
  const [fingerprint, setFingerprint] = useState<string | null | 'unavailable'>(null);

  useEffect(() => {
    let canceled = false;
    apiGet<HelpInfo>('/api/help')
      .then((loaded) => {
        if (!canceled) setInfo(loaded);
      })
      .catch(() => {
        // The page reads well without it: only the support contact and the fingerprint are missing.
      });
    return () => {
      canceled = true;
    };
  }, []);

  // The root certificate's SHA-256, to compare with what Reader shows before trusting it.
  useEffect(() => {
    if (!info) return;
    let canceled = false;
    if (!window.crypto?.subtle) {
      setFingerprint('unavailable');
      return;
    }
    fetch(info.rootCertificate.cer)
      .then((response) => (response.ok ? response.arrayBuffer() : Promise.reject(new Error('not found'))))
      .then((der) => window.crypto.subtle.digest('SHA-256', der))
      .then((digest) => {
        if (canceled) return;
        const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0').toUpperCase());
        setFingerprint(hex.join(':'));
      })
      .catch(() => {
        if (!canceled) setFingerprint('unavailable');
      });
    return () => {
      canceled = true;
    };
  }, [info]);

  // Opened from a mail at /help#locked: show that topic once the page is there.
  useEffect(() => {
    const id = window.location.hash.slice(1);
    if (id) document.getElementById(id)?.scrollIntoView();
  }, []);

  const title = (key: TopicKey) => t(`help.${key}.title` as MessageKey);
  const paragraphs = (key: MessageKey) =>
    t(key)
      .split('\n')
      .map((text, index) => <p key={index}>{text}</p>);

  return (
    <PageShell title={t('help.title')}>
      <article className="help">
        <header className="card help__intro">
          <h1 className="page-title">{t('help.title')}</h1>
          <p className="lead">{t('help.lead')}</p>
          <nav aria-label={t('help.contents')}>
            <h2 className="help__nav-title">{t('help.forSigners')}</h2>
            <ul className="help__nav">
              {SIGNER_TOPICS.map((topic) => (
                <li key={topic.id}>
                  <a href={`#${topic.id}`}>{title(topic.key)}</a>
                </li>
              ))}
            </ul>
            <h2 className="help__nav-title">{t('help.forSenders')}</h2>
            <ul className="help__nav">
              {SENDER_TOPICS.map((topic) => (
                <li key={topic.id}>
                  <a href={`#${topic.id}`}>{title(topic.key)}</a>
                </li>
              ))}
              <li>
                <a href="#support">{t('help.support.title')}</a>
              </li>
            </ul>
          </nav>
        </header>

        <h2 className="help__group">{t('help.forSigners')}</h2>
        {SIGNER_TOPICS.map((topic) => (
          <section key={topic.id} id={topic.id} className="card help__topic" aria-labelledby={`${topic.id}-title`}>
            <h3 id={`${topic.id}-title`} className="section-title">
              {title(topic.key)}
            </h3>
            {paragraphs(`help.${topic.key}.body` as MessageKey)}
            {topic.key === 'verify' && (
              <p>
                <a className="btn btn--secondary" href={info?.verifyUrl ?? '/verify'}>
                  {t('help.verify.action')}
                </a>
              </p>
            )}
            {topic.key === 'adobe' && (
              <>
                <ol className="help__steps">
                  {t('help.adobe.steps')
                    .split('\n')
                    .map((step, index) => (
                      <li key={index}>{step}</li>
                    ))}
                </ol>
                <p className="muted small">{t('help.adobe.note')}</p>
                <div className="button-row">
                  <a
                    className="btn btn--primary"
                    href={info?.rootCertificate.cer ?? '/pki/ca/root.cer'}
                    download="inkan-root.cer"
                  >
                    {t('help.adobe.download')}
                  </a>
                  <a className="btn btn--secondary" href={info?.rootCertificate.pem ?? '/pki/ca/root.pem'}>
                    {t('help.adobe.pem')}
                  </a>
                </div>
                <p className="help__fingerprint-label small">{t('help.adobe.fingerprint')}</p>
                <p className="hash-box" data-testid="root-fingerprint">
                  {fingerprint === 'unavailable'
                    ? t('help.adobe.fingerprintUnavailable')
                    : (fingerprint ?? t('common.loading'))}
                </p>
              </>
            )}
          </section>
        ))}

        <h2 className="help__group">{t('help.forSenders')}</h2>
        {SENDER_TOPICS.map((topic) => (
          <section key={topic.id} id={topic.id} className="card help__topic" aria-labelledby={`${topic.id}-title`}>
            <h3 id={`${topic.id}-title`} className="section-title">
              {title(topic.key)}
            </h3>
            {paragraphs(`help.${topic.key}.body` as MessageKey)}
          </section>
        ))}

        <section id="support" className="card help__topic" aria-labelledby="support-title">
          <h2 id="support-title" className="section-title">
            {t('help.support.title')}
          </h2>
          {info && (info.support.email || info.support.url) ? (
            <>
              <p>{t('help.support.body')}</p>
              <dl className="facts" data-testid="support-contact">
                {info.support.email && (
                  <div className="facts__row">
                    <dt>{t('help.support.email')}</dt>
                    <dd>
                      <a href={`mailto:${info.support.email}`}>{info.support.email}</a>
                    </dd>
                  </div>
                )}
                {info.support.url && (
                  <div className="facts__row">
                    <dt>{t('help.support.url')}</dt>
                    <dd>
                      <a href={info.support.url} rel="noopener noreferrer" target="_blank">
                        {info.support.url}
                      </a>
                    </dd>
                  </div>
                )}
              </dl>
            </>
          ) : (
            <p className="muted">{t('help.support.none')}</p>
          )}
        </section>
      </article>
    </PageShell>
  );
}
