// メンバー: invite by mail, the members with role, status, second factor and envelope count; change a
// role, deactivate or reactivate, end a member's sessions, hand over their envelopes; pending invitations.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { apiGet, apiPost, apiRequest } from '../../api/client.ts';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { useUser } from '../sender/sender-session.tsx';
import { adminError, useAdminAction } from './admin-common.tsx';
import { AdminTable, SmallButton } from './admin-list.tsx';

type Role = 'admin' | 'member' | 'viewer';
const ROLES: readonly Role[] = ['admin', 'member', 'viewer'];

interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  status: 'active' | 'deactivated';
  joinedAt: string;
  hasSecondFactor: boolean;
  envelopes: number;
}

interface Invitation {
  id: string;
  email: string;
  role: Role;
  createdAt: string;
  expiresAt: string;
}

export function MembersSection() {
  const { t, language } = useI18n();
  const me = useUser();
  const [data, setData] = useState<{ members: Member[]; invitations: Invitation[] } | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ email: string; role: Role }>({ email: '', role: 'member' });
  const [transfer, setTransfer] = useState<{ from: string; to: string } | null>(null);
  const { busy, run, messages } = useAdminAction();
  const load = useCallback(
    () =>
      apiGet<{ members: Member[]; invitations: Invitation[] }>('/api/v1/admin/members')
        .then(setData)
        .catch((caught: unknown) => setLoadError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void load();
  }, [load]);
  if (loadError) return <p className="alert alert--error">{loadError}</p>;
  if (!data) return <Loading label={t('common.loading')} />;

  function sendInvite(event: FormEvent) {
    event.preventDefault();
    void run(async () => {
      await apiPost('/api/v1/admin/invitations', { email: invite.email.trim(), role: invite.role });
      const email = invite.email.trim();
      setInvite({ email: '', role: invite.role });
      await load();
      return t('admin.members.invited', { email });
    });
  }
  const changeRole = (member: Member, role: Role) =>
    run(async () => {
      await apiRequest('PATCH', `/api/v1/admin/members/${member.userId}`, { role });
      await load();
      return t('admin.members.roleChanged');
    });
  const setActive = (member: Member, active: boolean) =>
    run(async () => {
      await apiRequest('PATCH', `/api/v1/admin/members/${member.userId}`, { active });
      await load();
      return t('admin.saved');
    });
  const endSessions = (member: Member) =>
    run(async () => {
      const result = await apiRequest<{ ended: number }>('DELETE', `/api/v1/admin/members/${member.userId}/sessions`);
      return t('admin.members.sessionsEnded', { n: result.ended });
    });
  const revoke = (invitation: Invitation) =>
    run(async () => {
      await apiRequest('DELETE', `/api/v1/admin/invitations/${invitation.id}`);
      await load();
      return t('admin.saved');
    });
  function submitTransfer(event: FormEvent) {
    event.preventDefault();
    if (!transfer) return;
    void run(async () => {
      const result = await apiPost<{ transferred: number }>(
        `/api/v1/admin/members/${transfer.from}/transfer-envelopes`,
        { toUserId: transfer.to },
      );
      setTransfer(null);
      await load();
      return t('admin.members.transferred', { n: result.transferred });
    });
  }
  const heirs = data.members.filter((m) => m.status === 'active' && m.role !== 'viewer');

  return (
    <section className="admin-section" aria-labelledby="admin-members-title">
      <h1 id="admin-members-title" className="page-title">
        {t('admin.nav.members')}
      </h1>
      <p className="muted">{t('admin.members.lead')}</p>
      {messages}
      <form className="form card admin-inline-form" onSubmit={sendInvite} noValidate>
        <h2 className="section-title">{t('admin.members.invite')}</h2>
        <div className="admin-row">
          <Field id="invite-email" label={t('admin.members.email')}>
            <input
              id="invite-email"
              type="email"
              className="input"
              autoComplete="off"
              value={invite.email}
              onChange={(e) => setInvite({ ...invite, email: e.target.value })}
            />
          </Field>
          <Field id="invite-role" label={t('admin.members.role')}>
            <select
              id="invite-role"
              className="input select"
              value={invite.role}
              onChange={(e) => setInvite({ ...invite, role: e.target.value as Role })}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`admin.role.${r}`)}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {t('admin.members.inviteSubmit')}
          </button>
        </div>
      </form>

      {transfer && (
        <form className="form card" onSubmit={submitTransfer} noValidate>
          <h2 className="section-title">
            {t('admin.members.transfer')}: {data.members.find((m) => m.userId === transfer.from)?.name}
          </h2>
          <Field id="transfer-to" label={t('admin.members.transferTo')}>
            <select
              id="transfer-to"
              className="input select"
              value={transfer.to}
              onChange={(e) => setTransfer({ ...transfer, to: e.target.value })}
            >
              {heirs
                .filter((m) => m.userId !== transfer.from)
                .map((m) => (
                  <option key={m.userId} value={m.userId}>
                    {m.name} &lt;{m.email}&gt;
                  </option>
                ))}
            </select>
          </Field>
          <div className="admin-actions">
            <button type="submit" className="btn btn--primary" disabled={busy || !transfer.to}>
              {t('admin.members.transferSubmit')}
            </button>
            <button type="button" className="btn btn--ghost" onClick={() => setTransfer(null)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}

      <h2 className="section-title">{t('admin.members.list')}</h2>
      <AdminTable
        columns={[
          t('admin.members.name'),
          t('admin.members.role'),
          t('admin.members.status'),
          t('admin.members.secondFactor'),
          t('admin.members.envelopes'),
          t('admin.members.actions'),
        ]}
      >
        {data.members.map((m) => {
          const self = m.userId === me.id;
          return (
            <tr key={m.userId} data-member={m.email}>
              <td>
                <div className="admin-strong">
                  {m.name}
                  {self && t('admin.members.you')}
                </div>
                <div className="muted admin-small">{m.email}</div>
              </td>
              <td data-label={t('admin.members.role')}>
                <select
                  className="input select input--compact"
                  aria-label={`${t('admin.members.role')}: ${m.name}`}
                  value={m.role}
                  disabled={busy || m.status !== 'active'}
                  onChange={(e) => void changeRole(m, e.target.value as Role)}
                >
                  {ROLES.map((r) => (
                    <option key={r} value={r}>
                      {t(`admin.role.${r}`)}
                    </option>
                  ))}
                </select>
              </td>
              <td data-label={t('admin.members.status')}>
                <span className={`badge ${m.status === 'active' ? 'badge--completed' : 'badge--canceled'}`}>
                  {t(m.status === 'active' ? 'admin.members.active' : 'admin.members.deactivated')}
                </span>
              </td>
              <td data-label={t('admin.members.secondFactor')}>
                {t(m.hasSecondFactor ? 'admin.members.on' : 'admin.members.off')}
              </td>
              <td data-label={t('admin.members.envelopes')}>{m.envelopes}</td>
              <td>
                <div className="admin-actions admin-actions--tight">
                  {!self &&
                    (m.status === 'active' ? (
                      <SmallButton tone="danger-outline" disabled={busy} onClick={() => void setActive(m, false)}>
                        {t('admin.members.deactivate')}
                      </SmallButton>
                    ) : (
                      <SmallButton tone="secondary" disabled={busy} onClick={() => void setActive(m, true)}>
                        {t('admin.members.reactivate')}
                      </SmallButton>
                    ))}
                  {!self && m.status === 'active' && (
                    <SmallButton tone="ghost" disabled={busy} onClick={() => void endSessions(m)}>
                      {t('admin.members.endSessions')}
                    </SmallButton>
                  )}
                  {m.envelopes > 0 && (
                    <SmallButton
                      tone="ghost"
                      disabled={busy}
                      onClick={() =>
                        setTransfer({ from: m.userId, to: heirs.find((x) => x.userId !== m.userId)?.userId ?? '' })
                      }
                    >
                      {t('admin.members.transfer')}
                    </SmallButton>
                  )}
                </div>
              </td>
            </tr>
          );
        })}
      </AdminTable>

      {data.invitations.length > 0 && (
        <>
          <h2 className="section-title">{t('admin.members.pending')}</h2>
          <AdminTable
            columns={[
              t('admin.members.email'),
              t('admin.members.role'),
              t('admin.members.expires'),
              t('admin.members.actions'),
            ]}
          >
            {data.invitations.map((i) => (
              <tr key={i.id}>
                <td>{i.email}</td>
                <td>{t(`admin.role.${i.role}`)}</td>
                <td>{formatDateTime(language, i.expiresAt)}</td>
                <td>
                  <SmallButton tone="ghost" disabled={busy} onClick={() => void revoke(i)}>
                    {t('admin.members.revoke')}
                  </SmallButton>
                </td>
              </tr>
            ))}
          </AdminTable>
        </>
      )}
    </section>
  );
}
