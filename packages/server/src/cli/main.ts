import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import type { BuiltinPki } from '@inkan/core/pki';
import serverPackage from '../../package.json' with { type: 'json' };
import { reportError } from './report-error.ts';
import {
  ownPki,
  readForVerification,
  VERIFY_OPTIONS,
  verificationTime,
  verifyFile,
  verifyFileCommand,
} from './verify-file-command.ts';

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
  // `inkan verify FILE` reads its file while the rest loads, and checks only the variables it reads.
  if (command === 'verify') {
    const code = await verifyFileCommand(rest, env);
    if (code !== undefined) return code;
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

/** `inkan verify --batch …`, or the usage of `inkan verify` (main() runs verifyFileCommand for one FILE). */
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

// `tsx packages/server/src/cli/main.ts …` runs it directly; bin/inkan.mjs calls runCli itself, so an
// npm bin symlink (whose argv[1] is …/.bin/inkan) works too.
if (process.argv[1] !== undefined && /cli\/main\.ts$/.test(process.argv[1])) {
  process.exitCode = await runCli(process.argv.slice(2));
}
