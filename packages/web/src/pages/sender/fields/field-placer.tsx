// 入力項目の配置: on a draft's (or a template's) page preview the sender picks a recipient (or role) and a
// kind (署名/押印, 日付, テキスト, チェックボックス), clicks where it goes, moves or removes it, and saves; the
// list under the page names every field with its owner and page. Rectangles are kept in PDF points, so the
// server checks them against the page box and the PDF receives them unchanged.
import { useCallback, useEffect, useId, useMemo, useState } from 'react';
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

/**
 * Where a placer's fields come from and go to: a draft's signers or a template's signer roles (the
 * owner's id travels as `recipientId` in the placer; the template page maps it to `roleId`).
 */
export interface FieldSource {
  documents: ReadonlyArray<{ id: string; name: string; pages: number }>;
  /** The PDF of a document, for the page preview. */
  documentUrl: (documentId: string) => string;
  /** Who fields can be placed for, in order (CC recipients never sign, so they are not here). */
  owners: ReadonlyArray<{ id: string; name: string; order: number }>;
  /** The label of the owner picker (入力する署名者 / 入力する役割). */
  ownerLabel: string;
  editable: boolean;
  /** Shown instead of the intro when not editable. */
  readonlyNote: string;
  /** The section title and the notice after saving, when not the draft's. */
  title?: string;
  savedNote?: string;
  /** The saved fields; (re)loaded when this function changes, so keep it stable (useCallback). */
  load: () => Promise<FieldPlacement[]>;
  save: (fields: FieldPlacement[]) => Promise<void>;
}

/** Places fields on a draft; read-only (list only) once sent. */
export function FieldPlacer({ envelope, isAdmin }: { envelope: Envelope; isAdmin: boolean }) {
  const { t } = useI18n();
  const base = `/api/v1/envelopes/${encodeURIComponent(envelope.id)}`;
  // Loaded once per envelope: a reload of the envelope page keeps unsaved placements.
  const load = useCallback(
    () =>
      apiGet<{ items: EnvelopeField[] }>(`${base}/fields`).then((page) =>
        page.items.map((f) => ({
          documentId: f.documentId,
          recipientId: f.recipientId,
          page: f.page,
          rect: f.rect,
          kind: f.kind,
          required: f.required,
          label: f.label,
        })),
      ),
    [base],
  );
  const source = useMemo<FieldSource>(
    () => ({
      documents: envelope.documents,
      documentUrl: (id) => `${base}/documents/${encodeURIComponent(id)}`,
      owners: envelope.recipients.filter((r) => r.role !== 'cc'),
      ownerLabel: t('fields.recipient'),
      editable: envelope.status === 'draft',
      readonlyNote: t('fields.readonly'),
      load,
      save: (fields) => apiRequest('PUT', `${base}/fields`, { fields }).then(() => undefined),
    }),
    [envelope, base, load, t],
  );
  return <FieldEditor source={source} isAdmin={isAdmin} />;
}

