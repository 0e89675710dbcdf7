// 承認ルート (稟議, issue 13 part 3): the organisation's approval routes — named, with steps in order, each
// step one or more approvers who approve 全員承認 (all, in order) or いずれか1名 (any one) — and the route
// required for every envelope.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiRequest } from '../../api/client.ts';
import type { ApprovalRoute, StepMode } from '../../api/approval-types.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { adminError, useAdminAction } from './admin-common.tsx';
import { AdminCard, SmallButton } from './admin-list.tsx';

interface Member {
  userId: string;
  name: string;
  email: string;
  role: string;
  status: string;
}

interface Draft {
  id: string | null;
  name: string;
  steps: Array<{ mode: StepMode; approverIds: string[] }>;
}

const EMPTY: Draft = { id: null, name: '', steps: [{ mode: 'all', approverIds: [''] }] };

export function ApprovalRoutesSection() {
  const { t, language } = useI18n();
  const [routes, setRoutes] = useState<ApprovalRoute[] | null>(null);
  const [required, setRequired] = useState<string>('');
  const [members, setMembers] = useState<Member[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const action = useAdminAction();

  const load = useCallback(() => {
    Promise.all([
      apiGet<{ items: ApprovalRoute[]; requiredRouteId: string | null }>('/api/v1/approval-routes'),
      apiGet<{ members: Member[] }>('/api/v1/admin/members'),
    ])
      .then(([list, people]) => {
        setRoutes(list.items);
        setRequired(list.requiredRouteId ?? '');
        setMembers(people.members.filter((m) => m.status === 'active' && m.role !== 'viewer'));
      })
      .catch((caught: unknown) => setLoadError(adminError(language, caught)));
  }, [language]);
  useEffect(load, [load]);

  function saveRequired(event: FormEvent) {
    event.preventDefault();
    void action.run(async () => {
      await apiRequest('PUT', '/api/v1/approval-routes/required', { routeId: required || null });
      return t('admin.approvals.saved');
    });
  }

  function saveRoute(event: FormEvent) {
    event.preventDefault();
    if (!draft) return;
    void action.run(async () => {
      const body = {
        name: draft.name,
        steps: draft.steps.map((s) => ({ mode: s.mode, approverIds: s.approverIds.filter((id) => id !== '') })),
      };
      if (draft.id) await apiRequest('PUT', `/api/v1/approval-routes/${encodeURIComponent(draft.id)}`, body);
      else await apiRequest('POST', '/api/v1/approval-routes', body);
      setDraft(null);
      load();
      return t('admin.approvals.saved');
    });
  }

  function remove(route: ApprovalRoute) {
    void action.run(async () => {
      await apiRequest('DELETE', `/api/v1/approval-routes/${encodeURIComponent(route.id)}`);
      load();
      return t('admin.approvals.deleted');
    });
  }

  const setStep = (index: number, change: Partial<Draft['steps'][number]>) =>
    setDraft((d) => d && { ...d, steps: d.steps.map((s, i) => (i === index ? { ...s, ...change } : s)) });

  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!routes) return <Loading label={t('common.loading')} />;
  return (
    <>
      <h1 className="page-title">{t('admin.nav.approvals')}</h1>
      <p className="lead">{t('admin.approvals.lead')}</p>
      {action.messages}

      <form className="form card" onSubmit={saveRequired} noValidate>
        <Field id="approval-required" label={t('admin.approvals.required')}>
          <select
            id="approval-required"
            className="input"
            value={required}
            onChange={(e) => setRequired(e.target.value)}
          >
            <option value="">{t('admin.approvals.requiredNone')}</option>
            {routes.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </select>
        </Field>
        <div className="admin-actions">
          <button type="submit" className="btn btn--secondary" disabled={action.busy}>
            {t('admin.approvals.saveRequired')}
          </button>
        </div>
      </form>

      <AdminCard id="approval-routes-title" title={t('admin.nav.approvals')}>
        {routes.length === 0 && <p className="muted">{t('admin.approvals.empty')}</p>}
        <ul className="approval-routes">
          {routes.map((route) => (
            <li key={route.id} className="approval-routes__item" data-testid="approval-route">
              <div className="approval-routes__body">
                <p className="admin-strong">{route.name}</p>
                <ol className="approval-routes__steps">
                  {route.steps.map((step, i) => (
                    <li key={i}>
                      {t('approval.step', { n: i + 1 })} · {t(`approval.mode.${step.mode}`)}:{' '}
                      {step.approvers.map((a) => a.name).join('、')}
                    </li>
                  ))}
                </ol>
              </div>
              <div className="button-row">
                <SmallButton
                  tone="secondary"
                  onClick={() => setDraft({ id: route.id, name: route.name, steps: route.steps })}
                >
                  {t('admin.approvals.edit')}
                </SmallButton>
                <SmallButton tone="danger-outline" disabled={action.busy} onClick={() => remove(route)}>
                  {t('admin.approvals.delete')}
                </SmallButton>
              </div>
            </li>
          ))}
        </ul>
        {!draft && (
          <button type="button" className="btn btn--primary" onClick={() => setDraft(EMPTY)}>
            {t('admin.approvals.new')}
          </button>
        )}
      </AdminCard>

      {draft && (
        <form className="form card" onSubmit={saveRoute} noValidate aria-labelledby="approval-route-editor">
          <h2 id="approval-route-editor" className="section-title">
            {draft.id ? draft.name : t('admin.approvals.new')}
          </h2>
          <Field id="approval-route-name" label={t('admin.approvals.name')}>
            <input
              id="approval-route-name"
              className="input"
              maxLength={100}
              value={draft.name}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </Field>
          {draft.steps.map((step, i) => (
            <fieldset key={i} className="approval-step">
              <legend className="admin-strong">{t('approval.step', { n: i + 1 })}</legend>
              <Field id={`approval-step-${i}-mode`} label={t('admin.approvals.stepMode')}>
                <select
                  id={`approval-step-${i}-mode`}
                  className="input"
                  value={step.mode}
                  onChange={(e) => setStep(i, { mode: e.target.value as StepMode })}
                >
                  <option value="all">{t('approval.mode.all')}</option>
                  <option value="any">{t('approval.mode.any')}</option>
                </select>
              </Field>
              {step.approverIds.map((approverId, j) => (
                <div key={j} className="approval-step__approver">
                  <label className="visually-hidden" htmlFor={`approval-step-${i}-approver-${j}`}>
                    {t('approval.approver')} {j + 1}
                  </label>
                  <select
                    id={`approval-step-${i}-approver-${j}`}
                    className="input"
                    value={approverId}
                    onChange={(e) =>
                      setStep(i, { approverIds: step.approverIds.map((x, k) => (k === j ? e.target.value : x)) })
                    }
                  >
                    <option value="">{t('admin.approvals.choose')}</option>
                    {members.map((m) => (
                      <option key={m.userId} value={m.userId}>
                        {m.name} ({m.email})
                      </option>
                    ))}
                  </select>
                  {step.approverIds.length > 1 && (
                    <SmallButton
                      tone="secondary"
                      onClick={() => setStep(i, { approverIds: step.approverIds.filter((_, k) => k !== j) })}
                    >
                      {t('admin.approvals.removeApprover')}
                    </SmallButton>
                  )}
                </div>
              ))}
              <div className="button-row">
                <SmallButton tone="secondary" onClick={() => setStep(i, { approverIds: [...step.approverIds, ''] })}>
                  {t('admin.approvals.addApprover')}
                </SmallButton>
                {draft.steps.length > 1 && (
                  <SmallButton
                    tone="danger-outline"
                    onClick={() => setDraft({ ...draft, steps: draft.steps.filter((_, k) => k !== i) })}
                  >
                    {t('admin.approvals.removeStep')}
                  </SmallButton>
                )}
              </div>
            </fieldset>
          ))}
          <div className="admin-actions">
            <button
              type="button"
              className="btn btn--secondary"
              onClick={() => setDraft({ ...draft, steps: [...draft.steps, { mode: 'any', approverIds: [''] }] })}
            >
              {t('admin.approvals.addStep')}
            </button>
            <button type="button" className="btn btn--secondary" onClick={() => setDraft(null)}>
              {t('admin.approvals.cancel')}
            </button>
            <button type="submit" className="btn btn--primary" disabled={action.busy} aria-busy={action.busy}>
              {t('admin.approvals.save')}
            </button>
          </div>
        </form>
      )}
    </>
  );
}
