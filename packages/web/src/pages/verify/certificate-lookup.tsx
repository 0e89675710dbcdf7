// 締結証明書IDで照会: the public summary of a completed contract, to compare with printed documents.
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { ApiError, apiGet } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { PublicCertificate } from '../../api/verify-types.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatInstant } from './format.ts';

type Phase =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'found'; certificate: PublicCertificate }
  | { kind: 'error'; message: string };

/** The lookup form and its result; `initialId` (from `/verify?id=`) is looked up at once. */
export function CertificateLookup({ initialId }: { initialId: string | null }) {
  const { t, language } = useI18n();
  const [value, setValue] = useState(initialId ?? '');
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [inputError, setInputError] = useState<string | null>(null);
  const ids = { input: useId(), hint: useId(), error: useId() };
  const resultHeading = useRef<HTMLHeadingElement>(null);
  const request = useRef(0);

  async function lookUp(id: string) {
    const trimmed = id.trim();
    if (!trimmed) {
      setInputError(t('verify.cert.empty'));
      return;
    }
    setInputError(null);
    const mine = ++request.current;
    setPhase({ kind: 'searching' });
    try {
      const certificate = await apiGet<PublicCertificate>(`/api/verify/certificates/${encodeURIComponent(trimmed)}`);
      if (mine === request.current) setPhase({ kind: 'found', certificate });
    } catch (caught) {
      if (mine !== request.current) return;
      const notFound = caught instanceof ApiError && caught.code === 'NOT_FOUND';
      setPhase({ kind: 'error', message: notFound ? t('verify.cert.notFound') : errorMessage(language, caught) });
    }
  }

  useEffect(() => {
    if (initialId) void lookUp(initialId);
    // Only the ID the page was opened with is looked up by itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps -- deliberately run once per mount
  }, []);

  useEffect(() => {
    if (phase.kind === 'found') resultHeading.current?.focus();
  }, [phase]);

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void lookUp(value);
  }

  const searching = phase.kind === 'searching';
  return (
    <div className="verify-lookup">
      <form className="card verify-lookup__form" onSubmit={onSubmit} noValidate aria-labelledby="verify-lookup-title">
        <h2 id="verify-lookup-title" className="section-title">
          {t('verify.cert.title')}
        </h2>
        <p className="muted">{t('verify.cert.lead')}</p>
        <div className="field">
          <label className="field__label" htmlFor={ids.input}>
            {t('verify.cert.label')}
          </label>
          <div className="verify-lookup__row">
            <input
              id={ids.input}
              className="input mono verify-lookup__input"
              value={value}
              onChange={(event) => setValue(event.target.value)}
              placeholder="IK-XXXX-XXXX-XXXX"
              autoComplete="off"
              autoCapitalize="characters"
              spellCheck={false}
              maxLength={40}
              aria-invalid={inputError ? true : undefined}
              aria-describedby={inputError ? `${ids.error} ${ids.hint}` : ids.hint}
            />
            <button type="submit" className="btn btn--primary" disabled={searching} aria-busy={searching}>
              {searching ? t('verify.cert.searching') : t('verify.cert.submit')}
            </button>
          </div>
          {inputError && (
            <p id={ids.error} className="field__error">
              {inputError}
            </p>
          )}
          <p id={ids.hint} className="field__hint">
            {t('verify.cert.hint')}
          </p>
        </div>
        {phase.kind === 'error' && <Alert tone="error">{phase.message}</Alert>}
      </form>

      {phase.kind === 'found' && (
        <section className="card verify-certificate" aria-labelledby="verify-certificate-title">
          <h2 id="verify-certificate-title" className="section-title" tabIndex={-1} ref={resultHeading}>
            {t('verify.cert.result')}
          </h2>
          <dl className="facts">
            <div className="facts__row">
              <dt>{t('verify.cert.id')}</dt>
              <dd className="mono verify-certificate__id">{phase.certificate.certificateId}</dd>
            </div>
            <div className="facts__row">
              <dt>{t('verify.cert.envelope')}</dt>
              <dd>{phase.certificate.envelope.name}</dd>
            </div>
            <div className="facts__row">
              <dt>{t('verify.cert.completedAt')}</dt>
              <dd>{formatInstant(language, phase.certificate.envelope.completedAt)}</dd>
            </div>
          </dl>

          <h3 className="verify-certificate__subtitle">{t('verify.cert.documents')}</h3>
          <div className="table-wrap verify-table">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('verify.cert.col.name')}</th>
                  <th scope="col">{t('verify.cert.col.pages')}</th>
                  <th scope="col">{t('verify.cert.col.original')}</th>
                  <th scope="col">{t('verify.cert.col.signed')}</th>
                </tr>
              </thead>
              <tbody>
                {phase.certificate.documents.map((d, i) => (
                  <tr key={i}>
                    <td className="verify-table__name">{d.name}</td>
                    <td>
                      <span className="verify-table__label">{t('verify.cert.col.pages')}: </span>
                      {d.pages}
                    </td>
                    <td>
                      <span className="verify-table__label">{t('verify.cert.col.original')}</span>
                      <span className="mono hash">{d.sha256Original}</span>
                    </td>
                    <td>
                      <span className="verify-table__label">{t('verify.cert.col.signed')}</span>
                      <span className="mono hash">{d.sha256Signed}</span>
                      {d.versions.length > 1 && (
                        <ul className="verify-versions">
                          {d.versions
                            .filter((v) => v.version > 1)
                            .map((v) => (
                              <li key={v.version}>
                                <span className="verify-table__label verify-versions__label">
                                  {t(v.current ? 'verify.cert.versionCurrent' : 'verify.cert.version', {
                                    n: v.version,
                                    date: formatInstant(language, v.renewedAt),
                                  })}
                                </span>
                                <span className="mono hash">{v.sha256}</span>
                              </li>
                            ))}
                        </ul>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>

          <h3 className="verify-certificate__subtitle">{t('verify.cert.parties')}</h3>
          <div className="table-wrap verify-table">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t('verify.cert.col.party')}</th>
                  <th scope="col">{t('verify.cert.col.email')}</th>
                  <th scope="col">{t('verify.cert.col.signedAt')}</th>
                </tr>
              </thead>
              <tbody>
                {phase.certificate.parties.map((p, i) => (
                  <tr key={i}>
                    <td className="verify-table__name">{p.name}</td>
                    <td className="mono">{p.email}</td>
                    <td>{formatInstant(language, p.signedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p className="muted small">{t('verify.cert.masked')}</p>
          <p className="muted small verify-certificate__note">{t('verify.cert.compare')}</p>
        </section>
      )}
    </div>
  );
}