/** The placer itself, on any source: place by clicking, 移動 (then click the new place), 削除, 配置を保存. */
export function FieldEditor({ source, isAdmin }: { source: FieldSource; isAdmin: boolean }) {
  const { t, language } = useI18n();
  const { editable, owners } = source;
  const [fields, setFields] = useState<FieldPlacement[] | null>(null);
  const [dirty, setDirty] = useState(false);
  const [documentId, setDocumentId] = useState(source.documents[0]?.id ?? '');
  const [pageNumber, setPageNumber] = useState(1);
  const [recipientId, setRecipientId] = useState(owners[0]?.id ?? '');
  const [kind, setKind] = useState<FieldKind>('seal');
  const [required, setRequired] = useState(true);
  const [label, setLabel] = useState('');
  const [busy, setBusy] = useState(false);
  // The field being moved: the next click on the page puts it there.
  const [moving, setMoving] = useState<number | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const ids = { recipient: useId(), kind: useId(), label: useId(), required: useId(), document: useId() };

  const { load } = source;
  useEffect(() => {
    let canceled = false;
    load()
      .then((loaded) => !canceled && setFields(loaded))
      .catch((caught: unknown) => !canceled && setMessage({ tone: 'error', text: errorMessage(language, caught) }));
    return () => {
      canceled = true;
    };
  }, [load, language]);

  const document = source.documents.find((d) => d.id === documentId) ?? source.documents[0];
  const { doc, failed } = usePdf(document ? source.documentUrl(document.id) : null);
  const [stageRef, width] = useAvailableWidth(640);
  const colourOf = (id: string) =>
    RECIPIENT_COLOURS[
      Math.max(
        0,
        owners.findIndex((r) => r.id === id),
      ) % RECIPIENT_COLOURS.length
    ]!;
  const nameOf = (id: string) => owners.find((r) => r.id === id)?.name ?? '';
  const kindLabel = (k: FieldKind) => t(KIND_KEYS[k]);

  function place([x, y]: [number, number], geometry: PageGeometry) {
    if (!editable || !fields || !document) return;
    /** A w×h rectangle centred on the click, kept inside the page box. */
    const around = (w: number, h: number): FieldRect => {
      const [bx0, by0, bx1, by1] = geometry.box;
      const x0 = Math.min(Math.max(bx0, x - w / 2), bx1 - w);
      const y0 = Math.min(Math.max(by0, y - h / 2), by1 - h);
      return [x0, y0, x0 + w, y0 + h].map((n) => Math.round(n * 100) / 100) as FieldRect;
    };
    if (moving !== null) {
      const target = fields[moving];
      if (target) {
        const [x0, y0, x1, y1] = target.rect;
        const moved = { ...target, documentId: document.id, page: pageNumber, rect: around(x1 - x0, y1 - y0) };
        setFields(fields.map((f, i) => (i === moving ? moved : f)));
        setDirty(true);
      }
      setMoving(null);
      return;
    }
    const [w, h] = DEFAULT_FIELD_SIZE[kind];
    const rect = around(w, h);
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
    setMoving(null);
    setDirty(true);
  }

  /** 移動: shows the field's page; the next click there (or on any page) puts it. */
  function startMove(index: number) {
    const target = fields?.[index];
    if (!target) return;
    if (moving === index) return setMoving(null);
    setDocumentId(target.documentId);
    setPageNumber(target.page);
    setMoving(index);
    setMessage(null);
  }

  async function save() {
    if (!fields || busy) return;
    setBusy(true);
    try {
      await source.save(fields);
      setDirty(false);
      setMessage({ tone: 'success', text: source.savedNote ?? t('fields.saved') });
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
        {source.title ?? t('fields.title')}
      </h2>
      {editable ? <p className="muted">{t('fields.intro')}</p> : <p className="muted">{source.readonlyNote}</p>}
      {message && <Alert tone={message.tone}>{message.text}</Alert>}

      {editable && (
        <div className="fields__tools">
          <div className="field">
            <label htmlFor={ids.recipient} className="field__label">
              {source.ownerLabel}
            </label>
            <select
              id={ids.recipient}
              className="input"
              value={recipientId}
              onChange={(e) => setRecipientId(e.target.value)}
            >
              {owners.map((r) => (
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
        {source.documents.length > 1 && (
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
            {source.documents.map((d) => (
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
      {editable && (
        <p className="fields__hint" aria-live="polite">
          {moving !== null && fields?.[moving]
            ? t('fields.moveHint', {
                kind: kindLabel(fields[moving].kind),
                recipient: nameOf(fields[moving].recipientId),
              })
            : t('fields.placeHint', { kind: kindLabel(kind) })}
        </p>
      )}

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
                    className={`field-box field-box--${f.kind}${index === moving ? ' field-box--moving' : ''}`}
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
                <span className="fields__item-actions">
                  <button
                    type="button"
                    className="btn btn--ghost btn--small"
                    aria-pressed={moving === index}
                    onClick={() => startMove(index)}
                  >
                    {moving === index ? t('fields.moveCancel') : t('fields.move')}
                  </button>
                  <button type="button" className="btn btn--ghost btn--small" onClick={() => remove(index)}>
                    {t('fields.remove')}
                  </button>
                </span>
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
