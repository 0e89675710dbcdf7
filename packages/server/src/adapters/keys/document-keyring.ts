import { randomBytes, randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Clock } from '../../ports/clock.ts';
import type { Db } from '../../ports/database.ts';
import { inTransaction } from '../../domain/transaction.ts';
import { BlobError } from '../blob/blob-error.ts';
import { dialectOf } from '../db/migrate.ts';
import { KeyEncryptionKeys, newestKek, type KekRow } from './key-encryption-keys.ts';

const DATA_KEY_BYTES = 32;

/** Where `inkan keys rotate` stands. */
export interface RotationProgress {
  /** The KEK every live data key is (being) wrapped under. */
  current: KekRow;
  /** True when this call created `current`; false when it resumed an unfinished rotation. */
  created: boolean;
  rewrapped: number;
  /** Sealed secrets resealed under `current`. */
  resealed: number;
  /** Live data keys and sealed secrets still wrapped under an older KEK (0 when the rotation is complete). */
  remaining: number;
}

/** One KEK version with its live (not destroyed) data keys and the other values sealed under it. */
export interface KekStatus extends KekRow {
  liveKeys: number;
  /** Values of the dependents (the sealed secrets) under this version. */
  liveSecrets: number;
  current: boolean;
}

/** Other values wrapped under the KEK (the sealed secrets): rotation rewraps them too. */
export interface KekDependent {
  /** Values under a KEK version other than `currentId` (a resumed rotation finishes them). */
  countOutdated(db: Db, currentId: string): Promise<number>;
  /** Values not under `currentId`, including those of a format from before the KEK (rotation reseals them). */
  countNotUnder(db: Db, currentId: string): Promise<number>;
  countUnder(db: Db, kekId: string): Promise<number>;
  rewrap(db: Db, current: KekRow, batchSize: number, onBatch?: (done: number) => void): Promise<number>;
}

function aadOf(keyId: string, blobKey: string): Buffer {
  return Buffer.from(`inkan-document-key\u0000${keyId}\u0000${blobKey}`, 'utf8');
}

/**
 * The data keys of blobs (format v2), kept in the database wrapped under a key-encryption key. A blob
 * names its key id; destroying the row's wrapped key makes the blob unreadable for good, and rotating
 * the KEK rewraps rows without touching blobs. Rows are committed before the blob is written, so a
 * backup's database snapshot holds the key of every blob its rows name (never the KEK itself).
 */
export class DocumentKeyring {
  readonly #keks = new Map<string, KekRow>();

  constructor(
    readonly db: Db,
    readonly keks: KeyEncryptionKeys,
    readonly clock: Clock = { now: () => new Date() },
    /** Rewrapped, counted and kept alive with the data keys (the sealed secrets). */
    readonly dependents: readonly KekDependent[] = [],
  ) {}

  /** A new data key for `blobKey`, wrapped under the current KEK and stored. */
  async create(blobKey: string): Promise<{ keyId: string; dataKey: Buffer }> {
    const kek = await this.currentKek();
    const keyId = randomUUID();
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const wrapped = await this.keks.wrap(kek, dataKey, aadOf(keyId, blobKey));
    await this.db
      .insertInto('document_keys')
      .values({
        key_id: keyId,
        blob_key: blobKey,
        kek_id: kek.id,
        wrapped_key: Buffer.from(wrapped).toString('base64'),
        created_at: this.clock.now().toISOString(),
        destroyed_at: null,
        destroy_reason: null,
      })
      .execute();
    return { keyId, dataKey };
  }

  /** The data key `keyId` of `blobKey`; BlobError BLOB_SHREDDED once destroyed, BLOB_BAD_KEY when it does not open. */
  async open(keyId: string, blobKey: string): Promise<Buffer> {
    const row = await this.db
      .selectFrom('document_keys')
      .select(['kek_id', 'blob_key', 'wrapped_key', 'destroyed_at'])
      .where('key_id', '=', keyId)
      .executeTakeFirst();
    if (!row || row.blob_key !== blobKey)
      throw new BlobError(
        'BLOB_BAD_KEY',
        `blob ${blobKey}: its data key ${keyId} is not in this installation's database`,
      );
    if (row.wrapped_key === null || row.destroyed_at !== null)
      throw new BlobError('BLOB_SHREDDED', `blob ${blobKey}: its data key was destroyed at ${row.destroyed_at ?? '?'}`);
    const kek = await this.kek(row.kek_id);
    try {
      return Buffer.from(await this.keks.unwrap(kek, Buffer.from(row.wrapped_key, 'base64'), aadOf(keyId, blobKey)));
    } catch (cause) {
      throw new BlobError('BLOB_BAD_KEY', `blob ${blobKey}: the data key does not unwrap under ${kek.id}`, { cause });
    }
  }

