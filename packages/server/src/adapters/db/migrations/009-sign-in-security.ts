import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Sign-in security of organisations (issue 12 parts 3 and 4): an IP allow-list per organisation (a
 * JSON array of CIDR ranges on `organizations`; empty = no limit), one single sign-on connection per
 * organisation (OIDC or SAML 2.0; the OIDC client secret encrypted, never in clear), the e-mail domains
 * an organisation has claimed (a domain belongs to one organisation at most), the links between an
 * identity provider's subject and an account, the short-lived state of sign-ins under way (the browser
 * holds a random token, the table its SHA-256), and the SAML assertion IDs already used (replay
 * protection, kept until the assertion expires).
 */
export function signInSecurityMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('organizations')
        .addColumn('ip_allow_list', 'text', (c) => c.notNull().defaultTo('[]'))
        .execute();
      await db.schema
        .createTable('sso_connections')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) =>
          c.notNull().unique().references('organizations.id').onDelete('cascade'),
        )
        .addColumn('protocol', 'text', (c) => c.notNull().check(sql`protocol in ('oidc', 'saml')`))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('oidc_issuer', 'text')
        .addColumn('oidc_client_id', 'text')
        .addColumn('oidc_client_secret_ciphertext', 'text')
        .addColumn('saml_idp_entity_id', 'text')
        .addColumn('saml_idp_sso_url', 'text')
        .addColumn('saml_idp_certificate', 'text')
        .addColumn('jit_enabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('default_role', 'text', (c) => c.notNull().check(sql`default_role in ('member', 'viewer')`))
        // 1: accounts of the claimed domains must sign in through this connection (except break_glass_user_id).
        .addColumn('enforced', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('break_glass_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sso_domains')
        .addColumn('domain', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sso_domains_organization').on('sso_domains').column('organization_id').execute();
      await db.schema
        .createTable('sso_identities')
        .addColumn('connection_id', 'text', (c) => c.notNull().references('sso_connections.id').onDelete('cascade'))
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('last_used_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('sso_identities_pkey', ['connection_id', 'subject'])
        .execute();
      await db.schema
        .createTable('sso_sign_ins')
        .addColumn('state_hash', 'text', (c) => c.primaryKey())
        .addColumn('connection_id', 'text', (c) => c.notNull().references('sso_connections.id').onDelete('cascade'))
        // OIDC: the PKCE verifier and the nonce; SAML: the AuthnRequest ID (InResponseTo).
        .addColumn('code_verifier', 'text')
        .addColumn('nonce', 'text')
        .addColumn('request_id', 'text', (c) => c.unique())
        .addColumn('next_path', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        // SAML: the account the ACS accepted, until the browser comes back with its cookie.
        .addColumn('result_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('used_at', 'text')
        .execute();
      await db.schema
        .createTable('saml_assertions_seen')
        .addColumn('connection_id', 'text', (c) => c.notNull().references('sso_connections.id').onDelete('cascade'))
        .addColumn('assertion_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('saml_assertions_seen_pkey', ['connection_id', 'assertion_id'])
        .execute();
    },

    async down(): Promise<void> {
      throw new Error('009-sign-in-security cannot be undone: organisations would lose their sign-in rules');
    },
  };
}
