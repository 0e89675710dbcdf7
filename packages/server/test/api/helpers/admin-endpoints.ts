/**
 * Every endpoint of the administration API (and the organisation endpoints before it), for the
 * security matrix (security-matrix.test.ts). Other helpers' admin endpoints (SSO, IP allow-lists) join
 * by adding rows here: the matrix runs each row × (no auth, other organisation, member, viewer, missing
 * CSRF, API key without the admin scope).
 */

/** Objects of the organisation under test that the URLs name (made by the matrix before it runs). */
export interface MatrixFixture {
  /** A member (role member) of the organisation. */
  memberId: string;
  /** Another active member (transfer target). */
  heirId: string;
  /** One of the member's live sessions (its id: the stored hash). */
  sessionId: string;
  /** A live API key of the organisation. */
  apiKeyId: string;
  /** A pending invitation of the organisation. */
  invitationId: string;
  /** A failed job of the organisation (失敗した処理). */
  failedJobId: string;
  /** An envelope (draft) and a register entry of the organisation (legal holds). */
  envelopeId: string;
  contractId: string;
  /** A webhook endpoint of the organisation. */
  webhookId: string;
  /** A delivered webhook delivery of the organisation. */
  webhookDeliveryId: string;
  /** 稟議: an approval route, an envelope waiting for approval on it and its open approval. */
  approvalRouteId: string;
  approvalEnvelopeId: string;
  approvalId: string;
}

/** One endpoint as the matrix calls it. */
export interface AdminEndpoint {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: (f: MatrixFixture) => string;
  body?: (f: MatrixFixture) => unknown;
  contentType?: string;
  /**
   * 'object': the URL names an object of the organisation → another organisation's admin gets 404.
   * 'organization': it acts on the caller's own organisation → another organisation's admin reaches only
   * their own (the matrix checks the organisation under test is untouched and not shown).
   */
  scope: 'object' | 'organization';
  /** API keys are refused even with the admin scope (FORBIDDEN session-required). */
  sessionOnly?: boolean;
}

const PNG_1X1 = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC',
  'base64',
);

const P12_BOUNDARY = 'inkan-matrix-boundary';
// A multipart upload (not a real PKCS#12: refused callers never get as far as reading it).
const P12_UPLOAD = Buffer.from(
  [
    `--${P12_BOUNDARY}`,
    'Content-Disposition: form-data; name="password"',
    '',
    'x',
    `--${P12_BOUNDARY}`,
    'Content-Disposition: form-data; name="pkcs12"; filename="org.p12"',
    'Content-Type: application/x-pkcs12',
    '',
    'not a pkcs12',
    `--${P12_BOUNDARY}--`,
    '',
  ].join('\r\n'),
);

