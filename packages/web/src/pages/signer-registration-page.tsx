// /signer-registration/{token} (署名用メールアドレスの届出): the link of the 届出 request mail. The
// counterparty names the person who signs for it and chooses the access code itself, twice; the code
// is stored only hashed, so the sender never learns it (unlike the paper form it replaces). A used,
// replaced or expired link says so and tells the counterparty to ask the sender for a new one.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, apiGet, apiPost } from '../api/client.ts';
import { errorMessage } from '../api/messages.ts';
import type { RegistrationLink } from '../api/address-book-types.ts';
import { Field, FormError, SubmitButton } from '../components/form-parts.tsx';
import { PageShell } from '../components/page-shell.tsx';
import { HelpLink } from '../components/sender-contact.tsx';
import { Loading, StatePanel } from '../components/state-panel.tsx';
import { useI18n } from '../i18n/i18n-context.tsx';
import { formatDateTime } from '../i18n/translate.ts';
import '../components/address-book.css';

type State =
  | { kind: 'loading' }
  | { kind: 'ready'; link: RegistrationLink }
  | { kind: 'done'; organizationName: string; signerEmail: string }
  | { kind: 'expired'; organizationName: string | null }
  | { kind: 'invalid' }
  | { kind: 'error'; message: string };

/** Full-width digits and separators typed on a Japanese keyboard become ASCII digits. */
const digitsOnly = (text: string) =>
  text.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/\D/g, '');

/** The 届出 page. */
export function SignerRegistrationPage({ token }: { token: string }) {
  const { t, language } = useI18n();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const path = `/api/signer-registrations/${encodeURIComponent(token)}`;

  useEffect(() => {
    let canceled = false;
    apiGet<RegistrationLink>(path)
      .then((link) => !canceled && setState({ kind: 'ready', link }))
      .catch((caught: unknown) => {
        if (canceled) return;
        if (caught instanceof ApiError && caught.status === 410) {
          const organization = (caught.details as { organization?: unknown }).organization;
          setState({ kind: 'expired', organizationName: typeof organization === 'string' ? organization : null });
        } else if (caught instanceof ApiError && caught.status === 404) setState({ kind: 'invalid' });
        else setState({ kind: 'error', message: errorMessage(language, caught) });
      });
    return () => {
      canceled = true;
    };
  }, [path, language]);

  const title = t('signerReg.title');
  let body;
  switch (state.kind) {
    case 'loading':
      body = <Loading label={t('common.loading')} />;
      break;
    case 'invalid':
    case 'expired':
    case 'error':
      body = (
        <StatePanel
          tone="warning"
          title={state.kind === 'expired' ? t('signerReg.expiredTitle') : t('signerReg.invalidTitle')}
        >
          <p>
            {state.kind === 'error'
              ? state.message
              : state.kind === 'expired'
                ? t('signerReg.expired', { organization: state.organizationName ?? t('signerReg.theSender') })
                : t('signerReg.invalid')}
          </p>
          <HelpLink />
        </StatePanel>
      );
      break;
    case 'done':
      body = (
        <StatePanel tone="success" title={t('signerReg.doneTitle')}>
          <p>{t('signerReg.done', { organization: state.organizationName })}</p>
          <p>{t('signerReg.doneMail', { email: state.signerEmail })}</p>
          <p className="muted">{t('signerReg.doneChange', { organization: state.organizationName })}</p>
        </StatePanel>
      );
      break;
    case 'ready':
      body = (
        <RegistrationForm
          link={state.link}
          path={path}
          onDone={(signerEmail) =>
            setState({ kind: 'done', organizationName: state.link.organizationName, signerEmail })
          }
        />
      );
      break;
  }
  return (
    <PageShell title={title}>
      <div className="reg">
        <h1 className="page-title">{title}</h1>
        {body}
      </div>
    </PageShell>
  );
}

