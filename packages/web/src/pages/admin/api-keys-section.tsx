// APIキー: create a key with scopes (shown once, with a copy button), the list with prefix, scopes,
// creator and last use, and revocation.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiPost, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { adminError, ShownOnceSecret, useAdminAction } from './admin-common.tsx';
import { AdminList, SmallButton } from './admin-list.tsx';

type Scope = 'send' | 'read' | 'register' | 'admin';
const SCOPES: readonly Scope[] = ['send', 'read', 'register', 'admin'];

interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdAt: string;
  createdBy: { id: string; name: string } | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export function ApiKeysSection() {
  const { t, language } = useI18n();
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['send', 'read']);
  const [created, setCreated] = useState<{ key: string; name: string } | null>(null);
  const { busy, run, messages } = useAdminAction();
  const load = useCallback(
    () =>
      apiGet<{ apiKeys: ApiKey[] }>('/api/v1/admin/api-keys')
        .then((r) => setKeys(r.apiKeys))
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void load();
  }, [load]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!keys) return <Loading label={t('common.loading')} />;

  function create(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      const result = await apiPost<{ key: string; apiKey: ApiKey }>('/api/v1/admin/api-keys', {
        name: name.trim(),
        scopes,
      });
      setCreated({ key: result.key, name: result.apiKey.name });
      setName('');
      await load();
    });
  }
  const revoke = (key: ApiKey) =>
    run(async () => {
      await apiRequest('DELETE', `/api/v1/admin/api-keys/${key.id}`);
      await load();
      return t('admin.saved');
    });
  const toggle = (scope: Scope) =>
    setScopes((current) => (current.includes(scope) ? current.filter((s) => s !== scope) : [...current, scope]));

  return (
    <section className="admin-section" aria-labelledby="admin-keys-title">
      <h1 id="admin-keys-title" className="page-title">
        {t('admin.nav.apiKeys')}
      </h1>
      <p className="muted">{t('admin.keys.lead')}</p>
      {messages}
      {created && (
        <ShownOnceSecret
          key={created.key}
          testId="created-key"
          warning={t('admin.keys.shownOnce')}
          title={created.name}
          value={created.key}
          onClose={() => setCreated(null)}
        />
      )}
      <form className="form card" onSubmit={create} noValidate>
        <h2 className="section-title">{t('admin.keys.create')}</h2>
        <Field id="key-name" label={t('admin.keys.name')}>
          <input
            id="key-name"
            className="input"
            value={name}
            maxLength={100}
            onChange={(e) => setName(e.target.value)}
          />
        </Field>
        <fieldset className="admin-scopes">
          <legend className="field__label">{t('admin.keys.scopes')}</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="admin-check">
              <input type="checkbox" checked={scopes.includes(scope)} onChange={() => toggle(scope)} />
              <span>
                <code>{scope}</code> {t(`admin.keys.scope.${scope}`)}
              </span>
            </label>
          ))}
        </fieldset>
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {t('admin.keys.createSubmit')}
          </button>
        </div>
      </form>
      <AdminList
        title={t('admin.keys.list')}
        items={keys}
        columns={[
          t('admin.keys.name'),
          t('admin.keys.prefix'),
          t('admin.keys.scopes'),
          t('admin.keys.createdAt'),
          t('admin.keys.lastUsed'),
          t('admin.members.actions'),
        ]}
        row={(k) => (
          <tr key={k.id} className={k.revokedAt ? 'admin-row--revoked' : undefined}>
            <td>
              <div className="admin-strong">{k.name}</div>
              {k.createdBy && <div className="muted admin-small">{k.createdBy.name}</div>}
            </td>
            <td data-label={t('admin.keys.prefix')}>
              <code>{k.prefix}…</code>
            </td>
            <td data-label={t('admin.keys.scopes')}>{k.scopes.join(', ')}</td>
            <td data-label={t('admin.keys.createdAt')}>{formatDateTime(language, k.createdAt)}</td>
            <td data-label={t('admin.keys.lastUsed')}>
              {k.lastUsedAt ? formatDateTime(language, k.lastUsedAt) : t('admin.keys.never')}
            </td>
            <td>
              {k.revokedAt ? (
                <span className="badge badge--canceled">{t('admin.keys.revoked')}</span>
              ) : (
                <SmallButton tone="danger-outline" disabled={busy} onClick={() => void revoke(k)}>
                  {t('admin.keys.revoke')}
                </SmallButton>
              )}
            </td>
          </tr>
        )}
      />
    </section>
  );
}
