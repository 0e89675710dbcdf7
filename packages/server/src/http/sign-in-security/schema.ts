import * as z from 'zod';

/** PUT /api/v1/organization/security/ip-allow-list */
export const ipAllowListBody = z.object({ ipAllowList: z.array(z.string().max(64)).max(1000) }).strict();

const name = z.string().trim().min(1).max(100);

/** PUT /api/v1/organization/security/sso */
export const ssoConnectionBody = z
  .object({
    protocol: z.enum(['oidc', 'saml']),
    name,
    enabled: z.boolean(),
    oidc: z
      .object({
        issuer: z.string().trim().min(1).max(500),
        clientId: z.string().trim().min(1).max(300),
        // Omitted: keep the stored secret.
        clientSecret: z.string().min(1).max(1000).optional(),
      })
      .strict()
      .optional(),
    saml: z
      .object({
        idpEntityId: z.string().trim().min(1).max(500),
        idpSsoUrl: z.string().trim().min(1).max(1000),
        idpCertificate: z.string().min(1).max(16_384),
      })
      .strict()
      .optional(),
    jitEnabled: z.boolean(),
    defaultRole: z.enum(['member', 'viewer']),
    enforced: z.boolean(),
    breakGlassUserId: z.string().max(100).nullable(),
    domains: z.array(z.string().max(253)).max(20),
  })
  .strict();

/** The domain of POST …/sso/domains/:domain/verify (a claimed domain; anything else is NOT_FOUND). */
export const domainParams = z.object({ domain: z.string().min(1).max(253) });

/** POST /api/sso/start: by e-mail (its domain) or by organisation slug; `next` a same-site path. */
export const ssoStartBody = z
  .object({
    email: z.string().max(254).optional(),
    organization: z.string().max(100).optional(),
    next: z.string().max(500).optional(),
  })
  .strict()
  .refine((b) => (b.email === undefined) !== (b.organization === undefined), {
    message: 'give either email or organization',
  });
