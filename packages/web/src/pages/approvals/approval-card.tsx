// 稟議: the approval state of an envelope (each submission's steps and approvers, decisions, comments),
// with 取り下げ for the sender and 承認者を変更 for administrators. Shown on the envelope page and the
// approval page.
import { useEffect, useState } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { ApprovalSlot, EnvelopeApprovals } from '../../api/approval-types.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime, type MessageKey } from '../../i18n/translate.ts';

/** The label key of a slot's state (an open slot whose turn it is reads 承認待ち). */
export function slotStateKey(slot: ApprovalSlot): MessageKey {
  if (slot.status === 'open' && slot.current) return 'approval.status.current';
  return `approval.status.${slot.status}` as MessageKey;
}

/** The approval card; `onChanged` reloads the page's envelope after a withdrawal. */
export function ApprovalCard(props: {
  view: EnvelopeApprovals;
  isAdmin: boolean;
  onChanged: (notice: string) => void;
}) {
  const { t, language } = useI18n();
  const { view } = props;
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [members, setMembers] = useState<Array<{ userId: string; name: string; email: string }> | null>(null);
  const [reassigning, setReassigning] = useState<{ slotId: string; userId: string } | null>(null);
  const pending = view.envelope.status === 'pending_approval';
  const base = `/api/v1/envelopes/${encodeURIComponent(view.envelope.id)}/approvals`;

  useEffect(() => {
    if (!props.isAdmin || !pending) return;
    apiGet<{ members: Array<{ userId: string; name: string; email: string; role: string; status: string }> }>(
      '/api/v1/admin/members',
    )
      .then((data) => setMembers(data.members.filter((m) => m.status === 'active' && m.role !== 'viewer')))
      .catch(() => setMembers([]));
  }, [props.isAdmin, pending]);

  /** Posts `body` to `path`; the notice may read the answer (リマインド names the approvers reminded). */
  async function act<T>(path: string, body: unknown, notice: string | ((answer: T) => string)) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const answer = await apiPost<T>(path, body);
      setReassigning(null);
      props.onChanged(typeof notice === 'string' ? notice : notice(answer));
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card approval-card" aria-labelledby="approval-title" data-testid="approval-card">
      <h2 id="approval-title" className="section-title">
        {t('approval.section')}
      </h2>
      {error && <Alert tone="error">{error}</Alert>}
      {view.rounds.map((round, index) => (
        <div key={round.round} className={index === 0 ? 'approval-round' : 'approval-round approval-round--past'}>
          <p className="approval-round__head">
            <span className="admin-strong">
              {t('approval.route')}: {round.routeName}
            </span>{' '}
            <span className="muted small">{t('approval.round', { n: round.round })}</span>
          </p>
          <ol className="approval-slots">
            {round.approvals.map((slot) => (
              <li key={slot.id} className="approval-slot" data-state={slot.current ? 'current' : slot.status}>
                <div className="approval-slot__step">
                  {t('approval.step', { n: slot.step })}
                  <span className="muted small"> · {t(`approval.mode.${slot.stepMode}`)}</span>
                </div>
                <div className="approval-slot__who">
                  <span className="approval-slot__name">{slot.name}</span>
                  <span className="muted small approval-slot__email">{slot.email}</span>
                  {!slot.active && <span className="badge badge--declined">{t('approval.inactive')}</span>}
                </div>
                <div className="approval-slot__state">
                  <span className={`badge approval-badge approval-badge--${slot.current ? 'current' : slot.status}`}>
                    {t(slotStateKey(slot))}
                  </span>
                  {slot.decidedAt && <span className="muted small">{formatDateTime(language, slot.decidedAt)}</span>}
                </div>
                {slot.comment && <p className="approval-slot__comment">{slot.comment}</p>}
                {index === 0 && pending && props.isAdmin && slot.status === 'open' && members && (
                  <div className="approval-slot__reassign">
                    {reassigning?.slotId === slot.id ? (
                      <>
                        <label className="visually-hidden" htmlFor={`reassign-${slot.id}`}>
                          {t('approval.reassignTo')}
                        </label>
                        <select
                          id={`reassign-${slot.id}`}
                          className="input"
                          value={reassigning.userId}
                          onChange={(e) => setReassigning({ slotId: slot.id, userId: e.target.value })}
                        >
                          <option value="">{t('admin.approvals.choose')}</option>
                          {members
                            .filter((m) => m.userId !== slot.userId)
                            .map((m) => (
                              <option key={m.userId} value={m.userId}>
                                {m.name} ({m.email})
                              </option>
                            ))}
                        </select>
                        <button
                          type="button"
                          className="btn btn--primary btn--small"
                          disabled={busy || reassigning.userId === ''}
                          onClick={() =>
                            void act(
                              `${base}/${encodeURIComponent(slot.id)}/reassign`,
                              { userId: reassigning.userId },
                              t('approval.reassignedNotice'),
                            )
                          }
                        >
                          {t('approval.reassign')}
                        </button>
                      </>
                    ) : (
                      <button
                        type="button"
                        className="btn btn--secondary btn--small"
                        onClick={() => setReassigning({ slotId: slot.id, userId: '' })}
                      >
                        {t('approval.reassign')}
                      </button>
                    )}
                  </div>
                )}
              </li>
            ))}
          </ol>
        </div>
      ))}
      {pending && view.isSender && (
        <div className="admin-actions">
          <button
            type="button"
            className="btn btn--secondary"
            aria-label={t('approval.remindLabel')}
            disabled={busy}
            onClick={() =>
              void act<{ reminded: string[] }>(`${base}/remind`, undefined, (answer) =>
                t('approval.reminded', { names: answer.reminded.join('、') }),
              )
            }
          >
            {t('approval.remind')}
          </button>
          <button
            type="button"
            className="btn btn--danger-outline"
            disabled={busy}
            onClick={() => void act(`${base}/withdraw`, undefined, t('approval.withdrawnNotice'))}
          >
            {t('approval.withdraw')}
          </button>
        </div>
      )}
    </section>
  );
}
