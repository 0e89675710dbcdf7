import { randomBytes } from 'node:crypto';
import type { Kysely, Migration } from 'kysely';

/**
 * Domain claims proven in DNS (issue 12, domain claiming): each claimed domain gets the value of the
 * TXT record its administrators publish at `_inkan.<domain>`, and counts (SSO required, just-in-time
 * accounts, sign-in by e-mail) only once the record was found (verified_at). Claims made before this
 * version were never proven: they get a value and wait for verification like new ones.
 */
export function ssoDomainVerificationMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sso_domains').addColumn('verification_token', 'text').execute();
      await db.schema.alterTable('sso_domains').addColumn('verified_at', 'text').execute();
      const claims = db as unknown as Kysely<{ sso_domains: { domain: string; verification_token: string | null } }>;
      const rows = await claims.selectFrom('sso_domains').select('domain').execute();
      for (const row of rows)
        await claims
          .updateTable('sso_domains')
          .set({ verification_token: randomBytes(32).toString('base64url') })
          .where('domain', '=', row.domain)
          .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('sso_domains').dropColumn('verified_at').execute();
      await db.schema.alterTable('sso_domains').dropColumn('verification_token').execute();
    },
  };
}
