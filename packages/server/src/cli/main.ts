import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import type { VerifyCommandConfig } from '../config/verify-command-config.ts';
import type { RevocationProvider, VerificationReport } from '@inkan/core';
import type { BuiltinPki } from '@inkan/core/pki';
import type { FileDigests, PublishedCrls } from '@inkan/core/verify';
import serverPackage from '../../package.json' with { type: 'json' };

// The core, the configuration schema and the signing services are imported when a command needs them:
// loading them all costs more than Node's own start, and `inkan --version` or `help` need none of it.
const core = () => import('@inkan/core');
const signingServices = () => import('../signing-services.ts');

const USAGE = `inkan — Inkan electronic contracts

Usage:
  inkan start                                 init if needed, seed the demo organisation, print its
                                              administrator's sign-in link, then serve (what npm start runs)
  inkan serve [--role=all|web|worker]         serve: HTTP (the app, the CA's certificates, CRLs and OCSP,
                                              the TSA) and the job worker; web = HTTP only, worker = jobs only
  inkan org create --name NAME --slug SLUG --admin-email EMAIL [--admin-name NAME]
                                              create an organisation; its admin is the account with that
                                              address (or a new one); prints a one-time sign-in link unless
                                              the account has a password already
  inkan apikey create --org SLUG [--name NAME]
                                              create an API key (printed once, on the last line)
  inkan apikey revoke --org SLUG --prefix PREFIX
                                              revoke the API key whose first characters are PREFIX
  inkan member add --org SLUG --email EMAIL [--name NAME] [--role admin|member|viewer]
                                              give an account (existing or new) a membership; prints a
                                              one-time sign-in link unless the account has a password
  inkan member role --org SLUG --email EMAIL --role ROLE
                                              change a member's role
  inkan audit verify                          recompute the operation log's hash chain and check its daily
                                              TSA anchors (exit 0 intact, 1 naming the first broken event)
  inkan keys status                           the key-encryption keys (KEK) of documents' data keys, by version
  inkan keys rotate [--batch-size N] [--remove-old]
                                              new KEK version (HSM when INKAN_KEK_PKCS11_* is set), rewrap every
                                              data key (documents untouched; resumable); --remove-old destroys
                                              the HSM keys of versions nothing needs any more
  inkan jobs failed                           list failed jobs (every organisation's and the system's) with the last error
  inkan jobs retry ID                         queue a failed job again (a fresh retry window)
  inkan --version                             print the version
  inkan backup [--to DIR|s3://bucket/prefix]  back up the database, every blob and the PKI (not the master key)
  inkan backup list | verify [ID] | prune     list backups, check one (hashes, database opens), apply retention
  inkan restore ID [--from DIR|s3://…]        restore a backup into an empty data directory and database
  inkan init                                  create the data directory and the built-in PKI (idempotent)
  inkan pki export-root                       print the root certificate (PEM): the trust anchor to import
  inkan verify FILE [--trust PEM]... [--json] [--online] [--at TIME]
                                              verify every signature of a PDF (exit 0 all TOTAL-PASSED, 1 otherwise,
                                              2 unreadable/unsigned); --online asks the OCSP/CRL URLs of the
                                              certificates; --at validates at another time (ISO 8601)
  inkan verify --batch DIR [--csv|--json] [--trust PEM]... [--jobs N] [--online] [--at TIME]
                                              verify every file under DIR in worker threads (one per core, or
                                              N): one report row per file (file, verdict, signatures, signers,
                                              timestamps, errors), streamed; exit 0 all valid, 1 otherwise
  inkan verify --batch --register --org SLUG [--filter NAME=VALUE]... [--csv|--json] [--jobs N]
                                              the same over the documents of a register search (the filters
                                              of GET /api/v1/contracts: counterparty, signedFrom, tag …)
  inkan stamp IN OUT --id ID                  stamp 締結証明書ID: ID at the bottom-left of page 1
  inkan sign IN OUT --name NAME [--email E] [--reason R] [--location L]
                                              sign with the platform key and a timestamp (PAdES B-T)
  inkan seal IN OUT                           add validation data and a document timestamp (PAdES B-LTA)
  inkan renew IN OUT                          add validation data for the last document timestamp and a new one

Configuration comes from the environment (INKAN_DATA_DIR, INKAN_PUBLIC_URL, INKAN_MASTER_KEY, INKAN_TSA_URLS …).`;

