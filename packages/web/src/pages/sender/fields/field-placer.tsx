// 入力項目の配置: on a draft's page preview the sender picks a recipient and a kind (署名/押印, 日付,
// テキスト, チェックボックス), clicks where it goes, and saves; the list under the page names every
// field with its recipient and page. Rectangles are kept in PDF points, so the server checks them
// against the page box and the PDF receives them unchanged.
import { useEffect, useId, useState } from 'react';
import { apiGet, apiRequest } from '../../../api/client.ts';
import { errorMessage } from '../../../api/messages.ts';
import {
  DEFAULT_FIELD_SIZE,
  FIELD_KINDS,
  type EnvelopeField,
  type FieldKind,
  type FieldPlacement,
  type FieldRect,
} from '../../../api/field-types.ts';
import type { Envelope } from '../../../api/types.ts';
import { Alert } from '../../../components/alert.tsx';
import { PageCanvas, useAvailableWidth, usePdf, type PageGeometry } from '../../../components/page-canvas.tsx';
import { useI18n } from '../../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../../i18n/translate.ts';
import { Link } from '../../../lib/use-location.tsx';

/** The label of each kind. */
export const KIND_KEYS = {
  seal: 'fields.kind.seal',
  date: 'fields.kind.date',
  text: 'fields.kind.text',
  checkbox: 'fields.kind.checkbox',
} as const satisfies Record<FieldKind, MessageKey>;

/** Colours that tell recipients apart on the page (and in the list). */
const RECIPIENT_COLOURS = ['#1d4ed8', '#b45309', '#047857', '#7c3aed', '#be123c', '#0e7490'];

