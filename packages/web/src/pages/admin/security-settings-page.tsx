// /admin/security (セキュリティ設定): the organisation's IP allow-list and single sign-on, for its
// administrators. The allow-list shows the administrator's current address, pre-fills it when there
// is no list yet, and warns before a list that would lock them out (the server refuses such a list).
import { useEffect, useId, useState, type FormEvent, type InputHTMLAttributes, type ReactNode } from 'react';
import { ApiError, apiGet, apiRequest } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { Alert } from '../../components/alert.tsx';
import { Field, FormError, SubmitButton } from '../../components/form-parts.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { coversAddress } from '../../lib/ip-range.ts';
import { useUser } from '../sender/sender-session.tsx';
import { AdminCard } from './admin-list.tsx';

/** GET /api/v1/organization/security */
interface SecurityView {
  ipAllowList: string[];
  currentAddress: string | null;
  currentAddressAllowed: boolean;
  sso: {
    id: string;
    protocol: 'oidc' | 'saml';
    name: string;
    enabled: boolean;
    oidc: { issuer: string; clientId: string; hasClientSecret: boolean } | null;
    saml: { idpEntityId: string; idpSsoUrl: string; idpCertificate: string } | null;
    jitEnabled: boolean;
    defaultRole: 'member' | 'viewer';
    enforced: boolean;
    breakGlassUserId: string | null;
  } | null;
  domains: string[];
  /** Each claimed domain, the TXT record that proves it, and whether it was found. */
  domainClaims: DomainClaim[];
  claimableDomain: string | null;
  serviceProvider: { oidcRedirectUri: string; samlAcsUrl: string; samlEntityId: string | null };
  admins: Array<{ id: string; name: string; email: string; hasSecondFactor: boolean }>;
}

interface DomainClaim {
  domain: string;
  record: { name: string; value: string };
  verifiedAt: string | null;
}

const lines = (text: string) =>
  text
    .split(/[\n,]/)
    .map((line) => line.trim())
    .filter((line) => line !== '');

/** The セキュリティ設定 section of the administration area (IP制限, シングルサインオン). */
export function SecuritySettings() {
  const { t, language } = useI18n();
  const user = useUser();
  const [view, setView] = useState<SecurityView | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  const load = () =>
    apiGet<SecurityView>('/api/v1/organization/security')
      .then(setView)
      .catch((caught: unknown) => setLoadError(errorMessage(language, caught)));
  useEffect(() => {
    void load();
    // Loaded once; each save reloads.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- run once on purpose
  }, []);

  if (user.role !== 'admin') return <StatePanel tone="warning" title={t('adminSecurity.forbidden')} />;
  if (loadError) return <StatePanel tone="error" title={loadError} />;
  if (!view) return <Loading label={t('common.loading')} />;
  return (
    <div className="admin-security">
      <h1 className="page-title">{t('adminSecurity.title')}</h1>
      <p className="muted">{t('adminSecurity.lead')}</p>
      <IpAllowListSection view={view} onSaved={load} />
      <SsoSection view={view} onSaved={load} />
    </div>
  );
}

/** The error of a save: step-up gets a pointer to where it is done. */
function SaveError({ id, error }: { id: string; error: { message: string; stepUp: boolean } | null }) {
  const { t } = useI18n();
  if (!error) return null;
  if (!error.stepUp) return <FormError id={id} error={error.message} />;
  return (
    <Alert tone="error" id={id}>
      {t('adminSecurity.stepUp')} <a href="/account/security">{t('adminSecurity.stepUpLink')}</a>
    </Alert>
  );
}

/** A labelled one-line input (the settings' text rows). */
function TextRow({
  id,
  label,
  value,
  onChange,
  ...input
}: { id: string; label: string; value: string; onChange: (value: string) => void } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  'id' | 'value' | 'onChange'
>) {
  return (
    <Field id={id} label={label}>
      <input id={id} className="input" value={value} onChange={(e) => onChange(e.target.value)} {...input} />
    </Field>
  );
}

/** A labelled multi-line input. */
function TextAreaRow({
  id,
  label,
  value,
  onChange,
  rows,
  className = 'input textarea',
  placeholder,
  children,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  rows: number;
  className?: string;
  placeholder?: string;
  /** Below the input: a hint. */
  children?: ReactNode;
}) {
  return (
    <Field id={id} label={label}>
      <textarea
        id={id}
        className={className}
        rows={rows}
        spellCheck={false}
        value={value}
        placeholder={placeholder}
        onChange={(e) => onChange(e.target.value)}
      />
      {children}
    </Field>
  );
}

