// 保存期間 of one contract or envelope: the period that applies, a legal hold (placed and released by
// administrators, with a reason), or the notice that the documents were erased at the end of it.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../api/client.ts';
import { useI18n } from '../i18n/i18n-context.tsx';
import { formatDate, formatDateTime, type MessageKey } from '../i18n/translate.ts';
import { adminError, useAdminAction } from '../pages/admin/admin-common.tsx';
import { Loading } from './state-panel.tsx';

/** GET /api/v1/{contracts|envelopes}/{id}/retention. */
interface RetentionStatus {
  retention: { documentType: string; years: number; startsOn: string; endsOn: string } | null;
  hold: { id: string; subjectType: 'contract' | 'envelope'; reason: string; placedAt: string } | null;
  shreddedAt: string | null;
}

const RULE_LABELS: Record<string, MessageKey> = {
  default: 'retention.rule.default',
  'built-in': 'retention.rule.builtIn',
  'source:envelope': 'retention.rule.sourceEnvelope',
  'source:import': 'retention.rule.sourceImport',
};

export function RetentionCard({
  subjectType,
  subjectId,
  isAdmin,
  onShredded,
}: {
  subjectType: 'contract' | 'envelope';
  subjectId: string;
  isAdmin: boolean;
  /** Told when the documents turn out to be erased (the page then offers no download). */
  onShredded?: (at: string) => void;
}) {
  const { t, language } = useI18n();
  const [status, setStatus] = useState<RetentionStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const action = useAdminAction();
  const base = `/api/v1/${subjectType === 'contract' ? 'contracts' : 'envelopes'}/${encodeURIComponent(subjectId)}`;
  const load = useCallback(
    () =>
      apiGet<RetentionStatus>(`${base}/retention`)
        .then(setStatus)
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [base, language],
  );
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (status?.shreddedAt) onShredded?.(status.shreddedAt);
  }, [status, onShredded]);

  function submit(event: FormEvent) {
    event.preventDefault();
    const releasing = status?.hold !== null;
    void action.run(async () => {
      await apiRequest('POST', `${base}/legal-hold${releasing ? '/release' : ''}`, { reason });
      setReason('');
      await load();
      return t(releasing ? 'retention.released' : 'retention.placed');
    });
  }

  const rule = (documentType: string) =>
    documentType.startsWith('type:')
      ? t('retention.rule.type', { type: documentType.slice('type:'.length) })
      : t(RULE_LABELS[documentType] ?? 'retention.rule.default');

  return (
    <section className="card retention-card" aria-labelledby={`retention-${subjectId}`}>
      <h2 className="section-title" id={`retention-${subjectId}`}>
        {t('retention.title')}
      </h2>
      {loadError && <p className="alert alert--error">{loadError}</p>}
      {!status && !loadError && <Loading label={t('common.loading')} />}
      {status && (
        <>
          {status.shreddedAt ? (
            <p className="alert alert--warning">
              {t('retention.shredded', { at: formatDateTime(language, status.shreddedAt) })}
            </p>
          ) : status.retention ? (
            <p>
              {t('retention.period', {
                years: status.retention.years,
                startsOn: formatDate(language, status.retention.startsOn),
                endsOn: formatDate(language, status.retention.endsOn),
              })}
              <span className="muted admin-small"> — {rule(status.retention.documentType)}</span>
            </p>
          ) : (
            <p className="muted">{t('retention.inProgress')}</p>
          )}
          {!status.shreddedAt && (
            <p className={status.hold ? 'retention-hold' : 'muted'}>
              {status.hold
                ? t('retention.hold', {
                    reason: status.hold.reason,
                    placedAt: formatDateTime(language, status.hold.placedAt),
                  })
                : t('retention.noHold')}
            </p>
          )}
          {action.messages}
          {isAdmin && !status.shreddedAt && (
            <form className="retention-hold-form" onSubmit={submit} noValidate>
              <label htmlFor={`hold-reason-${subjectId}`} className="field__label">
                {t('retention.reason')}
              </label>
              <input
                id={`hold-reason-${subjectId}`}
                className="input"
                maxLength={500}
                required
                placeholder={t('retention.reasonPlaceholder')}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
              />
              <button
                type="submit"
                className={`btn btn--small ${status.hold ? 'btn--danger-outline' : 'btn--secondary'}`}
                disabled={action.busy || reason.trim() === ''}
                aria-busy={action.busy}
              >
                {t(status.hold ? 'retention.releaseHold' : 'retention.placeHold')}
              </button>
            </form>
          )}
        </>
      )}
    </section>
  );
}
