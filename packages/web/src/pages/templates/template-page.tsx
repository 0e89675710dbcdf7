// /templates/{id}: the template (documents, roles), its editor for admins and its creator, テンプレートから作成
// (a draft that goes through 送信内容の確認) and CSVから一括送信.
import { useCallback, useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { apiGet, apiPost, apiRequest } from '../../api/client.ts';
import type { Envelope } from '../../api/types.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { FieldEditor, type FieldSource } from '../sender/fields/field-placer.tsx';
import { useUser } from '../sender/sender-session.tsx';
import { DocumentRow, FormPageHead } from '../sender/envelope-form-sections.tsx';
import { formatSize } from '../sender/envelope-new-page.tsx';
import { SenderShell } from '../sender/sender-session.tsx';
import { BulkSendPanel } from './bulk-send-panel.tsx';
import type { Template, TemplateRole } from './template-types.ts';

/** The template page. */
export function TemplatePage({ id }: { id: string }) {
  const { t } = useI18n();
  return (
    <SenderShell title={t('tpl.title')}>
      <TemplateLoader id={id} />
    </SenderShell>
  );
}

function TemplateLoader({ id }: { id: string }) {
  const { t, describeError } = useI18n();
  const [template, setTemplate] = useState<Template | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let canceled = false;
    apiGet<Template>(`/api/v1/templates/${encodeURIComponent(id)}`)
      .then((value) => !canceled && setTemplate(value))
      .catch((caught: unknown) => !canceled && setError(describeError(caught)));
    return () => {
      canceled = true;
    };
  }, [id, describeError]);
  if (error) return <StatePanel tone="error" title={error} />;
  if (!template) return <Loading label={t('common.loading')} />;
  return (
    <>
      <FormPageHead backHref="/templates" backLabel={t('tpl.title')} title={template.name} />
      <div className="form form--wide">
        <TemplateEditor template={template} onSaved={setTemplate} />
        <section className="card" aria-labelledby="tpl-documents">
          <h2 id="tpl-documents" className="section-title">
            {t('new.documents')}
          </h2>
          <ul className="doc-list">
            {template.documents.map((doc) => (
              <DocumentRow
                key={doc.id}
                name={doc.name}
                meta={`${t('common.pages', { n: doc.pages })} · ${formatSize(doc.size)}`}
                wrap
                disabled
              />
            ))}
          </ul>
        </section>
        <TemplateFields template={template} onSaved={setTemplate} />
        <UseTemplate template={template} />
        <BulkSendPanel template={template} />
      </div>
    </>
  );
}

