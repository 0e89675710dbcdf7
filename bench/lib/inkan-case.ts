// ============================================================================================
// REGISTRATION POINT FOR INKAN'S OWN SIGNER AND VERIFIER
//
// The benchmark imports packages/core/src/index.ts. When it exports
//   signPdf(pdf: Uint8Array, { signer, name?, reason?, location?, contactInfo?, timestampAuthority? }) => Promise<Uint8Array>
//   verifyPdf(pdf: Uint8Array, { trustAnchors: Uint8Array[] }) => Promise<unknown>
// they are measured here. Until then the cases report "inkan: not yet available" and are shown as
// NOT MEASURED — the only skip the benchmark allows; it never prints a number it did not measure.
// ============================================================================================
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { BenchContext, BenchImpl, PreparedCase } from './types.ts';

const INDEX_URL = new URL('../../packages/core/src/index.ts', import.meta.url);
const KEY_FILE_SIGNER_URL = new URL('../../packages/core/src/keys/key-file-signer.ts', import.meta.url);

type SignPdf = (pdf: Uint8Array, options: Record<string, unknown>) => Promise<Uint8Array>;
type VerifyPdf = (pdf: Uint8Array, options: { trustAnchors: Uint8Array[] }) => Promise<unknown>;

/** Inkan's public module, or why it cannot be benchmarked yet. A module that exists but fails to load is an error, not a skip. */
async function loadInkan(): Promise<{ mod: Record<string, unknown> } | { unavailable: string }> {
  if (!existsSync(fileURLToPath(INDEX_URL)))
    return { unavailable: 'inkan: not yet available (packages/core/src/index.ts does not exist)' };
  try {
    return { mod: (await import(INDEX_URL.href)) as Record<string, unknown> };
  } catch (error) {
    throw new Error(
      `inkan: packages/core/src/index.ts exists but failed to load: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

async function makeSigner(ctx: BenchContext): Promise<unknown> {
  const { KeyFileSigner } = (await import(KEY_FILE_SIGNER_URL.href)) as {
    KeyFileSigner: new (key: string, chain: Uint8Array[]) => unknown;
  };
  return new KeyFileSigner(ctx.keys.leafKeyPem, [ctx.keys.leafDer, ctx.keys.rootDer]);
}

const SIGN_OPTIONS = {
  name: 'Inkan Bench',
  reason: 'Benchmark',
  location: 'Tokyo',
  contactInfo: 'bench@example.invalid',
};

/** Inkan signPdf(): same key, same fields as the peers, no timestamp. */
export const inkanSign: BenchImpl = {
  id: 'inkan-sign',
  label: 'Inkan signPdf()',
  section: 'sign',
  async prepare(ctx): Promise<PreparedCase | { unavailable: string }> {
    const loaded = await loadInkan();
    if ('unavailable' in loaded) return loaded;
    const signPdf = loaded.mod.signPdf as SignPdf | undefined;
    if (typeof signPdf !== 'function')
      return { unavailable: 'inkan: not yet available (index.ts does not export signPdf)' };
    const signer = await makeSigner(ctx);
    return {
      run: () => signPdf(ctx.pdf, { signer, ...SIGN_OPTIONS }),
      describe: (result) => ({ pdf: result as Uint8Array }),
    };
  },
};

/**
 * Inkan signPdfParts(): the same signature, returned as [original, appended revision] without joining
 * them — what a server writes to disk or a socket with writev, so the file is never copied.
 */
export const inkanSignParts: BenchImpl = {
  id: 'inkan-sign-parts',
  label: 'Inkan signPdfParts() (no copy)',
  section: 'sign',
  async prepare(ctx): Promise<PreparedCase | { unavailable: string }> {
    const loaded = await loadInkan();
    if ('unavailable' in loaded) return loaded;
    const signPdfParts = loaded.mod.signPdfParts as
      | ((pdf: Uint8Array, o: Record<string, unknown>) => Promise<{ original: Uint8Array; tail: Uint8Array }>)
      | undefined;
    if (typeof signPdfParts !== 'function') return { unavailable: 'inkan: index.ts does not export signPdfParts' };
    const signer = await makeSigner(ctx);
    return {
      run: () => signPdfParts(ctx.pdf, { signer, ...SIGN_OPTIONS }),
      // The checks downstream validate a whole file: join outside the timed run.
      describe: (result) => {
        const r = result as { original: Uint8Array; tail: Uint8Array };
        return { pdf: Buffer.concat([r.original, r.tail]) };
      },
    };
  },
};

/** Inkan verifyPdf() on a file Inkan signed (signed once, before timing). */
export const inkanVerify: BenchImpl = {
  id: 'inkan-verify',
  label: 'Inkan verifyPdf()',
  section: 'verify',
  async prepare(ctx): Promise<PreparedCase | { unavailable: string }> {
    const loaded = await loadInkan();
    if ('unavailable' in loaded) return loaded;
    const signPdf = loaded.mod.signPdf as SignPdf | undefined;
    const verifyPdf = loaded.mod.verifyPdf as VerifyPdf | undefined;
    if (typeof verifyPdf !== 'function')
      return { unavailable: 'inkan: not yet available (index.ts does not export verifyPdf)' };
    if (typeof signPdf !== 'function')
      return { unavailable: 'inkan: not yet available (index.ts does not export signPdf, needed to make the input)' };
    const signed = await signPdf(ctx.pdf, { signer: await makeSigner(ctx), ...SIGN_OPTIONS });
    const trustAnchors = [ctx.keys.rootDer];
    return {
      run: () => verifyPdf(signed, { trustAnchors }),
      describe: (result) => ({ note: summarize(result) }),
    };
  },
};

// A one-line view of whatever verifyPdf returns, so the report shows whether it called the file valid.
function summarize(result: unknown): string {
  if (result === null || typeof result !== 'object') return `returned ${String(result)}`;
  const r = result as Record<string, unknown>;
  // The verifier's report: its exit code and each signature's ETSI verdict.
  if (Array.isArray(r.signatures) && 'exitCode' in r) {
    const verdicts = (r.signatures as Array<{ indication?: string; subIndication?: string | null }>).map(
      (s) => `${s.indication ?? '?'}${s.subIndication ? `/${s.subIndication}` : ''}`,
    );
    return `exit ${String(r.exitCode)}: ${verdicts.join(', ')}`;
  }
  const flags = ['valid', 'ok', 'status', 'verdict', 'level']
    .filter((k) => k in r && typeof r[k] !== 'object')
    .map((k) => `${k}=${String(r[k])}`);
  return flags.length > 0 ? flags.join(' ') : `returned {${Object.keys(r).slice(0, 6).join(', ')}}`;
}

export const INKAN: readonly BenchImpl[] = [inkanSign, inkanSignParts, inkanVerify];
