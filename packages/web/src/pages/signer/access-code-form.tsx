// アクセスコード入力: explains why the code is asked, takes it, and says what went wrong.
// Shows nothing about the document: only the sending organisation, which the mail named already.
import { useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, apiPost, setSignerCsrfToken } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { SenderContact, SignerView } from '../../api/types.ts';
import { HelpLink, SenderContactCard } from '../../components/sender-contact.tsx';
import { Field, FormError, SubmitButton, fieldAria } from '../../components/form-parts.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';

const CODE_PATTERN = /^[0-9]{4,8}$/;

/** Full-width digits (０-９), typed with a Japanese IME on, count as digits; spaces are dropped. */
export function normalizeCode(raw: string): string {
  return raw.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/[\s-]/g, '');
}

/** The code form; `onPassed` gets the signer view, `onLocked` fires when the server locks. */
export function AccessCodeForm({
  token,
  senderOrganization,
  sender,
  onPassed,
  onLocked,
}: {
  token: string;
  senderOrganization: string;
  /** Whom to ask when the code is unknown (older servers send none). */
  sender: SenderContact | null;
  onPassed: (view: SignerView) => void;
  onLocked: () => void;
}) {
  const { t, language } = useI18n();
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);
  const hintId = useId();
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (busy) return;
    const value = normalizeCode(code);
    if (value === '') return fail(t('signer.code.empty'));
    if (!CODE_PATTERN.test(value)) return fail(t('signer.code.format'));
    setBusy(true);
    setError(null);
    try {
      const view = await apiPost<SignerView>(`/api/sign/${encodeURIComponent(token)}/access-code`, { code: value });
      setSignerCsrfToken(view.csrfToken ?? null);
      onPassed(view);
    } catch (caught) {
      setBusy(false);
      if (caught instanceof ApiError && caught.code === 'ACCESS_CODE_LOCKED') return onLocked();
      // A wrong code empties the field; the message (with the attempts left) is the catalog's, as for any code.
      if (caught instanceof ApiError && caught.code === 'ACCESS_CODE_WRONG') setCode('');
      fail(errorMessage(language, caught));
    }
  }

  function fail(message: string) {
    setError(message);
    inputRef.current?.focus();
  }

  return (
    <section className="card card--narrow">
      <p className="eyebrow">{t('signer.code.request', { org: senderOrganization })}</p>
      <h1 id="code-title" className="page-title">
        {t('signer.code.title')}
      </h1>
      <p className="lead">{t('signer.code.lead')}</p>
      <p className="muted">{t('signer.code.explain')}</p>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="access-code" label={t('signer.code.label')}>
          <input
            ref={inputRef}
            id="access-code"
            name="access-code"
            className="input input--code"
            type="text"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9０-９]*"
            maxLength={8}
            autoFocus
            value={code}
            onChange={(event) => setCode(event.target.value)}
            {...fieldAria(error, errorId, hintId)}
          />
          <p id={hintId} className="field__hint">
            {t('signer.code.hint')}
          </p>
        </Field>
        <FormError id={errorId} error={error} />
        <SubmitButton busy={busy}>{busy ? t('signer.code.checking') : t('signer.code.next')}</SubmitButton>
      </form>
      <p className="muted small">{t('signer.code.unknownCode')}</p>
      {sender && <SenderContactCard contact={sender} />}
      <HelpLink topic="access-code" />
    </section>
  );
}