/** A checkbox with its label. */
function CheckRow({
  checked,
  onChange,
  label,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  label: string;
}) {
  return (
    <label className="checkbox">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} /> {label}
    </label>
  );
}

function useSave() {
  const { language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; stepUp: boolean } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  async function run(action: () => Promise<void>, done: string) {
    if (busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      await action();
      setNotice(done);
    } catch (caught) {
      setError({
        message: errorMessage(language, caught),
        stepUp: caught instanceof ApiError && caught.code === 'STEP_UP_REQUIRED',
      });
    } finally {
      setBusy(false);
    }
  }
  /** Forgets the last outcome (the form was edited since). */
  const reset = () => {
    setError(null);
    setNotice(null);
  };
  return { busy, error, notice, run, reset };
}

function IpAllowListSection({ view, onSaved }: { view: SecurityView; onSaved: () => Promise<void> }) {
  const { t } = useI18n();
  const prefilled = view.ipAllowList.length === 0 && view.currentAddress !== null;
  const initial = prefilled ? `${view.currentAddress}\n` : view.ipAllowList.join('\n');
  const [text, setText] = useState(initial);
  const { busy, error, notice, run, reset } = useSave();
  const errorId = useId();
  const hintId = useId();
  const entries = lines(text);
  const covered = view.currentAddress === null ? null : coversAddress(entries, view.currentAddress);
  const lockout = entries.length > 0 && covered === false;

  function save(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await apiRequest('PUT', '/api/v1/organization/security/ip-allow-list', { ipAllowList: entries });
      await onSaved();
    }, t('adminSecurity.ip.saved'));
  }

  return (
    <AdminCard id="ip-title" title={t('adminSecurity.ip.title')} className="account-section">
      <p className="muted">{t('adminSecurity.ip.lead')}</p>
      <p>
        {t('adminSecurity.ip.current')}: <code data-testid="current-address">{view.currentAddress ?? '—'}</code>
      </p>
      <p className="muted">
        {view.ipAllowList.length === 0
          ? t('adminSecurity.ip.none')
          : t('adminSecurity.ip.active', { count: view.ipAllowList.length })}
      </p>
      {prefilled && text === initial && <Alert tone="info">{t('adminSecurity.ip.prefilled')}</Alert>}
      <form className="form" onSubmit={save} noValidate>
        <Field id="ip-list" label={t('adminSecurity.ip.label')}>
          <textarea
            id="ip-list"
            className="input textarea"
            rows={5}
            value={text}
            onChange={(event) => {
              setText(event.target.value);
              reset();
            }}
            aria-describedby={error ? `${errorId} ${hintId}` : hintId}
            spellCheck={false}
          />
          <p id={hintId} className="field__hint">
            {t('adminSecurity.ip.hint')}
          </p>
        </Field>
        {lockout && (
          <Alert tone="warning">{t('adminSecurity.ip.lockoutWarning', { address: view.currentAddress ?? '' })}</Alert>
        )}
        <SaveError id={errorId} error={error} />
        {notice && <Alert tone="success">{notice}</Alert>}
        <SubmitButton busy={busy} className="btn btn--primary">
          {t('adminSecurity.ip.save')}
        </SubmitButton>
      </form>
    </AdminCard>
  );
}

