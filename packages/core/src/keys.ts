/** `@inkan/core/keys` — the master key's parsing, for the configuration (which every command loads). */
export { parseMasterKey, MASTER_KEY_MIN_BYTES } from './pki/key-storage.ts';
export { CoreError, isCoreError, type CoreErrorCode } from './errors.ts';