/** Runs the CLI; returns the exit code. */
export async function main(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined) {
    // Called wrongly: usage is an error message here, so it goes to stderr and stdout stays clean.
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  if (command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === '--version' || command === 'version') {
    process.stdout.write(`${serverPackage.version}\n`);
    return 0;
  }
  // `inkan verify FILE` starts reading the file first: it is read and hashed while the rest loads. It
  // checks only the variables it reads (loadVerifyCommandConfig), not the whole configuration.
  const input = command === 'verify' ? readVerifyInput(rest) : undefined;
  if (input !== undefined) {
    try {
      const { loadVerifyCommandConfig } = await import('../config/verify-command-config.ts');
      return await verifyFile(loadVerifyCommandConfig(env), rest, input);
    } finally {
      input.cancel(); // a reading thread still running when the command ended early
    }
  }
  const configModule = await import('../config/config.ts');
  if (command !== 'serve' && command !== 'start') configModule.preferOneShotValidation();
  const config = configModule.loadConfig(env);
  switch (command) {
    case 'init':
      return init(config);
    case 'serve': {
      const { values } = parseArgs({ args: rest, options: { role: { type: 'string', default: 'all' } } });
      if (values.role !== 'all' && values.role !== 'web' && values.role !== 'worker') {
        process.stderr.write('usage: inkan serve [--role=all|web|worker]\n');
        return 2;
      }
      // Imported on demand: the HTTP stack only slows down every other (short-lived) command.
      return (await import('./serve.ts')).serve(config, { role: values.role, env });
    }
    case 'start': {
      // The one-machine default: initialise if needed, seed the demo, then serve everything.
      await init(config);
      const { seedDemo } = await import('./admin-commands.ts');
      return (await import('./serve.ts')).serve(config, {
        role: 'all',
        env,
        beforeListen: async (context) => {
          const demo = await seedDemo(context);
          process.stdout.write(
            `${demo.created ? 'Created the demo organisation' : 'Demo organisation'} "demo"; administrator admin@example.jp.\n` +
              `Sign in (one-time link, valid 24 h):\n${demo.signInUrl}\n` +
              (config.smtpUrl
                ? ''
                : `No INKAN_SMTP_URL: mail is kept in the outbox, readable by the administrator at ${config.publicUrl}/admin/outbox\n`),
          );
        },
      });
    }
    case 'org':
      return (await import('./admin-commands.ts')).orgCommand(config, rest);
    case 'apikey':
      return (await import('./admin-commands.ts')).apiKeyCommand(config, rest);
    case 'member':
      return (await import('./admin-commands.ts')).memberCommand(config, rest);
    case 'audit':
      return (await import('./audit-commands.ts')).auditCommand(config, rest);
    case 'jobs':
      return (await import('./job-commands.ts')).jobsCommand(config, rest);
    case 'keys':
      return (await import('./key-commands.ts')).keysCommand(config, rest);
    case 'backup':
      return (await import('./backup-commands.ts')).backupCommand(config, rest);
    case 'restore':
      return (await import('./backup-commands.ts')).restoreCommand(config, rest);
    case 'pki':
      return pki(config, rest);
    case 'verify':
      return verify(config, rest);
    case 'stamp':
      return stamp(rest);
    case 'sign':
      return sign(config, rest);
    case 'seal':
    case 'renew':
      return seal(config, rest, command);
    default:
      process.stderr.write(`inkan: unknown command "${command}"\n\n${USAGE}\n`);
      return 2;
  }
}

