// The account's security section (/account and /account/security): authenticator app (TOTP) with a QR
// code drawn by the server (no outside service), recovery codes shown once, passkeys, and step-up
// (giving the second factor again) before removing a factor or replacing the codes.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { startAuthentication, startRegistration } from '@simplewebauthn/browser';
import { ApiError, apiGet, apiPost, apiRequest } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { Alert } from '../../components/alert.tsx';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { useSubmit } from './use-submit.tsx';

interface SecurityOverview {
  totp: { enrolled: boolean; confirmedAt: string | null };
  passkeys: Array<{ id: string; name: string; createdAt: string; lastUsedAt: string | null }>;
  recoveryCodesLeft: number;
  mfaRequired: boolean;
}

interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrSvg: string;
}

/** Registers a passkey of this browser under a name (options, the authenticator, then the server's check). */
export async function registerPasskey(name: string): Promise<void> {
  const optionsJSON = await apiPost<Parameters<typeof startRegistration>[0]['optionsJSON']>(
    '/api/account/security/passkeys/options',
  );
  const response = await startRegistration({ optionsJSON });
  await apiPost('/api/account/security/passkeys', { name, response });
}

/** The section; `onEnrolled` runs when the account gets its first second factor (the MFA policy page uses it). */
export function SecuritySection({ onEnrolled }: { onEnrolled?: () => void }) {
  const { t, language } = useI18n();
  const [overview, setOverview] = useState<SecurityOverview | null>(null);
  const [enrolment, setEnrolment] = useState<TotpEnrolment | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const [needsStepUp, setNeedsStepUp] = useState(false);
  const [code, setCode] = useState('');
  const [passkeyName, setPasskeyName] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();

  const load = () =>
    apiGet<SecurityOverview>('/api/account/security')
      .then(setOverview)
      .catch((caught: unknown) => setError(errorMessage(language, caught)));
  useEffect(() => {
    void load();
    // Loaded once; each action reloads.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately run once per mount
  }, []);

  // An action that may need step-up: STEP_UP_REQUIRED opens the step-up form instead of an error.
  const guarded = (action: () => Promise<void>) =>
    run(async () => {
      try {
        await action();
      } catch (caught) {
        if (caught instanceof ApiError && caught.code === 'STEP_UP_REQUIRED') {
          setNeedsStepUp(true);
          return;
        }
        throw caught;
      }
    });

  const hadFactor = () => Boolean(overview && (overview.totp.enrolled || overview.passkeys.length > 0));

  const startTotp = () =>
    run(async () => {
      setNotice(null);
      setEnrolment(await apiPost<TotpEnrolment>('/api/account/security/totp'));
    });
  function confirmTotp(event: FormEvent) {
    event.preventDefault();
    const first = !hadFactor();
    void run(async () => {
      const result = await apiPost<{ recoveryCodes: string[] }>('/api/account/security/totp/confirm', {
        code: code.trim(),
      });
      setEnrolment(null);
      setCode('');
      setRecoveryCodes(result.recoveryCodes);
      await load();
      if (first) onEnrolled?.();
    });
  }
  const removeTotp = () =>
    guarded(async () => {
      await apiRequest('DELETE', '/api/account/security/totp');
      setNotice(t('security.totp.removed'));
      await load();
    });
  const regenerate = () =>
    guarded(async () => {
      const result = await apiPost<{ recoveryCodes: string[] }>('/api/account/security/recovery-codes');
      setRecoveryCodes(result.recoveryCodes);
      await load();
    });
  const addPasskey = () => {
    const first = !hadFactor();
    return run(async () => {
      await registerPasskey(passkeyName.trim() || t('security.passkeys.defaultName'));
      setPasskeyName('');
      setNotice(t('security.passkeys.added'));
      await load();
      if (first) onEnrolled?.();
    });
  };
  const removePasskey = (id: string) =>
    guarded(async () => {
      await apiRequest('DELETE', `/api/account/security/passkeys/${encodeURIComponent(id)}`);
      setNotice(t('security.passkeys.removed'));
      await load();
    });
  function stepUp(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const typed = code.trim();
      await apiPost(
        '/api/account/security/step-up',
        /^[0-9]{6}$/.test(typed) ? { code: typed } : { recoveryCode: typed },
      );
      setCode('');
      setNeedsStepUp(false);
      setNotice(t('security.stepUp.done'));
    });
  }
  const stepUpWithPasskey = () =>
    run(async () => {
      const optionsJSON = await apiPost<Parameters<typeof startAuthentication>[0]['optionsJSON']>(
        '/api/account/security/step-up/passkey/options',
      );
      await apiPost('/api/account/security/step-up/passkey', { response: await startAuthentication({ optionsJSON }) });
      setNeedsStepUp(false);
      setNotice(t('security.stepUp.done'));
    });

  return (
    <section className="card account-section" aria-labelledby="account-security">
      <h2 id="account-security" className="section-title">
        {t('security.title')}
      </h2>
      <p className="muted">{t('security.lead')}</p>
      {overview?.mfaRequired && !hadFactor() && <Alert tone="warning">{t('security.required')}</Alert>}

      <h3 className="subsection-title">{t('security.totp.title')}</h3>
      {overview?.totp.enrolled ? (
        <Row>
          <span>
            <span className="badge badge--completed">{t('security.enabled')}</span>{' '}
            <span className="muted">{formatDateTime(language, overview.totp.confirmedAt)}</span>
          </span>
          <button
            type="button"
            className="btn btn--danger-outline btn--small"
            disabled={busy}
            onClick={() => void removeTotp()}
          >
            {t('security.totp.remove')}
          </button>
        </Row>
      ) : enrolment ? (
        <form className="form" onSubmit={confirmTotp} noValidate>
          <p>{t('security.totp.scan')}</p>
          {/* The SVG is drawn by our server from the otpauth URI (path data only). */}
          <div
            className="qr-code"
            role="img"
            aria-label={t('security.totp.qrLabel')}
            dangerouslySetInnerHTML={{ __html: enrolment.qrSvg }}
          />
          <p className="muted">
            {t('security.totp.manual')}{' '}
            <code className="totp-secret" data-testid="totp-secret">
              {enrolment.secret}
            </code>
          </p>
          <Field id="totp-code" label={t('security.totp.code')}>
            <input
              id="totp-code"
              className="input"
              inputMode="numeric"
              autoComplete="one-time-code"
              maxLength={6}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </Field>
          <SubmitButton busy={busy} className="btn btn--primary">
            {t('security.totp.confirm')}
          </SubmitButton>
        </form>
      ) : (
        <button
          type="button"
          className="btn btn--primary"
          disabled={busy || overview === null}
          onClick={() => void startTotp()}
        >
          {t('security.totp.enable')}
        </button>
      )}

      {recoveryCodes && (
        <Alert tone="warning">
          <p>{t('security.recovery.showOnce')}</p>
          <ul className="recovery-codes" data-testid="recovery-codes">
            {recoveryCodes.map((c) => (
              <li key={c}>
                <code>{c}</code>
              </li>
            ))}
          </ul>
        </Alert>
      )}

      <h3 className="subsection-title">{t('security.passkeys.title')}</h3>
      <ul className="session-list">
        {(overview?.passkeys ?? []).map((p) => (
          <li key={p.id} className="session-list__item">
            <span>
              <strong>{p.name}</strong> <span className="muted">{formatDateTime(language, p.createdAt)}</span>
            </span>
            <button
              type="button"
              className="btn btn--danger-outline btn--small"
              disabled={busy}
              onClick={() => void removePasskey(p.id)}
            >
              {t('security.passkeys.remove')}
            </button>
          </li>
        ))}
      </ul>
      <Field id="passkey-name" label={`${t('security.passkeys.name')}（${t('common.optional')}）`}>
        <input
          id="passkey-name"
          className="input"
          maxLength={100}
          value={passkeyName}
          onChange={(event) => setPasskeyName(event.target.value)}
        />
      </Field>
      <button
        type="button"
        className="btn btn--secondary"
        disabled={busy || overview === null}
        onClick={() => void addPasskey()}
      >
        {t('security.passkeys.add')}
      </button>

      {hadFactor() && (
        <>
          <h3 className="subsection-title">{t('security.recovery.title')}</h3>
          <Row>
            <span>{t('security.recovery.left', { n: overview?.recoveryCodesLeft ?? 0 })}</span>
            <button
              type="button"
              className="btn btn--secondary btn--small"
              disabled={busy}
              onClick={() => void regenerate()}
            >
              {t('security.recovery.regenerate')}
            </button>
          </Row>
        </>
      )}

      {needsStepUp && (
        <form className="form step-up" onSubmit={stepUp} noValidate>
          <Alert tone="info">{t('security.stepUp.lead')}</Alert>
          <Field id="step-up-code" label={t('security.stepUp.code')}>
            <input
              id="step-up-code"
              className="input"
              autoComplete="one-time-code"
              maxLength={24}
              value={code}
              onChange={(event) => setCode(event.target.value)}
            />
          </Field>
          <SubmitButton busy={busy} className="btn btn--primary">
            {t('security.stepUp.submit')}
          </SubmitButton>
          {(overview?.passkeys.length ?? 0) > 0 && (
            <button
              type="button"
              className="btn btn--secondary"
              disabled={busy}
              onClick={() => void stepUpWithPasskey()}
            >
              {t('security.stepUp.passkey')}
            </button>
          )}
        </form>
      )}
      <FormError id={errorId} error={error} />
      {notice && <Alert tone="success">{notice}</Alert>}
    </section>
  );
}

function Row({ children }: { children: ReactNode }) {
  return <div className="membership-list__item">{children}</div>;
}
