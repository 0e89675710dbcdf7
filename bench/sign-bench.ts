// The signing benchmark: Inkan (when available) side by side with @libpdf/core and @signpdf/signpdf,
// and the floors, on 1-, 100-, 1000-page and 50 MiB PDFs. Run with `npm run bench`.
// Each (implementation × size) case runs warm, in-process, in its own fresh child process.
import { execFileSync } from 'node:child_process';
import { loadavg, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { createNssDb, extractSignatures, makeOpensslPki, pdfsig } from '../packages/core/test/helpers/validators.ts';
import { machineInfo } from './lib/report-files.ts';
import { runCaseInChild, summarize, writeResults, type BenchResults, type CaseResult } from './lib/harness.ts';
import { INKAN } from './lib/inkan-case.ts';
import { PEERS } from './lib/peers.ts';
import type { BenchImpl, CaseSpec, ImplId, SizeId } from './lib/types.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const MiB = 1024 * 1024;

const SIZES: Array<{ id: SizeId; label: string; pages: number; padToBytes?: number }> = [
  { id: '1p', label: '1 page', pages: 1 },
  { id: '100p', label: '100 pages', pages: 100 },
  { id: '1000p', label: '1000 pages', pages: 1000 },
  { id: '50MiB', label: '50 MiB', pages: 1, padToBytes: 50 * MiB },
];

// Order within a section: floor first (ratios need it), then Inkan, then the peers.
const IMPLS: BenchImpl[] = [
  PEERS.find((p) => p.id === 'floor-sign')!,
  INKAN.find((p) => p.id === 'inkan-sign')!,
  INKAN.find((p) => p.id === 'inkan-sign-parts')!,
  PEERS.find((p) => p.id === 'libpdf')!,
  PEERS.find((p) => p.id === 'signpdf')!,
  PEERS.find((p) => p.id === 'floor-hash')!,
  INKAN.find((p) => p.id === 'inkan-verify')!,
];

const SIGN_TARGETS: Partial<Record<SizeId, { ms: number; mib?: number }>> = {
  '100p': { ms: 10 },
  '1000p': { ms: 15 },
  '50MiB': { ms: 55, mib: 75 },
};

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

async function checkOutput(file: string, nssDir: string): Promise<{ ok: boolean; text: string }> {
  const report = await pdfsig(file, { nssDir, ocsp: true }); // our bench certificate has no OCSP URL: nothing is fetched
  const last = report.signatures.at(-1);
  const scanned = extractSignatures(readFileSync(file)).at(-1);
  const ok =
    last !== undefined &&
    last.validation === 'Signature is Valid.' &&
    last.certificate === 'Certificate is Trusted.' &&
    last.totalDocumentSigned &&
    scanned !== undefined &&
    scanned.gapMatchesContents &&
    scanned.coversToEndOfFile;
  const text = ok
    ? `pdfsig valid + trusted (${last!.subFilter ?? last!.signatureType})`
    : `FAILED: pdfsig ${last === undefined ? 'found no signature' : `"${last.validation}" / "${last.certificate}" / total=${last.totalDocumentSigned}`}; scan gap=${scanned?.gapMatchesContents} end=${scanned?.coversToEndOfFile}`;
  return { ok, text };
}

/** `--only=libpdf,inkan-sign` and `--sizes=1p,100p` run a subset (not written to latest.* or the README). */
function parseArgs(argv: readonly string[]): { only?: Set<string>; sizes?: Set<string> } {
  const pick = (name: string) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    return arg === undefined
      ? undefined
      : new Set(
          arg
            .slice(name.length + 3)
            .split(',')
            .filter((x) => x.length > 0),
        );
  };
  const only = pick('only');
  const sizes = pick('sizes');
  for (const id of only ?? [])
    if (!IMPLS.some((i) => i.id === id))
      throw new Error(`--only: unknown case ${id} (known: ${IMPLS.map((i) => i.id).join(', ')})`);
  for (const id of sizes ?? [])
    if (!SIZES.some((s) => s.id === id))
      throw new Error(`--sizes: unknown size ${id} (known: ${SIZES.map((s) => s.id).join(', ')})`);
  return { only, sizes };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const impls = IMPLS.filter((i) => args.only === undefined || args.only.has(i.id));
  const runSizes = SIZES.filter((s) => args.sizes === undefined || args.sizes.has(s.id));
  const partial = impls.length < IMPLS.length || runSizes.length < SIZES.length;
  const startedAt = new Date();
  const loadBefore = loadavg()[0];
  const work = mkdtempSync(join(tmpdir(), 'inkan-bench-'));
  try {
    console.log(`bench: working in ${work}`);
    const pki = await makeOpensslPki(work);
    const keysPath = join(work, 'keys.json');
    writeFileSync(
      keysPath,
      JSON.stringify({
        leafKeyPem: pki.leafKeyPem,
        leafDer: Buffer.from(pki.leafDer).toString('base64'),
        rootDer: Buffer.from(pki.rootDer).toString('base64'),
        p12: readFileSync(pki.p12Path).toString('base64'),
        p12Password: pki.p12Password,
      }),
    );
    const nssDir = await createNssDb(pki.rootPemPath, { parentDir: work });

    const sizes: BenchResults['sizes'] = [];
    const pdfPaths = new Map<SizeId, string>();
    for (const size of runSizes) {
      // Classic xref tables: @signpdf/placeholder-plain cannot read xref streams, and every peer gets the same bytes.
      const pdf = await makePdf({
        pages: size.pages,
        padToBytes: size.padToBytes,
        text: 'This agreement is made between the parties named below.',
      });
      const path = join(work, `input-${size.id}.pdf`);
      writeFileSync(path, pdf);
      pdfPaths.set(size.id, path);
      sizes.push({ id: size.id, label: size.label, pages: size.pages, bytes: pdf.length });
      console.log(`bench: made ${size.label} input (${(pdf.length / 1024).toFixed(1)} KiB)`);
    }

    const cases: CaseResult[] = [];
    for (const impl of impls) {
      for (const size of runSizes) {
        const spec: CaseSpec = {
          impl: impl.id,
          sizeId: size.id,
          pdfPath: pdfPaths.get(size.id)!,
          keysPath,
          outputPath: join(work, `out-${impl.id}-${size.id}.pdf`),
          maxWarmup: 3,
          warmupBudgetMs: 1500,
          minRuns: 5,
          maxRuns: 40,
          budgetMs: 2500,
        };
        const report = await runCaseInChild(spec);
        const result = summarize(impl.section, impl.id, impl.label, size.id, report);
        if (report.status === 'ok' && report.outputWritten) {
          const check = await checkOutput(spec.outputPath, nssDir);
          result.check = check.text;
          result.checkOk = check.ok;
          rmSync(spec.outputPath, { force: true });
        }
        cases.push(result);
        const line =
          result.status === 'measured'
            ? `median ${result.medianMs!.toFixed(2)} ms, p95 ${result.p95Ms!.toFixed(2)} ms, peak RSS +${result.peakRssMiB!.toFixed(1)} MiB (${result.runs} runs)${result.check ? `; ${result.check}` : ''}`
            : result.status === 'not measured'
              ? `NOT MEASURED — ${result.reason}`
              : `ERROR — ${result.reason}`;
        console.log(`bench: ${impl.id.padEnd(12)} ${size.label.padEnd(10)} ${line}`);
      }
    }

    addRatiosAndTargets(cases);
    const finishedAt = new Date();
    const results: BenchResults = {
      schema: 1,
      partial,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      durationS: (finishedAt.getTime() - startedAt.getTime()) / 1000,
      machine: machineInfo(loadBefore),
      libraries: {
        '@libpdf/core': version('@libpdf/core'),
        '@signpdf/signpdf': version('@signpdf/signpdf'),
        '@signpdf/placeholder-plain': version('@signpdf/placeholder-plain'),
        '@signpdf/signer-p12': version('@signpdf/signer-p12'),
        'node-forge': version('node-forge'),
        openssl: execFileSync('openssl', ['version'], { encoding: 'utf8' }).trim(),
      },
      method: [
        'Each implementation × size runs in a fresh `node --import tsx --expose-gc` child process, one case at a time.',
        'The input PDF is read into memory before timing; a run is bytes in → signed bytes out (parse, placeholder, hash, CMS, write), RSA-2048 key in memory, no timestamp.',
        'Warm-up: up to 3 runs (within 1.5 s), then 5–40 timed runs (about 2.5 s).',
        'Memory: before each run gc() twice, reset the kernel RSS high-water mark (/proc/self/clear_refs = 5), then peak RSS Δ = VmHWM after the run − RSS before it; external Δ is sampled every 1 ms and after the run.',
        'Floors: signing = SHA-256 over the whole file + one RSA-2048 signature (node:crypto); verification = SHA-256 over the whole file.',
        'Each signed output is checked independently: pdfsig (NSS trusting the bench root) must say valid + trusted + total document signed, and a byte scan must find the ByteRange gap equal to /Contents and reaching the end of the file.',
        '@signpdf gets a P12 (SHA1/3DES PBE, 2048 iterations, which it decrypts with node-forge on every sign: that is its API); @libpdf/core and Inkan get the key through their Signer plug-ins backed by node:crypto.',
        'All inputs have classic xref tables (the @signpdf plain placeholder cannot read xref streams).',
      ],
      sizes,
      targets: [
        'sign ≤ 10 ms at 100 pages',
        'sign ≤ 15 ms at 1000 pages',
        'sign ≤ 55 ms and ≤ +75 MiB peak at 50 MiB',
        'verify ≤ 1.2 × SHA-256(file) + 6 ms',
      ],
      cases,
    };
    const { json, markdown } = writeResults(RESULTS_DIR, results, { partial });
    console.log('');
    console.log(markdown);
    console.log(
      `bench: wrote ${json}${partial ? ' (partial run: latest.* and README untouched)' : ', latest.json, latest.md, README.md'}`,
    );
    const failed = cases.filter((c) => c.status === 'error' || c.checkOk === false);
    if (failed.length > 0) {
      console.error(`bench: ${failed.length} case(s) failed: ${failed.map((c) => `${c.impl}/${c.sizeId}`).join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function addRatiosAndTargets(cases: CaseResult[]): void {
  const median = (impl: ImplId, size: SizeId) => {
    const c = cases.find((x) => x.impl === impl && x.sizeId === size);
    return c?.status === 'measured' ? c.medianMs : undefined;
  };
  for (const c of cases) {
    const floor = median(c.section === 'sign' ? 'floor-sign' : 'floor-hash', c.sizeId);
    const lib = median('libpdf', c.sizeId);
    if (c.status === 'measured' && !c.impl.startsWith('floor')) {
      if (floor !== undefined) c.vsFloor = c.medianMs! / floor;
      if (c.section === 'sign' && lib !== undefined) c.vsLibpdf = c.medianMs! / lib;
    }
    if (c.impl === 'inkan-sign') {
      const t = SIGN_TARGETS[c.sizeId];
      if (t !== undefined) {
        const text = `≤ ${t.ms} ms${t.mib === undefined ? '' : ` and ≤ +${t.mib} MiB`}`;
        c.target = {
          text,
          met: c.status === 'measured' ? c.medianMs! <= t.ms && (t.mib === undefined || c.peakRssMiB! <= t.mib) : null,
        };
      }
    }
    if (c.impl === 'inkan-verify') {
      const limit = floor === undefined ? undefined : 1.2 * floor + 6;
      const text = limit === undefined ? '≤ 1.2 × hash + 6 ms' : `≤ 1.2 × hash + 6 ms = ${limit.toFixed(1)} ms`;
      c.target = { text, met: c.status === 'measured' && limit !== undefined ? c.medianMs! <= limit : null };
    }
  }
}

process.exitCode = await main();
