import { Migrator, PostgresAdapter, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from '../../ports/database.ts';
import { initialMigration } from './migrations/001-initial.ts';

/** The migrations of this version, in order; names are numbered so that they sort. */
export function migrations(dialect: 'sqlite' | 'postgres'): Record<string, Migration> {
  return {
    '001-initial': initialMigration(dialect),
  };
}

/** Kysely's provider over the in-code list (no directory scanning: works from any install layout). */
class InCodeMigrationProvider implements MigrationProvider {
  constructor(private readonly dialect: 'sqlite' | 'postgres') {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

/** Brings the database to the latest schema; throws with the failing migration's error. */
export async function migrateToLatest(db: Db, dialect: 'sqlite' | 'postgres' = dialectOf(db)): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InCodeMigrationProvider(dialect) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const name = failed ? ` (migration ${failed.migrationName})` : '';
    throw new Error(`database migration failed${name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Which of the two supported dialects a Kysely instance speaks. */
export function dialectOf(db: Db): 'sqlite' | 'postgres' {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}
