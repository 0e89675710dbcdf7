// The UI's 500 page: an error while drawing a page shows a calm explanation (Japanese first) with
// 再読み込み and a link home instead of a blank screen. The error goes to the console for support.
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import { PageShell } from './page-shell.tsx';
import { StatePanel } from './state-panel.tsx';

/** Catches rendering errors below it; `resetKey` (the URL) clears the error on navigation. */
export class ErrorBoundary extends Component<{ children: ReactNode; resetKey: string }, { failedAt: string | null }> {
  override state: { failedAt: string | null } = { failedAt: null };

  static getDerivedStateFromError(): { failedAt: string | null } {
    return { failedAt: window.location.pathname + window.location.search };
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    console.error('Inkan UI error', error, info.componentStack);
  }

  override render(): ReactNode {
    if (this.state.failedAt !== null && this.state.failedAt === this.props.resetKey) return <ServerErrorPage />;
    return this.props.children;
  }
}

/** 問題が発生しました: what happened and what to do, with 再読み込み, トップへ and help. */
export function ServerErrorPage() {
  const { t } = useI18n();
  return (
    <PageShell title={t('serverError.title')}>
      <StatePanel tone="error" title={t('serverError.title')}>
        <p>{t('serverError.body')}</p>
        <div className="button-row">
          <button type="button" className="btn btn--primary" onClick={() => window.location.reload()}>
            {t('serverError.reload')}
          </button>
          <a className="btn btn--secondary" href="/">
            {t('serverError.home')}
          </a>
          <a className="btn btn--ghost" href="/help">
            {t('notFound.help')}
          </a>
        </div>
      </StatePanel>
    </PageShell>
  );
}
