// PDFファイルを検証: drop or pick a PDF, send it to POST /api/verify, show the report.
import { useRef, useState, type DragEvent } from 'react';
import { ApiError } from '../../api/client.ts';
import { errorMessage } from '../../api/messages.ts';
import { uploadMultipart } from '../../api/upload.ts';
import type { VerifyResponse } from '../../api/verify-types.ts';
import { Alert } from '../../components/alert.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { ReportView } from './report-view.tsx';

type Phase =
  | { kind: 'idle' }
  | { kind: 'sending'; fileName: string; fraction: number }
  | { kind: 'done'; fileName: string; response: VerifyResponse }
  | { kind: 'error'; message: string };

/** The drop zone and, once a file was verified, its report. */
export function FileVerifier() {
  const { t, language } = useI18n();
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const request = useRef(0);

  async function verify(file: File) {
    const mine = ++request.current;
    setPhase({ kind: 'sending', fileName: file.name, fraction: 0 });
    const form = new FormData();
    form.append('file', file, file.name);
    try {
      const response = await uploadMultipart<VerifyResponse>('/api/verify', form, (fraction) => {
        if (mine === request.current) setPhase({ kind: 'sending', fileName: file.name, fraction });
      });
      if (mine === request.current) setPhase({ kind: 'done', fileName: file.name, response });
    } catch (caught) {
      if (mine !== request.current) return;
      const maxBytes = caught instanceof ApiError ? caught.details['maxBytes'] : undefined;
      const message =
        caught instanceof ApiError && caught.code === 'PAYLOAD_TOO_LARGE' && typeof maxBytes === 'number'
          ? t('verify.tooLarge', { mb: Math.floor(maxBytes / 1048576) })
          : errorMessage(language, caught);
      setPhase({ kind: 'error', message });
    }
  }

  function onDrop(event: DragEvent<HTMLDivElement>) {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file) void verify(file);
  }

  const sending = phase.kind === 'sending';
  const percent = sending ? Math.round(phase.fraction * 100) : 0;
  return (
    <div className="verify-file">
      <div
        className={`dropzone verify-drop${dragging ? ' dropzone--active' : ''}${phase.kind === 'done' ? ' verify-drop--compact' : ''}`}
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => event.preventDefault()}
        onDragLeave={(event) => {
          if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
        }}
        onDrop={onDrop}
      >
        <span className="verify-drop__icon" aria-hidden="true">
          PDF
        </span>
        <p className="dropzone__title">{t('verify.drop')}</p>
        <p className="dropzone__or">{t('verify.or')}</p>
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => fileInput.current?.click()}
          disabled={sending}
          aria-describedby="verify-privacy"
        >
          {phase.kind === 'done' ? t('verify.again') : t('verify.pick')}
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/pdf,.pdf"
          className="visually-hidden"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="verify-file-input"
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void verify(file);
          }}
        />
        <p id="verify-privacy" className="verify-privacy">
          <svg
            className="verify-privacy__icon"
            viewBox="0 0 16 16"
            width="16"
            height="16"
            aria-hidden="true"
            focusable="false"
          >
            <path d="M4.5 7V5a3.5 3.5 0 0 1 7 0v2" fill="none" stroke="currentColor" strokeWidth="1.6" />
            <rect x="2.5" y="7" width="11" height="8" rx="1.5" fill="currentColor" />
          </svg>
          {t('verify.privacy')}
        </p>
      </div>

      {sending && (
        <div className="verify-progress" role="status" aria-live="polite">
          <span className="spinner" aria-hidden="true" />
          <span className="verify-progress__text">
            <span className="verify-break">{phase.fileName}</span> —{' '}
            {percent < 100 ? t('verify.uploading', { percent }) : t('verify.verifying')}
          </span>
          <progress className="verify-progress__bar" max={100} value={percent} aria-label={t('verify.progressLabel')} />
        </div>
      )}
      {phase.kind === 'error' && <Alert tone="error">{phase.message}</Alert>}
      {phase.kind === 'done' && <ReportView response={phase.response} fileName={phase.fileName} />}
    </div>
  );
}
