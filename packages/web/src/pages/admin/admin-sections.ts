// The sections of the administration area (/admin/…), in menu order. Another section joins by adding a
// row here and a case in admin-page.tsx (the SSO/IP allow-list work adds 'security': セキュリティ設定,
// label key admin.nav.security).
import type { MessageKey } from '../../i18n/translate.ts';

export type AdminSectionKey =
  | 'organization'
  | 'members'
  | 'api-keys'
  | 'mail'
  | 'certificate'
  | 'signing'
  | 'sessions'
  | 'security'
  | 'retention'
  | 'jobs'
  | 'webhooks'
  | 'approvals';

/** One entry of the administration menu. */
export interface AdminSection {
  key: AdminSectionKey;
  path: string;
  label: MessageKey;
}

export const ADMIN_SECTIONS: readonly AdminSection[] = [
  { key: 'organization', path: '/admin/organization', label: 'admin.nav.organization' },
  { key: 'members', path: '/admin/members', label: 'admin.nav.members' },
  { key: 'api-keys', path: '/admin/api-keys', label: 'admin.nav.apiKeys' },
  { key: 'mail', path: '/admin/mail', label: 'admin.nav.mail' },
  { key: 'certificate', path: '/admin/certificate', label: 'admin.nav.certificate' },
  { key: 'signing', path: '/admin/signing', label: 'admin.nav.signing' },
  { key: 'sessions', path: '/admin/sessions', label: 'admin.nav.sessions' },
  { key: 'security', path: '/admin/security', label: 'admin.nav.security' },
  { key: 'retention', path: '/admin/retention', label: 'admin.nav.retention' },
  { key: 'jobs', path: '/admin/jobs', label: 'nav.failedJobs' },
  { key: 'webhooks', path: '/admin/webhooks', label: 'admin.nav.webhooks' },
  { key: 'approvals', path: '/admin/approvals', label: 'admin.nav.approvals' },
];
