// /verify: public verification, no account needed. Two ways in, as tabs: drop a signed PDF and read
// the verifier's report, or enter a certificate ID (締結証明書ID) and compare its public summary with
// the printed contract. `/verify?id=IK-…` opens the second with the ID looked up.
import { useRef, useState, type KeyboardEvent } from 'react';
import { PageShell } from '../components/page-shell.tsx';
import { useI18n } from '../i18n/i18n-context.tsx';
import { CertificateLookup } from './verify/certificate-lookup.tsx';
import { FileVerifier } from './verify/file-verifier.tsx';
import './verify/verify.css';

type Tab = 'file' | 'certificate';
const TABS: Tab[] = ['file', 'certificate'];

/** The public verification page. */
export function VerifyPage({ initialCertificateId }: { initialCertificateId: string | null }) {
  const { t } = useI18n();
  const [tab, setTab] = useState<Tab>(initialCertificateId ? 'certificate' : 'file');
  const tabRefs = useRef<Record<Tab, HTMLButtonElement | null>>({ file: null, certificate: null });

  // Arrow keys, Home and End move between tabs (WAI-ARIA tabs pattern, automatic activation).
  function onTabKey(event: KeyboardEvent<HTMLButtonElement>) {
    const index = TABS.indexOf(tab);
    let next: Tab | undefined;
    if (event.key === 'ArrowRight') next = TABS[(index + 1) % TABS.length];
    else if (event.key === 'ArrowLeft') next = TABS[(index - 1 + TABS.length) % TABS.length];
    else if (event.key === 'Home') next = TABS[0];
    else if (event.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    event.preventDefault();
    setTab(next);
    tabRefs.current[next]?.focus();
  }

  return (
    <PageShell title={t('verify.title')}>
      <div className="verify-page">
        <header className="verify-head">
          <h1 className="page-title">{t('verify.title')}</h1>
          <p className="muted">{t('verify.lead')}</p>
        </header>
        <div className="verify-tabs" role="tablist" aria-label={t('verify.tabs')}>
          {TABS.map((value) => (
            <button
              key={value}
              ref={(element) => {
                tabRefs.current[value] = element;
              }}
              type="button"
              role="tab"
              id={`verify-tab-${value}`}
              aria-controls={`verify-panel-${value}`}
              aria-selected={tab === value}
              tabIndex={tab === value ? 0 : -1}
              className="verify-tabs__tab"
              onClick={() => setTab(value)}
              onKeyDown={onTabKey}
            >
              {t(value === 'file' ? 'verify.tab.file' : 'verify.tab.certificate')}
            </button>
          ))}
        </div>
        {/* Both panels stay mounted, so a report is still there after a look at the other tab. */}
        <div
          role="tabpanel"
          id="verify-panel-file"
          aria-labelledby="verify-tab-file"
          hidden={tab !== 'file'}
          className="verify-panel"
        >
          <FileVerifier />
        </div>
        <div
          role="tabpanel"
          id="verify-panel-certificate"
          aria-labelledby="verify-tab-certificate"
          hidden={tab !== 'certificate'}
          className="verify-panel"
        >
          <CertificateLookup initialId={initialCertificateId} />
        </div>
      </div>
    </PageShell>
  );
}