async function init(config: Config): Promise<number> {
  const { initBuiltinPki, loadBuiltinPki } = await core();
  const { masterKeyOf } = await signingServices();
  const { created } = await initBuiltinPki({
    dir: config.pkiDir,
    publicUrl: config.publicUrl,
    masterKey: masterKeyOf(config),
    signingKeyAlgorithm: config.signingKeyAlgorithm,
    organisationName: config.organisationName,
  });
  // A second init must not say "fine" while INKAN_MASTER_KEY no longer opens the existing keys.
  if (!created) await loadBuiltinPki({ dir: config.pkiDir, masterKey: masterKeyOf(config) });
  process.stdout.write(created ? `initialised ${config.dataDir}\n` : `${config.dataDir} is already initialised\n`);
  return 0;
}

async function pki(config: Config, args: string[]): Promise<number> {
  if (args[0] !== 'export-root') {
    process.stderr.write('usage: inkan pki export-root\n');
    return 2;
  }
  const { loadBuiltinPki } = await core();
  const { masterKeyOf } = await signingServices();
  const loaded = await loadBuiltinPki({ dir: config.pkiDir, masterKey: masterKeyOf(config) });
  process.stdout.write(loaded.rootPem());
  return 0;
}

/** The options of `inkan verify`. */
const VERIFY_OPTIONS = {
  trust: { type: 'string', multiple: true },
  json: { type: 'boolean' },
  online: { type: 'boolean' },
  at: { type: 'string' },
  batch: { type: 'boolean' },
  csv: { type: 'boolean' },
  jobs: { type: 'string' },
  register: { type: 'boolean' },
  org: { type: 'string' },
  filter: { type: 'string', multiple: true },
} as const;

/** `--at TIME` of `inkan verify`, or now; undefined (reported) when TIME is not a time. */
function verificationTime(at: string | undefined): Date | undefined {
  const time = at === undefined ? new Date() : new Date(at);
  if (!Number.isNaN(time.getTime())) return time;
  process.stderr.write(`inkan: --at: not a time: ${at}\n`);
  return undefined;
}

/** `inkan verify --batch …`, or the usage of `inkan verify` (main() runs verifyFile for one FILE). */
async function verify(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: VERIFY_OPTIONS });
  const at = verificationTime(values.at);
  if (at === undefined) return 2;
  if (values.batch) {
    let anchors: Uint8Array[];
    try {
      anchors = (await import('./certificate-files.ts')).readCertificates(values.trust ?? []);
    } catch (error) {
      process.stderr.write(`inkan: --trust: ${(error as Error).message}\n`);
      return 2;
    }
    const own = await ownPki(config);
    if (own !== null) anchors.push(own.root);
    return (await import('./batch-verify-command.ts')).batchVerifyCommand(config, {
      values: { ...values, at },
      positionals,
      anchors,
    });
  }
  if (positionals.length !== 1) {
    process.stderr.write('usage: inkan verify FILE [--trust PEM]... [--json] [--online] [--at TIME]\n');
    return 2;
  }
  return verifyFile(config, args, readForVerification(positionals[0]));
}

