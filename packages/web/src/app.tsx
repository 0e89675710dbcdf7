// Picks the page for the current URL.
import { useEffect } from 'react';
import { ApiError, apiGet } from './api/client.ts';
import type { SessionResponse } from './api/types.ts';
import { ErrorBoundary } from './components/error-boundary.tsx';
import { PageShell } from './components/page-shell.tsx';
import { Loading, StatePanel } from './components/state-panel.tsx';
import { useI18n } from './i18n/i18n-context.tsx';
import { matchRoute, navigate } from './lib/router.ts';
import { useLocation } from './lib/use-location.tsx';
import { ApprovalInboxPage, ApprovalPage } from './pages/approvals/approval-pages.tsx';
import { ClaimPage } from './pages/claim-page.tsx';
import { DownloadPage } from './pages/download-page.tsx';
import { HelpPage } from './pages/help-page.tsx';
import { ContractImportPage } from './pages/register/contract-import-page.tsx';
import { ContractListPage } from './pages/register/contract-list-page.tsx';
import { ContractPage } from './pages/register/contract-page.tsx';
import { DeadlinesPage } from './pages/register/deadlines-page.tsx';
import { RenewalsPage } from './pages/register/renewals-page.tsx';
import { AccountPage, AccountSecurityPage } from './pages/account/account-page.tsx';
import { EmailConfirmPage, ForgotPasswordPage, ResetPasswordPage } from './pages/account/password-pages.tsx';
import { SignupCompletePage } from './pages/account/signup-complete-page.tsx';
import { SignupPage } from './pages/account/signup-page.tsx';
import { AuditPage } from './pages/sender/audit-page.tsx';
import { AddressBookPage } from './pages/sender/address-book-page.tsx';
import { TemplatePage } from './pages/templates/template-page.tsx';
import { TemplatesPage } from './pages/templates/templates-page.tsx';
import { SignerRegistrationPage } from './pages/signer-registration-page.tsx';
import { AdminPage } from './pages/admin/admin-page.tsx';
import { InvitationPage } from './pages/admin/invitation-page.tsx';
import { OrganizationSealPage } from './pages/sender/organization-seal-page.tsx';
import { EnvelopeListPage } from './pages/sender/envelope-list-page.tsx';
import { EnvelopeNewPage } from './pages/sender/envelope-new-page.tsx';
import { EnvelopePage } from './pages/sender/envelope-page.tsx';
import { EnvelopeEditPage } from './pages/sender/envelope-edit-page.tsx';
import { EnvelopeReviewPage } from './pages/sender/envelope-review-page.tsx';
import { LoginLinkPage } from './pages/sender/login-link-page.tsx';
import { LoginPage } from './pages/sender/login-page.tsx';
import { rememberSession } from './pages/sender/sender-session.tsx';
import { SignerPage } from './pages/signer/signer-page.tsx';
import { VerifyPage } from './pages/verify-page.tsx';

/** The application root. */
export function App() {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location}>
      <RoutedPage location={location} />
    </ErrorBoundary>
  );
}

function RoutedPage({ location }: { location: string }) {
  const [pathname, search = ''] = location.split(/(?=\?)/);
  const route = matchRoute(pathname ?? '/', search);
  switch (route.name) {
    case 'home':
      return <HomeRedirect />;
    case 'login':
      return <LoginPage />;
    case 'login-link':
      return <LoginLinkPage token={route.token} />;
    case 'envelopes':
      return <EnvelopeListPage />;
    case 'envelope-new':
      return <EnvelopeNewPage />;
    case 'envelope':
      return <EnvelopePage key={route.id} id={route.id} />;
    case 'envelope-review':
      return <EnvelopeReviewPage key={route.id} id={route.id} />;
    case 'envelope-edit':
      return <EnvelopeEditPage key={route.id} id={route.id} />;
    case 'sign':
      return <SignerPage key={route.token} token={route.token} />;
    case 'download':
      return <DownloadPage key={route.token} token={route.token} />;
    case 'verify':
      return <VerifyPage initialCertificateId={route.certificateId} />;
    case 'help':
      return <HelpPage />;
    case 'audit':
      return <AuditPage />;
    case 'organization-seal':
      return <OrganizationSealPage />;
    case 'address-book':
      return <AddressBookPage />;
    case 'templates':
      return <TemplatesPage />;
    case 'template':
      return <TemplatePage key={route.id} id={route.id} />;
    case 'signer-registration':
      return <SignerRegistrationPage key={route.token} token={route.token} />;
    case 'contracts':
      return <ContractListPage />;
    case 'contract-import':
      return <ContractImportPage />;
    case 'contract-deadlines':
      return <DeadlinesPage />;
    case 'contract-renewals':
      return <RenewalsPage />;
    case 'contract':
      return <ContractPage key={route.id} id={route.id} />;
    case 'claim':
      return <ClaimPage key={route.token} token={route.token} />;
    case 'signup':
      return <SignupPage next={route.next} />;
    case 'signup-complete':
      return <SignupCompletePage key={route.token} token={route.token} />;
    case 'password-forgot':
      return <ForgotPasswordPage />;
    case 'password-reset':
      return <ResetPasswordPage key={route.token} token={route.token} />;
    case 'account-security':
      return <AccountSecurityPage />;
    case 'account':
      return <AccountPage />;
    case 'email-confirm':
      return <EmailConfirmPage key={route.token} token={route.token} />;
    case 'admin':
      return <AdminPage key={route.section} section={route.section} />;
    case 'invitation':
      return <InvitationPage key={route.token} token={route.token} />;
    case 'approvals':
      return <ApprovalInboxPage />;
    case 'approval':
      return <ApprovalPage key={route.id} id={route.id} />;
    case 'not-found':
      return <NotFound />;
  }
}

/** `/`: the envelope list when signed in, else the sign-in page. */
function HomeRedirect() {
  const { t } = useI18n();
  useEffect(() => {
    apiGet<SessionResponse>('/api/session')
      .then((session) => {
        rememberSession(session);
        // A personal account has no envelopes of an organisation: its home is the account page.
        navigate(session.user.organization ? '/envelopes' : '/account', { replace: true });
      })
      .catch((caught: unknown) => {
        navigate(caught instanceof ApiError && caught.status === 401 ? '/login' : '/envelopes', { replace: true });
      });
  }, []);
  return (
    <PageShell>
      <Loading label={t('common.loading')} />
    </PageShell>
  );
}

function NotFound() {
  const { t } = useI18n();
  return (
    <PageShell title={t('notFound.title')}>
      <StatePanel tone="warning" title={t('notFound.title')}>
        <p>{t('notFound.lead')}</p>
        <p>{t('notFound.body')}</p>
        <div className="button-row">
          <a className="btn btn--primary" href="/">
            {t('notFound.home')}
          </a>
          <a className="btn btn--secondary" href="/help">
            {t('notFound.help')}
          </a>
        </div>
      </StatePanel>
    </PageShell>
  );
}
