// /address-book (取引先アドレス帳): the organisation's counterparties — search, add, edit, delete — and
// their 署名用メールアドレス届出: 届出を依頼 mails the contact a one-use link where the counterparty names
// its signer and chooses the access code itself; the page shows only whether one is registered.
import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, apiGet, apiPost, apiRequest } from '../../api/client.ts';
import type { Contact, ContactPage } from '../../api/address-book-types.ts';
import { ActionDialog } from '../../components/action-dialog.tsx';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { Loading } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDateTime } from '../../i18n/translate.ts';
import { adminError } from '../admin/admin-common.tsx';
import { ContactCsvImport } from './contact-csv-import.tsx';
import { SenderShell, useUser } from './sender-session.tsx';
import '../../components/address-book.css';

type ContactForm = Pick<Contact, 'companyName' | 'personName' | 'email'> & {
  department: string;
  phone: string;
  note: string;
};

/** The form's inputs, in order (limits as the server's). */
const FORM_FIELDS: ReadonlyArray<{
  key: keyof ContactForm;
  label: 'book.companyName' | 'book.department' | 'book.personName' | 'book.email' | 'book.phone' | 'book.note';
  max: number;
  required?: boolean;
  type?: 'email' | 'tel';
}> = [
  { key: 'companyName', label: 'book.companyName', max: 200, required: true },
  { key: 'department', label: 'book.department', max: 100 },
  { key: 'personName', label: 'book.personName', max: 100, required: true },
  { key: 'email', label: 'book.email', max: 254, required: true, type: 'email' },
  { key: 'phone', label: 'book.phone', max: 40, type: 'tel' },
  { key: 'note', label: 'book.note', max: 1000 },
];

const EMPTY_FORM: ContactForm = { companyName: '', department: '', personName: '', email: '', phone: '', note: '' };

/** Pending confirmation of a destructive or mail-sending action. */
type Confirm = { kind: 'delete' | 'revoke' | 'request'; contact: Contact } | null;

export function AddressBookPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('book.title')}>
      <AddressBook />
    </SenderShell>
  );
}