/** `inkan verify FILE [options]`: `file` is FILE being read (readForVerification). */
async function verifyFile(config: VerifyCommandConfig, args: string[], file: FileRead): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: VERIFY_OPTIONS });
  const at = verificationTime(values.at);
  if (at === undefined) return 2;
  // Only the verifier's part of the core (see @inkan/core/verify): this command runs once per file,
  // and loading the signing side (PDF writer, fonts, PKCS#11) would cost more than checking a small file.
  // The file is being read meanwhile (readVerifyInput, started before the configuration was loaded).
  const [
    { verifyPdf, firstAnswering, HttpRevocationProvider, isCoreError, readPublishedCrls },
    { readCertificates },
    { formatVerificationReport },
    { verifyLimitsOf },
  ] = await Promise.all([
    import('@inkan/core/verify'),
    import('./certificate-files.ts'),
    import('./format-report.ts'),
    import('../config/verify-command-config.ts'),
  ]);
  let anchors: Uint8Array[];
  try {
    anchors = readCertificates(values.trust ?? []);
  } catch (error) {
    process.stderr.write(`inkan: --trust: ${(error as Error).message}\n`);
    return 2;
  }
  // Inside an initialised data directory, this installation's own root is trusted.
  const own = await ownPki(config);
  if (own !== null) anchors.push(own.root);
  // Revocation data the file lacks: this installation's CA answers for its own certificates (its
  // published CRLs, else its keys if they open; read when the verifier asks, since a B-LT file carries
  // its own — or while a large file is still being read, when the main thread would only wait), and
  // with --online the OCSP and CRL URLs in the certificates are asked.
  const providers: RevocationProvider[] = [];
  if (own !== null) {
    const builtin = builtinRevocationProvider(config, () => readPublishedCrls(config.pkiDir, own.revokedFile, at));
    if (file.inPieces) builtin.open();
    providers.push(builtin);
  }
  if (values.online) providers.push(new HttpRevocationProvider({ timeoutMs: 10_000 }));
  const read = await file.result;
  if (!read.ok) {
    process.stderr.write(`inkan: cannot read ${positionals[0]}: ${read.error.message}\n`);
    return 2;
  }
  const bytes = read.bytes;
  let report: VerificationReport;
  try {
    report = await verifyPdf(bytes, {
      trustAnchors: anchors,
      at,
      revocationProvider: providers.length > 0 ? firstAnswering(providers) : undefined,
      limits: verifyLimitsOf(config),
      fileHash: read.digests,
    });
  } catch (error) {
    // Over a resource limit (INKAN_VERIFY_DECODE_BUDGET_MB and the fixed ones): unreadable, exit 2.
    if (!isCoreError(error, 'PDF_TOO_COMPLEX')) throw error;
    process.stderr.write(`inkan: ${error.code}: ${error.message}\n`);
    return 2;
  }
  await writeStdout(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatVerificationReport(report));
  return report.exitCode;
}

/**
 * Writes `text` to file descriptor 1 directly: process.stdout on a pipe (a script reading the report)
 * sets up a socket stream first, measured at ≈ 3 ms of a 100 ms `inkan verify`. A descriptor that
 * would block (made non-blocking by whoever holds its other end) gets the rest through process.stdout.
 */
async function writeStdout(text: string): Promise<void> {
  const bytes = Buffer.from(text);
  let written = 0;
  try {
    while (written < bytes.length) written += writeSync(1, bytes, written);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
    await new Promise<void>((resolve, reject) =>
      process.stdout.write(bytes.subarray(written), (failed) => (failed ? reject(failed) : resolve())),
    );
  }
}

/**
 * The data directory's root certificate and the name of its revocation list (revoked.json), or null
 * outside an initialised one. Only public files are read, so verifying needs no INKAN_MASTER_KEY (the
 * keys stay closed).
 */
async function ownPki(config: Pick<Config, 'pkiDir'>): Promise<{ root: Uint8Array; revokedFile: string } | null> {
  if (!existsSync(join(config.pkiDir, 'pki.json'))) return null;
  try {
    const manifest = JSON.parse(await readFile(join(config.pkiDir, 'pki.json'), 'utf8')) as {
      files?: { root?: { certificate?: unknown }; revoked?: unknown };
    };
    const file = manifest.files?.root?.certificate;
    if (typeof file !== 'string') return null;
    const [root] = (await import('./certificate-files.ts')).readCertificates([join(config.pkiDir, file)]);
    const revoked = manifest.files?.revoked;
    return root === undefined ? null : { root, revokedFile: typeof revoked === 'string' ? revoked : 'revoked.json' };
  } catch {
    // An unreadable PKI only means no built-in trust anchor; the report then says "untrusted".
    return null;
  }
}

/** A file being read for `inkan verify`: its bytes and, for a large file, their digests (see FileDigests). */
interface FileRead {
  result: Promise<{ ok: true; bytes: Uint8Array; digests?: FileDigests } | { ok: false; error: Error }>;
  /** Whether it is read in pieces, hashed as they come in (a large file: see readAndDigest). */
  inPieces: boolean;
  /** Stops reading (harmless once the file is read). */
  cancel(): void;
}

