/*
 * `inkan verify FILE`: one file's signatures verified and reported (main() keeps `--batch` and the usage).
 * It is a module of its own so that scripts/build.mjs can also bundle it, and nothing else of the CLI, into
 * the one script that bin/inkan.mjs runs with a V8 code cache (see verify-cli.ts).
 */
import { readFile } from 'node:fs/promises';
import { existsSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../config/config.ts';
import type { VerifyCommandConfig } from '../config/verify-command-config.ts';
import type { RevocationProvider, VerificationReport } from '@inkan/core';
import type { FileDigests, PublishedCrls } from '@inkan/core/verify';

/**
 * `inkan verify ARGS` for one FILE: its exit code, or undefined when ARGS are not one file to verify (a
 * batch, no FILE or several, options parseArgs refuses): main() handles those with the full configuration.
 * The file is being read first, while the configuration and the verifier load; only the variables this
 * command reads are checked (loadVerifyCommandConfig), not the whole configuration.
 */
export async function verifyFileCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number | undefined> {
  const input = readVerifyInput(args);
  if (input === undefined) return undefined;
  try {
    const { loadVerifyCommandConfig } = await import('../config/verify-command-config.ts');
    return await verifyFile(loadVerifyCommandConfig(env), args, input);
  } finally {
    input.cancel(); // a reading thread still running when the command ended early
  }
}

/** The options of `inkan verify`. */
export const VERIFY_OPTIONS = {
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
export function verificationTime(at: string | undefined): Date | undefined {
  const time = at === undefined ? new Date() : new Date(at);
  if (!Number.isNaN(time.getTime())) return time;
  process.stderr.write(`inkan: --at: not a time: ${at}\n`);
  return undefined;
}

/** `inkan verify FILE [options]`: `file` is FILE being read (readForVerification). */
export async function verifyFile(config: VerifyCommandConfig, args: string[], file: FileRead): Promise<number> {
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
export async function ownPki(
  config: Pick<Config, 'pkiDir'>,
): Promise<{ root: Uint8Array; revokedFile: string } | null> {
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
export interface FileRead {
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