function AddressBook() {
  const { t, language } = useI18n();
  const user = useUser();
  const canEdit = user.role !== 'viewer';
  const [query, setQuery] = useState('');
  const [applied, setApplied] = useState('');
  const [page, setPage] = useState<ContactPage | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<{ id: string | null; form: ContactForm } | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [busy, setBusy] = useState(false);
  const searchId = useId();

  const load = useCallback(
    (q: string) =>
      apiGet<ContactPage>(`/api/v1/address-book/contacts?limit=200${q ? `&q=${encodeURIComponent(q)}` : ''}`)
        .then(setPage)
        .catch((caught: unknown) => setError(adminError(language, caught))),
    [language],
  );
  useEffect(() => {
    void load(applied);
  }, [load, applied]);

  async function act(work: () => Promise<string>) {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await work());
      await load(applied);
      return true;
    } catch (caught) {
      setError(
        caught instanceof ApiError || !(caught instanceof Error) ? adminError(language, caught) : caught.message,
      );
      return false;
    } finally {
      setBusy(false);
    }
  }

  function save(event: FormEvent) {
    event.preventDefault();
    if (!editing) return;
    const body = {
      companyName: editing.form.companyName.trim(),
      department: editing.form.department.trim() || null,
      personName: editing.form.personName.trim(),
      email: editing.form.email.trim(),
      phone: editing.form.phone.trim() || null,
      note: editing.form.note.trim() || null,
    };
    void act(async () => {
      if (editing.id) await apiRequest('PUT', `/api/v1/address-book/contacts/${editing.id}`, body);
      else await apiPost('/api/v1/address-book/contacts', body);
      setEditing(null);
      return t(editing.id ? 'book.saved' : 'book.added', { company: body.companyName });
    });
  }

  function runConfirmed() {
    if (!confirm) return;
    const { kind, contact } = confirm;
    void act(async () => {
      if (kind === 'delete') await apiRequest('DELETE', `/api/v1/address-book/contacts/${contact.id}`);
      if (kind === 'revoke') await apiRequest('DELETE', `/api/v1/address-book/contacts/${contact.id}/registration`);
      if (kind === 'request')
        await apiPost(`/api/v1/address-book/contacts/${contact.id}/registration-requests`, { language });
      return t(`book.done.${kind}`, { company: contact.companyName, email: contact.email });
    }).then(() => setConfirm(null));
  }

  const set = (patch: Partial<ContactForm>) => setEditing((e) => (e ? { ...e, form: { ...e.form, ...patch } } : e));

  return (
    <>
      <div className="page-head">
        <div>
          <h1 className="page-title">{t('book.title')}</h1>
          <p className="muted book-lead">{t('book.lead')}</p>
        </div>
        {canEdit && (
          <div className="button-row">
            <ContactCsvImport disabled={busy} run={act} />
            <button
              type="button"
              className="btn btn--primary"
              onClick={() => setEditing({ id: null, form: EMPTY_FORM })}
              disabled={busy}
            >
              <span aria-hidden="true">＋</span> {t('book.add')}
            </button>
          </div>
        )}
      </div>
      {error && <Alert tone="error">{error}</Alert>}
      {notice && <Alert tone="success">{notice}</Alert>}

      {editing && (
        <form className="form card book-form" onSubmit={save} noValidate aria-labelledby="book-form-title">
          <h2 id="book-form-title" className="section-title">
            {editing.id ? t('book.edit') : t('book.add')}
          </h2>
          <div className="grid grid--2">
            {FORM_FIELDS.map((f) => (
              <Field
                key={f.key}
                id={`book-${f.key}`}
                label={f.required ? `${t(f.label)} ${t('book.requiredMark')}` : t(f.label)}
              >
                <input
                  id={`book-${f.key}`}
                  className="input"
                  type={f.type ?? 'text'}
                  autoComplete="off"
                  maxLength={f.max}
                  value={editing.form[f.key]}
                  onChange={(e) => set({ [f.key]: e.target.value })}
                />
              </Field>
            ))}
          </div>
          <p className="field__hint">{t('book.emailHint')}</p>
          <div className="button-row">
            <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
              {t('book.save')}
            </button>
            <button type="button" className="btn btn--ghost" onClick={() => setEditing(null)} disabled={busy}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      )}

      <div className="list-controls">
        <form
          className="search"
          role="search"
          onSubmit={(event) => {
            event.preventDefault();
            setApplied(query.trim());
          }}
        >
          <label htmlFor={searchId} className="visually-hidden">
            {t('book.search')}
          </label>
          <input
            id={searchId}
            className="input search__input"
            type="search"
            value={query}
            placeholder={t('book.searchPlaceholder')}
            onChange={(e) => setQuery(e.target.value)}
          />
          <button type="submit" className="btn btn--secondary">
            {t('book.searchSubmit')}
          </button>
        </form>
        {page && <span className="muted small">{t('book.count', { n: page.total })}</span>}
      </div>

      {!page ? (
        <Loading label={t('common.loading')} />
      ) : page.items.length === 0 ? (
        <p className="card muted">{applied ? t('book.noMatch') : t('book.empty')}</p>
      ) : (
        <div className="table-wrap admin-table">
          <table className="table book-table">
            <thead>
              <tr>
                <th scope="col">{t('book.col.company')}</th>
                <th scope="col">{t('book.col.person')}</th>
                <th scope="col">{t('book.col.signer')}</th>
                {canEdit && <th scope="col">{t('book.col.actions')}</th>}
              </tr>
            </thead>
            <tbody>
              {page.items.map((c) => (
                <tr key={c.id} data-contact={c.email}>
                  <td data-label={t('book.col.company')}>
                    <div className="admin-strong">{c.companyName}</div>
                    {c.department && <div className="muted admin-small">{c.department}</div>}
                  </td>
                  <td data-label={t('book.col.person')}>
                    <div>{c.personName}</div>
                    <div className="muted admin-small">{c.email}</div>
                    {c.phone && <div className="muted admin-small">{c.phone}</div>}
                  </td>
                  <td data-label={t('book.col.signer')}>
                    <RegistrationState contact={c} />
                  </td>
                  {canEdit && (
                    <td data-label={t('book.col.actions')}>
                      <div className="book-actions">
                        <button
                          type="button"
                          className="btn btn--secondary btn--small"
                          onClick={() => setConfirm({ kind: 'request', contact: c })}
                          disabled={busy}
                        >
                          {c.registeredSigner ? t('book.requestAgain') : t('book.request')}
                        </button>
                        <button
                          type="button"
                          className="btn btn--ghost btn--small"
                          onClick={() =>
                            setEditing({
                              id: c.id,
                              form: {
                                companyName: c.companyName,
                                department: c.department ?? '',
                                personName: c.personName,
                                email: c.email,
                                phone: c.phone ?? '',
                                note: c.note ?? '',
                              },
                            })
                          }
                          disabled={busy}
                        >
                          {t('book.editShort')}
                        </button>
                        {(c.registeredSigner || c.pendingRequest) && (
                          <button
                            type="button"
                            className="btn btn--ghost btn--small btn--danger-text"
                            onClick={() => setConfirm({ kind: 'revoke', contact: c })}
                            disabled={busy}
                          >
                            {t('book.revoke')}
                          </button>
                        )}
                        <button
                          type="button"
                          className="btn btn--ghost btn--small btn--danger-text"
                          onClick={() => setConfirm({ kind: 'delete', contact: c })}
                          disabled={busy}
                        >
                          {t('book.delete')}
                        </button>
                      </div>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <ActionDialog
        open={confirm !== null}
        title={confirm ? t(`book.confirm.${confirm.kind}.title`) : ''}
        onClose={() => setConfirm(null)}
        busy={busy}
        action={
          <button
            type="button"
            className={`btn ${confirm?.kind === 'request' ? 'btn--primary' : 'btn--danger'}`}
            onClick={runConfirmed}
            disabled={busy}
            aria-busy={busy}
          >
            {confirm ? t(`book.confirm.${confirm.kind}.action`) : ''}
          </button>
        }
      >
        {confirm && (
          <p>
            {t(`book.confirm.${confirm.kind}.body`, {
              company: confirm.contact.companyName,
              person: confirm.contact.personName,
              email: confirm.contact.email,
            })}
          </p>
        )}
      </ActionDialog>
    </>
  );
}

/** 登録済み (signer, since when) / 届出依頼中 (until when) / 未届出. */
function RegistrationState({ contact }: { contact: Contact }) {
  const { t, language } = useI18n();
  return (
    <div className="book-state">
      {contact.registeredSigner ? (
        <>
          <span className="badge badge--completed">{t('book.state.registered')}</span>
          <div>
            {contact.registeredSigner.name}
            <div className="muted admin-small">{contact.registeredSigner.email}</div>
            <div className="muted admin-small">
              {t('book.registeredAt', { at: formatDateTime(language, contact.registeredSigner.registeredAt) })}
            </div>
          </div>
        </>
      ) : (
        !contact.pendingRequest && <span className="badge badge--draft">{t('book.state.none')}</span>
      )}
      {contact.pendingRequest && (
        <div>
          <span className="badge badge--sent">{t('book.state.requested')}</span>
          <div className="muted admin-small">
            {t('book.requestUntil', { at: formatDateTime(language, contact.pendingRequest.expiresAt) })}
          </div>
        </div>
      )}
    </div>
  );
}
