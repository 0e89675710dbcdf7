// 組織情報: name, sender and support contacts, and the logo (PNG/JPEG, bounded by the server).
import { useCallback, useEffect, useState, type ChangeEvent, type FormEvent } from 'react';
import { ApiError, apiGet, apiRequest, errorFromResponse, requestHeaders } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { adminError, useAdminAction } from './admin-common.tsx';
import { AdminCard } from './admin-list.tsx';

/** GET /api/v1/admin/organization. */
export interface OrganizationProfile {
  id: string;
  name: string;
  slug: string;
  senderContact: string | null;
  supportContact: string | null;
  mailFromName: string | null;
  mailReplyTo: string | null;
  logoPath: string | null;
}

/** Loads the profile once; `reload` after changes. */
export function useProfile() {
  const { language } = useI18n();
  const [profile, setProfile] = useState<OrganizationProfile | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const reload = useCallback(
    () =>
      apiGet<OrganizationProfile>('/api/v1/admin/organization')
        .then(setProfile)
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void reload();
  }, [reload]);
  return { profile, setProfile, loadError, reload };
}

async function uploadLogo(file: File): Promise<void> {
  const path = '/api/v1/admin/organization/logo';
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'PUT',
      headers: { ...requestHeaders('PUT', path), 'Content-Type': file.type || 'application/octet-stream' },
      credentials: 'same-origin',
      body: file,
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  if (!response.ok) throw errorFromResponse(response.status, await response.text());
}

export function OrganizationSection() {
  const { t } = useI18n();
  const { profile, setProfile, loadError, reload } = useProfile();
  const [draft, setDraft] = useState({ name: '', senderContact: '', supportContact: '' });
  const { busy, run, messages } = useAdminAction();
  useEffect(() => {
    if (profile)
      setDraft({
        name: profile.name,
        senderContact: profile.senderContact ?? '',
        supportContact: profile.supportContact ?? '',
      });
  }, [profile]);

  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!profile) return <Loading label={t('common.loading')} />;

  function save(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      setProfile(
        await apiRequest<OrganizationProfile>('PATCH', '/api/v1/admin/organization', {
          name: draft.name,
          senderContact: draft.senderContact || null,
          supportContact: draft.supportContact || null,
        }),
      );
      return t('admin.saved');
    });
  }
  function chooseLogo(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    void run(async () => {
      await uploadLogo(file);
      await reload();
      return t('admin.saved');
    });
  }
  const removeLogo = () =>
    run(async () => {
      await apiRequest('DELETE', '/api/v1/admin/organization/logo');
      await reload();
      return t('admin.saved');
    });

  return (
    <section className="admin-section" aria-labelledby="admin-org-title">
      <h1 id="admin-org-title" className="page-title">
        {t('admin.nav.organization')}
      </h1>
      <p className="muted">{t('admin.org.lead')}</p>
      {messages}
      <form className="form card" onSubmit={save} noValidate>
        <Field id="org-name" label={t('admin.org.name')}>
          <input
            id="org-name"
            className="input"
            value={draft.name}
            maxLength={100}
            onChange={(e) => setDraft({ ...draft, name: e.target.value })}
          />
        </Field>
        <Field id="org-sender" label={t('admin.org.senderContact')}>
          <p className="field__hint" id="org-sender-hint">
            {t('admin.org.senderContactHint')}
          </p>
          <textarea
            id="org-sender"
            className="input"
            rows={2}
            aria-describedby="org-sender-hint"
            value={draft.senderContact}
            maxLength={500}
            onChange={(e) => setDraft({ ...draft, senderContact: e.target.value })}
          />
        </Field>
        <Field id="org-support" label={t('admin.org.supportContact')}>
          <p className="field__hint" id="org-support-hint">
            {t('admin.org.supportContactHint')}
          </p>
          <textarea
            id="org-support"
            className="input"
            rows={2}
            aria-describedby="org-support-hint"
            value={draft.supportContact}
            maxLength={500}
            onChange={(e) => setDraft({ ...draft, supportContact: e.target.value })}
          />
        </Field>
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {t('admin.save')}
          </button>
        </div>
      </form>
      <AdminCard id="admin-logo-title" title={t('admin.org.logo')}>
        <div className="admin-logo">
          {profile.logoPath ? (
            <img className="admin-logo__image" src={profile.logoPath} alt={t('admin.org.logoAlt')} />
          ) : (
            <p className="muted">{t('admin.org.logoNone')}</p>
          )}
        </div>
        <p className="field__hint">{t('admin.org.logoHint')}</p>
        <div className="admin-actions">
          <label className="btn btn--secondary admin-file">
            {t('admin.org.logoUpload')}
            <input
              type="file"
              accept="image/png,image/jpeg"
              className="visually-hidden"
              data-testid="logo-input"
              onChange={chooseLogo}
              disabled={busy}
            />
          </label>
          {profile.logoPath && (
            <button type="button" className="btn btn--danger-outline" disabled={busy} onClick={() => void removeLogo()}>
              {t('admin.org.logoRemove')}
            </button>
          )}
        </div>
      </AdminCard>
    </section>
  );
}
