// The envelope flow's parts of the sender screens (issue 11 parts 5 and 8b): a recipient's role
// (署名者 or 受信者 (CC)) and parallel signing on the create form, and the CC tag, the order badge and
// the リマインド button on the envelope page. Kept apart from the pages so that they stay small.
import { useId } from 'react';
import type { Recipient, RecipientRole } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';

/** What the create form keeps per recipient for the flow. */
export interface FlowDraft {
  role: RecipientRole;
  /** Signs at the same time as the signer above (same order: parallel signing). */
  withPrevious: boolean;
}

/**
 * The signing order of each recipient of the form, in list order: signers count 1, 2, 3 …; a signer
 * marked 「前の署名者と同時に署名」 takes the order of the signer above; CC recipients have none (null).
 */
export function signingOrders(recipients: readonly FlowDraft[]): Array<number | null> {
  let order = 0;
  return recipients.map((r) => {
    if (r.role === 'cc') return null;
    if (!(r.withPrevious && order > 0)) order += 1;
    return order;
  });
}

/** Whether a signer can be marked parallel: there is a signer above it. */
export function hasSignerAbove(recipients: readonly FlowDraft[], index: number): boolean {
  return recipients.slice(0, index).some((r) => r.role === 'signer');
}

/** 役割 (署名者 / 受信者 (CC)) and 前の署名者と同時に署名, for one recipient of the create form. */
export function RecipientFlowFields({
  draft,
  canBeParallel,
  onChange,
}: {
  draft: FlowDraft;
  canBeParallel: boolean;
  onChange: (patch: Partial<FlowDraft>) => void;
}) {
  const { t } = useI18n();
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-role`} className="field__label">
          {t('flow.role')}
        </label>
        <select
          id={`${id}-role`}
          className="input select"
          value={draft.role}
          onChange={(event) => onChange({ role: event.target.value as RecipientRole })}
          aria-describedby={`${id}-role-hint`}
        >
          <option value="signer">{t('flow.role.signer')}</option>
          <option value="cc">{t('flow.role.cc')}</option>
        </select>
        <p id={`${id}-role-hint`} className="field__hint">
          {draft.role === 'cc' ? t('flow.role.ccHint') : t('flow.role.signerHint')}
        </p>
      </div>
      {draft.role === 'signer' && canBeParallel && (
        <div className="field">
          <span className="field__label">{t('flow.parallel')}</span>
          <label className="admin-check">
            <input
              type="checkbox"
              checked={draft.withPrevious}
              onChange={(event) => onChange({ withPrevious: event.target.checked })}
            />
            <span>{t('flow.withPrevious')}</span>
          </label>
        </div>
      )}
    </>
  );
}

/** The badge before a recipient's name: the signing order, or CC. */
export function OrderBadge({ order }: { order: number | null }) {
  const { t } = useI18n();
  if (order === null)
    return (
      <span className="order-badge order-badge--cc" aria-label={t('flow.role.cc')}>
        CC
      </span>
    );
  return (
    <span className="order-badge" aria-label={`${t('env.recipient.order')} ${order}`}>
      {order}
    </span>
  );
}

/** Signers in signing order (parallel ones together, as the server lists them), then the CC recipients. */
export function displayOrder(recipients: readonly Recipient[]): Recipient[] {
  const signers = recipients.filter((r) => r.role !== 'cc');
  const cc = recipients.filter((r) => r.role === 'cc');
  return [...[...signers].sort((a, b) => a.order - b.order), ...cc];
}

/** Whether another signer has the same order (shown as 同時に署名). */
export function isParallel(recipients: readonly Recipient[], recipient: Recipient): boolean {
  return (
    recipient.role !== 'cc' &&
    recipients.some((r) => r.id !== recipient.id && r.role !== 'cc' && r.order === recipient.order)
  );
}

/** The tag of a CC recipient (in place of a signing status) or of a parallel signer. */
export function RecipientFlowTag({
  recipients,
  recipient,
}: {
  recipients: readonly Recipient[];
  recipient: Recipient;
}) {
  const { t } = useI18n();
  if (recipient.role === 'cc') return <span className="tag">{t('flow.ccTag')}</span>;
  if (isParallel(recipients, recipient)) return <span className="tag">{t('flow.parallelTag')}</span>;
  return null;
}

/** リマインド: mails the signer a new link, earlier ones kept (the server allows one per hour). */
export function RemindButton({
  recipient,
  disabled,
  busy,
  onRemind,
}: {
  recipient: Recipient;
  disabled: boolean;
  busy: boolean;
  onRemind: () => void;
}) {
  const { t } = useI18n();
  return (
    <button
      type="button"
      className="btn btn--secondary btn--small"
      disabled={disabled}
      aria-busy={busy}
      aria-label={t('flow.remindLabel', { name: recipient.name })}
      onClick={onRemind}
    >
      {t('flow.remind')}
    </button>
  );
}
