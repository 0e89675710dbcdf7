// Senders' everyday tools on an envelope (issue 11 part 5): the access code shown again to the
// envelope's sender (after a confirmation; the server logs it), and 複製 / 修正して再送.
import { useState } from 'react';
import { apiPost } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import type { Envelope, Recipient } from '../../api/types.ts';
import { ActionDialog } from '../../components/action-dialog.tsx';
import { Alert } from '../../components/alert.tsx';
import { ModalDialog } from '../../components/modal-dialog.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { setFlash } from '../../lib/flash.ts';
import { navigate } from '../../lib/router.ts';

/** Whether the envelope's sender may see this recipient's code again (the server decides for real). */
export function canRevealCode(envelope: Envelope, recipient: Recipient): boolean {
  return (
    envelope.isSender === true &&
    (envelope.status === 'draft' || envelope.status === 'sent') &&
    recipient.auth === 'access_code' &&
    recipient.accessCodeStored === true &&
    recipient.status !== 'signed'
  );
}

/** コードを表示: a confirmation naming the log entry it makes, then the code in large digits. */
export function RevealCodeButton({ envelopeId, recipient }: { envelopeId: string; recipient: Recipient }) {
  const { t, language } = useI18n();
  const [step, setStep] = useState<'closed' | 'confirm' | 'shown'>('closed');
  const [busy, setBusy] = useState(false);
  const [code, setCode] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function reveal() {
    setBusy(true);
    setError(null);
    try {
      const path = `/api/v1/envelopes/${encodeURIComponent(envelopeId)}/recipients/${encodeURIComponent(recipient.id)}/access-code/reveal`;
      const result = await apiPost<{ accessCode: string }>(path);
      setCode(result.accessCode);
      setStep('shown');
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setBusy(false);
    }
  }

  function close() {
    // The code leaves the page's memory with the dialog.
    setCode(null);
    setError(null);
    setStep('closed');
  }

  return (
    <>
      <button
        type="button"
        className="btn btn--secondary btn--small"
        aria-label={t('env.revealLabel', { name: recipient.name })}
        onClick={() => setStep('confirm')}
      >
        {t('env.reveal')}
      </button>
      <ActionDialog
        open={step === 'confirm'}
        title={t('env.reveal.title')}
        onClose={close}
        busy={busy}
        action={
          <button type="button" className="btn btn--primary" onClick={reveal} disabled={busy} aria-busy={busy}>
            {t('env.reveal.confirm')}
          </button>
        }
      >
        <p className="modal__message">{t('env.reveal.body', { name: recipient.name })}</p>
        {error && <Alert tone="error">{error}</Alert>}
      </ActionDialog>
      {step === 'shown' && (
        <ModalDialog
          open
          title={t('env.reveal.code', { name: recipient.name })}
          onClose={close}
          footer={
            <button type="button" className="btn btn--primary" onClick={close}>
              {t('env.reveal.close')}
            </button>
          }
        >
          <p className="revealed-code mono" aria-label={t('env.reveal.code', { name: recipient.name })}>
            {code}
          </p>
          <p className="muted small">{t('env.reveal.hint')}</p>
        </ModalDialog>
      )}
    </>
  );
}

/** 複製 (any envelope) and 修正して再送 (after a decline, a cancel or the expiry): open the new draft. */
export function CopyButtons({ envelope, disabled }: { envelope: Envelope; disabled: boolean }) {
  const { t, language } = useI18n();
  const [busy, setBusy] = useState<'copy' | 'resubmit' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const canResubmit = envelope.status === 'declined' || envelope.status === 'canceled' || envelope.status === 'expired';

  async function duplicate(resubmit: boolean) {
    setBusy(resubmit ? 'resubmit' : 'copy');
    setError(null);
    try {
      const copy = await apiPost<Envelope>(`/api/v1/envelopes/${encodeURIComponent(envelope.id)}/duplicate`, {
        resubmit,
      });
      setFlash({ tone: 'success', text: t(resubmit ? 'env.resubmitted' : 'env.duplicated') });
      const id = encodeURIComponent(copy.id);
      navigate(resubmit ? `/envelopes/${id}/edit` : `/envelopes/${id}`);
    } catch (caught) {
      setError(errorMessage(language, caught));
      setBusy(null);
    }
  }

  return (
    <>
      {canResubmit && (
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => duplicate(true)}
          disabled={disabled || busy !== null}
          aria-busy={busy === 'resubmit'}
        >
          {t('env.resubmit')}
        </button>
      )}
      <button
        type="button"
        className="btn btn--secondary"
        onClick={() => duplicate(false)}
        disabled={disabled || busy !== null}
        aria-busy={busy === 'copy'}
      >
        {t('env.duplicate')}
      </button>
      {error && (
        <div className="button-row__message" role="alert">
          {error}
        </div>
      )}
    </>
  );
}
