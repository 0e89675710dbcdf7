// `npm run bench`: the signing bench, the envelope-flow bench, the verification-server bench, then the
// release bench (whole processes), each in its own process (one after the other: nothing else should run
// during a measurement). `npm run bench -- sign|envelopes|verify-server|release|x509|register|backup|reclaim|webhooks|batch-verify [OPTIONS]`
// runs one (the register and backup benches, which build large data sets, run only when asked); options without a name go to the
// signing bench, as before (`npm run bench -- --only=libpdf --sizes=1p`).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BENCHES = {
  sign: ['--import', 'tsx', '--expose-gc', 'bench/sign-bench.ts'],
  envelopes: ['--import', 'tsx', 'bench/envelope-bench.ts'],
  'verify-server': ['--import', 'tsx', 'bench/verify-server-bench.ts'],
  backup: ['--import', 'tsx', 'bench/backup-bench.ts'],
  reclaim: ['--import', 'tsx', 'bench/reclaim-bench.ts'],
  register: ['--import', 'tsx', '--expose-gc', 'bench/register-bench.ts'],
  release: ['--import', 'tsx', 'bench/release-bench.ts'],
  x509: ['--import', 'tsx', 'bench/x509-bench.ts'],
  webhooks: ['--import', 'tsx', 'bench/webhook-bench.ts'],
  'batch-verify': ['--import', 'tsx', 'bench/batch-verify-bench.ts'],
} as const;
type BenchName = keyof typeof BENCHES;
/** A bench that runs longer than this is stopped (each bounds itself well below it). */
const LIMIT_MS = 15 * 60_000;
/**
 * The register bench seeds 1,000,000 + 100,000 entries into SQLite and then PostgreSQL: about 10 minutes
 * on a quiet 2-core machine, over an hour on a loaded one.
 */
const LIMIT_MS_BY_BENCH: Partial<Record<BenchName, number>> = { register: 180 * 60_000, 'batch-verify': 120 * 60_000 };

function run(name: BenchName, args: readonly string[]): Promise<number> {
  console.log(`\n=== bench: ${name} ${args.join(' ')}`.trimEnd());
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...BENCHES[name], ...args], { cwd: ROOT, stdio: 'inherit' });
    const limitMs = LIMIT_MS_BY_BENCH[name] ?? LIMIT_MS;
    const timer = setTimeout(() => {
      console.error(`bench: ${name} still running after ${limitMs / 60_000} min; stopping it`);
      child.kill('SIGTERM');
    }, limitMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const argv = process.argv.slice(2);
let plan: Array<[BenchName, string[]]>;
if (argv[0] !== undefined && argv[0] in BENCHES) plan = [[argv[0] as BenchName, argv.slice(1)]];
else if (argv.length > 0) plan = [['sign', argv]];
else
  plan = [
    ['sign', []],
    ['envelopes', []],
    ['verify-server', []],
    ['release', []],
    ['x509', []],
  ];

let exitCode = 0;
for (const [name, args] of plan) {
  const code = await run(name, args);
  if (code !== 0) {
    console.error(`bench: ${name} failed (exit ${code})`);
    exitCode = 1;
  }
}
process.exitCode = exitCode;
