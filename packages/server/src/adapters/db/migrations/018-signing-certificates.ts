import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Trusted signing certificates (issue 13 part 4): per organisation, how the platform signs
 * (`witness`: the built-in CA's witness certificates; `organization`: the organisation's certificate
 * instead; `both`: witness signatures, then the organisation's) and with which certificate (`upload`: a
 * PKCS#12 the administrator uploaded, whose private key is kept encrypted under the installation's key;
 * `operator`: the certificate the operator configured). One row per organisation; none means `witness`
 * (or the operator's INKAN_SIGNING_MODE).
 */
export function signingCertificatesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('signing_certificates')
        .addColumn('organization_id', 'text', (c) => c.primaryKey().references('organizations.id').onDelete('cascade'))
        .addColumn('mode', 'text', (c) => c.notNull().check(sql`mode in ('witness', 'organization', 'both')`))
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('upload', 'operator')`))
        // AES-256-GCM of the PKCS#8 DER (iv ‖ tag ‖ ciphertext, base64), bound to the organisation; null for `operator`.
        .addColumn('key_ciphertext', 'text')
        // JSON array of base64 DER certificates, signing certificate first, root last; null for `operator`.
        .addColumn('certificate_chain', 'text')
        .addColumn('subject', 'text')
        .addColumn('issuer', 'text')
        .addColumn('root_subject', 'text')
        .addColumn('serial', 'text')
        .addColumn('sha256', 'text')
        .addColumn('not_before', 'text')
        .addColumn('not_after', 'text')
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .addColumn('updated_by_user_id', 'text')
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('signing_certificates').execute();
    },
  };
}