function RegistrationForm({
  link,
  path,
  onDone,
}: {
  link: RegistrationLink;
  path: string;
  onDone: (signerEmail: string) => void;
}) {
  const { t, language } = useI18n();
  const [name, setName] = useState(link.currentSigner?.name ?? '');
  const [email, setEmail] = useState(link.currentSigner?.email ?? '');
  const [mailLanguage, setMailLanguage] = useState<'ja' | 'en'>(link.language);
  const [code, setCode] = useState('');
  const [confirmation, setConfirmation] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    // The server checks everything again (and the weak codes); these are the quick, obvious ones.
    if (!name.trim() || !email.trim()) return setError(t('signerReg.v.required'));
    if (!/^[0-9]{6,8}$/.test(code)) return setError(t('signerReg.v.code'));
    if (code !== confirmation) return setError(t('error.ACCESS_CODE_MISMATCH'));
    setBusy(true);
    setError(null);
    try {
      const result = await apiPost<{ signerEmail: string }>(path, {
        signerName: name.trim(),
        signerEmail: email.trim(),
        language: mailLanguage,
        accessCode: code,
        accessCodeConfirmation: confirmation,
      });
      onDone(result.signerEmail);
    } catch (caught) {
      setError(
        caught instanceof ApiError && caught.code === 'INVALID_ACCESS_CODE_FORMAT'
          ? t('signerReg.v.code')
          : errorMessage(language, caught),
      );
      setBusy(false);
    }
  }

  return (
    <>
      <p className="reg__lead">
        {t('signerReg.lead', {
          organization: link.organizationName,
          company: link.companyName,
          person: link.personName,
        })}
      </p>
      <section className="card reg__about" aria-labelledby="reg-about">
        <h2 id="reg-about" className="section-title">
          {t('signerReg.aboutTitle')}
        </h2>
        <p>{t('signerReg.about')}</p>
        <p className="reg__secret">{t('signerReg.secret', { organization: link.organizationName })}</p>
      </section>
      {link.currentSigner && (
        <p className="alert alert--info" role="note">
          {t('signerReg.current', { name: link.currentSigner.name, email: link.currentSigner.email })}
        </p>
      )}
      <form className="form card" onSubmit={submit} noValidate aria-describedby={error ? errorId : undefined}>
        <FormError id={errorId} error={error} />
        <Field id="reg-name" label={t('signerReg.name')}>
          <input
            id="reg-name"
            className="input"
            autoComplete="name"
            maxLength={100}
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <Field id="reg-email" label={t('signerReg.email')}>
          <input
            id="reg-email"
            className="input"
            type="email"
            autoComplete="email"
            maxLength={254}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-describedby="reg-email-hint"
          />
        </Field>
        <p id="reg-email-hint" className="field__hint">
          {t('signerReg.emailHint')}
        </p>
        <Field id="reg-language" label={t('signerReg.language')}>
          <select
            id="reg-language"
            className="input select"
            value={mailLanguage}
            onChange={(e) => setMailLanguage(e.target.value as 'ja' | 'en')}
          >
            <option value="ja">{t('lang.ja')}</option>
            <option value="en">{t('lang.en')}</option>
          </select>
        </Field>
        <div className="grid grid--2">
          <Field id="reg-code" label={t('signerReg.code')}>
            <input
              id="reg-code"
              className="input input--code-small"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={code}
              onChange={(e) => setCode(digitsOnly(e.target.value))}
              aria-describedby="reg-code-hint"
            />
          </Field>
          <Field id="reg-code2" label={t('signerReg.codeConfirm')}>
            <input
              id="reg-code2"
              className="input input--code-small"
              type="password"
              inputMode="numeric"
              autoComplete="new-password"
              maxLength={8}
              value={confirmation}
              onChange={(e) => setConfirmation(digitsOnly(e.target.value))}
            />
          </Field>
        </div>
        <p id="reg-code-hint" className="field__hint">
          {t('signerReg.codeHint')}
        </p>
        <SubmitButton busy={busy}>{t('signerReg.submit')}</SubmitButton>
        <p className="muted small">
          {t('signerReg.validUntil', { at: formatDateTime(language, link.expiresAt) })}
          {link.senderContact ? ` ${t('signerReg.contact', { contact: link.senderContact })}` : ''}
        </p>
      </form>
      <HelpLink />
    </>
  );
}