/** 件名, message and roles; read-only for members who did not make the template. */
function TemplateEditor({ template, onSaved }: { template: Template; onSaved: (value: Template) => void }) {
  const { t, describeError } = useI18n();
  const [name, setName] = useState(template.name);
  const [subject, setSubject] = useState(template.subject);
  const [message, setMessage] = useState(template.message);
  const [roles, setRoles] = useState<TemplateRole[]>(template.roles);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const ids = { name: useId(), subject: useId(), message: useId() };
  const readOnly = !template.editable;

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setNotice(null);
    try {
      const saved = await apiRequest<Template>('PATCH', `/api/v1/templates/${encodeURIComponent(template.id)}`, {
        name,
        subject,
        message,
        roles: roles.map((r) => ({ id: r.id, name: r.name, accessCodePolicy: r.accessCodePolicy })),
      });
      onSaved(saved);
      setNotice({ tone: 'success', text: t('tpl.saved') });
    } catch (caught) {
      setNotice({ tone: 'error', text: describeError(caught) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-labelledby="tpl-basics" onSubmit={save} noValidate>
      <h2 id="tpl-basics" className="section-title">
        {t('new.basics')}
      </h2>
      {readOnly && <p className="muted small">{t('tpl.readOnly')}</p>}
      {notice && <Alert tone={notice.tone}>{notice.text}</Alert>}
      <Field id={ids.name} label={t('tpl.name')}>
        <input
          id={ids.name}
          className="input"
          value={name}
          maxLength={200}
          readOnly={readOnly}
          onChange={(e) => setName(e.target.value)}
        />
      </Field>
      <Field id={ids.subject} label={t('tpl.subject')}>
        <input
          id={ids.subject}
          className="input"
          value={subject}
          maxLength={200}
          readOnly={readOnly}
          onChange={(e) => setSubject(e.target.value)}
          aria-describedby={`${ids.subject}-hint`}
        />
        <p id={`${ids.subject}-hint`} className="field__hint">
          {t('tpl.placeholderHint')}
        </p>
      </Field>
      <Field id={ids.message} label={t('new.message')}>
        <textarea
          id={ids.message}
          className="input textarea"
          rows={3}
          maxLength={2000}
          value={message}
          readOnly={readOnly}
          onChange={(e) => setMessage(e.target.value)}
        />
      </Field>
      <h3 className="section-subtitle">{t('tpl.roles')}</h3>
      <ol className="recipient-list">
        {roles.map((role, index) => (
          <li key={role.id} className="recipient-card">
            <div className="grid grid--2">
              <Field
                id={`role-${role.id}`}
                label={role.role === 'cc' ? t('tpl.role.cc') : t('tpl.role.signer', { n: role.order })}
              >
                <input
                  id={`role-${role.id}`}
                  className="input"
                  value={role.name}
                  maxLength={50}
                  readOnly={readOnly}
                  onChange={(e) =>
                    setRoles((current) => current.map((r, i) => (i === index ? { ...r, name: e.target.value } : r)))
                  }
                />
              </Field>
              {role.role === 'signer' && (
                <Field id={`policy-${role.id}`} label={t('tpl.policy')}>
                  <select
                    id={`policy-${role.id}`}
                    className="input select"
                    value={role.accessCodePolicy}
                    disabled={readOnly}
                    onChange={(e) =>
                      setRoles((current) =>
                        current.map((r, i) =>
                          i === index
                            ? { ...r, accessCodePolicy: e.target.value as TemplateRole['accessCodePolicy'] }
                            : r,
                        ),
                      )
                    }
                  >
                    <option value="generated">{t('tpl.policy.generated')}</option>
                    <option value="required">{t('tpl.policy.required')}</option>
                  </select>
                </Field>
              )}
            </div>
            <p className="muted small">
              {/* From the page's template: placing fields below changes the counts. */}
              {t('tpl.role.fields', { n: template.roles.find((r) => r.id === role.id)?.fields ?? role.fields })}
            </p>
          </li>
        ))}
      </ol>
      {!readOnly && (
        <div className="button-row">
          <button type="submit" className="btn btn--secondary" disabled={busy} aria-busy={busy}>
            {t('edit.save')}
          </button>
        </div>
      )}
    </form>
  );
}

/**
 * テンプレートの入力項目: the draft's field placer on the template's own PDFs, per signer role; saving
 * replaces the template's fields (PUT …/fields) and refreshes the page's template (role counts).
 */
function TemplateFields({ template, onSaved }: { template: Template; onSaved: (value: Template) => void }) {
  const { t } = useI18n();
  const user = useUser();
  const base = `/api/v1/templates/${encodeURIComponent(template.id)}`;
  const { fields } = template;
  // Loaded once per template (the placer keeps unsaved placements while the page's template changes).
  const [initial] = useState(fields);
  const load = useCallback(
    () =>
      Promise.resolve(
        initial.map((f) => ({
          documentId: f.documentId,
          recipientId: f.roleId,
          page: f.page,
          rect: f.rect,
          kind: f.kind,
          required: f.required,
          label: f.label,
        })),
      ),
    [initial],
  );
  const source = useMemo<FieldSource>(
    () => ({
      documents: template.documents,
      documentUrl: (id) => `${base}/documents/${encodeURIComponent(id)}`,
      owners: template.roles.filter((r) => r.role === 'signer'),
      ownerLabel: t('tpl.fields.role'),
      editable: template.editable,
      readonlyNote: t('tpl.fields.readonly'),
      title: t('tpl.fields.title'),
      savedNote: t('tpl.fields.saved'),
      load,
      save: async (placed) => {
        const saved = await apiRequest<Template>('PUT', `${base}/fields`, {
          fields: placed.map(({ recipientId, ...rest }) => ({ ...rest, roleId: recipientId })),
        });
        onSaved(saved);
      },
    }),
    [template.documents, template.roles, template.editable, base, load, onSaved, t],
  );
  return <FieldEditor source={source} isAdmin={user.role === 'admin'} />;
}

/** テンプレートから作成: a person per role and the placeholders' values; the draft opens in 送信内容の確認. */
function UseTemplate({ template }: { template: Template }) {
  const { t, describeError } = useI18n();
  const [people, setPeople] = useState(() =>
    template.roles.map((r) => ({ roleId: r.id, name: '', email: '', accessCode: '' })),
  );
  const [variables, setVariables] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setFormError(null);
    try {
      const envelope = await apiPost<Envelope>(`/api/v1/templates/${encodeURIComponent(template.id)}/envelopes`, {
        people: people.map((p) => ({
          roleId: p.roleId,
          name: p.name.trim(),
          email: p.email.trim(),
          ...(p.accessCode ? { accessCode: p.accessCode } : {}),
        })),
        variables,
      });
      navigate(`/envelopes/${encodeURIComponent(envelope.id)}/review`);
    } catch (caught) {
      setFormError(describeError(caught));
      setBusy(false);
    }
  }

  return (
    <form className="card" aria-labelledby="tpl-use" onSubmit={submit} noValidate>
      <h2 id="tpl-use" className="section-title">
        {t('tpl.use')}
      </h2>
      <p className="muted small">{t('tpl.use.hint')}</p>
      {formError && <Alert tone="error">{formError}</Alert>}
      {template.roles.map((role, index) => (
        <fieldset key={role.id} className="recipient-card">
          <legend className="recipient-card__title">{role.name}</legend>
          <div className="grid grid--2">
            {(role.role === 'signer' ? (['name', 'email', 'accessCode'] as const) : (['name', 'email'] as const)).map(
              (key) => (
                <Field
                  id={`use-${role.id}-${key}`}
                  label={t(
                    key === 'name'
                      ? 'new.recipient.name'
                      : key === 'email'
                        ? 'new.recipient.email'
                        : 'new.recipient.accessCode',
                  )}
                  key={key}
                >
                  <input
                    id={`use-${role.id}-${key}`}
                    className="input"
                    type={key === 'email' ? 'email' : 'text'}
                    inputMode={key === 'accessCode' ? 'numeric' : undefined}
                    maxLength={key === 'accessCode' ? 8 : 254}
                    autoComplete="off"
                    value={people[index]![key]}
                    onChange={(e) =>
                      setPeople((current) => current.map((p, i) => (i === index ? { ...p, [key]: e.target.value } : p)))
                    }
                  />
                </Field>
              ),
            )}
          </div>
        </fieldset>
      ))}
      {template.placeholders.map((name) => (
        <Field id={`var-${name}`} label={`{{${name}}}`} key={name}>
          <input
            id={`var-${name}`}
            className="input"
            maxLength={200}
            value={variables[name] ?? ''}
            onChange={(e) => setVariables((current) => ({ ...current, [name]: e.target.value }))}
          />
        </Field>
      ))}
      <div className="button-row">
        <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
          {t('tpl.use.create')}
        </button>
      </div>
    </form>
  );
}