function SsoSection({ view, onSaved }: { view: SecurityView; onSaved: () => Promise<void> }) {
  const { t } = useI18n();
  const sso = view.sso;
  const [protocol, setProtocol] = useState<'oidc' | 'saml'>(sso?.protocol ?? 'oidc');
  const [name, setName] = useState(sso?.name ?? '');
  const [enabled, setEnabled] = useState(sso?.enabled ?? true);
  const [issuer, setIssuer] = useState(sso?.oidc?.issuer ?? '');
  const [clientId, setClientId] = useState(sso?.oidc?.clientId ?? '');
  const [clientSecret, setClientSecret] = useState('');
  const [idpEntityId, setIdpEntityId] = useState(sso?.saml?.idpEntityId ?? '');
  const [idpSsoUrl, setIdpSsoUrl] = useState(sso?.saml?.idpSsoUrl ?? '');
  const [idpCertificate, setIdpCertificate] = useState(sso?.saml?.idpCertificate ?? '');
  const [domains, setDomains] = useState(
    view.domains.length > 0 ? view.domains.join('\n') : (view.claimableDomain ?? ''),
  );
  const [jitEnabled, setJitEnabled] = useState(sso?.jitEnabled ?? true);
  const [defaultRole, setDefaultRole] = useState<'member' | 'viewer'>(sso?.defaultRole ?? 'member');
  const [enforced, setEnforced] = useState(sso?.enforced ?? false);
  const [breakGlass, setBreakGlass] = useState(sso?.breakGlassUserId ?? '');
  const { busy, error, notice, run } = useSave();
  const errorId = useId();

  function save(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await apiRequest('PUT', '/api/v1/organization/security/sso', {
        protocol,
        name: name.trim(),
        enabled,
        ...(protocol === 'oidc'
          ? { oidc: { issuer: issuer.trim(), clientId: clientId.trim(), ...(clientSecret ? { clientSecret } : {}) } }
          : { saml: { idpEntityId: idpEntityId.trim(), idpSsoUrl: idpSsoUrl.trim(), idpCertificate } }),
        jitEnabled,
        defaultRole,
        enforced,
        breakGlassUserId: breakGlass === '' ? null : breakGlass,
        domains: lines(domains),
      });
      setClientSecret('');
      await onSaved();
    }, t('adminSecurity.sso.saved'));
  }
  const remove = () =>
    void run(async () => {
      await apiRequest('DELETE', '/api/v1/organization/security/sso');
      await onSaved();
    }, t('adminSecurity.sso.removed'));

  return (
    <AdminCard id="sso-title" title={t('adminSecurity.sso.title')} className="account-section">
      <p className="muted">{t('adminSecurity.sso.lead')}</p>
      <form className="form" onSubmit={save} noValidate>
        <fieldset className="field">
          <legend className="field__label">{t('adminSecurity.sso.protocol')}</legend>
          <label className="radio">
            <input type="radio" name="protocol" checked={protocol === 'oidc'} onChange={() => setProtocol('oidc')} />{' '}
            OpenID Connect
          </label>{' '}
          <label className="radio">
            <input type="radio" name="protocol" checked={protocol === 'saml'} onChange={() => setProtocol('saml')} />{' '}
            SAML 2.0
          </label>
        </fieldset>
        <TextRow id="sso-name" label={t('adminSecurity.sso.name')} value={name} maxLength={100} onChange={setName} />
        <CheckRow checked={enabled} onChange={setEnabled} label={t('adminSecurity.sso.enabled')} />
        {protocol === 'oidc' ? (
          <>
            <TextRow
              id="sso-issuer"
              label={t('adminSecurity.sso.issuer')}
              value={issuer}
              placeholder="https://idp.example.jp"
              onChange={setIssuer}
            />
            <TextRow
              id="sso-client-id"
              label={t('adminSecurity.sso.clientId')}
              value={clientId}
              onChange={setClientId}
            />
            <TextRow
              id="sso-client-secret"
              label={t('adminSecurity.sso.clientSecret')}
              type="password"
              autoComplete="off"
              value={clientSecret}
              placeholder={sso?.oidc?.hasClientSecret ? t('adminSecurity.sso.clientSecretKeep') : ''}
              onChange={setClientSecret}
            />
          </>
        ) : (
          <>
            <TextRow
              id="sso-idp-entity"
              label={t('adminSecurity.sso.idpEntityId')}
              value={idpEntityId}
              onChange={setIdpEntityId}
            />
            <TextRow
              id="sso-idp-url"
              label={t('adminSecurity.sso.idpSsoUrl')}
              value={idpSsoUrl}
              placeholder="https://idp.example.jp/saml/sso"
              onChange={setIdpSsoUrl}
            />
            <TextAreaRow
              id="sso-idp-cert"
              label={t('adminSecurity.sso.idpCertificate')}
              className="input textarea mono"
              rows={6}
              value={idpCertificate}
              placeholder="-----BEGIN CERTIFICATE-----"
              onChange={setIdpCertificate}
            />
          </>
        )}
        <div className="sp-info">
          <h3 className="subsection-title">{t('adminSecurity.sso.spInfo')}</h3>
          <dl className="sp-info__list">
            {protocol === 'oidc' ? (
              <>
                <dt>{t('adminSecurity.sso.redirectUri')}</dt>
                <dd>
                  <code>{view.serviceProvider.oidcRedirectUri}</code>
                </dd>
              </>
            ) : (
              <>
                <dt>{t('adminSecurity.sso.acsUrl')}</dt>
                <dd>
                  <code>{view.serviceProvider.samlAcsUrl}</code>
                </dd>
                <dt>{t('adminSecurity.sso.spEntityId')}</dt>
                <dd>
                  {view.serviceProvider.samlEntityId && sso?.protocol === 'saml' ? (
                    <>
                      <code>{view.serviceProvider.samlEntityId}</code>{' '}
                      <a href={`/sso/saml/metadata/${encodeURIComponent(sso.id)}`}>{t('adminSecurity.sso.metadata')}</a>
                    </>
                  ) : (
                    <span className="muted">{t('adminSecurity.sso.spEntityIdLater')}</span>
                  )}
                </dd>
              </>
            )}
          </dl>
        </div>
        <TextAreaRow
          id="sso-domains"
          label={t('adminSecurity.sso.domains')}
          rows={2}
          value={domains}
          onChange={setDomains}
        >
          <p className="field__hint">{t('adminSecurity.sso.domainsHint', { domain: view.claimableDomain ?? '—' })}</p>
        </TextAreaRow>
        {view.domainClaims.length > 0 && (
          <ul className="domain-claims" aria-label={t('adminSecurity.domain.listLabel')}>
            {view.domainClaims.map((claim) => (
              <DomainClaimRow key={claim.domain} claim={claim} onVerified={onSaved} />
            ))}
          </ul>
        )}
        <CheckRow checked={jitEnabled} onChange={setJitEnabled} label={t('adminSecurity.sso.jit')} />
        <Field id="sso-role" label={t('adminSecurity.sso.defaultRole')}>
          <select
            id="sso-role"
            className="input"
            value={defaultRole}
            onChange={(e) => setDefaultRole(e.target.value === 'viewer' ? 'viewer' : 'member')}
          >
            <option value="member">{t('role.member')}</option>
            <option value="viewer">{t('role.viewer')}</option>
          </select>
        </Field>
        <CheckRow checked={enforced} onChange={setEnforced} label={t('adminSecurity.sso.enforced')} />
        <Field id="sso-break-glass" label={t('adminSecurity.sso.breakGlass')}>
          <select
            id="sso-break-glass"
            className="input"
            value={breakGlass}
            onChange={(e) => setBreakGlass(e.target.value)}
          >
            <option value="">{t('adminSecurity.sso.breakGlassNone')}</option>
            {view.admins.map((admin) => (
              <option key={admin.id} value={admin.id} disabled={!admin.hasSecondFactor}>
                {admin.name} &lt;{admin.email}&gt;
                {admin.hasSecondFactor ? '' : ` ${t('adminSecurity.sso.breakGlassNoMfa')}`}
              </option>
            ))}
          </select>
        </Field>
        <SaveError id={errorId} error={error} />
        {notice && <Alert tone="success">{notice}</Alert>}
        <div className="button-row">
          <SubmitButton busy={busy} className="btn btn--primary">
            {t('adminSecurity.sso.save')}
          </SubmitButton>
          {sso && (
            <button type="button" className="btn btn--danger-outline" disabled={busy} onClick={remove}>
              {t('adminSecurity.sso.remove')}
            </button>
          )}
        </div>
      </form>
    </AdminCard>
  );
}

