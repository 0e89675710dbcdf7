// The narrow card of the sign-in, sign-up and password pages: title, lead, content, links below.
import type { ReactNode } from 'react';
import { PageShell } from '../../components/page-shell.tsx';

/** A titled narrow card in the page frame. */
export function AuthCard({ id, title, lead, children, footer }: { id: string; title: string; lead?: string; children: ReactNode; footer?: ReactNode }) {
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
