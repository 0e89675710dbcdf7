/* The sign-in security part of the OpenAPI document: IP allow-lists and single sign-on (docs/api.md). */
import { error, errors, json } from './helpers.ts';

const session = [{ session: [] }];

const ssoSettings = {
  type: 'object',
  required: ['protocol', 'name', 'enabled', 'jitEnabled', 'defaultRole', 'enforced', 'breakGlassUserId', 'domains'],
  properties: {
    protocol: { enum: ['oidc', 'saml'] },
    name: { type: 'string', maxLength: 100 },
    enabled: { type: 'boolean' },
    oidc: {
      type: 'object',
      properties: {
        issuer: { type: 'string', description: 'https (http only on loopback)' },
        clientId: { type: 'string' },
        clientSecret: { type: 'string', description: 'write only; omit to keep the stored one' },
      },
    },
    saml: {
      type: 'object',
      properties: {
        idpEntityId: { type: 'string' },
        idpSsoUrl: { type: 'string', description: 'HTTP-Redirect SSO endpoint (https)' },
        idpCertificate: { type: 'string', description: "the IdP's signing certificate (PEM)" },
      },
    },
    jitEnabled: { type: 'boolean', description: 'create accounts and memberships at first sign-in' },
    defaultRole: { enum: ['member', 'viewer'] },
    enforced: { type: 'boolean', description: 'accounts of the claimed domains must use SSO' },
    breakGlassUserId: {
      type: ['string', 'null'],
      description: 'an administrator with a second factor who keeps password sign-in',
    },
    domains: {
      type: 'array',
      items: { type: 'string' },
      maxItems: 20,
      description: 'a new domain counts only once proved in DNS (POST …/sso/domains/{domain}/verify)',
    },
  },
};

const domainClaim = {
  type: 'object',
  required: ['domain', 'record', 'verifiedAt'],
  properties: {
    domain: { type: 'string' },
    record: {
      type: 'object',
      description: 'the TXT record that proves control: publish `value` at `name`',
      properties: {
        name: { type: 'string', description: '_inkan.<domain>' },
        value: { type: 'string', description: 'inkan-domain-verification=<token>' },
      },
    },
    verifiedAt: { type: ['string', 'null'], format: 'date-time', description: 'null: not proved yet (no effect)' },
  },
};

export const signInSecurityPaths = {
  '/api/v1/organization/security': {
    get: {
      summary: "IP allow-list, single sign-on settings and the caller's address (administrators only)",
      security: session,
      responses: {
        200: {
          description: 'Settings (never the OIDC client secret); domainClaims: each claimed domain and its TXT record',
          ...json({ type: 'object', properties: { domainClaims: { type: 'array', items: domainClaim } } }),
        },
        ...errors('UNAUTHENTICATED', 'FORBIDDEN', 'IP_NOT_ALLOWED'),
      },
    },
  },
  '/api/v1/organization/security/ip-allow-list': {
    put: {
      summary: "Replace the organisation's IP allow-list (CIDR v4/v6; [] = no limit); step-up",
      security: session,
      requestBody: json({
        type: 'object',
        required: ['ipAllowList'],
        properties: { ipAllowList: { type: 'array', items: { type: 'string' }, maxItems: 100 } },
      }),
      responses: {
        200: { description: 'The normalised list', ...json({ type: 'object' }) },
        ...errors('VALIDATION_FAILED', 'FORBIDDEN', 'CSRF_FAILED', 'STEP_UP_REQUIRED', 'IP_NOT_ALLOWED'),
        409: error("IP_LIST_LOCKOUT (the list leaves out the caller's own address)"),
      },
    },
  },
  '/api/v1/organization/security/sso': {
    put: {
      summary: "Create or replace the organisation's single sign-on connection and claimed domains; step-up",
      security: session,
      requestBody: json(ssoSettings),
      responses: {
        200: { description: '{ id }', ...json({ type: 'object' }) },
        ...errors(
          'VALIDATION_FAILED',
          'SSO_DOMAIN_REFUSED',
          'SSO_BREAK_GLASS_INVALID',
          'FORBIDDEN',
          'CSRF_FAILED',
          'STEP_UP_REQUIRED',
          'SSO_DOMAIN_TAKEN',
        ),
      },
    },
    delete: {
      summary: 'Remove the connection and release its domains; step-up',
      security: session,
      responses: { 204: { description: 'Removed' }, 403: error('FORBIDDEN / CSRF_FAILED'), 404: error('NOT_FOUND') },
    },
  },
  '/api/v1/organization/security/sso/domains/{domain}/verify': {
    post: {
      summary:
        "確認: look up the TXT record `_inkan.<domain>` (INKAN_DNS_SERVERS or the system resolvers); when it holds the claim's value, the claim counts from now on (event sso.domain-verified); step-up",
      security: session,
      parameters: [
        { name: 'domain', in: 'path', required: true, schema: { type: 'string' }, description: 'a claimed domain' },
      ],
      responses: {
        200: { description: 'The claim, verified', ...json(domainClaim) },
        ...errors('FORBIDDEN', 'CSRF_FAILED', 'STEP_UP_REQUIRED', 'NOT_FOUND'),
        422: error(
          'SSO_DOMAIN_RECORD_NOT_FOUND (no TXT record at details.name) / SSO_DOMAIN_RECORD_MISMATCH (other values)',
        ),
        502: error('SSO_DOMAIN_LOOKUP_FAILED (the resolver refused, failed or timed out: details.reason)'),
      },
    },
  },
  '/api/sso/start': {
    post: {
      summary:
        'Start a single sign-on by e-mail domain or organisation slug (sets the inkan_sso state cookie; 20/min per IP)',
      requestBody: json({
        type: 'object',
        properties: {
          email: { type: 'string' },
          organization: { type: 'string', description: 'slug' },
          next: { type: 'string', description: 'a path on this site to return to' },
        },
      }),
      responses: {
        200: { description: '{ redirectUrl }: send the browser there', ...json({ type: 'object' }) },
        400: error('VALIDATION_FAILED (e.g. next not a same-site path)'),
        ...errors('SSO_NOT_CONFIGURED', 'RATE_LIMITED'),
      },
    },
  },
};
