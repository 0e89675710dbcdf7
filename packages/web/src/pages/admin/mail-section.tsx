// メール設定: the organisation's sender name and Reply-To, and 送信テスト showing the mail server's answer.
import { useEffect, useState, type FormEvent } from 'react';
import { apiPost, apiRequest } from '../../api/client.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { useAdminAction } from './admin-common.tsx';
import { AutoRemindCard } from './auto-remind-card.tsx';
import { useProfile, type OrganizationProfile } from './organization-section.tsx';

type TestResult =
  | { ok: true; to: string; transport: 'smtp' | 'outbox'; response: string }
  | { ok: false; to: string; transport: 'smtp' | 'outbox'; error: string };

export function MailSection() {
  const { t } = useI18n();
  const { profile, setProfile, loadError } = useProfile();
  const [draft, setDraft] = useState({ mailFromName: '', mailReplyTo: '' });
  const [to, setTo] = useState('');
  const [result, setResult] = useState<TestResult | null>(null);
  const settings = useAdminAction();
  const test = useAdminAction();
  useEffect(() => {
    if (profile) setDraft({ mailFromName: profile.mailFromName ?? '', mailReplyTo: profile.mailReplyTo ?? '' });
  }, [profile]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!profile) return <Loading label={t('common.loading')} />;

  function save(event: FormEvent) {
    event.preventDefault();
    void settings.run(async () => {
      setProfile(
        await apiRequest<OrganizationProfile>('PATCH', '/api/v1/admin/organization', {
          mailFromName: draft.mailFromName.trim() || null,
          mailReplyTo: draft.mailReplyTo.trim() || null,
        }),
      );
      return t('admin.saved');
    });
  }
  function sendTest(event: FormEvent) {
    event.preventDefault();
    setResult(null);
    void test.run(async () => {
      setResult(await apiPost<TestResult>('/api/v1/admin/mail/test', to.trim() ? { to: to.trim() } : {}));
    });
  }

  return (
    <section className="admin-section" aria-labelledby="admin-mail-title">
      <h1 id="admin-mail-title" className="page-title">
        {t('admin.nav.mail')}
      </h1>
      <p className="muted">{t('admin.mail.lead')}</p>
      {settings.messages}
      <form className="form card" onSubmit={save} noValidate>
        <Field id="mail-from-name" label={t('admin.mail.fromName')}>
          <input
            id="mail-from-name"
            className="input"
            value={draft.mailFromName}
            maxLength={100}
            onChange={(e) => setDraft({ ...draft, mailFromName: e.target.value })}
          />
        </Field>
        <Field id="mail-reply-to" label={t('admin.mail.replyTo')}>
          <input
            id="mail-reply-to"
            type="email"
            className="input"
            value={draft.mailReplyTo}
            onChange={(e) => setDraft({ ...draft, mailReplyTo: e.target.value })}
          />
        </Field>
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={settings.busy} aria-busy={settings.busy}>
            {t('admin.save')}
          </button>
        </div>
      </form>
      <form className="form card" onSubmit={sendTest} noValidate aria-labelledby="admin-mail-test-title">
        <h2 id="admin-mail-test-title" className="section-title">
          {t('admin.mail.test')}
        </h2>
        <p className="muted">{t('admin.mail.testLead')}</p>
        {test.messages}
        <Field id="mail-test-to" label={t('admin.mail.testTo')}>
          <input id="mail-test-to" type="email" className="input" value={to} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <div className="admin-actions">
          <button type="submit" className="btn btn--secondary" disabled={test.busy} aria-busy={test.busy}>
            {t('admin.mail.testSubmit')}
          </button>
        </div>
        {result && (
          <div data-testid="mail-test-result">
            <Alert tone={result.ok ? 'success' : 'error'}>
              {t(result.ok ? 'admin.mail.testOk' : 'admin.mail.testFailed', { to: result.to })}
            </Alert>
            <p className="field__label">{t('admin.mail.serverAnswer')}</p>
            <pre className="admin-answer">{result.ok ? result.response : result.error}</pre>
          </div>
        )}
      </form>
      <AutoRemindCard />
    </section>
  );
}