  /**
   * Destroys the data keys of `blobKey` (crypto-shredding): the wrapped key is overwritten with null.
   * Returns how many keys were destroyed now (0: none, or already destroyed).
   */
  async destroy(blobKey: string, reason: string): Promise<number> {
    const result = await this.db
      .updateTable('document_keys')
      .set({ wrapped_key: null, destroyed_at: this.clock.now().toISOString(), destroy_reason: reason.slice(0, 200) })
      .where('blob_key', '=', blobKey)
      .where('destroyed_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows);
  }

  /**
   * Records that a blob of format v1 (its key in its own header) was shredded by deleting it: a key row
   * without a key, so that reads of it say "shredded" rather than "missing".
   */
  async recordDeleted(blobKey: string, reason: string): Promise<void> {
    const at = this.clock.now().toISOString();
    await this.db
      .insertInto('document_keys')
      .values({
        key_id: randomUUID(),
        blob_key: blobKey,
        kek_id: (await this.currentKek()).id,
        wrapped_key: null,
        created_at: at,
        destroyed_at: at,
        destroy_reason: reason.slice(0, 200),
      })
      .execute();
  }

  /** Removes the key rows of a deleted blob (one that never became a document, or a replaced seal image). */
  async forget(blobKey: string): Promise<void> {
    await this.db.deleteFrom('document_keys').where('blob_key', '=', blobKey).execute();
  }

  /** Whether `blobKey` has a data key row (format v2), and whether it is destroyed. */
  async stateOf(blobKey: string): Promise<'live' | 'destroyed' | 'none'> {
    const rows = await this.db
      .selectFrom('document_keys')
      .select('destroyed_at')
      .where('blob_key', '=', blobKey)
      .execute();
    if (rows.length === 0) return 'none';
    return rows.every((r) => r.destroyed_at !== null) ? 'destroyed' : 'live';
  }

  /**
   * Makes the freed bytes of destroyed keys (and of the shredded documents' extracted text) unreachable
   * in the database files: SQLite merges the register's text index, checkpoints the WAL into the main
   * file (secure_delete zeroes freed space) and truncates it; PostgreSQL vacuums the tables so that the
   * old row versions are gone. Best effort: a busy reader may delay it to the next run.
   */
  async purgeDestroyed(dialect: 'sqlite' | 'postgres'): Promise<void> {
    if (dialect === 'sqlite') {
      // The register's trigram index keeps deleted text in its segments until they are merged.
      await sql`insert into contract_texts_fts(contract_texts_fts) values ('optimize')`.execute(this.db);
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(this.db);
    } else {
      await sql`vacuum document_keys`.execute(this.db);
      await sql`vacuum contract_texts`.execute(this.db);
    }
  }

  /** The newest KEK version (new data keys are wrapped under it). */
  async currentKek(): Promise<KekRow> {
    const row = await newestKek(this.db);
    this.#keks.set(row.id, row);
    return row;
  }

  /** Every KEK version with its count of live data keys, newest first. */
  async status(): Promise<KekStatus[]> {
    const keks = await this.db.selectFrom('key_encryption_keys').selectAll().orderBy('version', 'desc').execute();
    const counts = await this.db
      .selectFrom('document_keys')
      .select(['kek_id', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('destroyed_at', 'is', null)
      .groupBy('kek_id')
      .execute();
    const byKek = new Map(counts.map((c) => [c.kek_id, Number(c.n)]));
    const status: KekStatus[] = [];
    for (const [i, k] of keks.entries()) {
      let liveSecrets = 0;
      for (const dependent of this.dependents) liveSecrets += await dependent.countUnder(this.db, k.id);
      status.push({ ...k, liveKeys: byKek.get(k.id) ?? 0, liveSecrets, current: i === 0 });
    }
    return status;
  }

  /**
   * `inkan keys rotate`: unless an earlier rotation is unfinished (then it resumes), creates a new KEK
   * version (in the HSM when configured) and rewraps every live data key under it, `batchSize` rows per
   * transaction, then the dependents' values (the sealed secrets). Blobs are not read or written. Safe to
   * interrupt and run again.
   */
  async rotate(
    options: { batchSize?: number; onBatch?: (done: number) => void; onSecrets?: (done: number) => void } = {},
  ): Promise<RotationProgress> {
    const batchSize = options.batchSize ?? 500;
    let current = await this.currentKek();
    let created = false;
    if ((await this.#countOutdated(current.id)) + (await this.#dependentsOutdated(current.id)) === 0) {
      current = await this.#createVersion(current.version + 1);
      created = true;
    }
    const dialect = dialectOf(this.db);
    let rewrapped = 0;
    for (;;) {
      const rows = await this.db
        .selectFrom('document_keys')
        .select(['key_id', 'blob_key', 'kek_id', 'wrapped_key'])
        .where('kek_id', '!=', current.id)
        .where('wrapped_key', 'is not', null)
        .orderBy('key_id')
        .limit(batchSize)
        .execute();
      if (rows.length === 0) break;
      const updates: { keyId: string; from: string; wrapped: string }[] = [];
      for (const row of rows) {
        const aad = aadOf(row.key_id, row.blob_key);
        const dataKey = await this.keks.unwrap(
          await this.kek(row.kek_id),
          Buffer.from(row.wrapped_key!, 'base64'),
          aad,
        );
        const wrapped = await this.keks.wrap(current, dataKey, aad);
        updates.push({ keyId: row.key_id, from: row.kek_id, wrapped: Buffer.from(wrapped).toString('base64') });
      }
      await inTransaction(this.db, dialect, async (tx) => {
        for (const update of updates) {
          // Only a row still as read: one destroyed meanwhile stays destroyed.
          await tx
            .updateTable('document_keys')
            .set({ kek_id: current.id, wrapped_key: update.wrapped })
            .where('key_id', '=', update.keyId)
            .where('kek_id', '=', update.from)
            .where('wrapped_key', 'is not', null)
            .execute();
        }
      });
      rewrapped += updates.length;
      options.onBatch?.(rewrapped);
    }
    let resealed = 0;
    for (const dependent of this.dependents)
      resealed += await dependent.rewrap(this.db, current, batchSize, (done) => options.onSecrets?.(resealed + done));
    let remaining = await this.#countOutdated(current.id);
    for (const dependent of this.dependents) remaining += await dependent.countNotUnder(this.db, current.id);
    return { current, created, rewrapped, resealed, remaining };
  }

  /**
   * Removes the KEK versions older than the current one that no live data key nor sealed secret needs any more: an HSM
   * key is destroyed on the token; a derived one is only marked (it cannot be destroyed). Returns them.
   */
  async retireOld(): Promise<KekRow[]> {
    const status = await this.status();
    const retired: KekRow[] = [];
    for (const kek of status) {
      if (kek.current || kek.retired_at !== null || kek.liveKeys > 0 || kek.liveSecrets > 0) continue;
      this.keks.remove(kek);
      const at = this.clock.now().toISOString();
      await this.db.updateTable('key_encryption_keys').set({ retired_at: at }).where('id', '=', kek.id).execute();
      retired.push({ ...kek, retired_at: at });
    }
    return retired;
  }

  async kek(id: string): Promise<KekRow> {
    const known = this.#keks.get(id);
    if (known) return known;
    const row = await this.db.selectFrom('key_encryption_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new BlobError('BLOB_BAD_KEY', `unknown key-encryption key ${id}`);
    this.#keks.set(id, row);
    return row;
  }

  async #countOutdated(currentId: string): Promise<number> {
    const row = await this.db
      .selectFrom('document_keys')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('kek_id', '!=', currentId)
      .where('wrapped_key', 'is not', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async #dependentsOutdated(currentId: string): Promise<number> {
    let n = 0;
    for (const dependent of this.dependents) n += await dependent.countOutdated(this.db, currentId);
    return n;
  }

  async #createVersion(version: number): Promise<KekRow> {
    const row: KekRow = {
      id: `${this.keks.nextProvider}-v${version}`,
      version,
      provider: this.keks.nextProvider,
      label: this.keks.labelFor(version),
      created_at: this.clock.now().toISOString(),
      retired_at: null,
    };
    // A key left on the token by a rotation that stopped before recording it was never used: reuse it.
    if (!this.keks.available(row)) this.keks.create(row);
    await this.db.insertInto('key_encryption_keys').values(row).execute();
    this.#keks.set(row.id, row);
    return row;
  }
}