/**
 * A claimed domain: 確認済み, or the TXT record to publish and 確認, which asks the server to look it up
 * (the claim has no effect until then).
 */
function DomainClaimRow({ claim, onVerified }: { claim: DomainClaim; onVerified: () => Promise<void> }) {
  const { t } = useI18n();
  const { busy, error, run } = useSave();
  const errorId = useId();
  const verified = claim.verifiedAt !== null;
  const verify = () =>
    void run(async () => {
      await apiRequest('POST', `/api/v1/organization/security/sso/domains/${encodeURIComponent(claim.domain)}/verify`);
      await onVerified();
    }, t('adminSecurity.domain.verified'));
  return (
    <li className="domain-claim" data-testid={`domain-claim-${claim.domain}`}>
      <div className="domain-claim__head">
        <strong>{claim.domain}</strong>{' '}
        <span className={`badge ${verified ? 'badge--completed' : 'badge--draft'}`}>
          {verified ? t('adminSecurity.domain.verified') : t('adminSecurity.domain.pending')}
        </span>
      </div>
      {!verified && (
        <>
          <p className="muted">{t('adminSecurity.domain.instructions')}</p>
          <dl className="sp-info__list domain-claim__record">
            <dt>{t('adminSecurity.domain.recordName')}</dt>
            <dd>
              <code data-testid="txt-name">{claim.record.name}</code>
            </dd>
            <dt>{t('adminSecurity.domain.recordType')}</dt>
            <dd>
              <code>TXT</code>
            </dd>
            <dt>{t('adminSecurity.domain.recordValue')}</dt>
            <dd>
              <code data-testid="txt-value">{claim.record.value}</code>
            </dd>
          </dl>
          <SaveError id={errorId} error={error} />
          <button
            type="button"
            className="btn btn--secondary"
            disabled={busy}
            aria-describedby={error ? errorId : undefined}
            onClick={verify}
          >
            {t('adminSecurity.domain.verify')}
          </button>
        </>
      )}
    </li>
  );
}
