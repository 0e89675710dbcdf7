import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { sql, type RawBuilder } from 'kysely';
import type { Db, DbOrTx } from '../../ports/database.ts';
import type { SecretPurpose, SecretSeal } from '../../ports/secret-seal.ts';
import { deriveKey } from '../../security/server-keys.ts';
import type { KekDependent } from './document-keyring.ts';
import { newestKek, type KeyEncryptionKeys, type KekRow } from './key-encryption-keys.ts';

/** The envelope's format tag; base64url never contains `$`, so the parts split unambiguously. */
const FORMAT = 's1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const DATA_KEY_BYTES = 32;

/** Where each purpose's secrets are stored, and how the sealing of before 024 bound them. */
const STORED: ReadonlyArray<{
  purpose: SecretPurpose;
  table: string;
  id: string;
  column: string;
}> = [
  { purpose: 'webhook-secret', table: 'webhook_endpoints', id: 'id', column: 'secret_ciphertext' },
  { purpose: 'webhook-secret', table: 'webhook_endpoints', id: 'id', column: 'previous_secret_ciphertext' },
  { purpose: 'sso-client-secret', table: 'sso_connections', id: 'id', column: 'oidc_client_secret_ciphertext' },
  { purpose: 'signing-key', table: 'signing_certificates', id: 'organization_id', column: 'key_ciphertext' },
  { purpose: 'access-code', table: 'recipients', id: 'id', column: 'access_code_sealed' },
  { purpose: 'totp-seed', table: 'totp_factors', id: 'user_id', column: 'secret_ciphertext' },
  // A pending bulk send row's codes (several per row: each update also matches the value it replaces).
  { purpose: 'access-code', table: 'bulk_send_row_codes', id: 'row_id', column: 'access_code_sealed' },
];

/**
 * The first format (each purpose with its own code): base64(iv ‖ tag ‖ ciphertext), AES-256-GCM under a
 * key derived from the master key for the purpose, with the row's id behind a prefix as associated data.
 * Still read; `inkan keys rotate` reseals such values in the current format.
 */
const LEGACY: Record<SecretPurpose, { label: string; aadPrefix: string }> = {
  'webhook-secret': { label: 'webhook-secret-encryption', aadPrefix: 'webhook:' },
  'sso-client-secret': { label: 'sso-secret-encryption', aadPrefix: 'sso:' },
  'signing-key': { label: 'signing-key-encryption', aadPrefix: 'signing-key:' },
  'access-code': { label: 'access-code-encryption', aadPrefix: 'access-code:' },
  'totp-seed': { label: 'totp-seed-encryption', aadPrefix: 'totp:' },
};

function boundTo(kind: 'key' | 'body', purpose: SecretPurpose, kekId: string, aad: string): Buffer {
  return Buffer.from(`inkan-secret/${FORMAT}/${kind}\u0000${purpose}\u0000${kekId}\u0000${aad}`, 'utf8');
}

/**
 * The one sealing of secrets (SecretSeal): `$s1$<kek id>$<purpose>$<wrapped data key>$<iv ‖ tag ‖ ciphertext>`.
 * A fresh 256-bit data key per value encrypts it (AES-256-GCM); the data key is wrapped under the KEK (in
 * the HSM when the KEK lives there), as documents' data keys are. Both layers bind the purpose, the KEK
 * version and the row (`aad`), so a value moved between rows, purposes or versions does not open.
 */
export class SealedSecrets implements SecretSeal, KekDependent {
  readonly #keks: KeyEncryptionKeys;
  readonly #masterKey: Uint8Array;
  readonly #kekRows = new Map<string, KekRow>();

  constructor(keks: KeyEncryptionKeys, masterKey: Uint8Array) {
    this.#keks = keks;
    this.#masterKey = masterKey;
  }

  async sealSecret(purpose: SecretPurpose, plaintext: Uint8Array | string, aad: string, via: DbOrTx): Promise<string> {
    return this.#seal(await this.#currentKek(via), purpose, plaintext, aad);
  }

  async sealSecrets(
    purpose: SecretPurpose,
    values: ReadonlyArray<{ plaintext: Uint8Array | string; aad: string }>,
    via: DbOrTx,
  ): Promise<string[]> {
    if (values.length === 0) return [];
    const kek = await this.#currentKek(via);
    const sealed: string[] = [];
    for (const value of values) sealed.push(await this.#seal(kek, purpose, value.plaintext, value.aad));
    return sealed;
  }

  async openSecret(purpose: SecretPurpose, sealed: string, aad: string, via: DbOrTx): Promise<Buffer> {
    if (!sealed.startsWith(`$${FORMAT}$`)) return this.#openLegacy(purpose, sealed, aad);
    const [, , kekId, sealedPurpose, wrapped, body, extra] = sealed.split('$');
    if (extra !== undefined || !kekId || !wrapped || !body) throw new Error('sealed secret: malformed envelope');
    if (sealedPurpose !== purpose) throw new Error(`sealed secret: sealed for ${sealedPurpose}, not ${purpose}`);
    const kek = await this.#kek(kekId, via);
    const dataKey = Buffer.from(
      await this.#keks.unwrap(kek, Buffer.from(wrapped, 'base64url'), boundTo('key', purpose, kekId, aad)),
    );
    try {
      const raw = Buffer.from(body, 'base64url');
      if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret: too short');
      const decipher = createDecipheriv('aes-256-gcm', dataKey, raw.subarray(0, IV_BYTES));
      decipher.setAAD(boundTo('body', purpose, kekId, aad));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    } finally {
      dataKey.fill(0);
    }
  }

  /** Stored secrets under a KEK other than `currentId` (values of the first format are not counted). */
  async countOutdated(db: Db, currentId: string): Promise<number> {
    const prefix = this.#prefix(currentId);
    return this.#count(
      db,
      (column) => sql`substr(${column}, 1, 4) = ${`$${FORMAT}$`}
      and substr(${column}, 1, ${prefix.length}) <> ${prefix}`,
    );
  }

