import type { Kysely, Migration } from 'kysely';

/**
 * An index on `contracts.envelope_id`. The register's only index on it was the partial unique
 * (organization_id, envelope_id) where source = 'envelope', which no query can use unless it names that
 * source as a literal: the retention sweep's "envelopes without a register entry" (a NOT EXISTS per
 * envelope, any source) read the whole register once for every envelope of the organisation — a daily
 * job whose cost grew with envelopes × contracts — and the entry made at each completion looked for an
 * earlier one by reading the whole register too.
 */
export function contractsEnvelopeIndexMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('contracts_envelope').on('contracts').column('envelope_id').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('contracts_envelope').execute();
    },
  };
}
