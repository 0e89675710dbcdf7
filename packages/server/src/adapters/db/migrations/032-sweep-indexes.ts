import type { Kysely, Migration } from 'kysely';

/**
 * Indexes for work whose cost grew with everything ever stored:
 *
 * - `contracts.envelope_id`. The register's only index on it was the partial unique (organization_id,
 *   envelope_id) where source = 'envelope', which no query can use unless it names that source as a
 *   literal (kysely binds it as a parameter): the retention sweep's "envelopes without a register entry" (a NOT EXISTS per envelope, any
 *   source) read the whole register once for every envelope of the organisation — a daily job whose
 *   cost grew with envelopes × contracts — and the entry made at each completion looked for an earlier
 *   one by reading the whole register too.
 * - `envelopes (status, expires_at)`. The expiry sweep (every INKAN_EXPIRY_SWEEP, 10 minutes by default)
 *   asks for the active envelopes past their expiry, oldest first, and read every envelope to find them.
 */
export function sweepIndexesMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('contracts_envelope').on('contracts').column('envelope_id').execute();
      await db.schema
        .createIndex('envelopes_status_expires')
        .on('envelopes')
        .columns(['status', 'expires_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('envelopes_status_expires').execute();
      await db.schema.dropIndex('contracts_envelope').execute();
    },
  };
}
