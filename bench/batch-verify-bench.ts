// Batch verification (issue 13 part 7): `inkan verify --batch DIR --csv` over N signed PDFs (default 10,000),
// as a real CLI process, with one worker thread (--jobs 1) and with one per core (the default): files per
// second of each. The files: ONE PDF signed (PAdES B-T) and sealed (B-LTA) by a test PKI, copied N times,
// each copy with a distinct comment line after its last %%EOF (distinct bytes and SHA-256, the same
// signatures; every copy is read, parsed and verified in full — the verifier caches nothing across files).
// `npm run bench -- batch-verify [--files=N]`; with options the result is written as
// batch-verify-<time>-partial.json only.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createWitnessSigner } from '../packages/core/src/pki/index.ts';
import { sealPdf } from '../packages/core/src/pades/seal-pdf.ts';
import { signPdf } from '../packages/core/src/pades/sign-pdf.ts';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { createPkiFixture } from '../packages/core/test/helpers/pki-fixture.ts';
import { machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS_DIR = join(ROOT, 'bench', 'results');
const INKAN = join(ROOT, 'packages', 'server', 'bin', 'inkan.mjs');

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) =>
  Number(argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const FILES = option('files', 10_000);
const CORES = availableParallelism();

interface Run {
  jobs: number;
  files: number;
  valid: number;
  seconds: number;
  filesPerSecond: number;
  peakRssMiB: number;
  /** CPU seconds (user + system) of the CLI process over its wall time: the cores it actually got. */
  coresUsed: number;
}

/** Runs the CLI over the directory; the CSV goes to a file (its rows are counted), the summary to stderr. */
function runBatch(dir: string, rootPem: string, jobs: number, out: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(
      '/usr/bin/time',
      [
        '-f',
        'peak-rss-kib %M cpu %U %S',
        process.execPath,
        INKAN,
        'verify',
        '--batch',
        dir,
        '--csv',
        '--trust',
        rootPem,
        '--jobs',
        String(jobs),
      ],
      {
        cwd: ROOT,
        env: { ...process.env, INKAN_DATA_DIR: join(dir, '..', 'no-data') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const seconds = (performance.now() - started) / 1000;
      const csv = Buffer.concat(chunks).toString('utf8');
      writeFileSync(out, csv);
      const rows = csv.split('\r\n').slice(1, -1);
      const valid = rows.filter((r) => r.split(',')[1] === 'valid').length;
      if (code !== 0 || rows.length !== FILES)
        return reject(
          new Error(`jobs ${jobs}: exit ${code}, ${rows.length} rows, ${valid} valid\n${stderr.slice(-2000)}`),
        );
      resolve({
        jobs,
        files: rows.length,
        valid,
        seconds: Math.round(seconds * 10) / 10,
        filesPerSecond: Math.round((rows.length / seconds) * 10) / 10,
        peakRssMiB: Math.round(Number(/peak-rss-kib (\d+)/.exec(stderr)?.[1] ?? NaN) / 1024),
        coresUsed: (() => {
          const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
          return cpu ? Math.round(((Number(cpu[1]) + Number(cpu[2])) / seconds) * 100) / 100 : NaN;
        })(),
      });
    });
  });
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg()[0];
const work = mkdtempSync(join(tmpdir(), 'inkan-batch-bench-'));
try {
  const fixture = await createPkiFixture();
  const signer = await createWitnessSigner(fixture.pki, { name: '山田 太郎', email: 'taro@example.jp' });
  const signed = await signPdf(await makePdf({ pages: 2, text: 'Batch verification' }), {
    signer,
    timestampAuthority: fixture.tsa,
    name: '山田 太郎 <taro@example.jp>',
  });
  const sealed = await sealPdf(signed, fixture.sealOptions);
  const rootPem = join(work, 'root.pem');
  writeFileSync(rootPem, fixture.rootPem);
  const dir = join(work, 'files');
  mkdirSync(dir);
  for (let i = 0; i < FILES; i++) {
    const name = String(i).padStart(6, '0');
    writeFileSync(join(dir, `${name}.pdf`), Buffer.concat([sealed, Buffer.from(`% batch copy ${name}\n`)]));
  }
  console.log(`${FILES} files of ${sealed.length} bytes; ${CORES} cores; load ${loadBefore.toFixed(2)}`);
  const runs: Run[] = [];
  for (const jobs of [1, CORES]) {
    const run = await runBatch(dir, rootPem, jobs, join(work, `report-${jobs}.csv`));
    console.log(
      `--jobs ${jobs}: ${run.files} files (${run.valid} valid) in ${run.seconds} s = ${run.filesPerSecond} files/s, ${run.coresUsed} cores used, peak RSS ${run.peakRssMiB} MiB`,
    );
    runs.push(run);
  }
  fixture.cleanup();
  const machine = machineInfo(loadBefore);
  const partial = argv.length > 0 ? '-partial' : '';
  const result = { bench: 'batch-verify', startedAt, files: FILES, fileBytes: sealed.length, machine, runs };
  writeFileSync(
    join(RESULTS_DIR, `batch-verify-${resultStamp(startedAt)}${partial}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const [one, all] = runs;
  const table = [
    `\`inkan verify --batch DIR --csv\` over ${FILES.toLocaleString('en')} copies of one signed and sealed PDF (${Math.round(sealed.length / 1024)} KiB, each with a distinct trailing comment; ${machine.cpus} × ${machine.cpuModel}, load ${machine.loadAvg1m}, commit ${machine.commit}, ${startedAt}):`,
    '',
    '| worker threads | files | valid | time (s) | files/s | cores used (CPU s / wall s) | peak RSS (MiB) |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...runs.map(
      (r) =>
        `| ${r.jobs} | ${r.files} | ${r.valid} | ${r.seconds} | ${r.filesPerSecond} | ${r.coresUsed} | ${r.peakRssMiB} |`,
    ),
    '',
    `Speed-up with all cores: ×${(all!.filesPerSecond / one!.filesPerSecond).toFixed(2)}. The machine is shared (load average above); "cores used" says how much CPU the run actually got: a speed-up needs the cores to be free.`,
    '',
  ].join('\n');
  if (!partial)
    writeBetweenMarkers(RESULTS_DIR, '<!-- batch-verify-bench:start -->', '<!-- batch-verify-bench:end -->', table);
  else console.log(table);
} finally {
  rmSync(work, { recursive: true, force: true });
}
