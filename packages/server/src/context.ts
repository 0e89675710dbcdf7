import { mkdir } from 'node:fs/promises';
import { isMainThread } from 'node:worker_threads';
import { join } from 'node:path';
import { initBuiltinPki } from '@inkan/core';
import { verifyLimitsOf, type Config } from './config/config.ts';
import type { Db } from './ports/database.ts';
import type { BlobStore } from './ports/blob-store.ts';
import type { Mailer } from './ports/mailer.ts';
import type { JobQueue } from './ports/job-queue.ts';
import type { PdfVerifier } from './ports/pdf-verifier.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import { HttpWebhookSender } from './adapters/webhooks/http-webhook-sender.ts';
import { openConfiguredDatabase } from './adapters/db/open-database.ts';
import { migrateToLatest } from './adapters/db/migrate.ts';
import { EncryptedBlobStore } from './adapters/blob/encrypted-blob-store.ts';
import { DocumentKeyring } from './adapters/keys/document-keyring.ts';
import { KeyEncryptionKeys } from './adapters/keys/key-encryption-keys.ts';
import { SealedSecrets } from './adapters/keys/sealed-secrets.ts';
import { openObjectStore } from './adapters/storage/object-store.ts';
import { OutboxMailer } from './adapters/mail/outbox-mailer.ts';
import { SmtpMailer } from './adapters/mail/smtp-mailer.ts';
import { DbJobQueue } from './adapters/jobs/db-job-queue.ts';
import { VerifyWorkerPool } from './adapters/verification/verify-worker-pool.ts';
import { masterKeyOf, openSigningServices, type SigningServices } from './signing-services.ts';
import { deriveServerKeys, readMasterKey, type ServerKeys } from './security/server-keys.ts';
import { createMetrics, type Metrics } from './observability/metrics.ts';
import type { IdentityProviders } from './ports/identity-providers.ts';
import { lazyIdentityProviders } from './adapters/sso/lazy-identity-providers.ts';
import type { DnsResolver } from './ports/dns-resolver.ts';
import { nodeDnsResolver } from './adapters/dns/node-dns-resolver.ts';

/** Everything a use case, route or job handler may use: built once, in createContext. */
export interface AppContext {
  config: Config;
  db: Db;
  dialect: 'sqlite' | 'postgres';
  blobs: BlobStore;
  mailer: Mailer;
  jobs: JobQueue;
  clock: Clock;
  signing: SigningServices;
  /** Verifies uploaded PDFs in worker threads, within INKAN_VERIFY_* limits. */
  verifier: PdfVerifier;
  /** Keys derived from the master secret: access-code HMAC, cookie signing, blob key wrapping. */
  keys: ServerKeys;
  /** Webhook and SSO secrets, organisations' signing keys and access codes, sealed under the KEK. */
  secrets: SealedSecrets;
  /** This process's (or thread's) Prometheus instruments. */
  metrics: Metrics;
  /** Single sign-on: the OIDC relying party and the SAML service provider. */
  identityProviders: IdentityProviders;
  /** Sends webhook deliveries (INKAN_WEBHOOK_ALLOW_PRIVATE, INKAN_WEBHOOK_TIMEOUT). */
  webhooks: WebhookSender;
  /** DNS lookups (domain-claim verification): INKAN_DNS_SERVERS or the system's resolvers. */
  dns: DnsResolver;
  /** Closes the database, the SMTP transport and the HSM session. */
  close(): Promise<void>;
}

/** Options of createContext (tests replace the clock or the mailer). */
export interface CreateContextOptions {
  clock?: Clock;
  mailer?: Mailer;
  /** The long-lived server process (`inkan serve`): SQLite's planner statistics are refreshed at open. */
  longLived?: boolean;
}

/**
 * The composition root: initialises the data directory and the built-in PKI if needed (idempotent),
 * opens the database (SQLite in the data directory, or INKAN_DATABASE_URL) and migrates it, and picks
 * the blob store, the mailer (SMTP when INKAN_SMTP_URL is set, else the outbox) and the job queue.
 */
export async function createContext(config: Config, options: CreateContextOptions = {}): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  await initBuiltinPki({
    dir: config.pkiDir,
    publicUrl: config.publicUrl,
    masterKey: masterKeyOf(config),
    signingKeyAlgorithm: config.signingKeyAlgorithm,
    organisationName: config.organisationName,
  });
  const masterKey = await readMasterKey(config);
  // Node's process metrics once per process: a worker thread shares them with the main thread.
  const metrics = createMetrics({ processMetrics: isMainThread });
  const signing = await openSigningServices(config, { metrics });
  const verifier = new VerifyWorkerPool({
    workers: config.verify.workers,
    workerMemoryMb: config.verify.workerMemoryMb,
    timeoutMs: config.verify.timeoutMs,
    queueLength: config.verify.queueLength,
    limits: verifyLimitsOf(config),
  });
  const keks = new KeyEncryptionKeys(masterKey, config.kekPkcs11);
  const toClose: Array<() => Promise<void> | void> = [
    () => verifier.close(),
    () => signing.close(),
    () => keks.close(),
  ];
  try {
    const database = await openConfiguredDatabase(config, { optimizeAtOpen: options.longLived });
    toClose.unshift(() => database.close());
    await migrateToLatest(database.db, database.dialect);
    const secrets = new SealedSecrets(keks, masterKey);
    const keyring = new DocumentKeyring(database.db, keks, clock, [secrets]);
    // Fail fast: without the current KEK no document could be stored (nor most of them read).
    const kek = await keyring.currentKek();
    if (!keks.available(kek))
      throw new Error(
        kek.provider === 'pkcs11'
          ? `the current key-encryption key ${kek.id} is the HSM key "${kek.label}": set INKAN_KEK_PKCS11_LIBRARY, INKAN_KEK_PKCS11_TOKEN and INKAN_KEK_PKCS11_PIN to the token that holds it`
          : `the current key-encryption key ${kek.id} cannot be used`,
      );
    let mailer = options.mailer;
    if (!mailer) {
      if (config.smtpUrl) {
        const smtp = new SmtpMailer(database.db, { url: config.smtpUrl, from: config.mailFrom, clock });
        toClose.unshift(() => smtp.close());
        mailer = smtp;
      } else {
        mailer = new OutboxMailer(database.db, { from: config.mailFrom, clock });
      }
    }
    const webhooks = new HttpWebhookSender(config.webhooks);
    toClose.unshift(() => webhooks.close());
    let closed = false;
    return {
      config,
      db: database.db,
      dialect: database.dialect,
      blobs: new EncryptedBlobStore(
        openObjectStore(config.blobUrl ?? join(config.dataDir, 'blobs'), config.s3),
        masterKey,
        keyring,
      ),
      mailer,
      jobs: new DbJobQueue({ clock }),
      clock,
      signing,
      verifier,
      keys: deriveServerKeys(masterKey),
      secrets,
      metrics,
      identityProviders: lazyIdentityProviders(),
      webhooks,
      dns: nodeDnsResolver(config.dnsServers),
      close: async () => {
        if (closed) return;
        closed = true;
        await closeAll(toClose);
      },
    };
  } catch (error) {
    await closeAll(toClose);
    throw error;
  }
}

async function closeAll(steps: Array<() => Promise<void> | void>): Promise<void> {
  for (const step of steps) {
    try {
      await step();
    } catch {
      // Closing is best effort: one failure must not leave the others open.
    }
  }
}
