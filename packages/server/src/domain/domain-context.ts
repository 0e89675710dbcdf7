import type { Config } from '../config/config.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { Clock } from '../ports/clock.ts';
import type { Db } from '../ports/database.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Mailer } from '../ports/mailer.ts';
import type { SecretSeal } from '../ports/secret-seal.ts';

/**
 * What use cases need from the composition root: ports only. The AppContext of `context.ts` satisfies
 * it, so callers pass the whole context.
 */
export interface DomainContext {
  config: Config;
  db: Db;
  dialect: 'sqlite' | 'postgres';
  blobs: BlobStore;
  mailer: Mailer;
  jobs: JobQueue;
  clock: Clock;
  /** Seals the secrets needed in clear again (webhook and SSO secrets, signing keys, access codes, TOTP seeds). */
  secrets: SecretSeal;
  keys: {
    accessCode: Uint8Array;
    cookie: Uint8Array;
    recoveryCode: Uint8Array;
  };
}
