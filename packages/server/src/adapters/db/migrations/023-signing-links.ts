import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Signing links that nothing stored can re-derive (issue 11). Until now a link was HMAC(server key,
 * nonce) with the nonce in `recipients.link_nonce`, so the database plus the key gave every link (that
 * is how a reminder mailed the same link again). From now on every mail to a signer carries a fresh
 * random token and only its SHA-256 is kept, one row per mail in `signing_links` (a few per recipient,
 * the oldest dropped), all valid until the recipient's link expires or a resend revokes them.
 *
 * Upgrade: the hash of the link already mailed (`recipients.link_token_hash`, the SHA-256 of the derived
 * token) moves into `signing_links`, so links in inboxes keep working; the nonces are dropped, so no
 * link can be derived again. `link_token_hash` stays as an always-null column: SQLite cannot drop a
 * UNIQUE column without rebuilding the table.
 */
export function signingLinksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('signing_links')
        // SHA-256 (hex) of the token; the token itself is only in the mail.
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('recipient_id', 'text', (c) => c.notNull().references('recipients.id').onDelete('cascade'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('signing_links_recipient')
        .on('signing_links')
        .columns(['recipient_id', 'created_at'])
        .execute();
      await sql`insert into signing_links (token_hash, recipient_id, created_at)
        select link_token_hash, id, coalesce(notified_at, '1970-01-01T00:00:00.000Z') from recipients
        where link_token_hash is not null`.execute(db);
      await sql`update recipients set link_token_hash = null where link_token_hash is not null`.execute(db);
      await db.schema.alterTable('recipients').dropColumn('link_nonce').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('recipients').addColumn('link_nonce', 'text').execute();
      // The newest link of each recipient goes back (older ones stop working); reminders mint a new nonce.
      await sql`update recipients set link_token_hash = (
          select s.token_hash from signing_links s where s.recipient_id = recipients.id
          order by s.created_at desc, s.token_hash limit 1)`.execute(db);
      await db.schema.dropTable('signing_links').execute();
    },
  };
}