  /** Stored secrets not sealed under `currentId`: under an older KEK, or in the first format. */
  async countNotUnder(db: Db, currentId: string): Promise<number> {
    const prefix = this.#prefix(currentId);
    return this.#count(
      db,
      (column) => sql`${column} is not null and substr(${column}, 1, ${prefix.length}) <> ${prefix}`,
    );
  }

  /** Stored secrets sealed under `kekId`. */
  async countUnder(db: Db, kekId: string): Promise<number> {
    const prefix = this.#prefix(kekId);
    return this.#count(db, (column) => sql`substr(${column}, 1, ${prefix.length}) = ${prefix}`);
  }

  async #count(db: Db, where: (column: RawBuilder<unknown>) => RawBuilder<unknown>): Promise<number> {
    let n = 0;
    for (const place of STORED) {
      const result = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(place.table)}
        where ${where(sql.ref(place.column))}`.execute(db);
      n += Number(result.rows[0]?.n ?? 0);
    }
    return n;
  }

  /**
   * Reseals under `current` every stored secret that is not (older KEK, or the first format), `batchSize`
   * values per transaction; a value changed meanwhile (a rotated webhook secret) is left as it now is.
   */
  async rewrap(db: Db, current: KekRow, batchSize: number, onBatch?: (done: number) => void): Promise<number> {
    const prefix = this.#prefix(current.id);
    let done = 0;
    for (const place of STORED) {
      for (;;) {
        const rows = await sql<{ id: string; value: string }>`select ${sql.ref(place.id)} as id,
            ${sql.ref(place.column)} as value from ${sql.table(place.table)}
          where ${sql.ref(place.column)} is not null
            and substr(${sql.ref(place.column)}, 1, ${prefix.length}) <> ${prefix}
          order by ${sql.ref(place.id)} limit ${batchSize}`.execute(db);
        if (rows.rows.length === 0) break;
        const updates: Array<{ id: string; from: string; to: string }> = [];
        for (const row of rows.rows) {
          const plaintext = await this.openSecret(place.purpose, row.value, row.id, db);
          try {
            updates.push({
              id: row.id,
              from: row.value,
              to: await this.#seal(current, place.purpose, plaintext, row.id),
            });
          } finally {
            plaintext.fill(0);
          }
        }
        let changed = 0;
        await db.writeTransaction(async (tx) => {
          for (const u of updates) {
            const result = await sql`update ${sql.table(place.table)} set ${sql.ref(place.column)} = ${u.to}
              where ${sql.ref(place.id)} = ${u.id} and ${sql.ref(place.column)} = ${u.from}`.execute(tx);
            changed += Number(result.numAffectedRows ?? 0);
          }
        });
        done += updates.length;
        onBatch?.(done);
        // Every row of the batch was changed by someone else meanwhile and still is not current: stop
        // rather than spin (the caller counts what is left).
        if (changed === 0) break;
      }
    }
    return done;
  }

  #prefix(kekId: string): string {
    return `$${FORMAT}$${kekId}$`;
  }

  async #seal(kek: KekRow, purpose: SecretPurpose, plaintext: Uint8Array | string, aad: string): Promise<string> {
    const dataKey = randomBytes(DATA_KEY_BYTES);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
    cipher.setAAD(boundTo('body', purpose, kek.id, aad));
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const ciphertext = Buffer.concat([cipher.update(data), cipher.final()]);
    const body = Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64url');
    try {
      const wrapped = await this.#keks.wrap(kek, dataKey, boundTo('key', purpose, kek.id, aad));
      return `${this.#prefix(kek.id)}${purpose}$${Buffer.from(wrapped).toString('base64url')}$${body}`;
    } finally {
      dataKey.fill(0);
    }
  }

  #openLegacy(purpose: SecretPurpose, sealed: string, aad: string): Buffer {
    const legacy = LEGACY[purpose];
    const raw = Buffer.from(sealed, 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) throw new Error('sealed secret: too short');
    const decipher = createDecipheriv('aes-256-gcm', deriveKey(this.#masterKey, legacy.label), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(legacy.aadPrefix + aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  }

  async #currentKek(via: DbOrTx): Promise<KekRow> {
    const row = await newestKek(via);
    this.#kekRows.set(row.id, row);
    return row;
  }

  async #kek(id: string, via: DbOrTx): Promise<KekRow> {
    const known = this.#kekRows.get(id);
    if (known) return known;
    const row = await via.selectFrom('key_encryption_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new Error(`sealed secret: unknown key-encryption key ${id}`);
    this.#kekRows.set(id, row);
    return row;
  }
}
