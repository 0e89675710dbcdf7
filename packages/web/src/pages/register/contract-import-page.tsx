// /contracts/import: a contract signed elsewhere or a scanned paper contract — a PDF and its fields.
// Inkan timestamps the document at import; the fields are checked with the shared parsers first.
import { useState, type FormEvent } from 'react';
import { checkDateOrder, parseJapaneseDate, parseYenAmount } from '@inkan/core/text/ja-values';
import { errorMessage } from '../../api/messages.ts';
import { uploadMultipart } from '../../api/upload.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { navigate } from '../../lib/router.ts';
import { registerViewOf, scopedPath } from '../../lib/register-scope.ts';
import { Link, useLocation } from '../../lib/use-location.tsx';
import { SenderShell } from '../sender/sender-session.tsx';

type ImportField = 'title' | 'counterparties' | 'signedOn' | 'startOn' | 'endOn' | 'amount' | 'document';

/** The import page. */
export function ContractImportPage() {
  const { t } = useI18n();
  return (
    <SenderShell title={t('reg.import.title')} width="normal">
      <ImportForm />
    </SenderShell>
  );
}

function ImportForm() {
  const { t, language } = useI18n();
  const view = registerViewOf(useLocation());
  const [values, setValues] = useState<Record<Exclude<ImportField, 'document'>, string>>({
    title: '',
    counterparties: '',
    signedOn: '',
    startOn: '',
    endOn: '',
    amount: '',
  });
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Partial<Record<ImportField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [progress, setProgress] = useState<number | null>(null);

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<ImportField, string>> = {};
    const date = (key: 'signedOn' | 'startOn' | 'endOn') => {
      if (!values[key].trim()) return null;
      const parsed = parseJapaneseDate(values[key]);
      if (!parsed.ok) found[key] = parsed.message[language];
      return parsed.ok ? parsed.value : null;
    };
    const signedOn = date('signedOn');
    const startOn = date('startOn');
    const endOn = date('endOn');
    const order = checkDateOrder(startOn, endOn);
    if (!order.ok && !found.endOn) found.endOn = order.message[language];
    let amount: number | null = null;
    if (values.amount.trim()) {
      const parsed = parseYenAmount(values.amount);
      if (parsed.ok) amount = parsed.value;
      else found.amount = parsed.message[language];
    }
    if (!values.title.trim()) found.title = t('reg.import.titleRequired');
    if (!file) found.document = t('reg.import.fileRequired');
    else if (file.type && file.type !== 'application/pdf') found.document = t('error.PDF_INVALID');
    setErrors(found);
    if (Object.keys(found).length > 0 || !file) return;
    const counterparties = values.counterparties
      .split('\n')
      .map((name) => name.trim())
      .filter(Boolean);
    const form = new FormData();
    form.append(
      'contract',
      JSON.stringify({ title: values.title.trim(), counterparties, signedOn, startOn, endOn, amount }),
    );
    form.append('document', file, file.name);
    setError(null);
    setProgress(0);
    try {
      const created = await uploadMultipart<{ id: string }>(
        scopedPath('/api/v1/contracts/import', view),
        form,
        setProgress,
      );
      navigate(scopedPath(`/contracts/${encodeURIComponent(created.id)}`, view));
    } catch (caught) {
      setError(errorMessage(language, caught));
      setProgress(null);
    }
  }

  const field = (key: Exclude<ImportField, 'document'>, label: string, hint?: string, multiline = false) => {
    const props = {
      id: `import-${key}`,
      className: multiline ? 'input textarea' : 'input',
      value: values[key],
      'aria-invalid': errors[key] ? (true as const) : undefined,
      'aria-describedby': errors[key] ? `import-${key}-error` : undefined,
      onChange: (event: { target: { value: string } }) => setValues({ ...values, [key]: event.target.value }),
    };
    return (
      <div className="field">
        <label className="field__label" htmlFor={`import-${key}`}>
          {label}
        </label>
        {multiline ? <textarea {...props} rows={2} /> : <input {...props} />}
        {hint && <p className="field__hint">{hint}</p>}
        {errors[key] && (
          <p className="field__error" id={`import-${key}-error`}>
            {errors[key]}
          </p>
        )}
      </div>
    );
  };

  return (
    <>
      <Link href={scopedPath('/contracts', view)} className="back-link">
        ← {t('reg.title')}
      </Link>
      <h1 className="page-title">{t('reg.import.title')}</h1>
      <p className="muted">{t('reg.import.lead')}</p>
      <form className="card form" onSubmit={onSubmit} noValidate>
        {error && <Alert tone="error">{error}</Alert>}
        <div className="field">
          <label className="field__label" htmlFor="import-document">
            {t('reg.import.file')}
          </label>
          <input
            id="import-document"
            className="input"
            type="file"
            accept="application/pdf,.pdf"
            aria-invalid={errors.document ? true : undefined}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
          {errors.document && <p className="field__error">{errors.document}</p>}
        </div>
        {field('title', t('reg.field.title'))}
        {field('counterparties', t('reg.field.counterparties'), t('reg.field.counterpartiesHint'), true)}
        <div className="grid grid--2">
          {field('signedOn', t('reg.field.signedOn'), t('reg.field.dateHint'))}
          {field('amount', t('reg.field.amount'), t('reg.field.amountHint'))}
          {field('startOn', t('reg.field.startDate'), t('reg.field.dateHint'))}
          {field('endOn', t('reg.field.endDate'), t('reg.field.dateHint'))}
        </div>
        <div className="button-row">
          <button type="submit" className="btn btn--primary" disabled={progress !== null} aria-busy={progress !== null}>
            {progress === null ? t('reg.import.submit') : t('reg.import.uploading', { n: Math.round(progress * 100) })}
          </button>
        </div>
      </form>
    </>
  );
}
