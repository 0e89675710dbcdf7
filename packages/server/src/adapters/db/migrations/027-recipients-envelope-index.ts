import type { Kysely, Migration } from 'kysely';

/**
 * An index on `recipients.envelope_id`. The unique constraint (envelope_id, signing_order) of 001 was
 * its only index, and 013-envelope-flow dropped it (sequential signing groups share an order): since
 * then every read of an envelope's recipients — each status poll, each signing step, each job of the
 * envelope, about 30 reads per envelope — read the whole recipients table on both databases, a cost
 * that grows with every envelope ever sent.
 * (envelope_id, signing_order, position) also gives the order in which the flow reads them.
 */
export function recipientsEnvelopeIndexMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createIndex('recipients_envelope')
        .on('recipients')
        .columns(['envelope_id', 'signing_order', 'position'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('recipients_envelope').execute();
    },
  };
}
