// 署名用証明書 (issue 13 part 4): how the organisation's documents are signed — witness certificates of the
// built-in CA (立会人型), the organisation's trusted certificate (e.g. an AATL certificate Adobe Acrobat
// trusts) instead, or both — the uploaded PKCS#12 (its details, never the key) and the upload form.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { ApiError, apiGet, apiRequest, errorFromResponse, requestHeaders } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime, type MessageKey } from '../../i18n/translate.ts';
import { adminError, useAdminAction } from './admin-common.tsx';
import { AdminCard } from './admin-list.tsx';

type SigningMode = 'witness' | 'organization' | 'both';

interface CertificateSummary {
  subject: string;
  issuer: string;
  root: string;
  serial: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
}

/** GET /api/v1/admin/signing-certificate. */
interface SigningCertificateView {
  mode: SigningMode;
  source: 'upload' | 'operator';
  uploaded: CertificateSummary | null;
  operator: CertificateSummary | null;
  updatedAt: string | null;
}

const PATH = '/api/v1/admin/signing-certificate';
const MODES: Array<{ mode: SigningMode; label: MessageKey; hint: MessageKey }> = [
  { mode: 'witness', label: 'admin.signing.mode.witness', hint: 'admin.signing.mode.witnessHint' },
  { mode: 'organization', label: 'admin.signing.mode.organization', hint: 'admin.signing.mode.organizationHint' },
  { mode: 'both', label: 'admin.signing.mode.both', hint: 'admin.signing.mode.bothHint' },
];

async function uploadPkcs12(form: FormData): Promise<SigningCertificateView> {
  let response: Response;
  try {
    // The browser sets the multipart Content-Type with its boundary itself.
    response = await fetch(PATH, {
      method: 'PUT',
      headers: requestHeaders('PUT', PATH),
      credentials: 'same-origin',
      body: form,
    });
  } catch (cause) {
    throw new ApiError(0, 'NETWORK', cause instanceof Error ? cause.message : 'network error');
  }
  const text = await response.text();
  if (!response.ok) throw errorFromResponse(response.status, text);
  return JSON.parse(text) as SigningCertificateView;
}

function CertificateFacts({ certificate }: { certificate: CertificateSummary }) {
  const { t, language } = useI18n();
  const rows: Array<[MessageKey, string]> = [
    ['admin.signing.subject', certificate.subject],
    ['admin.signing.issuer', certificate.issuer],
    ['admin.signing.root', certificate.root],
    [
      'admin.signing.validity',
      `${formatDateTime(language, certificate.notBefore)} – ${formatDateTime(language, certificate.notAfter)}`,
    ],
    ['admin.signing.serial', certificate.serial],
    ['admin.signing.fingerprint', certificate.sha256],
  ];
  return (
    <dl className="facts signing-facts">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{t(label)}</dt>
          <dd
            className={label === 'admin.signing.fingerprint' || label === 'admin.signing.serial' ? 'mono' : undefined}
          >
            {value}
          </dd>
        </div>
      ))}
    </dl>
  );
}

