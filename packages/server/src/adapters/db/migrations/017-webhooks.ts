import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Webhooks (issue 13 part 1): an organisation's endpoints (URL, subscribed event types, the signing
 * secret encrypted under a key derived from the master secret, the previous secret during a rotation's
 * overlap) and the delivery log, which is also the outbox: a delivery row is written in the transaction
 * of the event it reports (record-event.ts), so nothing is lost and nothing is sent for a rollback.
 * Deliveries of one endpoint that share a chain key (the envelope or contract) go out in event order.
 */
export function webhooksMigration(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .createTable('webhook_endpoints')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('url', 'text', (c) => c.notNull())
        .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
        // JSON array of subscribed event types.
        .addColumn('events', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(1)
            .check(sql`enabled in (0, 1)`),
        )
        .addColumn('secret_ciphertext', 'text', (c) => c.notNull())
        // The first characters of the secret, to tell secrets apart on screen (never enough to guess it).
        .addColumn('secret_hint', 'text', (c) => c.notNull())
        .addColumn('previous_secret_ciphertext', 'text')
        .addColumn('previous_secret_expires_at', 'text')
        .addColumn('secret_rotated_at', 'text')
        .addColumn('created_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_endpoints_organization')
        .on('webhook_endpoints')
        .column('organization_id')
        .execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('endpoint_id', 'text', (c) => c.notNull().references('webhook_endpoints.id').onDelete('cascade'))
        // The event's id (Inkan-Event-Id: the same on retries and replays, for the receiver's idempotency).
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('event_type', 'text', (c) => c.notNull())
        // Deliveries of one endpoint with the same chain key go out in event_seq order.
        .addColumn('chain_key', 'text', (c) => c.notNull())
        .addColumn('event_seq', 'integer', (c) => c.notNull())
        // JSON of the payload's `data` (built when the event happened; links are added when sending).
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('occurred_at', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('pending')
            .check(sql`status in ('pending', 'delivered', 'failed')`),
        )
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('last_attempt_at', 'text')
        .addColumn('last_status_code', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('delivered_at', 'text')
        .addColumn('replay_of', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_chain')
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'chain_key', 'status', 'event_seq'])
        .execute();
      await db.schema
        .createIndex('webhook_deliveries_log')
        .on('webhook_deliveries')
        .columns(['organization_id', 'created_at'])
        .execute();
      await db.schema
        .createIndex('webhook_endpoints_log')
        .on('webhook_deliveries')
        .columns(['endpoint_id', 'created_at'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.dropTable('webhook_endpoints').execute();
    },
  };
}
