// /admin/… (組織の管理): the organisation's administration for its administrators — 組織情報, メンバー,
// APIキー, メール設定 (送信テスト), 証明書の添付, セッション — with a side menu (admin-sections.ts).
import { Link } from '../../lib/use-location.tsx';
import { StatePanel } from '../../components/state-panel.tsx';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { SenderShell, useUser } from '../sender/sender-session.tsx';
import { ADMIN_SECTIONS, type AdminSectionKey } from './admin-sections.ts';
import { ApiKeysSection } from './api-keys-section.tsx';
import { ApprovalRoutesSection } from './approval-routes-section.tsx';
import { FailedJobs } from './failed-jobs-page.tsx';
import { CertificateSection, SessionsSection } from './settings-sections.tsx';
import { MailSection } from './mail-section.tsx';
import { MembersSection } from './members-section.tsx';
import { OrganizationSection } from './organization-section.tsx';
import { RetentionSection } from './retention-section.tsx';
import { SecuritySettings } from './security-settings-page.tsx';
import { WebhooksSection } from './webhooks-section.tsx';
import { SigningCertificateSection } from './signing-certificate-section.tsx';

/** The administration page of one section. */
export function AdminPage({ section }: { section: AdminSectionKey }) {
  const { t } = useI18n();
  const current = ADMIN_SECTIONS.find((s) => s.key === section)!;
  return (
    <SenderShell title={`${t(current.label)} | ${t('admin.title')}`}>
      <AdminArea section={section} />
    </SenderShell>
  );
}

function AdminArea({ section }: { section: AdminSectionKey }) {
  const { t } = useI18n();
  const user = useUser();
  if (user.role !== 'admin') return <StatePanel tone="warning" title={t('admin.notAdmin')} />;
  return (
    <div className="admin-layout">
      <nav className="admin-nav" aria-label={t('admin.nav.label')}>
        <p className="admin-nav__title">{t('admin.title')}</p>
        <ul>
          {ADMIN_SECTIONS.map((s) => (
            <li key={s.key}>
              <Link href={s.path} className="admin-nav__link" aria-current={s.key === section ? 'page' : undefined}>
                {t(s.label)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div className="admin-content">
        <SectionBody section={section} />
      </div>
    </div>
  );
}

function SectionBody({ section }: { section: AdminSectionKey }) {
  switch (section) {
    case 'organization':
      return <OrganizationSection />;
    case 'members':
      return <MembersSection />;
    case 'api-keys':
      return <ApiKeysSection />;
    case 'mail':
      return <MailSection />;
    case 'certificate':
      return <CertificateSection />;
    case 'signing':
      return <SigningCertificateSection />;
    case 'sessions':
      return <SessionsSection />;
    case 'security':
      return <SecuritySettings />;
    case 'retention':
      return <RetentionSection />;
    case 'jobs':
      return <FailedJobs />;
    case 'webhooks':
      return <WebhooksSection />;
    case 'approvals':
      return <ApprovalRoutesSection />;
  }
}
