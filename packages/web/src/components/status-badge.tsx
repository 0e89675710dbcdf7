// Status pills for envelopes and recipients, with the labels of the issue (下書き, 送信済み …).
import { useI18n } from '../i18n/i18n-context.tsx';
import type { EnvelopeStatus, RecipientStatus } from '../api/types.ts';
import type { MessageKey } from '../i18n/translate.ts';

/** The badge of an envelope status. */
export function EnvelopeStatusBadge({ status }: { status: EnvelopeStatus }) {
  const { t } = useI18n();
  return <span className={`badge badge--${status}`}>{t(`status.envelope.${status}` as MessageKey)}</span>;
}

/** The label key of a recipient's state: `pending` reads 下書き before sending, 順番待ち after. */
export function recipientStateKey(status: RecipientStatus, envelopeStatus: EnvelopeStatus | null): MessageKey {
  if (status === 'pending') {
    if (envelopeStatus === 'draft') return 'status.recipient.draft';
    if (envelopeStatus === 'sent') return 'status.recipient.waiting';
    return 'status.recipient.pending';
  }
  return `status.recipient.${status}` as MessageKey;
}

/** The badge of a recipient's state. */
export function RecipientStatusBadge({
  status,
  envelopeStatus,
}: {
  status: RecipientStatus;
  envelopeStatus: EnvelopeStatus | null;
}) {
  const { t } = useI18n();
  const tone = status === 'pending' ? (envelopeStatus === 'draft' ? 'draft' : 'pending') : status;
  return <span className={`badge badge--r-${tone}`}>{t(recipientStateKey(status, envelopeStatus))}</span>;
}
