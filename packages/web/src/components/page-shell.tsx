// The frame of every page: skip link, header with brand and language switch, main region.
import { useEffect, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import { LanguageSwitch } from './language-switch.tsx';

/** Page frame; `nav` holds the sender navigation, `width` the content width. */
export function PageShell({
  children,
  nav,
  width = 'normal',
  brandHref,
  title,
}: {
  children: ReactNode;
  /** The document title (before " | Inkan"). */
  title?: string;
  nav?: ReactNode;
  width?: 'narrow' | 'normal' | 'wide';
  brandHref?: string;
}) {
  const { t } = useI18n();
  useEffect(() => {
    document.title = title ? `${title} | ${t('app.name')}` : t('app.name');
  }, [title, t]);
  const brand = (
    <>
      <span className="brand__mark" aria-hidden="true">
        {t('seal.mark')}
      </span>
      <span className="brand__name">{t('app.name')}</span>
      <span className="brand__tagline">{t('app.tagline')}</span>
    </>
  );
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('common.skipToContent')}
      </a>
      <header className="topbar">
        <div className={`topbar__inner container container--${width === 'narrow' ? 'normal' : width}`}>
          {brandHref ? (
            <a className="brand" href={brandHref}>
              {brand}
            </a>
          ) : (
            <div className="brand">{brand}</div>
          )}
          <div className="topbar__end">
            {nav}
            <LanguageSwitch />
          </div>
        </div>
      </header>
      <main id="main" tabIndex={-1} className={`main container container--${width}`}>
        {children}
      </main>
    </div>
  );
}
