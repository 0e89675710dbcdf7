import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Pkcs11AesKeys } from '@inkan/core';
import type { Config } from '../../config/config.ts';
import type { DbOrTx, Schema } from '../../ports/database.ts';
import { deriveKey } from '../../security/server-keys.ts';

/** A key-encryption key as the database records it. */
export type KekRow = Schema['key_encryption_keys'];

const IV_BYTES = 12;
const TAG_BYTES = 16;

/** The newest KEK version (new data keys and secrets are wrapped under it). */
export async function newestKek(db: DbOrTx): Promise<KekRow> {
  const row = await db
    .selectFrom('key_encryption_keys')
    .selectAll()
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) throw new Error('no key-encryption key: the database is not migrated');
  return row;
}

/** A KEK that cannot be used here (its HSM is not configured, or its key is gone). */
export class KekUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KekUnavailableError';
  }
}

/**
 * The key-encryption keys of documents' data keys, by version: a KEK either derived from the master key
 * (HKDF with the version's label; what an installation starts with) or an AES-256 key inside an HSM
 * (INKAN_KEK_PKCS11_*), used through PKCS#11 CKM_AES_GCM so that it never leaves the token. Both seal a
 * data key as IV | ciphertext | tag bound to `aad`. The HSM session is opened when first needed.
 */
export class KeyEncryptionKeys {
  readonly #masterKey: Uint8Array;
  readonly #hsmConfig: Config['kekPkcs11'];
  #hsm: Pkcs11AesKeys | undefined;

  constructor(masterKey: Uint8Array, hsm: Config['kekPkcs11']) {
    this.#masterKey = masterKey;
    this.#hsmConfig = hsm;
  }

  /** The provider a new KEK version gets: the HSM when configured, else the master key. */
  get nextProvider(): KekRow['provider'] {
    return this.#hsmConfig ? 'pkcs11' : 'master';
  }

  /** The label of version `version` of the next provider. */
  labelFor(version: number): string {
    return this.#hsmConfig ? `${this.#hsmConfig.keyLabelPrefix}-v${version}` : `document-kek/v${version}`;
  }

  /** Creates the key of a new version (HSM: generates it on the token; master: nothing to store). */
  create(kek: Pick<KekRow, 'provider' | 'label'>): void {
    if (kek.provider === 'pkcs11') this.#token(kek.label).generate(kek.label);
  }

  /** Whether the key of a version can be used here. */
  available(kek: Pick<KekRow, 'provider' | 'label'>): boolean {
    if (kek.provider === 'master') return true;
    try {
      return this.#token(kek.label).has(kek.label);
    } catch {
      return false;
    }
  }

  /** Destroys the key of a version (HSM only: a derived key cannot be destroyed, only abandoned). */
  remove(kek: Pick<KekRow, 'provider' | 'label'>): void {
    if (kek.provider === 'pkcs11') this.#token(kek.label).destroy(kek.label);
  }

  /** Seals a data key under a KEK. */
  async wrap(kek: KekRow, dataKey: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    if (kek.provider === 'pkcs11') return this.#token(kek.label).seal(kek.label, dataKey, aad);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', deriveKey(this.#masterKey, kek.label), iv);
    cipher.setAAD(aad);
    return Buffer.concat([iv, cipher.update(dataKey), cipher.final(), cipher.getAuthTag()]);
  }

  /** Opens a sealed data key; throws when it was changed, belongs elsewhere or the KEK is another. */
  async unwrap(kek: KekRow, wrapped: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
    if (kek.provider === 'pkcs11') return this.#token(kek.label).open(kek.label, wrapped, aad);
    const bytes = Buffer.from(wrapped);
    if (bytes.length < IV_BYTES + TAG_BYTES) throw new Error('wrapped key too short');
    const decipher = createDecipheriv(
      'aes-256-gcm',
      deriveKey(this.#masterKey, kek.label),
      bytes.subarray(0, IV_BYTES),
    );
    decipher.setAAD(aad);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)), decipher.final()]);
  }

  /** Closes the HSM session, if one was opened. */
  close(): void {
    this.#hsm?.close();
    this.#hsm = undefined;
  }

  #token(label: string): Pkcs11AesKeys {
    if (!this.#hsmConfig)
      throw new KekUnavailableError(
        `the key-encryption key "${label}" lives in an HSM, but INKAN_KEK_PKCS11_LIBRARY, _TOKEN and _PIN are not set`,
      );
    this.#hsm ??= Pkcs11AesKeys.open({
      libraryPath: this.#hsmConfig.library,
      tokenLabel: this.#hsmConfig.token,
      pin: this.#hsmConfig.pin,
    });
    return this.#hsm;
  }
}
