// /templates: the organisation's templates, and テンプレートとして保存 from one of its drafts.
import { useEffect, useId, useState, type FormEvent } from 'react';
import { apiGet, apiPost } from '../../api/client.ts';
import type { EnvelopeSummary } from '../../api/types.ts';
import { Alert } from '../../components/alert.tsx';
import { Field } from '../../components/form-parts.tsx';
import { Loading, StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { formatDate } from '../../i18n/translate.ts';
import { navigate } from '../../lib/router.ts';
import { Link } from '../../lib/use-location.tsx';
import { SenderShell } from '../sender/sender-session.tsx';
import type { Template, TemplateSummary } from './template-types.ts';

/** The template list page. */
export function TemplatesPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('tpl.title')}>
      <TemplateList />
    </SenderShell>
  );
}

function TemplateList() {
  const { t, language, describeError } = useI18n();
  const [templates, setTemplates] = useState<TemplateSummary[] | null>(null);
  const [drafts, setDrafts] = useState<EnvelopeSummary[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let canceled = false;
    Promise.all([
      apiGet<{ items: TemplateSummary[] }>('/api/v1/templates'),
      apiGet<{ items: EnvelopeSummary[] }>('/api/v1/envelopes?status=draft&limit=100'),
    ])
      .then(([list, draftList]) => {
        if (canceled) return;
        setTemplates(list.items);
        setDrafts(draftList.items);
      })
      .catch((caught: unknown) => !canceled && setError(describeError(caught)));
    return () => {
      canceled = true;
    };
  }, [describeError]);
  if (error) return <StatePanel tone="error" title={error} />;
  if (!templates) return <Loading label={t('common.loading')} />;
  return (
    <>
      <div className="page-head">
        <h1 className="page-title">{t('tpl.title')}</h1>
      </div>
      <p className="muted">{t('tpl.intro')}</p>
      {templates.length === 0 ? (
        <StatePanel tone="neutral" title={t('tpl.empty')} />
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t('tpl.name')}</th>
                <th scope="col">{t('tpl.subject')}</th>
                <th scope="col">{t('tpl.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {templates.map((template) => (
                <tr key={template.id}>
                  <td>
                    <Link href={`/templates/${encodeURIComponent(template.id)}`}>{template.name}</Link>
                  </td>
                  <td>{template.subject}</td>
                  <td>{formatDate(language, template.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <FromDraft drafts={drafts} />
    </>
  );
}

/** テンプレートとして保存: a draft (its documents, recipients as roles, fields) becomes a template. */
function FromDraft({ drafts }: { drafts: EnvelopeSummary[] }) {
  const { t, describeError } = useI18n();
  const [envelopeId, setEnvelopeId] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const ids = { draft: useId(), name: useId() };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!envelopeId || !name.trim()) {
      setError(t('tpl.fromDraft.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const template = await apiPost<Template>('/api/v1/templates', { envelopeId, name: name.trim() });
      navigate(`/templates/${encodeURIComponent(template.id)}`);
    } catch (caught) {
      setError(describeError(caught));
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="tpl-from-draft">
      <h2 id="tpl-from-draft" className="section-title">
        {t('tpl.fromDraft')}
      </h2>
      <p className="muted small">{t('tpl.fromDraft.hint')}</p>
      {error && <Alert tone="error">{error}</Alert>}
      <form className="form" onSubmit={submit} noValidate>
        <Field id={ids.draft} label={t('tpl.fromDraft.draft')}>
          <select
            id={ids.draft}
            className="input select"
            value={envelopeId}
            onChange={(event) => setEnvelopeId(event.target.value)}
          >
            <option value="">{t('tpl.fromDraft.choose')}</option>
            {drafts.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </Field>
        <Field id={ids.name} label={t('tpl.name')}>
          <input
            id={ids.name}
            className="input"
            maxLength={200}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </Field>
        <div className="button-row">
          <button type="submit" className="btn btn--primary" disabled={busy} aria-busy={busy}>
            {t('tpl.fromDraft.create')}
          </button>
        </div>
      </form>
    </section>
  );
}
