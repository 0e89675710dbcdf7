// A modal with キャンセル and one action in its footer, held open while the action runs.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import { ModalDialog } from './modal-dialog.tsx';

/** While `busy`, キャンセル is disabled and Esc or the backdrop do nothing; `action` is the footer's other button. */
export function ActionDialog({
  open,
  title,
  onClose,
  busy,
  action,
  children,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  busy: boolean;
  action: ReactNode;
  children: ReactNode;
}) {
  const { t } = useI18n();
  return (
    <ModalDialog
      open={open}
      title={title}
      onClose={onClose}
      dismissible={!busy}
      footer={
        <>
          <button type="button" className="btn btn--secondary" onClick={onClose} disabled={busy}>
            {t('common.cancel')}
          </button>
          {action}
        </>
      }
    >
      {children}
    </ModalDialog>
  );
}
