/*
 * `inkan backup [--to DIR|s3://bucket/prefix]`, `inkan backup list`, `inkan backup verify [ID]`,
 * `inkan backup prune` and `inkan restore ID [--from …]`. Exit 0 on success, 1 when a backup is
 * damaged or the restore target is not empty, 2 for usage and configuration errors.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { systemClock } from '../ports/clock.ts';
import {
  BackupError,
  createBackup,
  listBackups,
  pruneBackups,
  restoreBackup,
  verifyBackup,
} from '../backup/backups.ts';

const BACKUP_USAGE = `usage: inkan backup [--to DIR|s3://bucket/prefix]
       inkan backup list [--to …]
       inkan backup verify [ID] [--to …]      (the newest backup when no ID is given)
       inkan backup prune [--to …]            (apply INKAN_BACKUP_KEEP_DAILY/MONTHLY/YEARLY)`;
const RESTORE_USAGE = 'usage: inkan restore ID [--from DIR|s3://bucket/prefix]';

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** `inkan backup …`. */
export async function backupCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { to: { type: 'string' } } });
  const [sub, ...rest] = positionals;
  try {
    if (sub === undefined) {
      const manifest = await createBackup(config, systemClock, values.to);
      const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
      process.stdout.write(`backup ${manifest.id}: ${manifest.files.length} files, ${megabytes(bytes)}\n`);
      return 0;
    }
    if (sub === 'list' && rest.length === 0) {
      for (const entry of await listBackups(config, values.to)) {
        const what = entry.manifest
          ? `${entry.manifest.createdAt}  ${entry.manifest.dialect}  ${entry.manifest.files.length} files`
          : `PROBLEM: ${entry.problem}`;
        process.stdout.write(`${entry.id}  ${what}  ${megabytes(entry.bytes)}\n`);
      }
      return 0;
    }
    if (sub === 'verify' && rest.length <= 1) {
      let id: string | undefined = rest[0];
      if (id === undefined) {
        id = (await listBackups(config, values.to)).at(-1)?.id;
        if (id === undefined) {
          process.stderr.write('inkan: no backup to verify\n');
          return 1;
        }
      }
      const manifest = await verifyBackup(config, id, values.to);
      process.stdout.write(
        `backup ${id} is intact: ${manifest.files.length} files match the manifest and the database opens\n`,
      );
      return 0;
    }
    if (sub === 'prune' && rest.length === 0) {
      const pruned = await pruneBackups(config, values.to);
      process.stdout.write(`pruned ${pruned.length} backup(s)${pruned.length > 0 ? `: ${pruned.join(' ')}` : ''}\n`);
      return 0;
    }
  } catch (error) {
    if (error instanceof BackupError) {
      process.stderr.write(`inkan: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  process.stderr.write(`${BACKUP_USAGE}\n`);
  return 2;
}

/** `inkan restore ID [--from …]`. */
export async function restoreCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { from: { type: 'string' } } });
  if (positionals.length !== 1) {
    process.stderr.write(`${RESTORE_USAGE}\n`);
    return 2;
  }
  try {
    const result = await restoreBackup(config, positionals[0], values.from);
    const rows = Object.values(result.tables).reduce((sum, n) => sum + n, 0);
    process.stdout.write(
      `restored ${result.manifest.id}: ${Object.keys(result.tables).length} tables, ${rows} rows, ${result.blobs} blobs\n`,
    );
    if (result.masterKeyMissing) {
      process.stdout.write(
        `The master key is not in backups: set INKAN_MASTER_KEY, or copy master.key from your key safe to ${config.pkiDir}/master.key (mode 0600), before inkan serve.\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof BackupError) {
      process.stderr.write(`inkan: ${error.code}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