/**
 * From this size on, `inkan verify` reads the file in pieces and hashes each as it comes in, while the
 * verifier's modules load (see read-file.ts). Below it, one read and the verifier's own pass cost less.
 */
export const READ_IN_PIECES_BYTES = 4 * 1024 * 1024;

/** Starts reading the FILE of `inkan verify ARGS` (undefined for a batch or arguments verify() refuses). */
function readVerifyInput(args: string[]): FileRead | undefined {
  try {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: VERIFY_OPTIONS });
    return values.batch || positionals.length !== 1 ? undefined : readForVerification(positionals[0]);
  } catch {
    return undefined; // verify() reports the bad arguments
  }
}

/** Reads a file to verify: a large one in pieces, hashed as they come in; a small one at once. */
export function readForVerification(path: string): FileRead {
  const failed = (error: unknown) => ({
    ok: false as const,
    error: error instanceof Error ? error : new Error(String(error)),
  });
  let size = 0;
  try {
    const info = statSync(path);
    size = info.isFile() ? info.size : 0;
  } catch {
    // readFile reports it
  }
  if (size < READ_IN_PIECES_BYTES)
    return {
      result: readFile(path).then((bytes) => ({ ok: true as const, bytes }), failed),
      inPieces: false,
      cancel: () => undefined,
    };
  let cancelled = false;
  const result = import('./read-file.ts')
    .then(({ readAndDigest }) => readAndDigest(path, () => cancelled))
    .then((read) => (read === undefined ? failed(new Error('cancelled')) : { ok: true as const, ...read }), failed);
  return { result, inPieces: true, cancel: () => void (cancelled = true) };
}

/**
 * The installation's CA as a revocation source, read on the first question only, or earlier by open():
 * its published CRLs (`readPublished`: current, complete, signed by the CA asked about), which need no
 * key; else, for a CA without one (a data directory made before CRLs were published, a server down for
 * days), answers signed now with its keys. Keys that do not open only mean no answers from it.
 */
function builtinRevocationProvider(
  config: VerifyCommandConfig,
  readPublished: () => Promise<PublishedCrls>,
): RevocationProvider & { open(): void } {
  let published: Promise<PublishedCrls> | undefined;
  const publishedCrls = () => (published ??= readPublished());
  let loaded: Promise<RevocationProvider | null> | undefined;
  const withKeys = (openKeys = false): Promise<RevocationProvider | null> =>
    (loaded ??= (async () => {
      try {
        const [{ loadBuiltinPki }, { parseMasterKey }] = await Promise.all([
          import('@inkan/core/pki'),
          import('@inkan/core/keys'),
        ]);
        const masterKey = config.masterKey === undefined ? undefined : parseMasterKey(config.masterKey);
        // Only the keys answers are signed with are decrypted (two or three of the five): each when an
        // answer first needs it, or the three at once after open().
        const pki = await loadBuiltinPki({ dir: config.pkiDir, masterKey, openKeys: 'when-used' });
        if (openKeys) await pki.openRevocationKeys();
        return pki.revocationProvider;
      } catch {
        return null;
      }
    })());
  return {
    // No OCSP answer where a published CRL answers: the verifier then asks for the CRL.
    ocsp: async (certificate, issuer) =>
      (await publishedCrls()).forIssuer(issuer) !== null
        ? null
        : ((await withKeys())?.ocsp(certificate, issuer) ?? null),
    crl: async (certificate, issuer) =>
      (await publishedCrls()).forIssuer(issuer) ?? (await withKeys())?.crl(certificate, issuer) ?? null,
    // Both CAs' CRLs usable: the keys will not be needed for this installation's certificates.
    open: () =>
      void publishedCrls().then((crls) => {
        if (crls.usable.size < 2) void withKeys(true);
      }),
  };
}

async function stamp(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { id: { type: 'string' } } });
  if (positionals.length !== 2 || !values.id) {
    process.stderr.write('usage: inkan stamp IN OUT --id ID\n');
    return 2;
  }
  const { stampCertificateId } = await core();
  await writeFile(positionals[1], stampCertificateId(await readFile(positionals[0]), { certificateId: values.id }));
  return 0;
}

