// Inline messages: errors are announced at once (role=alert), notices politely (role=status).
import type { ReactNode } from 'react';

/** A message box; `tone` picks colour and ARIA role. */
export function Alert({
  tone,
  children,
  id,
}: {
  tone: 'error' | 'info' | 'success' | 'warning';
  children: ReactNode;
  id?: string;
}) {
  return (
    <div id={id} className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}