/** Places fields on a draft; read-only (list only) once sent. */
export function FieldPlacer({ envelope, isAdmin }: { envelope: Envelope; isAdmin: boolean }) {
  const { t, language } = useI18n();
  const base = `/api/v1/envelopes/${encodeURIComponent(envelope.id)}`;
  const editable = envelope.status === 'draft';
  const [fields, setFields] = useState<FieldPlacement[] | null>(null);
  const [dirty, setDirty] = useState(false);
  const [documentId, setDocumentId] = useState(envelope.documents[0]?.id ?? '');
  const [pageNumber, setPageNumber] = useState(1);
  // CC recipients never sign, so they get no fields.
  const signers = envelope.recipients.filter((r) => r.role !== 'cc');
  const [recipientId, setRecipientId] = useState(signers[0]?.id ?? '');
  const [kind, setKind] = useState<FieldKind>('seal');
  const [required, setRequired] = useState(true);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const ids = { recipient: useId(), kind: useId(), label: useId(), required: useId(), document: useId() };

  useEffect(() => {
    let canceled = false;
    apiGet<{ items: EnvelopeField[] }>(`${base}/fields`)
      .then((page) => {
        if (canceled) return;
        setFields(
          page.items.map((f) => ({
            documentId: f.documentId,
            recipientId: f.recipientId,
            page: f.page,
            rect: f.rect,
            kind: f.kind,
            required: f.required,
            label: f.label,
          })),
        );
      })
      .catch((caught: unknown) => !canceled && setMessage({ tone: 'error', text: errorMessage(language, caught) }));
    return () => {
      canceled = true;
    };
  }, [base, language]);

  const document = envelope.documents.find((d) => d.id === documentId) ?? envelope.documents[0];
  const { doc, failed } = usePdf(document ? `${base}/documents/${encodeURIComponent(document.id)}` : null);
  const [stageRef, width] = useAvailableWidth(640);
  const colourOf = (id: string) =>
    RECIPIENT_COLOURS[
      Math.max(
        0,
        envelope.recipients.findIndex((r) => r.id === id),
      ) % RECIPIENT_COLOURS.length
    ]!;
  const nameOf = (id: string) => envelope.recipients.find((r) => r.id === id)?.name ?? '';
  const kindLabel = (k: FieldKind) => t(KIND_KEYS[k]);

  function place([x, y]: [number, number], geometry: PageGeometry) {
    if (!editable || !fields || !document) return;
    const [w, h] = DEFAULT_FIELD_SIZE[kind];
    const [bx0, by0, bx1, by1] = geometry.box;
    const x0 = Math.min(Math.max(bx0, x - w / 2), bx1 - w);
    const y0 = Math.min(Math.max(by0, y - h / 2), by1 - h);
    const rect: FieldRect = [x0, y0, x0 + w, y0 + h].map((n) => Math.round(n * 100) / 100) as FieldRect;
    const field: FieldPlacement = { documentId: document.id, recipientId, page: pageNumber, rect, kind };
    if (kind === 'text' || kind === 'checkbox') {
      field.required = required;
      if (label.trim()) field.label = label.trim();
    }
    setFields([...fields, field]);
    setDirty(true);
    setMessage(null);
  }

  function remove(index: number) {
    if (!fields) return;
    setFields(fields.filter((_, i) => i !== index));
    setDirty(true);
  }

  async function save() {
    if (!fields || busy) return;
    setBusy(true);
    try {
      await apiRequest('PUT', `${base}/fields`, { fields });
      setDirty(false);
      setMessage({ tone: 'success', text: t('fields.saved') });
    } catch (caught) {
      setMessage({ tone: 'error', text: errorMessage(language, caught) });
    } finally {
      setBusy(false);
    }
  }

  const onPage = (fields ?? [])
    .map((f, index) => ({ f, index }))
    .filter(({ f }) => f.documentId === document?.id && f.page === pageNumber);

  return (
    <section className="card fields" aria-labelledby="fields-title">
      <h2 id="fields-title" className="section-title">
        {t('fields.title')}
      </h2>
      {editable ? <p className="muted">{t('fields.intro')}</p> : <p className="muted">{t('fields.readonly')}</p>}
      {message && <Alert tone={message.tone}>{message.text}</Alert>}

      {editable && (
        <div className="fields__tools">
          <div className="field">
            <label htmlFor={ids.recipient} className="field__label">
              {t('fields.recipient')}
            </label>
            <select
              id={ids.recipient}
              className="input"
              value={recipientId}
              onChange={(e) => setRecipientId(e.target.value)}
            >
              {signers.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.order}. {r.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.kind} className="field__label">
              {t('fields.kind')}
            </label>
            <select id={ids.kind} className="input" value={kind} onChange={(e) => setKind(e.target.value as FieldKind)}>
              {FIELD_KINDS.map((k) => (
                <option key={k} value={k}>
                  {kindLabel(k)}
                </option>
              ))}
            </select>
          </div>
          {(kind === 'text' || kind === 'checkbox') && (
            <>
              <div className="field">
                <label htmlFor={ids.label} className="field__label">
                  {t('fields.label')}
                </label>
                <input
                  id={ids.label}
                  className="input"
                  value={label}
                  maxLength={50}
                  placeholder={t('fields.labelPlaceholder')}
                  onChange={(e) => setLabel(e.target.value)}
                />
              </div>
              <label className="checkbox fields__required" htmlFor={ids.required}>
                <input
                  id={ids.required}
                  type="checkbox"
                  checked={required}
                  onChange={(e) => setRequired(e.target.checked)}
                />
                {t('fields.required')}
              </label>
            </>
          )}
        </div>
      )}

      <div className="fields__nav">
        {envelope.documents.length > 1 && (
          <select
            id={ids.document}
            aria-label={t('fields.document')}
            className="input fields__document"
            value={document?.id}
            onChange={(e) => {
              setDocumentId(e.target.value);
              setPageNumber(1);
            }}
          >
            {envelope.documents.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        )}
        <button
          type="button"
          className="btn btn--tool"
          disabled={pageNumber <= 1}
          onClick={() => setPageNumber(pageNumber - 1)}
        >
          ‹ {t('fields.prev')}
        </button>
        <span className="fields__page" aria-live="polite">
          {t('fields.page', { page: pageNumber, total: document?.pages ?? 1 })}
        </span>
        <button
          type="button"
          className="btn btn--tool"
          disabled={pageNumber >= (document?.pages ?? 1)}
          onClick={() => setPageNumber(pageNumber + 1)}
        >
          {t('fields.next')} ›
        </button>
      </div>
      {editable && <p className="fields__hint">{t('fields.placeHint', { kind: kindLabel(kind) })}</p>}

      <div ref={stageRef} className="fields__stage">
        {failed && <Alert tone="error">{t('viewer.error')}</Alert>}
        {doc && width > 0 && document && (
          <PageCanvas
            doc={doc}
            pageNumber={pageNumber}
            width={width}
            label={`${document.name} ${t('fields.page', { page: pageNumber, total: document.pages })}`}
            onClickPoint={editable ? place : undefined}
            overlay={(geometry) =>
              onPage.map(({ f, index }) => {
                const box = geometry.toScreen(f.rect);
                return (
                  <div
                    key={index}
                    className={`field-box field-box--${f.kind}`}
                    style={{ ...box, borderColor: colourOf(f.recipientId), color: colourOf(f.recipientId) }}
                    data-testid="placed-field"
                  >
                    <span className="field-box__label">
                      {f.label || kindLabel(f.kind)}
                      {f.kind !== 'checkbox' && <span className="field-box__who"> {nameOf(f.recipientId)}</span>}
                    </span>
                  </div>
                );
              })
            }
          />
        )}
      </div>

      <h3 className="fields__list-title">{t('fields.list', { n: fields?.length ?? 0 })}</h3>
      {fields && fields.length === 0 ? (
        <p className="muted">{t('fields.none')}</p>
      ) : (
        <ul className="fields__list">
          {(fields ?? []).map((f, index) => (
            <li key={index} className="fields__item">
              <span className="fields__swatch" style={{ background: colourOf(f.recipientId) }} aria-hidden="true" />
              <span className="fields__item-text">
                {t('fields.item', {
                  kind: f.label ? `${kindLabel(f.kind)}「${f.label}」` : kindLabel(f.kind),
                  recipient: nameOf(f.recipientId),
                  page: f.page,
                })}
                {(f.kind === 'text' || f.kind === 'checkbox') && (
                  <span className="tag">{f.required ? t('fields.required') : t('fields.optional')}</span>
                )}
              </span>
              {editable && (
                <button type="button" className="btn btn--ghost btn--small" onClick={() => remove(index)}>
                  {t('fields.remove')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {editable && (
        <div className="fields__actions">
          {dirty && <span className="muted small">{t('fields.unsaved')}</span>}
          <button type="button" className="btn btn--primary" onClick={save} disabled={busy || !dirty} aria-busy={busy}>
            {busy ? t('fields.saving') : t('fields.save')}
          </button>
        </div>
      )}
      {editable && (
        <p className="muted small">
          {t('fields.orgSealNote')} {isAdmin && <Link href="/admin/seal">{t('fields.orgSealLink')}</Link>}
        </p>
      )}
    </section>
  );
}
