// 証明書の添付 and セッション: the organisation settings (certificate attachment; idle and absolute
// session timeouts, the MFA policy) and the members' open sessions with 終了する.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { adminError, useAdminAction, type OrganizationSettings } from './admin-common.tsx';
import { AdminTable, SmallButton } from './admin-list.tsx';

function useSettings() {
  const { language } = useI18n();
  const [settings, setSettings] = useState<OrganizationSettings | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    apiGet<OrganizationSettings>('/api/v1/organization/settings')
      .then(setSettings)
      .catch((caught: unknown) => setLoadError(adminError(language, caught)));
  }, [language]);
  return { settings, setSettings, loadError };
}

export function CertificateSection() {
  const { t } = useI18n();
  const { settings, setSettings, loadError } = useSettings();
  const { busy, run, messages } = useAdminAction();
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!settings) return <Loading label={t('common.loading')} />;
  const toggle = (attachCertificate: boolean) =>
    run(async () => {
      setSettings(
        await apiRequest<OrganizationSettings>('PATCH', '/api/v1/organization/settings', { attachCertificate }),
      );
      return t('admin.saved');
    });
  return (
    <section className="admin-section" aria-labelledby="admin-cert-title">
      <h1 id="admin-cert-title" className="page-title">
        {t('admin.nav.certificate')}
      </h1>
      <p className="muted">{t('admin.cert.lead')}</p>
      {messages}
      <div className="card">
        <label className="admin-check">
          <input
            type="checkbox"
            checked={settings.attachCertificate}
            disabled={busy}
            onChange={(e) => void toggle(e.target.checked)}
          />
          <span>{t('admin.cert.attach')}</span>
        </label>
      </div>
    </section>
  );
}

interface MemberSession {
  id: string;
  userId: string;
  email: string;
  name: string;
  createdAt: string;
  lastSeenAt: string | null;
  ip: string | null;
  userAgent: string | null;
}

function numberOrNull(text: string): number | null {
  return text.trim() === '' ? null : Number(text);
}

export function SessionsSection() {
  const { t, language } = useI18n();
  const { settings, setSettings, loadError } = useSettings();
  const [draft, setDraft] = useState({ idle: '', absolute: '' });
  const [sessions, setSessions] = useState<MemberSession[] | null>(null);
  const policy = useAdminAction();
  const list = useAdminAction();
  const [sessionsError, setSessionsError] = useState<string | null>(null);
  const loadSessions = useCallback(
    () =>
      apiGet<{ sessions: MemberSession[] }>('/api/v1/admin/sessions')
        .then((r) => setSessions(r.sessions))
        .catch((caught: unknown) => setSessionsError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void loadSessions();
  }, [loadSessions]);
  useEffect(() => {
    if (settings)
      setDraft({
        idle: settings.sessionIdleMinutes === null ? '' : String(settings.sessionIdleMinutes),
        absolute: settings.sessionAbsoluteHours === null ? '' : String(settings.sessionAbsoluteHours),
      });
  }, [settings]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!settings) return <Loading label={t('common.loading')} />;

  function save(event: FormEvent) {
    event.preventDefault();
    void policy.run(async () => {
      setSettings(
        await apiRequest<OrganizationSettings>('PATCH', '/api/v1/organization/settings', {
          sessionIdleMinutes: numberOrNull(draft.idle),
          sessionAbsoluteHours: numberOrNull(draft.absolute),
        }),
      );
      return t('admin.saved');
    });
  }
  const toggleMfa = (mfaRequired: boolean) =>
    policy.run(async () => {
      setSettings(await apiRequest<OrganizationSettings>('PATCH', '/api/v1/organization/settings', { mfaRequired }));
      return t('admin.saved');
    });
  const end = (session: MemberSession) =>
    list.run(async () => {
      await apiRequest('DELETE', `/api/v1/admin/members/${session.userId}/sessions/${session.id}`);
      await loadSessions();
      return t('admin.members.sessionsEnded', { n: 1 });
    });

  return (
    <section className="admin-section" aria-labelledby="admin-sessions-title">
      <h1 id="admin-sessions-title" className="page-title">
        {t('admin.nav.sessions')}
      </h1>
      <p className="muted">{t('admin.sessions.lead')}</p>
      {policy.messages}
      <form className="form card" onSubmit={save} noValidate>
        <h2 className="section-title">{t('admin.sessions.policy')}</h2>
        <div className="admin-row">
          <Field id="session-idle" label={t('admin.sessions.idle')}>
            <input
              id="session-idle"
              className="input input--compact"
              inputMode="numeric"
              placeholder={t('admin.sessions.unlimited')}
              value={draft.idle}
              onChange={(e) => setDraft({ ...draft, idle: e.target.value })}
            />
          </Field>
          <Field id="session-absolute" label={t('admin.sessions.absolute')}>
            <input
              id="session-absolute"
              className="input input--compact"
              inputMode="numeric"
              placeholder={t('admin.sessions.unlimited')}
              value={draft.absolute}
              onChange={(e) => setDraft({ ...draft, absolute: e.target.value })}
            />
          </Field>
        </div>
        <label className="admin-check">
          <input
            type="checkbox"
            checked={settings.mfaRequired}
            disabled={policy.busy}
            onChange={(e) => void toggleMfa(e.target.checked)}
          />
          <span>{t('admin.sessions.mfa')}</span>
        </label>
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={policy.busy} aria-busy={policy.busy}>
            {t('admin.save')}
          </button>
        </div>
      </form>
      <h2 className="section-title">{t('admin.sessions.list')}</h2>
      {list.messages}
      {sessionsError && <p className="alert alert--error">{sessionsError}</p>}
      {!sessions ? (
        <Loading label={t('common.loading')} />
      ) : sessions.length === 0 ? (
        <p className="muted">{t('admin.none')}</p>
      ) : (
        <AdminTable
          columns={[
            t('admin.sessions.member'),
            t('admin.sessions.started'),
            t('admin.sessions.lastSeen'),
            t('admin.sessions.device'),
            t('admin.members.actions'),
          ]}
        >
          {sessions.map((s) => (
            <tr key={s.id}>
              <td>
                <div className="admin-strong">{s.name}</div>
                <div className="muted admin-small">{s.email}</div>
              </td>
              <td data-label={t('admin.sessions.started')}>{formatDateTime(language, s.createdAt)}</td>
              <td data-label={t('admin.sessions.lastSeen')}>{formatDateTime(language, s.lastSeenAt)}</td>
              <td className="admin-small" data-label={t('admin.sessions.device')}>
                <div>{s.ip ?? '—'}</div>
                <div className="muted admin-ua">{s.userAgent ?? ''}</div>
              </td>
              <td>
                <SmallButton tone="danger-outline" disabled={list.busy} onClick={() => void end(s)}>
                  {t('admin.sessions.end')}
                </SmallButton>
              </td>
            </tr>
          ))}
        </AdminTable>
      )}
    </section>
  );
}
