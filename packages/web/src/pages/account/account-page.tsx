// /account: profile (氏名, 会社名・団体名), organisations, e-mail change, password change, signed-in
// devices, and deletion with a data export first.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import { apiDownload, apiGet, apiPost, apiRequest } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { User } from '../../api/types.ts';
import { Alert } from '../../components/alert.tsx';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { navigate } from '../../lib/router.ts';
import { forgetSession, rememberEnrolled, rememberUser, SenderShell, useUser } from '../sender/sender-session.tsx';
import { SecuritySection } from './security-section.tsx';
import { homeOf, NewPasswordField } from './auth-card.tsx';
import { useSubmit } from './use-submit.tsx';

interface AccountSession {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string | null;
  ip: string | null;
  userAgent: string | null;
  organization: { id: string; name: string } | null;
}

/** The account page (any signed-in account, with or without an organisation). */
export function AccountPage() {
  const { t } = useI18n();
  const [deleted, setDeleted] = useState(false);
  if (deleted) {
    return (
      <PageShell title={t('account.deleted.title')}>
        <StatePanel tone="success" title={t('account.deleted.title')}>
          <p>{t('account.deleted.body')}</p>
        </StatePanel>
      </PageShell>
    );
  }
  return (
    <SenderShell title={t('account.title')} width="normal">
      <h1 className="page-title">{t('account.title')}</h1>
      <ProfileSection />
      <MembershipSection />
      <EmailSection />
      <PasswordSection />
      <SecuritySection />
      <SessionsSection />
      <DeleteSection onDeleted={() => setDeleted(true)} />
    </SenderShell>
  );
}

/** /account/security: the security section alone — where an organisation's MFA policy holds a new session. */
export function AccountSecurityPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('security.title')} width="normal">
      <h1 className="page-title">{t('security.title')}</h1>
      <SecuritySection
        onEnrolled={() => {
          rememberEnrolled();
          navigate('/account', { replace: true });
        }}
      />
    </SenderShell>
  );
}

