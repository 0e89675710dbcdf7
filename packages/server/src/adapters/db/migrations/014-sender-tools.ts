import type { Kysely, Migration } from 'kysely';

/**
 * Senders' everyday tools (issue 11 part 5): each recipient's access code kept encrypted with the
 * server's key (AES-256-GCM, bound to the recipient) so that the envelope's sender can see it again —
 * verification still uses the HMAC in access_code_hash — and the envelope a duplicate or a
 * 修正して再送 was made from.
 */
export function senderToolsMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('recipients').addColumn('access_code_sealed', 'text').execute();
      await db.schema.alterTable('envelopes').addColumn('source_envelope_id', 'text').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('envelopes').dropColumn('source_envelope_id').execute();
      await db.schema.alterTable('recipients').dropColumn('access_code_sealed').execute();
    },
  };
}