/** The administration endpoints (organisation-scoped). */
export const ADMIN_ENDPOINTS: AdminEndpoint[] = [
  { method: 'GET', url: () => '/api/v1/organization/settings', scope: 'organization' },
  {
    method: 'PATCH',
    url: () => '/api/v1/organization/settings',
    body: () => ({ attachCertificate: true }),
    scope: 'organization',
  },
  { method: 'GET', url: () => '/api/v1/admin/organization', scope: 'organization' },
  {
    method: 'PATCH',
    url: () => '/api/v1/admin/organization',
    body: () => ({ name: 'changed' }),
    scope: 'organization',
  },
  {
    method: 'PUT',
    url: () => '/api/v1/admin/organization/logo',
    body: () => PNG_1X1,
    contentType: 'image/png',
    scope: 'organization',
  },
  { method: 'DELETE', url: () => '/api/v1/admin/organization/logo', scope: 'organization' },
  { method: 'GET', url: () => '/api/v1/admin/members', scope: 'organization' },
  {
    method: 'POST',
    url: () => '/api/v1/admin/invitations',
    body: () => ({ email: 'matrix@example.jp', role: 'member' }),
    scope: 'organization',
    sessionOnly: true,
  },
  { method: 'DELETE', url: (f) => `/api/v1/admin/invitations/${f.invitationId}`, scope: 'object' },
  {
    method: 'PATCH',
    url: (f) => `/api/v1/admin/members/${f.memberId}`,
    body: () => ({ role: 'viewer' }),
    scope: 'object',
  },
  {
    method: 'PATCH',
    url: (f) => `/api/v1/admin/members/${f.memberId}`,
    body: () => ({ active: false }),
    scope: 'object',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/admin/members/${f.memberId}/transfer-envelopes`,
    body: (f) => ({ toUserId: f.heirId }),
    scope: 'object',
  },
  { method: 'GET', url: (f) => `/api/v1/admin/sessions?userId=${f.memberId}`, scope: 'organization' },
  { method: 'DELETE', url: (f) => `/api/v1/admin/members/${f.memberId}/sessions`, scope: 'object' },
  { method: 'DELETE', url: (f) => `/api/v1/admin/members/${f.memberId}/sessions/${f.sessionId}`, scope: 'object' },
  { method: 'GET', url: () => '/api/v1/admin/api-keys', scope: 'organization' },
  {
    method: 'POST',
    url: () => '/api/v1/admin/api-keys',
    body: () => ({ name: 'matrix', scopes: ['read'] }),
    scope: 'organization',
    sessionOnly: true,
  },
  { method: 'DELETE', url: (f) => `/api/v1/admin/api-keys/${f.apiKeyId}`, scope: 'object', sessionOnly: true },
  { method: 'POST', url: () => '/api/v1/admin/mail/test', body: () => ({}), scope: 'organization', sessionOnly: true },
  { method: 'GET', url: () => '/api/v1/admin/outbox', scope: 'organization' },
  { method: 'GET', url: () => '/api/v1/audit-events', scope: 'organization' },
  { method: 'GET', url: () => '/api/v1/audit-events.csv', scope: 'organization' },
  // セキュリティ設定 (IP allow-list, single sign-on) and 失敗した処理.
  { method: 'GET', url: () => '/api/v1/organization/security', scope: 'organization' },
  {
    method: 'PUT',
    url: () => '/api/v1/organization/security/ip-allow-list',
    body: () => ({ ipAllowList: [] }),
    scope: 'organization',
  },
  {
    method: 'PUT',
    url: () => '/api/v1/organization/security/sso',
    body: () => ({
      protocol: 'oidc',
      name: 'matrix',
      enabled: false,
      oidc: { issuer: 'https://idp.example.jp', clientId: 'matrix', clientSecret: 'secret' },
      jitEnabled: false,
      defaultRole: 'member',
      enforced: false,
      breakGlassUserId: null,
      domains: [],
    }),
    scope: 'organization',
  },
  { method: 'DELETE', url: () => '/api/v1/organization/security/sso', scope: 'organization' },
  {
    method: 'POST',
    url: () => '/api/v1/organization/security/sso/domains/matrix.example.jp/verify',
    body: () => ({}),
    scope: 'organization',
  },
  { method: 'GET', url: () => '/api/v1/admin/jobs', scope: 'organization' },
  { method: 'POST', url: (f) => `/api/v1/admin/jobs/${f.failedJobId}/retry`, body: () => ({}), scope: 'object' },
  // 社印 (the organisation's seal image): members see it, administrators change it.
  {
    method: 'PUT',
    url: () => '/api/v1/organization/seal',
    body: () => PNG_1X1,
    contentType: 'image/png',
    scope: 'organization',
  },
  { method: 'DELETE', url: () => '/api/v1/organization/seal', scope: 'organization' },
  // 署名用証明書 (trusted signing certificate).
  { method: 'GET', url: () => '/api/v1/admin/signing-certificate', scope: 'organization' },
  {
    method: 'PUT',
    url: () => '/api/v1/admin/signing-certificate',
    body: () => P12_UPLOAD,
    contentType: `multipart/form-data; boundary=${P12_BOUNDARY}`,
    scope: 'organization',
  },
  {
    method: 'PATCH',
    url: () => '/api/v1/admin/signing-certificate',
    body: () => ({ mode: 'witness' }),
    scope: 'organization',
  },
  { method: 'DELETE', url: () => '/api/v1/admin/signing-certificate', scope: 'organization' },
  // 保存期間 and legal holds (issue 13 part 6).
  { method: 'GET', url: () => '/api/v1/admin/retention', scope: 'organization' },
  {
    method: 'PUT',
    url: () => '/api/v1/admin/retention',
    body: () => ({ defaultYears: 7, rules: [] }),
    scope: 'organization',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/contracts/${f.contractId}/legal-hold`,
    body: () => ({ reason: 'matrix' }),
    scope: 'object',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/contracts/${f.contractId}/legal-hold/release`,
    body: () => ({ reason: 'matrix' }),
    scope: 'object',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/envelopes/${f.envelopeId}/legal-hold`,
    body: () => ({ reason: 'matrix' }),
    scope: 'object',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/envelopes/${f.envelopeId}/legal-hold/release`,
    body: () => ({ reason: 'matrix' }),
    scope: 'object',
  },
  // Webhooks (issue 13 part 1).
  { method: 'GET', url: () => '/api/v1/admin/webhooks', scope: 'organization' },
  {
    method: 'POST',
    url: () => '/api/v1/admin/webhooks',
    body: () => ({ url: 'https://hooks.example.com/matrix', events: ['envelope.sent'] }),
    scope: 'organization',
  },
  {
    method: 'PATCH',
    url: (f) => `/api/v1/admin/webhooks/${f.webhookId}`,
    body: () => ({ enabled: false }),
    scope: 'object',
  },
  { method: 'DELETE', url: (f) => `/api/v1/admin/webhooks/${f.webhookId}`, scope: 'object' },
  {
    method: 'POST',
    url: (f) => `/api/v1/admin/webhooks/${f.webhookId}/rotate-secret`,
    body: () => ({}),
    scope: 'object',
  },
  { method: 'POST', url: (f) => `/api/v1/admin/webhooks/${f.webhookId}/ping`, body: () => ({}), scope: 'object' },
  { method: 'GET', url: () => '/api/v1/admin/webhook-deliveries', scope: 'organization' },
  // 稟議 (issue 13 part 3): the route editor, the required route, reassignment.
  {
    method: 'POST',
    url: () => '/api/v1/approval-routes',
    body: (f) => ({ name: 'matrix', steps: [{ mode: 'all', approverIds: [f.memberId] }] }),
    scope: 'organization',
  },
  {
    method: 'PUT',
    url: () => '/api/v1/approval-routes/required',
    body: () => ({ routeId: null }),
    scope: 'organization',
  },
  {
    method: 'PUT',
    url: (f) => `/api/v1/approval-routes/${f.approvalRouteId}`,
    body: (f) => ({ name: 'matrix', steps: [{ mode: 'any', approverIds: [f.memberId] }] }),
    scope: 'object',
  },
  { method: 'DELETE', url: (f) => `/api/v1/approval-routes/${f.approvalRouteId}`, scope: 'object' },
  {
    method: 'POST',
    url: (f) => `/api/v1/envelopes/${f.approvalEnvelopeId}/approvals/${f.approvalId}/reassign`,
    body: (f) => ({ userId: f.heirId }),
    scope: 'object',
  },
  {
    method: 'GET',
    url: (f) => `/api/v1/admin/webhook-deliveries?endpointId=${f.webhookId}`,
    scope: 'object',
  },
  {
    method: 'POST',
    url: (f) => `/api/v1/admin/webhook-deliveries/${f.webhookDeliveryId}/replay`,
    body: () => ({}),
    scope: 'object',
  },
];