function Section({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <section className="card account-section" aria-labelledby={id}>
      <h2 id={id} className="section-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

function ProfileSection() {
  const { t } = useI18n();
  const user = useUser();
  const [name, setName] = useState(user.name);
  const [company, setCompany] = useState(user.companyName ?? '');
  const [phone, setPhone] = useState(user.phone ?? '');
  const [saved, setSaved] = useState(false);
  const { busy, error, run } = useSubmit();
  const errorId = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    void run(async () => {
      const result = await apiRequest<{ user: User }>('PATCH', '/api/account/profile', {
        name,
        companyName: company.trim() || null,
        phone: phone.trim() || null,
      });
      rememberUser(result.user);
      setSaved(true);
    });
  }
  return (
    <Section id="account-profile" title={t('account.profile.title')}>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="account-name" label={t('signupComplete.name')}>
          <input
            id="account-name"
            className="input"
            autoComplete="name"
            maxLength={100}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <Field id="account-company" label={`${t('signupComplete.company')}（${t('common.optional')}）`}>
          <input
            id="account-company"
            className="input"
            autoComplete="organization"
            maxLength={200}
            value={company}
            onChange={(event) => setCompany(event.target.value)}
          />
        </Field>
        <Field id="account-phone" label={`${t('account.profile.phone')}（${t('common.optional')}）`}>
          <input
            id="account-phone"
            className="input"
            type="tel"
            autoComplete="tel"
            inputMode="tel"
            maxLength={30}
            value={phone}
            onChange={(event) => setPhone(event.target.value)}
            aria-describedby="account-phone-hint"
          />
          <p id="account-phone-hint" className="field__hint">
            {t('account.profile.phoneHint')}
          </p>
        </Field>
        <FormError id={errorId} error={error} />
        {saved && <Alert tone="success">{t('account.profile.saved')}</Alert>}
        <SubmitButton busy={busy} className="btn btn--primary">
          {t('account.profile.save')}
        </SubmitButton>
      </form>
    </Section>
  );
}

function MembershipSection() {
  const { t } = useI18n();
  const user = useUser();
  const { busy, error, run } = useSubmit();
  const errorId = useId();
  const switchTo = (organizationId: string | null) =>
    run(async () => {
      const result = await apiPost<{ user: User }>('/api/session/organization', { organizationId });
      rememberUser(result.user);
      // A full load: every page re-reads the session with its new organisation.
      window.location.assign(homeOf(result.user));
    });
  return (
    <Section id="account-organizations" title={t('account.organization')}>
      <ul className="membership-list">
        <li className="membership-list__item">
          <span>{t('account.personal')}</span>
          {user.organization === null ? (
            <span className="badge badge--completed">{t('account.active')}</span>
          ) : (
            <button
              type="button"
              className="btn btn--secondary btn--small"
              disabled={busy}
              onClick={() => void switchTo(null)}
            >
              {t('account.switchPersonal')}
            </button>
          )}
        </li>
        {user.memberships.map((m) => (
          <li key={m.id} className="membership-list__item">
            <span>
              {m.name} <span className="muted">（{t(`account.role.${m.role}`)}）</span>
            </span>
            {user.organization?.id === m.id ? (
              <span className="badge badge--completed">{t('account.active')}</span>
            ) : (
              <button
                type="button"
                className="btn btn--secondary btn--small"
                disabled={busy}
                onClick={() => void switchTo(m.id)}
              >
                {t('account.switch')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError id={errorId} error={error} />
    </Section>
  );
}

function EmailSection() {
  const { t, language } = useI18n();
  const user = useUser();
  const [newEmail, setNewEmail] = useState('');
  const [password, setPassword] = useState('');
  const [sentTo, setSentTo] = useState<string | null>(null);
  const { busy, error, run } = useSubmit();
  const errorId = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    setSentTo(null);
    void run(async () => {
      await apiPost('/api/account/email', { newEmail: newEmail.trim(), currentPassword: password, language });
      setSentTo(newEmail.trim());
      setPassword('');
    });
  }
  return (
    <Section id="account-email" title={t('account.email.title')}>
      <p>
        <span className="muted">{t('account.email.current')}: </span>
        <strong>{user.email}</strong>
      </p>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="account-new-email" label={t('account.email.new')}>
          <input
            id="account-new-email"
            className="input"
            type="email"
            autoComplete="email"
            value={newEmail}
            onChange={(event) => setNewEmail(event.target.value)}
          />
        </Field>
        <Field id="account-email-password" label={t('account.currentPassword')}>
          <input
            id="account-email-password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        <FormError id={errorId} error={error} />
        {sentTo && <Alert tone="success">{t('account.email.sent', { email: sentTo })}</Alert>}
        <SubmitButton busy={busy} className="btn btn--primary">
          {t('account.email.submit')}
        </SubmitButton>
      </form>
    </Section>
  );
}

function PasswordSection() {
  const { t } = useI18n();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [changed, setChanged] = useState(false);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    setChanged(false);
    if ([...next].length < 10) return setError(t('error.PASSWORD_TOO_SHORT'));
    void run(async () => {
      await apiPost('/api/account/password', { currentPassword: current, newPassword: next });
      setChanged(true);
      setCurrent('');
      setNext('');
    });
  }
  return (
    <Section id="account-password" title={t('account.password.title')}>
      <form className="form" onSubmit={submit} noValidate>
        <Field id="account-current-password" label={t('account.currentPassword')}>
          <input
            id="account-current-password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={current}
            onChange={(event) => setCurrent(event.target.value)}
          />
        </Field>
        <NewPasswordField
          id="account-next-password"
          label={t('account.password.new')}
          value={next}
          onChange={setNext}
          errorId={errorId}
          error={error}
        />
        <FormError id={errorId} error={error} />
        {changed && <Alert tone="success">{t('account.password.changed')}</Alert>}
        <SubmitButton busy={busy} className="btn btn--primary">
          {t('account.password.submit')}
        </SubmitButton>
      </form>
    </Section>
  );
}

function SessionsSection() {
  const { t, language } = useI18n();
  const [sessions, setSessions] = useState<AccountSession[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const { busy, error, setError, run } = useSubmit();
  const errorId = useId();
  const load = () =>
    apiGet<{ sessions: AccountSession[] }>('/api/account/sessions')
      .then((result) => setSessions(result.sessions))
      .catch((caught: unknown) => setError(errorMessage(language, caught)));
  useEffect(() => {
    void load();
    // Loaded once; each action reloads.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately run once per mount
  }, []);
  const endOne = (id: string) =>
    run(async () => {
      await apiRequest('DELETE', `/api/account/sessions/${encodeURIComponent(id)}`);
      setNotice(t('account.sessions.ended', { n: 1 }));
      await load();
    });
  const endOthers = () =>
    run(async () => {
      const result = await apiPost<{ ended: number }>('/api/account/sessions/end-others');
      setNotice(t('account.sessions.ended', { n: result.ended }));
      await load();
    });
  return (
    <Section id="account-sessions" title={t('account.sessions.title')}>
      <ul className="session-list">
        {(sessions ?? []).map((s) => (
          <li key={s.id} className="session-list__item">
            <dl className="session-list__facts">
              <dt>{t('account.sessions.agent')}</dt>
              <dd className="session-list__agent">
                {s.userAgent ?? t('common.dash')}{' '}
                {s.current && <span className="badge badge--completed">{t('account.sessions.current')}</span>}
              </dd>
              <dt>{t('account.sessions.created')}</dt>
              <dd>{formatDateTime(language, s.createdAt)}</dd>
              <dt>{t('account.sessions.lastSeen')}</dt>
              <dd>{formatDateTime(language, s.lastSeenAt)}</dd>
              <dt>{t('account.sessions.ip')}</dt>
              <dd>{s.ip ?? t('common.dash')}</dd>
            </dl>
            {!s.current && (
              <button
                type="button"
                className="btn btn--danger-outline btn--small"
                disabled={busy}
                onClick={() => void endOne(s.id)}
              >
                {t('account.sessions.end')}
              </button>
            )}
          </li>
        ))}
      </ul>
      <FormError id={errorId} error={error} />
      {notice && <Alert tone="success">{notice}</Alert>}
      {sessions && sessions.length > 1 && (
        <button type="button" className="btn btn--secondary" disabled={busy} onClick={() => void endOthers()}>
          {t('account.sessions.endOthers')}
        </button>
      )}
    </Section>
  );
}

function DeleteSection({ onDeleted }: { onDeleted: () => void }) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const exporting = useSubmit();
  const deleting = useSubmit();
  const errorId = useId();
  const download = () =>
    exporting.run(async () => {
      const { blob, fileName } = await apiDownload('/api/account/export');
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = fileName;
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      // Revoked after the click has handed the file to the browser.
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    });
  function submit(event: FormEvent) {
    event.preventDefault();
    if (!window.confirm(t('account.delete.confirm'))) return;
    void deleting.run(async () => {
      await apiRequest('DELETE', '/api/account', { password });
      forgetSession();
      onDeleted();
    });
  }
  return (
    <Section id="account-delete" title={t('account.delete.title')}>
      <p>{t('account.delete.lead')}</p>
      <button
        type="button"
        className="btn btn--secondary"
        disabled={exporting.busy}
        aria-busy={exporting.busy}
        onClick={() => void download()}
      >
        {exporting.busy ? t('account.delete.exporting') : t('account.delete.export')}
      </button>
      <FormError id={`${errorId}-export`} error={exporting.error} />
      <form className="form" onSubmit={submit} noValidate>
        <Field id="account-delete-password" label={t('account.delete.password')}>
          <input
            id="account-delete-password"
            className="input"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </Field>
        <FormError id={errorId} error={deleting.error} />
        <SubmitButton busy={deleting.busy} className="btn btn--danger">
          {t('account.delete.submit')}
        </SubmitButton>
      </form>
    </Section>
  );
}
