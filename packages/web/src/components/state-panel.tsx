// A centred card for whole-page states: locked, expired, done, not found, loading.
import type { ReactNode } from 'react';

/** A titled card; `tone` sets the icon colour. */
export function StatePanel({
  tone,
  title,
  children,
}: {
  tone: 'neutral' | 'success' | 'warning' | 'error';
  title: string;
  children?: ReactNode;
}) {
  const icon = tone === 'success' ? '✓' : tone === 'neutral' ? 'i' : '!';
  return (
    <section className={`state-panel state-panel--${tone}`} aria-labelledby="state-title">
      <div className="state-panel__icon" aria-hidden="true">
        {icon}
      </div>
      <h1 id="state-title" className="state-panel__title" tabIndex={-1}>
        {title}
      </h1>
      {children}
    </section>
  );
}

/** A loading placeholder announced to screen readers. */
export function Loading({ label }: { label: string }) {
  return (
    <div className="loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}
