import { availableParallelism } from 'node:os';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import * as z from 'zod';
// Narrow entries of the core: every command loads the configuration, most need little of the core.
import { isCoreError, parseMasterKey } from '@inkan/core/keys';
import { parseDuration } from './duration.ts';
import { ConfigError } from './config-error.ts';

export { ConfigError } from './config-error.ts';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a duration like 30s, 15m, 14d or 1y` });
        return z.NEVER;
      }
      return ms;
    });

const schema = z.object({
  INKAN_ENV: z.enum(['production', 'development', 'test']).default('production'),
  INKAN_DATA_DIR: z.string().min(1).default('./data'),
  INKAN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
  INKAN_PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  INKAN_HOST: z.string().min(1).default('127.0.0.1'),
  INKAN_ALLOW_DEV_ON_NETWORK: z.enum(['true', 'false']).default('false'),
  INKAN_TLS_CERT: z.string().optional(),
  INKAN_TLS_KEY: z.string().optional(),
  INKAN_HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  INKAN_METRICS_ALLOW: z
    .string()
    .default('loopback')
    .transform((value, ctx) => {
      const parsed = parseAddressList(value);
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a comma-separated list of addresses or CIDR ranges (127.0.0.1, 10.0.0.0/8, loopback)`,
        });
        return z.NEVER;
      }
      return parsed;
    }),
  INKAN_DNS_SERVERS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const parsed = parseDnsServers(value);
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is not a comma-separated list of DNS server addresses (192.0.2.53, 192.0.2.53:5353, [2001:db8::53]:53)`,
        });
        return z.NEVER;
      }
      return parsed;
    }),
  INKAN_TRUST_PROXY: z
    .string()
    .optional()
    .transform((value, ctx) => {
      const parsed = parseTrustProxy(value);
      if (parsed === null) {
        ctx.addIssue({
          code: 'custom',
          message: `"${value}" is neither a hop count (1, 2 …) nor a comma-separated list of addresses or CIDR ranges (10.0.0.0/8, 127.0.0.1, ::1)`,
        });
        return z.NEVER;
      }
      return parsed;
    }),
  // Checked here so that a malformed key is reported as this variable, before any key file is touched.
  INKAN_MASTER_KEY: z
    .string()
    .min(1)
    .optional()
    .superRefine((value, ctx) => {
      if (value === undefined) return;
      try {
        parseMasterKey(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: isCoreError(error) ? error.message : 'not a valid master key' });
      }
    }),
  INKAN_SIGNING_KEY_ALGORITHM: z.enum(['RSA-2048', 'RSA-3072', 'ECDSA-P256']).default('RSA-2048'),
  INKAN_ORGANISATION_NAME: z.string().min(1).default('Inkan'),
  INKAN_TSA_URLS: z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return [];
      const urls = value
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean);
      for (const url of urls) {
        if (!/^https?:\/\/[^\s]+$/.test(url)) {
          ctx.addIssue({ code: 'custom', message: `"${url}" is not an http(s) URL` });
          return z.NEVER;
        }
      }
      return urls;
    }),
  INKAN_TSA_TIMEOUT: duration('10s'),
  INKAN_PKCS11_LIBRARY: z.string().optional(),
  INKAN_PKCS11_TOKEN: z.string().optional(),
  INKAN_PKCS11_PIN: z.string().optional(),
  INKAN_PKCS11_KEY_LABEL: z.string().optional(),
  // The key-encryption key (KEK) wrapping documents' data keys in an HSM (AES-256, CKM_AES_GCM).
  INKAN_KEK_PKCS11_LIBRARY: z.string().optional(),
  INKAN_KEK_PKCS11_TOKEN: z.string().optional(),
  INKAN_KEK_PKCS11_PIN: z.string().optional(),
  INKAN_KEK_PKCS11_KEY_LABEL: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,48}$/, 'letters, digits, ".", "_" and "-" only (1–48): versions are appended to it')
    .default('inkan-kek'),
  INKAN_SIGNING_P12: z.string().min(1).optional(),
  INKAN_SIGNING_P12_PASSWORD: z.string().optional(),
  INKAN_SIGNING_P12_PASSWORD_FILE: z.string().min(1).optional(),
  INKAN_SIGNING_PKCS11_KEY_LABEL: z.string().min(1).optional(),
  INKAN_SIGNING_CHAIN: z.string().min(1).optional(),
  INKAN_SIGNING_MODE: z.enum(['witness', 'organization', 'both']).default('witness'),
  INKAN_DATABASE_PREPARED_STATEMENTS: z.enum(['true', 'false']).default('true'),
  INKAN_DATABASE_URL: z
    .string()
    .optional()
    .refine(
      (value) =>
        value === undefined ||
        value.trim() === '' ||
        /^postgres(ql)?:\/\/[^\s]+$/.test(value.trim()) ||
        /^(sqlite|file):[^\s]+$/.test(value.trim()),
      {
        message: 'must be postgres://user@host:port/database or sqlite:PATH (empty = SQLite in the data directory)',
      },
    ),
  INKAN_SMTP_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.trim() === '' || isSmtpUrl(value.trim()), {
      message: 'must be smtp://[user:password@]host[:port] or smtps://…',
    }),
  INKAN_MAIL_FROM: z
    .string()
    .default('Inkan <no-reply@localhost>')
    .refine((value) => parseMailbox(value) !== undefined, {
      message: 'must be an address like "Inkan" <no-reply@example.jp> or no-reply@example.jp',
    }),
  // The operator's support contact, shown on the help page (困ったときは) and in every mail.
  INKAN_SUPPORT_EMAIL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.trim() === '' || /^[^\s@<>"]+@[^\s@<>"]+$/.test(value.trim()), {
      message: 'must be an e-mail address like support@example.jp',
    }),
  INKAN_SUPPORT_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.trim() === '' || /^https?:\/\/[^\s<>"]+$/.test(value.trim()), {
      message: 'must be an http(s) URL like https://example.jp/support',
    }),
  INKAN_DOWNLOAD_TTL: duration('14d'),
  INKAN_LINK_TTL: duration('30d'),
  INKAN_SESSION_TTL: duration('12h'),
  INKAN_CLAIM_TTL: duration('30d'),
  INKAN_ACCESS_CODE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  INKAN_JOB_LEASE: duration('60s').refine((ms) => ms >= 1000, { message: 'must be at least 1s' }),
  // The retry policy: capped exponential backoff, for this long after the first attempt, then failed.
  INKAN_JOB_RETRY_FOR: duration('72h').refine((ms) => ms >= 60_000, { message: 'must be at least 1m' }),
  INKAN_JOB_MAX_BACKOFF: duration('1h').refine((ms) => ms >= 1000 && ms <= 3_600_000, {
    message: 'must be between 1s and 1h',
  }),
  // The stable identity of a job worker: a restarted worker takes back its previous process's jobs.
  INKAN_WORKER_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'must be 1–100 letters, digits, ".", "_", ":" or "-"' })
    .optional(),
  // How often sent envelopes past their expiry date are swept to `expired`.
  INKAN_EXPIRY_SWEEP: duration('10m').refine((ms) => ms >= 60_000 && ms <= 86_400_000, {
    message: 'must be between 1m and 1d',
  }),
  // LTA renewal: a document's archive timestamp is renewed this long before its TSA certificate expires,
  // and at once when its hash is weaker than INKAN_RENEWAL_MIN_HASH.
  INKAN_RENEWAL_MARGIN: duration('1y').refine((ms) => ms >= 86_400_000 && ms <= 10 * 365 * 86_400_000, {
    message: 'must be between 1d and 10y',
  }),
  INKAN_RENEWAL_MIN_HASH: z.enum(['sha256', 'sha384', 'sha512']).default('sha256'),
  // Redis for the shared HTTP rate-limit counters (else PostgreSQL when the database is PostgreSQL).
  INKAN_REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, { message: 'must be a redis:// or rediss:// URL' })
    .optional(),
  INKAN_REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,100}$/, { message: 'must be 1–100 letters, digits, ".", "_", ":" or "-"' })
    .default('inkan:rate-limit:'),
  INKAN_WORKER_THREADS: z.coerce.number().int().min(0).max(16).default(0),
  INKAN_WORKER_IDLE: z
    .string()
    .default('2m')
    .transform((value, ctx) => {
      if (value === 'off') return 0;
      const ms = parseDuration(value);
      if (ms === undefined || ms < 1000) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration of at least 1s (e.g. 2m), or off' });
        return z.NEVER;
      }
      return ms;
    }),
  INKAN_MAX_UPLOAD_MB: z.coerce.number().int().min(1).max(2048).default(50),
  // Verification of uploads (and `inkan verify`): decoded bytes per file (empty = 4 × file size + 64 MiB),
  // worker threads (0 = one per core), heap per worker, time per verification, waiting uploads.
  INKAN_VERIFY_DECODE_BUDGET_MB: z.coerce.number().int().min(1).max(65536).optional(),
  INKAN_VERIFY_WORKERS: z.coerce.number().int().min(0).max(64).default(0),
  INKAN_VERIFY_WORKER_MEMORY_MB: z.coerce.number().int().min(64).max(16384).default(512),
  INKAN_VERIFY_TIMEOUT: duration('30s').refine((ms) => ms >= 100, { message: 'must be at least 100ms' }),
  INKAN_VERIFY_QUEUE: z.coerce.number().int().min(0).max(10000).default(8),
  // Documents: empty = the data directory's blobs/ folder; s3://bucket/prefix = an S3-compatible bucket.
  INKAN_BLOB_URL: z
    .string()
    .optional()
    .refine((value) => value === undefined || value.trim() === '' || S3_URL.test(value.trim()), {
      message: 'must be s3://bucket/prefix (empty = the data directory)',
    }),
  INKAN_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  INKAN_S3_REGION: z.string().min(1).default('us-east-1'),
  INKAN_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  INKAN_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  INKAN_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).optional(),
  // Backups: where they go (a directory or s3://bucket/prefix), when (HH:MM daily in INKAN_TIME_ZONE, or off)
  // and how many generations stay (grandfather-father-son).
  INKAN_BACKUP_TARGET: z
    .string()
    .optional()
    .refine(
      (value) =>
        value === undefined || value.trim() === '' || !value.trim().startsWith('s3:') || S3_URL.test(value.trim()),
      { message: 'must be a directory or s3://bucket/prefix' },
    ),
  INKAN_BACKUP_SCHEDULE: z
    .string()
    .default('03:00')
    .refine((value) => value === 'off' || /^([01]\d|2[0-3]):[0-5]\d$/.test(value), {
      message: 'must be HH:MM (daily, in INKAN_TIME_ZONE) or off',
    }),
  INKAN_BACKUP_KEEP_DAILY: z.coerce.number().int().min(1).max(3650).default(7),
  INKAN_BACKUP_KEEP_MONTHLY: z.coerce.number().int().min(0).max(1200).default(12),
  INKAN_BACKUP_KEEP_YEARLY: z.coerce.number().int().min(0).max(100).default(10),
  INKAN_TIME_ZONE: z
    .string()
    .default('Asia/Tokyo')
    .refine((value) => isTimeZone(value), { message: 'must be an IANA time zone such as Asia/Tokyo' }),
  INKAN_VERIFY_ONLINE: z.enum(['true', 'false']).default('false'),
  // Webhooks: private, loopback and link-local targets are refused unless the operator allows them.
  INKAN_WEBHOOK_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  INKAN_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(8),
  INKAN_WEBHOOK_TIMEOUT: duration('10s').refine((ms) => ms >= 1000 && ms <= 60_000, {
    message: 'must be between 1s and 60s',
  }),
});

const S3_URL = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](\/[A-Za-z0-9._/-]*)?$/;

function isTimeZone(zone: string): boolean {
  // The default needs no check, and the check is not free: the first Intl.DateTimeFormat loads ICU's
  // time zone data (a CPU profile of `inkan verify` showed it as the largest single cost of reading the
  // configuration, which every command does).
  if (zone === 'Asia/Tokyo' || zone === 'UTC') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isSmtpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Parses `Name <address>`, `"Name" <address>` or a bare address; undefined when malformed. */
export function parseMailbox(text: string): { name: string; address: string } | undefined {
  const trimmed = text.trim();
  const address = /^[^\s@<>"]+@[^\s@<>"]+$/;
  const angle = /^(?:"((?:[^"\\]|\\.)*)"|([^<>"]*?))\s*<([^<>\s]+)>$/.exec(trimmed);
  if (angle) {
    if (!address.test(angle[3])) return undefined;
    const name = angle[1] !== undefined ? angle[1].replace(/\\(.)/g, '$1') : (angle[2] ?? '').trim();
    return { name, address: angle[3] };
  }
  return address.test(trimmed) ? { name: '', address: trimmed } : undefined;
}

/** The validated configuration (read once, at start). */
export interface Config {
  env: 'production' | 'development' | 'test';
  dataDir: string;
  pkiDir: string;
  publicUrl: string;
  port: number;
  /** Interface to listen on (127.0.0.1 by default; 0.0.0.0 behind a proxy or in a container). */
  host: string;
  /** INKAN_ALLOW_DEV_ON_NETWORK: development mode may listen on a non-loopback address. */
  allowDevOnNetwork: boolean;
  /** PEM files of the certificate (with its chain) and key: serve HTTPS directly. */
  tls?: { certFile: string; keyFile: string };
  /** With TLS: a plain HTTP port that redirects to the public https URL (undefined: none). */
  httpRedirectPort?: number;
  /**
   * Which proxies may say who the client is in X-Forwarded-For: their addresses or CIDR ranges, or a
   * hop count; false (the default) = the peer of the TCP connection is the client.
   */
  trustProxy: false | number | string[];
  /** Clients allowed to read /metrics and the details of /readyz (addresses, CIDR ranges, `loopback`). */
  metricsAllow: string[];
  /** INKAN_DNS_SERVERS: the resolvers that domain-claim verification asks (empty: the system's). */
  dnsServers: string[];
  masterKey?: string;
  signingKeyAlgorithm: 'RSA-2048' | 'RSA-3072' | 'ECDSA-P256';
  organisationName: string;
  tsaUrls: string[];
  tsaTimeoutMs: number;
  pkcs11?: { library: string; token: string; pin: string; keyLabel: string };
  /**
   * The HSM holding the key-encryption keys of documents (INKAN_KEK_PKCS11_*); undefined = KEKs derived
   * from the master key. Each KEK version is an AES key labelled `<keyLabelPrefix>-v<version>`.
   */
  kekPkcs11?: { library: string; token: string; pin: string; keyLabelPrefix: string };
  /**
   * The operator's trusted signing certificate (INKAN_SIGNING_*): a PKCS#12 file with its password (or
   * a file holding it), or a key of the INKAN_PKCS11_* token with its certificate chain in a PEM file.
   */
  operatorSigning?:
    | { kind: 'pkcs12'; file: string; password?: string; passwordFile?: string; chainFile?: string }
    | { kind: 'pkcs11'; keyLabel: string; chainFile: string };
  /** How organisations that chose nothing sign (INKAN_SIGNING_MODE, default `witness`). */
  defaultSigningMode: 'witness' | 'organization' | 'both';
  /** PostgreSQL URL, or undefined for the SQLite file `<dataDir>/inkan.db` (a `sqlite:PATH` URL names another file). */
  databaseUrl?: string;
  /**
   * INKAN_DATABASE_PREPARED_STATEMENTS (default true): PostgreSQL statements go as named prepared
   * statements, planned once per connection; false behind a pooler that does not track them.
   */
  databasePreparedStatements: boolean;
  /** smtp:// or smtps:// URL; undefined = mail goes to the local outbox (the `mails` table). */
  smtpUrl?: string;
  /** The From of every mail: display name and address. */
  mailFrom: { name: string; address: string };
  /** The operator's support contact (INKAN_SUPPORT_EMAIL / INKAN_SUPPORT_URL); null when not set. */
  support: SupportContact;
  /** How long the ダウンロード link of the completion mail is valid. */
  downloadTtlMs: number;
  /** How long a personal signing link is valid. */
  linkTtlMs: number;
  /** How long a browser session of a user lasts. */
  sessionTtlMs: number;
  /** How long the Inkanで保管 (claim) link of the completion mail is valid. */
  claimTtlMs: number;
  /** Wrong access codes after which a recipient is locked. */
  accessCodeMaxAttempts: number;
  /**
   * How long a job worker's claim on a job holds (renewed while the job runs): the jobs a crashed
   * worker was running are taken over by another worker this long after its last renewal.
   */
  jobLeaseMs: number;
  /** How long after its first attempt a failing job is retried before it is failed (72 h). */
  jobRetryForMs: number;
  /** The longest wait between two attempts of a job (1 h). */
  jobMaxBackoffMs: number;
  /** INKAN_WORKER_ID: the stable identity of this job worker, or undefined (host and role). */
  workerId?: string;
  /** How often sent envelopes past their expiry date are swept to `expired`. */
  expirySweepMs: number;
  /** LTA renewal: how long before the TSA certificate's expiry, and the weakest hash left alone. */
  renewal: { marginMs: number; minimumHash: 'sha256' | 'sha384' | 'sha512' };
  /** redis:// URL of the shared HTTP rate-limit counters, or undefined. */
  redisUrl?: string;
  /** Prefix of the rate-limit keys in Redis (several installations may share one Redis). */
  redisPrefix: string;
  /**
   * `inkan serve --role=all`: a job worker process exits after this long without work and starts again
   * when work comes (its memory goes back to the system); 0 keeps worker threads running (INKAN_WORKER_IDLE=off).
   */
  workerIdleMs: number;
  /**
   * Job workers of `inkan serve` (INKAN_WORKER_THREADS; 0 = two on a machine with two cores or more, else one):
   * role `all`, child processes started on demand (threads with INKAN_WORKER_IDLE=off); role `worker`, child
   * processes running as long as the server (one: the jobs run in the server process itself).
   */
  workerThreads: number;
  /** Largest accepted upload (all documents of one request together), in bytes. */
  maxUploadBytes: number;
  /** Verification of uploaded PDFs: its resource limits and its worker pool. */
  verify: VerifyConfig;
  /** Webhook delivery: whether private/loopback targets are allowed (INKAN_WEBHOOK_ALLOW_PRIVATE), the request timeout. */
  webhooks: { allowPrivate: boolean; timeoutMs: number; concurrency: number };
  /** s3://bucket/prefix holding the documents, or undefined for `<dataDir>/blobs`. */
  blobUrl?: string;
  /** How to reach the S3-compatible service of INKAN_BLOB_URL and s3:// backup targets. */
  s3: { endpoint?: string; region: string; accessKeyId?: string; secretAccessKey?: string; forcePathStyle: boolean };
  /** Backups: target (directory or s3:// URL), daily time or null (off), generations kept. */
  backup: {
    target: string;
    schedule: { hour: number; minute: number } | null;
    keepDaily: number;
    keepMonthly: number;
    keepYearly: number;
  };
  /** The installation's time zone (schedules, calendar periods of backups). */
  timeZone: string;
}

/** The operator's support contact of the help page and the mails. */
export interface SupportContact {
  email: string | null;
  url: string | null;
}

/** Limits and pool of verification (INKAN_VERIFY_*). */
export interface VerifyConfig {
  /** Decoded stream bytes one file may produce; undefined = 4 × file size + 64 MiB. */
  decodeBudgetBytes?: number;
  /** Worker threads verifying uploads (one per core by default). */
  workers: number;
  /** V8 heap cap of each worker (old generation), MiB. */
  workerMemoryMb: number;
  /** Time one verification may take before its worker is terminated and replaced. */
  timeoutMs: number;
  /** Uploads that may wait for a free worker; one more is answered 503 with Retry-After. */
  queueLength: number;
  /** Whether /verify asks the OCSP and CRL URLs of uploaded files' certificates (the server then makes outgoing requests). */
  online: boolean;
}

/**
 * For short-lived commands: zod then checks each schema by walking it instead of first compiling a
 * fast path (worth it for a server parsing the same shapes many times, not for one parse per process).
 */
export function preferOneShotValidation(): void {
  z.config({ jitless: true });
}

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue.path[0] ?? 'environment');
    throw new ConfigError(variable, issue.message);
  }
  const v = parsed.data;
  const dataDir = resolve(v.INKAN_DATA_DIR);
  const pkcs11Vars = [v.INKAN_PKCS11_LIBRARY, v.INKAN_PKCS11_TOKEN, v.INKAN_PKCS11_PIN, v.INKAN_PKCS11_KEY_LABEL];
  if (pkcs11Vars.some((x) => x !== undefined) && !pkcs11Vars.every((x) => x !== undefined)) {
    throw new ConfigError(
      'INKAN_PKCS11_LIBRARY',
      'set INKAN_PKCS11_LIBRARY, INKAN_PKCS11_TOKEN, INKAN_PKCS11_PIN and INKAN_PKCS11_KEY_LABEL together',
    );
  }
  const kekVars = [v.INKAN_KEK_PKCS11_LIBRARY, v.INKAN_KEK_PKCS11_TOKEN, v.INKAN_KEK_PKCS11_PIN];
  if (kekVars.some((x) => x !== undefined) && !kekVars.every((x) => x !== undefined)) {
    throw new ConfigError(
      'INKAN_KEK_PKCS11_LIBRARY',
      'set INKAN_KEK_PKCS11_LIBRARY, INKAN_KEK_PKCS11_TOKEN and INKAN_KEK_PKCS11_PIN together',
    );
  }
  if (v.INKAN_SIGNING_P12 !== undefined && v.INKAN_SIGNING_PKCS11_KEY_LABEL !== undefined)
    throw new ConfigError('INKAN_SIGNING_P12', 'set INKAN_SIGNING_P12 or INKAN_SIGNING_PKCS11_KEY_LABEL, not both');
  if (
    v.INKAN_SIGNING_P12 !== undefined &&
    (v.INKAN_SIGNING_P12_PASSWORD === undefined) === (v.INKAN_SIGNING_P12_PASSWORD_FILE === undefined)
  )
    throw new ConfigError(
      'INKAN_SIGNING_P12_PASSWORD',
      'set one of INKAN_SIGNING_P12_PASSWORD and INKAN_SIGNING_P12_PASSWORD_FILE with INKAN_SIGNING_P12',
    );
  if (
    v.INKAN_SIGNING_PKCS11_KEY_LABEL !== undefined &&
    (v.INKAN_PKCS11_LIBRARY === undefined || v.INKAN_SIGNING_CHAIN === undefined)
  )
    throw new ConfigError(
      'INKAN_SIGNING_PKCS11_KEY_LABEL',
      'a signing key in the HSM needs INKAN_PKCS11_LIBRARY, INKAN_PKCS11_TOKEN, INKAN_PKCS11_PIN and INKAN_PKCS11_KEY_LABEL (the token) and INKAN_SIGNING_CHAIN (its certificate and chain, PEM)',
    );
  if (
    v.INKAN_SIGNING_MODE !== 'witness' &&
    v.INKAN_SIGNING_P12 === undefined &&
    v.INKAN_SIGNING_PKCS11_KEY_LABEL === undefined
  )
    throw new ConfigError(
      'INKAN_SIGNING_MODE',
      `INKAN_SIGNING_MODE=${v.INKAN_SIGNING_MODE} needs the operator's certificate: INKAN_SIGNING_P12 or INKAN_SIGNING_PKCS11_KEY_LABEL`,
    );
  // Development mode serves every mail (signing links included) at /dev/mail without sign-in.
  if (v.INKAN_ENV === 'development' && !isLoopbackHost(v.INKAN_HOST) && v.INKAN_ALLOW_DEV_ON_NETWORK !== 'true') {
    throw new ConfigError(
      'INKAN_HOST',
      `INKAN_ENV=development would serve the mail outbox without sign-in on ${v.INKAN_HOST}, reachable from the network; listen on 127.0.0.1, or set INKAN_ALLOW_DEV_ON_NETWORK=true if you really mean it`,
    );
  }
  if ((v.INKAN_TLS_CERT === undefined) !== (v.INKAN_TLS_KEY === undefined)) {
    throw new ConfigError(
      'INKAN_TLS_CERT',
      'set INKAN_TLS_CERT and INKAN_TLS_KEY together (PEM files of the certificate chain and its private key)',
    );
  }
  if (v.INKAN_TLS_CERT !== undefined && !v.INKAN_PUBLIC_URL.startsWith('https://')) {
    throw new ConfigError(
      'INKAN_PUBLIC_URL',
      'must be an https:// URL when INKAN_TLS_CERT and INKAN_TLS_KEY serve HTTPS',
    );
  }
  if (v.INKAN_HTTP_PORT !== undefined && v.INKAN_TLS_CERT === undefined) {
    throw new ConfigError(
      'INKAN_HTTP_PORT',
      'the redirecting HTTP port exists only with INKAN_TLS_CERT and INKAN_TLS_KEY',
    );
  }
  return {
    env: v.INKAN_ENV,
    dataDir,
    pkiDir: resolve(dataDir, 'pki'),
    publicUrl: v.INKAN_PUBLIC_URL.replace(/\/+$/, ''),
    port: v.INKAN_PORT,
    host: v.INKAN_HOST,
    allowDevOnNetwork: v.INKAN_ALLOW_DEV_ON_NETWORK === 'true',
    tls:
      v.INKAN_TLS_CERT !== undefined && v.INKAN_TLS_KEY !== undefined
        ? { certFile: resolve(v.INKAN_TLS_CERT), keyFile: resolve(v.INKAN_TLS_KEY) }
        : undefined,
    httpRedirectPort: v.INKAN_HTTP_PORT,
    trustProxy: v.INKAN_TRUST_PROXY,
    metricsAllow: v.INKAN_METRICS_ALLOW,
    dnsServers: v.INKAN_DNS_SERVERS,
    masterKey: v.INKAN_MASTER_KEY,
    signingKeyAlgorithm: v.INKAN_SIGNING_KEY_ALGORITHM,
    organisationName: v.INKAN_ORGANISATION_NAME,
    tsaUrls: v.INKAN_TSA_URLS,
    tsaTimeoutMs: v.INKAN_TSA_TIMEOUT,
    pkcs11: v.INKAN_PKCS11_LIBRARY
      ? {
          library: v.INKAN_PKCS11_LIBRARY,
          token: v.INKAN_PKCS11_TOKEN!,
          pin: v.INKAN_PKCS11_PIN!,
          keyLabel: v.INKAN_PKCS11_KEY_LABEL!,
        }
      : undefined,
    kekPkcs11: v.INKAN_KEK_PKCS11_LIBRARY
      ? {
          library: v.INKAN_KEK_PKCS11_LIBRARY,
          token: v.INKAN_KEK_PKCS11_TOKEN!,
          pin: v.INKAN_KEK_PKCS11_PIN!,
          keyLabelPrefix: v.INKAN_KEK_PKCS11_KEY_LABEL,
        }
      : undefined,
    operatorSigning: operatorSigningOf(v),
    defaultSigningMode: v.INKAN_SIGNING_MODE,
    databaseUrl: blankToUndefined(v.INKAN_DATABASE_URL),
    databasePreparedStatements: v.INKAN_DATABASE_PREPARED_STATEMENTS === 'true',
    smtpUrl: blankToUndefined(v.INKAN_SMTP_URL),
    mailFrom: parseMailbox(v.INKAN_MAIL_FROM)!,
    support: {
      email: blankToUndefined(v.INKAN_SUPPORT_EMAIL)?.trim() ?? null,
      url: blankToUndefined(v.INKAN_SUPPORT_URL)?.trim() ?? null,
    },
    downloadTtlMs: v.INKAN_DOWNLOAD_TTL,
    linkTtlMs: v.INKAN_LINK_TTL,
    sessionTtlMs: v.INKAN_SESSION_TTL,
    claimTtlMs: v.INKAN_CLAIM_TTL,
    accessCodeMaxAttempts: v.INKAN_ACCESS_CODE_MAX_ATTEMPTS,
    jobLeaseMs: v.INKAN_JOB_LEASE,
    jobRetryForMs: v.INKAN_JOB_RETRY_FOR,
    jobMaxBackoffMs: v.INKAN_JOB_MAX_BACKOFF,
    workerId: blankToUndefined(v.INKAN_WORKER_ID),
    expirySweepMs: v.INKAN_EXPIRY_SWEEP,
    renewal: { marginMs: v.INKAN_RENEWAL_MARGIN, minimumHash: v.INKAN_RENEWAL_MIN_HASH },
    redisUrl: blankToUndefined(v.INKAN_REDIS_URL),
    redisPrefix: v.INKAN_REDIS_PREFIX,
    workerIdleMs: v.INKAN_WORKER_IDLE,
    workerThreads: v.INKAN_WORKER_THREADS === 0 ? Math.min(2, availableParallelism()) : v.INKAN_WORKER_THREADS,
    maxUploadBytes: v.INKAN_MAX_UPLOAD_MB * 1024 * 1024,
    webhooks: {
      allowPrivate: v.INKAN_WEBHOOK_ALLOW_PRIVATE === 'true',
      timeoutMs: v.INKAN_WEBHOOK_TIMEOUT,
      concurrency: v.INKAN_WEBHOOK_CONCURRENCY,
    },
    verify: {
      decodeBudgetBytes:
        v.INKAN_VERIFY_DECODE_BUDGET_MB === undefined ? undefined : v.INKAN_VERIFY_DECODE_BUDGET_MB * 1024 * 1024,
      workers: v.INKAN_VERIFY_WORKERS === 0 ? availableParallelism() : v.INKAN_VERIFY_WORKERS,
      workerMemoryMb: v.INKAN_VERIFY_WORKER_MEMORY_MB,
      timeoutMs: v.INKAN_VERIFY_TIMEOUT,
      queueLength: v.INKAN_VERIFY_QUEUE,
      online: v.INKAN_VERIFY_ONLINE === 'true',
    },
    blobUrl: blankToUndefined(v.INKAN_BLOB_URL),
    s3: {
      endpoint: v.INKAN_S3_ENDPOINT,
      region: v.INKAN_S3_REGION,
      accessKeyId: v.INKAN_S3_ACCESS_KEY_ID,
      secretAccessKey: v.INKAN_S3_SECRET_ACCESS_KEY,
      // A custom endpoint is most often MinIO-like, which needs the bucket in the path.
      forcePathStyle:
        v.INKAN_S3_FORCE_PATH_STYLE === undefined
          ? v.INKAN_S3_ENDPOINT !== undefined
          : v.INKAN_S3_FORCE_PATH_STYLE === 'true',
    },
    backup: {
      target: blankToUndefined(v.INKAN_BACKUP_TARGET) ?? resolve(dataDir, 'backups'),
      schedule:
        v.INKAN_BACKUP_SCHEDULE === 'off'
          ? null
          : { hour: Number(v.INKAN_BACKUP_SCHEDULE.slice(0, 2)), minute: Number(v.INKAN_BACKUP_SCHEDULE.slice(3, 5)) },
      keepDaily: v.INKAN_BACKUP_KEEP_DAILY,
      keepMonthly: v.INKAN_BACKUP_KEEP_MONTHLY,
      keepYearly: v.INKAN_BACKUP_KEEP_YEARLY,
    },
    timeZone: v.INKAN_TIME_ZONE,
  };
}

