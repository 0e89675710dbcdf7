// Child-process entry: runs ONE (implementation × size) case in a fresh process, so that peak memory
// and JIT state of one case never leak into another. Reports a CaseReport over IPC.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { INKAN } from './inkan-case.ts';
import { PEERS } from './peers.ts';
import type { BenchImpl, CaseReport, CaseSpec, KeyMaterial } from './types.ts';

const IMPLS: readonly BenchImpl[] = [...PEERS, ...INKAN];

function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('run the case runner with --expose-gc');
  gc();
  gc();
}

// Linux: writing 5 to clear_refs resets VmHWM, the kernel's exact RSS high-water mark, so each run's
// peak is measured without polling (a poller cannot fire while synchronous signing code runs).
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

function readStatusKiB(field: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
  if (m === null) throw new Error(`no ${field} in /proc/self/status`);
  return Number(m[1]) * 1024;
}

async function main(spec: CaseSpec): Promise<CaseReport> {
  const impl = IMPLS.find((i) => i.id === spec.impl);
  if (impl === undefined) return { status: 'error', message: `unknown implementation ${spec.impl}` };
  const keysJson = JSON.parse(readFileSync(spec.keysPath, 'utf8')) as {
    leafKeyPem: string;
    leafDer: string;
    rootDer: string;
    p12: string;
    p12Password: string;
  };
  const keys: KeyMaterial = {
    leafKeyPem: keysJson.leafKeyPem,
    leafDer: new Uint8Array(Buffer.from(keysJson.leafDer, 'base64')),
    rootDer: new Uint8Array(Buffer.from(keysJson.rootDer, 'base64')),
    p12: Buffer.from(keysJson.p12, 'base64'),
    p12Password: keysJson.p12Password,
  };
  const pdf = readFileSync(spec.pdfPath);
  const prepared = await impl.prepare({ pdf, keys });
  if ('unavailable' in prepared) return { status: 'unavailable', reason: prepared.unavailable };

  // Warm-up: JIT, lazy imports, caches. Bounded by count and by time (the 50 MiB peers are slow).
  let warmup = 0;
  const warmStart = performance.now();
  let last: unknown;
  do {
    last = await prepared.run();
    warmup++;
  } while (warmup < spec.maxWarmup && performance.now() - warmStart < spec.warmupBudgetMs);
  const perRun = (performance.now() - warmStart) / warmup;
  const runs = Math.max(spec.minRuns, Math.min(spec.maxRuns, Math.round(spec.budgetMs / Math.max(perRun, 0.001))));

  const samplesMs: number[] = [];
  const peakRssBytes: number[] = [];
  const peakExternalBytes: number[] = [];
  let rssMethod: 'vmhwm' | 'sampled' = 'vmhwm';
  last = undefined;
  collectGarbage();
  const baselineRssBytes = readStatusKiB('VmRSS');
  for (let i = 0; i < runs; i++) {
    last = undefined;
    collectGarbage();
    const hwmReset = resetPeakRss();
    if (!hwmReset) rssMethod = 'sampled';
    const before = process.memoryUsage();
    let maxRss = before.rss;
    let maxExternal = before.external;
    // Catches peaks across awaits; synchronous stretches are covered by VmHWM (RSS) and the after-run sample.
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      if (m.rss > maxRss) maxRss = m.rss;
      if (m.external > maxExternal) maxExternal = m.external;
    }, 1);
    const t0 = performance.now();
    last = await prepared.run();
    const t1 = performance.now();
    clearInterval(sampler);
    const after = process.memoryUsage(); // the output is still alive here
    maxRss = Math.max(maxRss, after.rss);
    maxExternal = Math.max(maxExternal, after.external);
    samplesMs.push(t1 - t0);
    peakRssBytes.push((hwmReset ? readStatusKiB('VmHWM') : maxRss) - before.rss);
    peakExternalBytes.push(maxExternal - before.external);
  }

  const described = prepared.describe(last);
  if (described.pdf !== undefined) writeFileSync(spec.outputPath, described.pdf);
  return {
    status: 'ok',
    warmup,
    samplesMs,
    peakRssBytes,
    peakExternalBytes,
    rssMethod,
    baselineRssBytes,
    outputWritten: described.pdf !== undefined,
    note: described.note,
  };
}

const spec = JSON.parse(process.argv[2] ?? '{}') as CaseSpec;
let report: CaseReport;
try {
  report = await main(spec);
} catch (error) {
  report = { status: 'error', message: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
}
if (process.send === undefined) {
  process.stdout.write(`${JSON.stringify(report)}\n`);
} else {
  process.send(report, () => process.disconnect());
}
