import {
  Migrator,
  PostgresAdapter,
  sql,
  type Migration,
  type MigrationProvider,
  type MigrationResultSet,
} from 'kysely';
import type { Db } from '../../ports/database.ts';
import { initialMigration } from './migrations/001-initial.ts';
import { evidenceMigration } from './migrations/002-evidence.ts';
import { accountsMigration } from './migrations/003-accounts.ts';
import { registerMigration } from './migrations/004-register.ts';
import { secondFactorsMigration } from './migrations/006-second-factors.ts';
import { scaleMigration } from './migrations/007-scale.ts';
import { administrationMigration } from './migrations/008-administration.ts';
import { signInSecurityMigration } from './migrations/009-sign-in-security.ts';
import { signerContactMigration } from './migrations/011-signer-contact.ts';
import { fieldsMigration } from './migrations/012-fields.ts';
import { envelopeFlowMigration } from './migrations/013-envelope-flow.ts';
import { senderToolsMigration } from './migrations/014-sender-tools.ts';
import { addressBookMigration } from './migrations/015-address-book.ts';
import { ssoDomainVerificationMigration } from './migrations/016-sso-domain-verification.ts';
import { webhooksMigration } from './migrations/017-webhooks.ts';
import { signingCertificatesMigration } from './migrations/018-signing-certificates.ts';
import { archiveRenewalsMigration } from './migrations/019-archive-renewals.ts';
import { retentionMigration } from './migrations/020-retention.ts';
import { templatesBulkSendMigration } from './migrations/021-templates-bulk-send.ts';
import { approvalsMigration } from './migrations/022-approvals.ts';
import { signingLinksMigration } from './migrations/023-signing-links.ts';
import { failedWebhooksMigration } from './migrations/024-failed-webhooks.ts';
import { registerScaleMigration } from './migrations/026-register-scale.ts';
import { recipientsEnvelopeIndexMigration } from './migrations/027-recipients-envelope-index.ts';
import { archiveOwnersMigration } from './migrations/028-archive-owners.ts';
import { approvalRemindersMigration } from './migrations/030-approval-reminders.ts';
import { eventAppendMigration } from './migrations/031-event-append.ts';
import { sweepIndexesMigration } from './migrations/032-sweep-indexes.ts';
import { unloggedRateLimitsMigration } from './migrations/033-unlogged-rate-limits.ts';

/** The migrations of this version, in order; names are numbered so that they sort. */
export function migrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '001-initial': initialMigration(dialect),
    '002-evidence': evidenceMigration(),
    '003-accounts': accountsMigration(dialect),
    '004-register': registerMigration(dialect),
    '006-second-factors': secondFactorsMigration(),
    '007-scale': scaleMigration(),
    '008-administration': administrationMigration(),
    '009-sign-in-security': signInSecurityMigration(),
    '011-signer-contact': signerContactMigration(),
    '012-fields': fieldsMigration(),
    '013-envelope-flow': envelopeFlowMigration(dialect),
    '014-sender-tools': senderToolsMigration(),
    '015-address-book': addressBookMigration(),
    '016-sso-domain-verification': ssoDomainVerificationMigration(),
    '017-webhooks': webhooksMigration(),
    '018-signing-certificates': signingCertificatesMigration(),
    '019-archive-renewals': archiveRenewalsMigration(),
    '020-retention': retentionMigration(),
    '021-templates-bulk-send': templatesBulkSendMigration(),
    '022-approvals': approvalsMigration(dialect),
    '023-signing-links': signingLinksMigration(),
    '024-failed-webhooks': failedWebhooksMigration(),
    '026-register-scale': registerScaleMigration(dialect),
    '027-recipients-envelope-index': recipientsEnvelopeIndexMigration(),
    '028-archive-owners': archiveOwnersMigration(dialect),
    '030-approval-reminders': approvalRemindersMigration(),
    '031-event-append': eventAppendMigration(dialect),
    '032-sweep-indexes': sweepIndexesMigration(),
    '033-unlogged-rate-limits': unloggedRateLimitsMigration(dialect),
  };
}

/** Kysely's provider over the in-code list (no directory scanning: works from any install layout). */
class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: 'sqlite' | 'postgres') {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/**
 * Brings the database to the latest schema; throws with the failing migration's error and leaves the
 * database as it was. PostgreSQL: Kysely runs the migrations in a transaction under an advisory lock.
 * SQLite: Kysely would run them without a transaction (a failure would leave half a schema), so they
 * run inside BEGIN IMMEDIATE here, which also keeps two processes from migrating at once. Foreign keys
 * are off meanwhile (SQLite's table-rebuild procedure: dropping a rebuilt table must not cascade) and
 * `pragma foreign_key_check` must find nothing before the commit.
 */
export async function migrateToLatest(db: Db, dialect: 'sqlite' | 'postgres' = dialectOf(db)): Promise<string[]> {
  const provider = new InCodeMigrationProvider(dialect);
  let outcome: MigrationResultSet;
  if (dialect === 'postgres') {
    outcome = await new Migrator({ db, provider }).migrateToLatest();
  } else {
    outcome = await db.connection().execute(async (connection) => {
      // The pragma is ignored inside a transaction: it is set before BEGIN and restored after.
      await sql`pragma foreign_keys = off`.execute(connection);
      try {
        await sql`begin immediate`.execute(connection);
        let result: MigrationResultSet;
        try {
          result = await new Migrator({ db: connection, provider }).migrateToLatest();
          // Checked only when something ran: the check reads every row that has a foreign key.
          if (result.error === undefined && (result.results ?? []).length > 0) {
            const broken = (await sql`pragma foreign_key_check`.execute(connection)).rows;
            if (broken.length > 0)
              result = {
                ...result,
                error: new Error(`foreign keys broken after migrating: ${JSON.stringify(broken.slice(0, 5))}`),
              };
          }
        } catch (error) {
          result = { error };
        }
        if (result.error === undefined) await sql`commit`.execute(connection);
        else await sql`rollback`.execute(connection);
        return result;
      } finally {
        await sql`pragma foreign_keys = on`.execute(connection);
      }
    });
  }
  const { error, results } = outcome;
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const name = failed ? ` (migration ${failed.migrationName})` : '';
    throw new Error(`database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Which of the two supported dialects a Kysely instance speaks. */
export function dialectOf(db: Db): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
