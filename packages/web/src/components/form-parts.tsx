// Pieces every form repeats: the error under the fields, the busy-aware submit button, field ARIA.
import type { ReactNode } from 'react';
import { Alert } from './alert.tsx';

/** The form's error (announced at once), or nothing; `id` is what the fields' aria-describedby names. */
export function FormError({ id, error }: { id: string; error: string | null }) {
  if (!error) return null;
  return (
    <Alert tone="error" id={id}>
      {error}
    </Alert>
  );
}

/** The submit button; disabled and aria-busy while the request runs (no double submission). */
export function SubmitButton({
  busy,
  className = 'btn btn--primary btn--block btn--large',
  children,
}: {
  busy: boolean;
  className?: string;
  children: ReactNode;
}) {
  return (
    <button type="submit" className={className} disabled={busy} aria-busy={busy}>
      {children}
    </button>
  );
}

/** ARIA of a field with a hint: invalid while there is an error, described by the error (if any) and the hint. */
export function fieldAria(
  error: string | null,
  errorId: string,
  hintId: string,
): { 'aria-invalid': true | undefined; 'aria-describedby': string } {
  return { 'aria-invalid': error ? true : undefined, 'aria-describedby': error ? `${errorId} ${hintId}` : hintId };
}

/** A labelled field: `label` names the control `id` among `children` (which may add a hint). */
export function Field({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {label}
      </label>
      {children}
    </div>
  );
}
