// The signer's own fields (issue 11 part 4): each page that carries one is drawn with the fields
// overlaid where they will be printed, and a form under it takes the values (テキスト, チェックボックス);
// 署名/押印 and 日付 are filled by the service at signing. The values go with 署名手続きを完了する.
import { formatCalendarDate } from '@inkan/core/messages';
import { useEffect, useId, useState } from 'react';
import { apiGet } from '../../../api/client.ts';
import type { EnvelopeField } from '../../../api/field-types.ts';
import type { SignerView } from '../../../api/types.ts';
import { PageCanvas, useAvailableWidth, usePdf } from '../../../components/page-canvas.tsx';
import { useI18n } from '../../../i18n/i18n-context.tsx';

/** Values by field id: text for テキスト, true/false for チェックボックス. */
export type FieldValues = Record<string, string | boolean>;

/** The first required field the signer has not filled, if any. */
export function firstMissingField(fields: readonly EnvelopeField[], values: FieldValues): EnvelopeField | undefined {
  return fields.find((f) => {
    if (!f.required) return false;
    if (f.kind === 'text') return typeof values[f.id] !== 'string' || (values[f.id] as string).trim() === '';
    if (f.kind === 'checkbox') return values[f.id] !== true;
    return false;
  });
}

/** Loads the signer's fields once. */
export function useSignerFields(base: string): EnvelopeField[] {
  const [fields, setFields] = useState<EnvelopeField[]>([]);
  useEffect(() => {
    let canceled = false;
    apiGet<{ items: EnvelopeField[] }>(`${base}/fields`)
      .then((page) => !canceled && setFields(page.items))
      // An older server has no fields: the review works as before.
      .catch(() => undefined);
    return () => {
      canceled = true;
    };
  }, [base]);
  return fields;
}

/** The 入力項目 card: pages with the fields overlaid, and the inputs. Renders nothing without fields. */
export function SignerFields({
  base,
  documents,
  fields,
  values,
  onChange,
  signerName,
  showErrors,
}: {
  base: string;
  documents: SignerView['documents'];
  fields: readonly EnvelopeField[];
  values: FieldValues;
  onChange: (values: FieldValues) => void;
  signerName: string;
  showErrors: boolean;
}) {
  const { t } = useI18n();
  if (fields.length === 0) return null;
  const pages = [...new Set(fields.map((f) => `${f.documentId}:${f.page}`))].map((key) => {
    const [documentId, page] = key.split(':') as [string, string];
    return {
      documentId,
      page: Number(page),
      fields: fields.filter((f) => f.documentId === documentId && f.page === Number(page)),
    };
  });
  return (
    <section className="card signer-fields" aria-labelledby="signer-fields-title">
      <h2 id="signer-fields-title" className="section-title">
        {t('signer.fields.title')}
      </h2>
      <p className="muted">{t('signer.fields.intro')}</p>
      {pages.map(({ documentId, page, fields: here }) => {
        const document = documents.find((d) => d.id === documentId);
        return (
          <FieldsPage
            key={`${documentId}:${page}`}
            url={`${base}/documents/${encodeURIComponent(documentId)}`}
            documentName={document?.name ?? ''}
            page={page}
            fields={here}
            values={values}
            onChange={onChange}
            signerName={signerName}
            showErrors={showErrors}
          />
        );
      })}
    </section>
  );
}