export { verifyLimitsOf } from './verify-command-config.ts';

/**
 * INKAN_TRUST_PROXY: unset, empty or `false` → false; a number → that many hops; otherwise a list of
 * addresses and CIDR ranges (IPv4 or IPv6) or the names loopback, linklocal, uniquelocal. null when malformed.
 */
export function parseTrustProxy(value: string | undefined): false | number | string[] | null {
  const text = value?.trim() ?? '';
  if (text === '' || text === 'false') return false;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return hops >= 1 && hops <= 10 ? hops : null;
  }
  return parseAddressList(text);
}

/** A comma-separated list of addresses, CIDR ranges and the names loopback, linklocal, uniquelocal; null when malformed. */
export function parseAddressList(text: string): string[] | null {
  const entries = text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) continue;
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return null;
    if (prefix !== undefined && (!/^\d{1,3}$/.test(prefix) || Number(prefix) > (family === 4 ? 32 : 128))) return null;
  }
  return entries.length > 0 ? entries : null;
}

/**
 * INKAN_DNS_SERVERS: a comma-separated list of resolver addresses, each IPv4 or IPv6 with an optional
 * port (`192.0.2.53:5353`, `[2001:db8::53]:53`); unset or empty → [] (the system's). null when malformed.
 */
export function parseDnsServers(value: string | undefined): string[] | null {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const match = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry) ?? /^([^:]+)(?::(\d{1,5}))?$/.exec(entry);
    const address = match ? match[1]! : entry;
    const port = match?.[2];
    if (isIP(address) === 0 || (port !== undefined && (Number(port) < 1 || Number(port) > 65535))) return null;
  }
  return entries;
}

/** Whether a listen address (or host name) is the loopback interface only. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\./.test(h);
}

function blankToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function operatorSigningOf(v: z.infer<typeof schema>): Config['operatorSigning'] {
  const chainFile = v.INKAN_SIGNING_CHAIN === undefined ? undefined : resolve(v.INKAN_SIGNING_CHAIN);
  if (v.INKAN_SIGNING_P12 !== undefined)
    return {
      kind: 'pkcs12',
      file: resolve(v.INKAN_SIGNING_P12),
      password: v.INKAN_SIGNING_P12_PASSWORD,
      passwordFile:
        v.INKAN_SIGNING_P12_PASSWORD_FILE === undefined ? undefined : resolve(v.INKAN_SIGNING_P12_PASSWORD_FILE),
      chainFile,
    };
  if (v.INKAN_SIGNING_PKCS11_KEY_LABEL !== undefined && chainFile !== undefined)
    return { kind: 'pkcs11', keyLabel: v.INKAN_SIGNING_PKCS11_KEY_LABEL, chainFile };
  return undefined;
}