export function SigningCertificateSection() {
  const { t, language } = useI18n();
  const [view, setView] = useState<SigningCertificateView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<{ mode: SigningMode; source: 'upload' | 'operator' }>({
    mode: 'witness',
    source: 'upload',
  });
  const [file, setFile] = useState<File | null>(null);
  const [chain, setChain] = useState<File | null>(null);
  const [password, setPassword] = useState('');
  const [formKey, setFormKey] = useState(0);
  const modeAction = useAdminAction();
  const uploadAction = useAdminAction();
  const load = useCallback(
    () =>
      apiGet<SigningCertificateView>(PATH)
        .then(setView)
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (view) setDraft({ mode: view.mode, source: view.source });
  }, [view]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!view) return <Loading label={t('common.loading')} />;

  function saveMode(event: FormEvent) {
    event.preventDefault();
    void modeAction.run(async () => {
      setView(await apiRequest<SigningCertificateView>('PATCH', PATH, draft));
      return t('admin.saved');
    });
  }
  function upload(event: FormEvent) {
    event.preventDefault();
    if (!file) {
      uploadAction.setError(t('admin.signing.fileRequired'));
      return;
    }
    const form = new FormData();
    form.append('password', password);
    form.append('pkcs12', file, file.name);
    if (chain) form.append('chain', chain, chain.name);
    void uploadAction.run(async () => {
      setView(await uploadPkcs12(form));
      setPassword('');
      setFile(null);
      setChain(null);
      setFormKey((k) => k + 1);
      return t('admin.signing.uploaded');
    });
  }
  const remove = () =>
    uploadAction.run(async () => {
      setView(await apiRequest<SigningCertificateView>('DELETE', PATH));
      return t('admin.signing.removed');
    });
  const busy = modeAction.busy || uploadAction.busy;

  return (
    <section className="admin-section" aria-labelledby="admin-signing-title">
      <h1 id="admin-signing-title" className="page-title">
        {t('admin.nav.signing')}
      </h1>
      <p className="muted">{t('admin.signing.lead')}</p>

      <form className="form card" onSubmit={saveMode} noValidate aria-labelledby="admin-signing-mode-title">
        <h2 id="admin-signing-mode-title" className="section-title">
          {t('admin.signing.modeTitle')}
        </h2>
        {modeAction.messages}
        <fieldset className="signing-modes">
          <legend className="visually-hidden">{t('admin.signing.modeTitle')}</legend>
          {MODES.map((m) => (
            <label key={m.mode} className="signing-mode">
              <input
                type="radio"
                name="signing-mode"
                value={m.mode}
                checked={draft.mode === m.mode}
                disabled={busy}
                onChange={() => setDraft({ ...draft, mode: m.mode })}
              />
              <span>
                <strong>{t(m.label)}</strong>
                <span className="field__hint">{t(m.hint)}</span>
              </span>
            </label>
          ))}
        </fieldset>
        {view.operator && draft.mode !== 'witness' && (
          <Field id="signing-source" label={t('admin.signing.source')}>
            <select
              id="signing-source"
              className="input"
              value={draft.source}
              disabled={busy}
              onChange={(e) => setDraft({ ...draft, source: e.target.value as 'upload' | 'operator' })}
            >
              <option value="upload">{t('admin.signing.source.upload')}</option>
              <option value="operator">{t('admin.signing.source.operator')}</option>
            </select>
          </Field>
        )}
        <div className="admin-actions">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={modeAction.busy}>
            {t('admin.save')}
          </button>
        </div>
      </form>

      <AdminCard id="admin-signing-current-title" title={t('admin.signing.uploadedTitle')}>
        {uploadAction.messages}
        {view.uploaded ? (
          <>
            <CertificateFacts certificate={view.uploaded} />
            <div className="admin-actions">
              <button type="button" className="btn btn--danger-outline" disabled={busy} onClick={() => void remove()}>
                {t('admin.signing.remove')}
              </button>
            </div>
          </>
        ) : (
          <p className="muted">{t('admin.signing.none')}</p>
        )}
        <form key={formKey} className="form signing-upload" onSubmit={upload} noValidate>
          <h3 className="section-subtitle">{view.uploaded ? t('admin.signing.replace') : t('admin.signing.upload')}</h3>
          <Field id="signing-file" label={t('admin.signing.file')}>
            <p className="field__hint" id="signing-file-hint">
              {t('admin.signing.fileHint')}
            </p>
            <input
              id="signing-file"
              type="file"
              accept=".p12,.pfx,application/x-pkcs12"
              aria-describedby="signing-file-hint"
              disabled={busy}
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          </Field>
          <Field id="signing-password" label={t('admin.signing.password')}>
            <input
              id="signing-password"
              type="password"
              className="input"
              autoComplete="off"
              maxLength={1024}
              value={password}
              disabled={busy}
              onChange={(e) => setPassword(e.target.value)}
            />
          </Field>
          <Field id="signing-chain" label={t('admin.signing.chain')}>
            <p className="field__hint" id="signing-chain-hint">
              {t('admin.signing.chainHint')}
            </p>
            <input
              id="signing-chain"
              type="file"
              accept=".pem,.crt,.cer"
              aria-describedby="signing-chain-hint"
              disabled={busy}
              onChange={(e) => setChain(e.target.files?.[0] ?? null)}
            />
          </Field>
          <div className="admin-actions">
            <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={uploadAction.busy}>
              {t('admin.signing.submit')}
            </button>
          </div>
        </form>
      </AdminCard>

      {view.operator && (
        <AdminCard id="admin-signing-operator-title" title={t('admin.signing.operatorTitle')}>
          <p className="field__hint">{t('admin.signing.operatorHint')}</p>
          <CertificateFacts certificate={view.operator} />
        </AdminCard>
      )}
    </section>
  );
}