function FieldsPage({
  url,
  documentName,
  page,
  fields,
  values,
  onChange,
  signerName,
  showErrors,
}: {
  url: string;
  documentName: string;
  page: number;
  fields: readonly EnvelopeField[];
  values: FieldValues;
  onChange: (values: FieldValues) => void;
  signerName: string;
  showErrors: boolean;
}) {
  const { t, language } = useI18n();
  const { doc } = usePdf(url);
  const [stageRef, width] = useAvailableWidth(560);
  const idBase = useId();
  const today = new Date();
  const dateText = formatCalendarDate(language, today.getFullYear(), today.getMonth() + 1, today.getDate());
  const where = t('signer.fields.where', { document: documentName, page });
  const family = signerName.trim().split(/[\s\u3000]+/)[0] ?? '';

  return (
    <div className="signer-fields__page">
      <h3 className="signer-fields__where">{where}</h3>
      <div className="signer-fields__layout">
        <div ref={stageRef} className="signer-fields__stage">
          {doc && width > 0 && (
            <PageCanvas
              doc={doc}
              pageNumber={page}
              width={width}
              label={where}
              overlay={(geometry) =>
                fields.map((f) => {
                  const box = geometry.toScreen(f.rect);
                  const value = values[f.id];
                  return (
                    <div key={f.id} className={`field-box field-box--${f.kind} field-box--signer`} style={box}>
                      {f.kind === 'seal' && (
                        <span className="field-box__seal" style={{ fontSize: Math.max(8, box.height / 3.2) }}>
                          {Array.from(family).slice(0, 3).join('\n')}
                        </span>
                      )}
                      {f.kind === 'date' && <span className="field-box__value">{dateText}</span>}
                      {f.kind === 'text' && (
                        <span className="field-box__value" style={{ fontSize: Math.max(8, box.height * 0.6) }}>
                          {typeof value === 'string' && value !== '' ? value : (f.label ?? '')}
                        </span>
                      )}
                      {f.kind === 'checkbox' && value === true && <span className="field-box__check">✓</span>}
                    </div>
                  );
                })
              }
            />
          )}
        </div>
        <div className="signer-fields__inputs">
          {fields.map((f, i) => {
            const id = `${idBase}-${i}`;
            const missing = showErrors && firstMissingField([f], values) !== undefined;
            switch (f.kind) {
              case 'seal':
                return (
                  <p key={f.id} className="signer-fields__auto">
                    <span className="signer-fields__seal-mark" aria-hidden="true">
                      {t('seal.mark')}
                    </span>
                    {t('signer.fields.seal')}
                  </p>
                );
              case 'date':
                return (
                  <p key={f.id} className="signer-fields__auto">
                    {t('signer.fields.date')}: {dateText}
                  </p>
                );
              case 'text':
                return (
                  <div key={f.id} className="field">
                    <label htmlFor={id} className="field__label">
                      {f.label || t('signer.fields.text')}{' '}
                      {f.required && <span className="tag tag--required">{t('signer.fields.required')}</span>}
                    </label>
                    <input
                      id={id}
                      className="input"
                      maxLength={100}
                      value={typeof values[f.id] === 'string' ? (values[f.id] as string) : ''}
                      aria-invalid={missing || undefined}
                      aria-describedby={missing ? `${id}-error` : undefined}
                      onChange={(e) => onChange({ ...values, [f.id]: e.target.value })}
                      data-testid="signer-field-text"
                    />
                    {missing && (
                      <p id={`${id}-error`} className="field__error">
                        {t('signer.fields.requiredMissing', { label: f.label || t('signer.fields.text') })}
                      </p>
                    )}
                  </div>
                );
              case 'checkbox':
                return (
                  <div key={f.id} className="field">
                    <label className="checkbox" htmlFor={id}>
                      <input
                        id={id}
                        type="checkbox"
                        checked={values[f.id] === true}
                        aria-invalid={missing || undefined}
                        onChange={(e) => onChange({ ...values, [f.id]: e.target.checked })}
                        data-testid="signer-field-checkbox"
                      />
                      {f.label || t('signer.fields.checkbox')}{' '}
                      {f.required && <span className="tag tag--required">{t('signer.fields.required')}</span>}
                    </label>
                    {missing && (
                      <p className="field__error">
                        {t('signer.fields.requiredMissing', { label: f.label || t('signer.fields.checkbox') })}
                      </p>
                    )}
                  </div>
                );
            }
          })}
        </div>
      </div>
    </div>
  );
}
