import type { DbOrTx } from './database.ts';

/** What a sealed secret is for: a value sealed for one purpose does not open for another. */
export type SecretPurpose = 'webhook-secret' | 'sso-client-secret' | 'signing-key' | 'access-code' | 'totp-seed';

/**
 * Secrets the service needs in clear again (webhook signing secrets, SSO client secrets, organisations'
 * uploaded signing keys, re-showable access codes, accounts' TOTP seeds), sealed at rest under the installation's current
 * key-encryption key (KEK), so that `inkan keys rotate` rewraps them with the documents' data keys.
 *
 * `aad` names the row the value belongs to (an endpoint, connection, organisation, recipient or user id): a
 * value copied onto another row, or used for another purpose, does not open. `via` is the database or
 * the transaction under way (on SQLite a query outside a running transaction would wait for it forever).
 */
export interface SecretSeal {
  sealSecret(purpose: SecretPurpose, plaintext: Uint8Array | string, aad: string, via: DbOrTx): Promise<string>;
  /** Several values under one look-up of the current KEK (a bulk send's codes), in the order given. */
  sealSecrets(
    purpose: SecretPurpose,
    values: ReadonlyArray<{ plaintext: Uint8Array | string; aad: string }>,
    via: DbOrTx,
  ): Promise<string[]>;
  /** The plaintext; throws when the value was changed, belongs to another row or purpose, or its KEK is gone. */
  openSecret(purpose: SecretPurpose, sealed: string, aad: string, via: DbOrTx): Promise<Buffer>;
}
