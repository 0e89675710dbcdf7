// The narrow card of the sign-in, sign-up and password pages: title, lead, content, links below.
import type { ReactNode } from 'react';
import { Field } from '../../components/form-parts.tsx';
import { PageShell } from '../../components/page-shell.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';

/** A titled narrow card in the page frame. */
export function AuthCard({
  id,
  title,
  lead,
  children,
  footer,
}: {
  id: string;
  title: string;
  lead?: string;
  children: ReactNode;
  footer?: ReactNode;
}) {
  return (
    <PageShell title={title}>
      <section className="card card--narrow" aria-labelledby={`${id}-title`}>
        <h1 id={`${id}-title`} className="page-title">
          {title}
        </h1>
        {lead && <p className="muted">{lead}</p>}
        {children}
        {footer && <div className="auth-links">{footer}</div>}
      </section>
    </PageShell>
  );
}

/** Where a signed-in account lands by default: its organisation's envelopes, or the account page. */
export function homeOf(user: { organization: unknown }): string {
  return user.organization ? '/envelopes' : '/account';
}

/** A new-password input with the policy hint (10+ characters, no common password) under it. */
export function NewPasswordField({
  id,
  label,
  value,
  onChange,
  errorId,
  error,
  autoFocus,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  errorId: string;
  error: string | null;
  autoFocus?: boolean;
}) {
  const { t } = useI18n();
  const hintId = `${id}-hint`;
  return (
    <Field id={id} label={label}>
      <input
        id={id}
        className="input"
        type="password"
        autoComplete="new-password"
        autoFocus={autoFocus}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        aria-describedby={error ? `${errorId} ${hintId}` : hintId}
      />
      <p id={hintId} className="field__hint">
        {t('signupComplete.passwordHint')}
      </p>
    </Field>
  );
}