async function sign(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      reason: { type: 'string' },
      location: { type: 'string' },
    },
  });
  if (positionals.length !== 2 || !values.name) {
    process.stderr.write('usage: inkan sign IN OUT --name NAME [--email E] [--reason R] [--location L]\n');
    return 2;
  }
  const [{ createWitnessSigner, signPdf }, { openSigningServices }] = await Promise.all([core(), signingServices()]);
  const services = await openSigningServices(config);
  try {
    const signer = await createWitnessSigner(
      services.pki,
      { name: values.name, email: values.email },
      services.platformSigner,
    );
    const signed = await signPdf(await readFile(positionals[0]), {
      signer,
      timestampAuthority: services.timestampAuthority,
      name: values.email ? `${values.name} <${values.email}>` : values.name,
      reason: values.reason,
      location: values.location,
    });
    await writeFile(positionals[1], signed);
    await refreshPublishedCrls(services.pki);
    return 0;
  } finally {
    await services.close();
  }
}

async function seal(config: Config, args: string[], command: 'seal' | 'renew'): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 2) {
    process.stderr.write(`usage: inkan ${command} IN OUT\n`);
    return 2;
  }
  const [{ sealPdf, renewPdf }, { openSigningServices }] = await Promise.all([core(), signingServices()]);
  const services = await openSigningServices(config);
  try {
    const input = await readFile(positionals[0]);
    await writeFile(
      positionals[1],
      command === 'seal' ? await sealPdf(input, services.sealOptions) : await renewPdf(input, services.sealOptions),
    );
    await refreshPublishedCrls(services.pki);
    return 0;
  } finally {
    await services.close();
  }
}

/**
 * After a command that opened the CA's keys: its published CRLs again if due (see
 * BuiltinPki.refreshPublishedCrls), for an installation without a server to keep them current. The
 * command's work is done: a failure is a warning.
 */
async function refreshPublishedCrls(pki: BuiltinPki): Promise<void> {
  try {
    await pki.refreshPublishedCrls();
  } catch (error) {
    process.stderr.write(`inkan: warning: the CRLs could not be published: ${(error as Error).message}\n`);
  }
}

/** Runs the CLI as a program: errors become a message on stderr and exit code 2. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  try {
    return await main(argv, env);
  } catch (error) {
    return reportError(error);
  }
}

/** Prints an error the user can act on; codes are stable. */
function reportError(error: unknown): number {
  // Compared by name: the classes live in modules this file loads only on demand.
  if ((error as Error)?.name === 'ConfigError') {
    process.stderr.write(`inkan: configuration error: ${(error as Error).message}\n`);
    return 2;
  }
  if ((error as Error)?.name === 'CoreError' && typeof (error as { code?: unknown }).code === 'string') {
    const { code, message } = error as { code: string; message: string };
    const hint =
      code === 'PKI_BAD_MASTER_KEY'
        ? '\n(INKAN_MASTER_KEY must hold the key the data directory was initialised with)'
        : '';
    process.stderr.write(`inkan: ${code}: ${message}${hint}\n`);
    return 2;
  }
  const err = error as { code?: unknown; syscall?: unknown; message?: string };
  // Missing files and bad options are the user's to fix: a message, not a stack trace.
  if (
    (typeof err?.code === 'string' && typeof err.syscall === 'string') ||
    (typeof err?.code === 'string' && err.code.startsWith('ERR_PARSE_ARGS'))
  ) {
    process.stderr.write(`inkan: ${err.message}\n`);
    return 2;
  }
  process.stderr.write(`inkan: ${(error as Error)?.stack ?? String(error)}\n`);
  return 2;
}

// `tsx packages/server/src/cli/main.ts …` runs it directly; bin/inkan.mjs calls runCli itself, so an
// npm bin symlink (whose argv[1] is …/.bin/inkan) works too.
if (process.argv[1] !== undefined && /cli\/main\.ts$/.test(process.argv[1])) {
  process.exitCode = await runCli(process.argv.slice(2));
}
