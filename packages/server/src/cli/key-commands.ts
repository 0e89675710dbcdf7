/*
 * `inkan keys status | rotate [--batch-size N] [--remove-old]`: the key-encryption keys (KEK) wrapping
 * documents' data keys. Rotation creates a new KEK version (in the HSM when INKAN_KEK_PKCS11_* is set,
 * else derived from the master key) and rewraps every live data key under it in batches; blobs are
 * neither read nor written. Interrupted, it resumes where it stopped when run again. --remove-old then
 * destroys the HSM keys of versions no data key needs (backups taken before the rotation need them:
 * see the deployment guide). Exit 0 done, 1 failed, 2 usage.
 */
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import { migrateToLatest } from '../adapters/db/migrate.ts';
import { openConfiguredDatabase } from '../adapters/db/open-database.ts';
import { DocumentKeyring } from '../adapters/keys/document-keyring.ts';
import { KeyEncryptionKeys } from '../adapters/keys/key-encryption-keys.ts';
import { SealedSecrets } from '../adapters/keys/sealed-secrets.ts';
import { readMasterKey } from '../security/server-keys.ts';

const USAGE = 'usage: inkan keys status | inkan keys rotate [--batch-size N] [--remove-old]';

/** `inkan keys …`; returns the exit code. */
export async function keysCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  let options;
  try {
    options = parseArgs({
      args: rest,
      options: { 'batch-size': { type: 'string' }, 'remove-old': { type: 'boolean', default: false } },
    }).values;
  } catch {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const batchSize = options['batch-size'] === undefined ? 500 : Number(options['batch-size']);
  if ((sub !== 'status' && sub !== 'rotate') || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (sub === 'status' && (options['remove-old'] || options['batch-size'] !== undefined)) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const masterKey = await readMasterKey(config);
  const keks = new KeyEncryptionKeys(masterKey, config.kekPkcs11);
  const database = await openConfiguredDatabase(config);
  try {
    await migrateToLatest(database.db, database.dialect);
    const keyring = new DocumentKeyring(database.db, keks, undefined, [new SealedSecrets(keks, masterKey)]);
    if (sub === 'rotate') {
      const progress = await keyring.rotate({
        batchSize,
        onBatch: (done) => process.stdout.write(`rewrapped ${done} data key(s)\n`),
        onSecrets: (done) => process.stdout.write(`resealed ${done} secret(s)\n`),
      });
      process.stdout.write(
        `${progress.created ? 'created' : 'resumed with'} key-encryption key ${progress.current.id} (${progress.current.provider}, label ${progress.current.label}); ` +
          `${progress.rewrapped} data key(s) rewrapped, ${progress.remaining} left under older versions; ` +
          `${progress.resealed} secret(s) resealed (webhook and SSO secrets, signing keys, access codes, TOTP seeds); no document was read or written\n`,
      );
      if (progress.remaining > 0) return 1;
      if (options['remove-old']) {
        const retired = await keyring.retireOld();
        for (const kek of retired)
          process.stdout.write(
            kek.provider === 'pkcs11'
              ? `removed ${kek.id}: the HSM key "${kek.label}" is destroyed\n`
              : `retired ${kek.id} (derived from the master key: nothing to destroy)\n`,
          );
      }
    }
    for (const kek of await keyring.status()) {
      const state = kek.current ? 'current' : kek.retired_at ? `retired ${kek.retired_at}` : 'old';
      const usable = kek.retired_at !== null || keks.available(kek) ? '' : ' — KEY NOT AVAILABLE HERE';
      process.stdout.write(
        `${kek.id}\t${kek.provider}\t${kek.label}\t${state}\t${kek.liveKeys} live data key(s), ${kek.liveSecrets} secret(s)${usable}\n`,
      );
    }
    if (config.kekPkcs11 && (await keyring.currentKek()).provider !== 'pkcs11')
      process.stdout.write(
        'INKAN_KEK_PKCS11_* is set but the current KEK is not in the HSM: run `inkan keys rotate`\n',
      );
    return 0;
  } catch (error) {
    process.stderr.write(`inkan keys ${sub}: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    keks.close();
    await database.close();
  }
}
