// The verifier's report as people read it: the verdict banner, detected attack patterns, then one
// card per signature and document timestamp in signing order. Sentences come from the server in both
// languages; labels come from the UI's own tables.
import { useEffect, useRef, type ReactNode } from 'react';
import type {
  CertificateSummary,
  PresentedSignature,
  ReportSignature,
  VerifyResponse,
} from '../../api/verify-types.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../i18n/translate.ts';
import { formatBytes, formatInstant } from './format.ts';

const VERDICT_ICON = {
  valid: '✓',
  invalid: '✕',
  untrusted: '!',
  indeterminate: '?',
  unsigned: '–',
  unreadable: '?',
} as const;

/** The whole report of one verified file. */
export function ReportView({ response, fileName }: { response: VerifyResponse; fileName: string }) {
  const { t, language } = useI18n();
  const { report, presentation } = response;
  const heading = useRef<HTMLHeadingElement>(null);
  // A new report moves the focus to its verdict, so keyboard and screen-reader users land on the answer.
  useEffect(() => heading.current?.focus(), [response]);
  const verdict = presentation.verdict;

  return (
    <div className="verify-report">
      <section className={`verify-verdict verify-verdict--${verdict}`} aria-labelledby="verify-verdict-title">
        <div className="verify-verdict__icon" aria-hidden="true">
          {VERDICT_ICON[verdict]}
        </div>
        <div className="verify-verdict__body">
          <p className="verify-verdict__label">{t('verify.resultTitle')}</p>
          <h2 id="verify-verdict-title" className="verify-verdict__title" tabIndex={-1} ref={heading}>
            {t(`verify.verdict.${verdict}` as MessageKey)}
          </h2>
          <p className="verify-verdict__text">{presentation.explanation[language]}</p>
          <dl className="verify-verdict__facts">
            <div>
              <dt>{t('verify.file.name')}</dt>
              <dd className="verify-break">{fileName}</dd>
            </div>
            <div>
              <dt>{t('verify.file.size')}</dt>
              <dd>{formatBytes(language, report.file.size)}</dd>
            </div>
            {report.file.pages !== null && (
              <div>
                <dt>{t('verify.file.pages')}</dt>
                <dd>{report.file.pages}</dd>
              </div>
            )}
            <div>
              <dt>{t('verify.file.signatures')}</dt>
              <dd>{t('verify.count', { n: presentation.signatures.length })}</dd>
            </div>
            <div className="verify-verdict__hash">
              <dt>{t('verify.file.sha256')}</dt>
              <dd className="mono hash">{report.file.sha256}</dd>
            </div>
          </dl>
        </div>
      </section>

      {presentation.attacks.length > 0 && (
        <section className="verify-attacks" aria-labelledby="verify-attacks-title">
          <h2 id="verify-attacks-title" className="section-title">
            <span className="verify-attacks__icon" aria-hidden="true">
              !
            </span>
            {t('verify.attacks.title')}
          </h2>
          <p>{t('verify.attacks.lead')}</p>
          <ul className="verify-attacks__list">
            {presentation.attacks.map((attack) => (
              <li key={attack.id}>
                <p className="verify-attacks__name">
                  {attack.name[language]} <span className="mono verify-attacks__id">{attack.id}</span>
                </p>
                <p>{attack.explanation[language]}</p>
              </li>
            ))}
          </ul>
        </section>
      )}

      {presentation.signatures.length > 0 && (
        <section aria-labelledby="verify-signatures-title">
          <h2 id="verify-signatures-title" className="section-title verify-signatures__title">
            {t('verify.signatures.title')}
            <span className="verify-signatures__count">{t('verify.count', { n: presentation.signatures.length })}</span>
          </h2>
          <p className="muted small verify-signatures__lead">{t('verify.signatures.lead')}</p>
          <ol className="verify-signatures">
            {presentation.signatures.map((signature) => (
              <SignatureCard
                key={signature.index}
                signature={signature}
                raw={report.signatures.find((s) => s.index === signature.index)}
              />
            ))}
          </ol>
        </section>
      )}

      {report.problems.length > 0 && presentation.signatures.length === 0 && (
        <details className="verify-tech verify-tech--file">
          <summary>{t('verify.sig.technical')}</summary>
          <ul lang="en" className="verify-tech__problems">
            {report.problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}

/** One signature or document timestamp. */
function SignatureCard({ signature: s, raw }: { signature: PresentedSignature; raw: ReportSignature | undefined }) {
  const { t, language } = useI18n();
  const isTimestamp = s.type === 'document-timestamp';
  const titleId = `verify-sig-${s.index}`;
  const who = isTimestamp ? s.timestampAuthority : (s.signer?.name ?? s.signer?.email ?? null);
  return (
    <li className={`verify-sig verify-sig--${s.status}`} aria-labelledby={titleId}>
      <div className="verify-sig__head">
        <span className="verify-sig__number" aria-hidden="true">
          {s.index}
        </span>
        <h3 id={titleId} className="verify-sig__title">
          <span className="verify-sig__kind">{t(isTimestamp ? 'verify.sig.timestamp' : 'verify.sig.signature')}</span>
          {who && <span className="verify-sig__who">{who}</span>}
        </h3>
        <span className={`verify-status verify-status--${s.status}`}>
          {t(`verify.sig.status.${s.status}` as MessageKey)}
        </span>
      </div>

      <p className="verify-sig__summary">{s.summary[language].join(language === 'ja' ? '' : ' ')}</p>

      <dl className="facts facts--grid verify-sig__facts">
        <Fact label={t('verify.sig.indication')}>
          <span
            className={
              s.indication === 'TOTAL-PASSED'
                ? 'verify-good'
                : s.indication === 'TOTAL-FAILED'
                  ? 'verify-bad'
                  : 'verify-warn'
            }
          >
            {s.indicationText[language]}
          </span>
          {s.subIndication && (
            <span className="verify-indication">
              <span className="mono verify-indication__code">{s.subIndication}</span>
              {s.subIndicationText && <span className="verify-indication__text">{s.subIndicationText[language]}</span>}
            </span>
          )}
        </Fact>
        {isTimestamp ? (
          <Fact label={t('verify.sig.issuedBy')}>{s.timestampAuthority ?? t('common.dash')}</Fact>
        ) : (
          <>
            <Fact label={t('verify.sig.signer')}>{s.signer?.name ?? t('common.dash')}</Fact>
            <Fact label={t('verify.sig.email')}>
              <span className="verify-break">{s.signer?.email ?? t('common.dash')}</span>
            </Fact>
          </>
        )}
        <Fact label={t(isTimestamp ? 'verify.sig.timestampTime' : 'verify.sig.time')}>
          {s.time ? (
            <>
              {formatInstant(language, s.time.at)}
              <span className={`verify-tag ${s.time.proven ? 'verify-tag--good' : 'verify-tag--warn'}`}>
                {t(s.time.proven ? 'verify.sig.timeProven' : 'verify.sig.timeClaimed')}
              </span>
            </>
          ) : (
            t('common.dash')
          )}
        </Fact>
        {!isTimestamp && (
          <Fact label={t('verify.sig.timestampAuthority')}>{s.timestampAuthority ?? t('verify.none')}</Fact>
        )}
        <Fact label={t('verify.sig.issuer')}>
          <span className={s.issuer === 'this-inkan' ? 'verify-good' : 'verify-warn'}>
            {t(`verify.sig.issuer.${s.issuer}` as MessageKey)}
          </span>
        </Fact>
        {!isTimestamp && (
          <Fact label={t('verify.sig.level')}>
            {s.level ? <span className="verify-level">PAdES {s.level}</span> : t('common.dash')}
          </Fact>
        )}
        <Fact label={t('verify.sig.changes')}>
          <span
            className={
              s.changesAfterSigning === 'forbidden' || s.changesAfterSigning === 'altered'
                ? 'verify-bad'
                : 'verify-good'
            }
          >
            {t(`verify.sig.changes.${s.changesAfterSigning}` as MessageKey)}
          </span>
        </Fact>
      </dl>

      {s.laterChanges.length > 0 && (
        <div className="verify-changes">
          <h4 className="verify-changes__title">{t('verify.sig.laterChanges')}</h4>
          <ul className="verify-changes__list">
            {s.laterChanges.map((change, i) => (
              <li
                key={i}
                className={
                  change.allowed ? 'verify-change verify-change--allowed' : 'verify-change verify-change--forbidden'
                }
              >
                <span className="verify-change__icon" aria-hidden="true">
                  {change.allowed ? '✓' : '✕'}
                </span>
                <span className="verify-change__body">
                  <span className="verify-change__text">
                    {sentenceCase(change.text[language])}
                    <span className="visually-hidden">
                      （{t(change.allowed ? 'verify.change.allowed' : 'verify.change.forbidden')}）
                    </span>
                  </span>
                  {!change.allowed && (
                    <span className="verify-change__detail" lang="en">
                      {change.detail}
                    </span>
                  )}
                </span>
                <span
                  className={`verify-change__verdict ${change.allowed ? 'verify-good' : 'verify-bad'}`}
                  aria-hidden="true"
                >
                  {t(change.allowed ? 'verify.change.allowed' : 'verify.change.forbidden')}
                </span>
              </li>
            ))}
          </ul>
        </div>
      )}

      {raw && <TechnicalDetails raw={raw} />}
    </li>
  );
}

/** "a page added" → "A page added" as a list item (Japanese has no case). */
function sentenceCase(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="facts__row">
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** The verifier's own English findings, for a technical reader. */
function TechnicalDetails({ raw }: { raw: ReportSignature }) {
  const { t } = useI18n();
  const chain = (certificates: CertificateSummary[]) => (
    <ol className="verify-tech__chain">
      {certificates.map((c) => (
        <li key={c.fingerprint}>
          <span className="verify-break">{c.subject}</span>
          <span className="mono hash">SHA-256 {c.fingerprint}</span>
        </li>
      ))}
    </ol>
  );
  return (
    <details className="verify-tech">
      <summary>{t('verify.sig.technical')}</summary>
      <dl className="verify-tech__list" lang="en">
        <dt>{t('verify.sig.problems')}</dt>
        <dd>
          {raw.problems.length === 0 ? (
            t('verify.none')
          ) : (
            <ul className="verify-tech__problems">
              {raw.problems.map((problem, i) => (
                <li key={i}>{problem}</li>
              ))}
            </ul>
          )}
        </dd>
        <dt>{t('verify.sig.field')}</dt>
        <dd className="mono">
          {raw.fieldName} · {raw.subFilter ?? '—'}
        </dd>
        <dt>{t('verify.sig.byteRange')}</dt>
        <dd className="mono">[{raw.byteRange.join(' ')}]</dd>
        <dt>{t('verify.sig.digest')}</dt>
        <dd className="mono">
          {raw.integrity.digestAlgorithm ?? '—'} · coverage {String(raw.integrity.coverageOk)} · digest{' '}
          {String(raw.integrity.digestMatches)} · signature {String(raw.integrity.signatureValid)}
        </dd>
        <dt>{t('verify.sig.revocation')}</dt>
        <dd className="mono">
          {raw.revocation.source} · {raw.revocation.status} · complete {String(raw.revocation.complete)}
          {raw.revocation.revokedAt ? ` · revoked at ${raw.revocation.revokedAt}` : ''}
        </dd>
        <dt>{t('verify.sig.etsi')}</dt>
        <dd className="mono">
          {raw.indication}
          {raw.subIndication ? ` / ${raw.subIndication}` : ''} · best-signature-time {raw.bestSignatureTime ?? '—'} ·
          validated at {raw.validationTime ?? '—'}
        </dd>
        {raw.certificate && raw.certificate.chain.length > 0 && (
          <>
            <dt>{t('verify.sig.chain')}</dt>
            <dd>{chain(raw.certificate.chain)}</dd>
          </>
        )}
        {/* A document timestamp's chain is the TSA's: shown once. */}
        {raw.timestamp &&
          raw.timestamp.chain.length > 0 &&
          raw.timestamp.chain[0]?.fingerprint !== raw.certificate?.chain[0]?.fingerprint && (
            <>
              <dt>{t('verify.sig.tsaChain')}</dt>
              <dd>{chain(raw.timestamp.chain)}</dd>
            </>
          )}
      </dl>
    </details>
  );
}
