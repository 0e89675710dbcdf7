// Benchmark harness: runs each case in a fresh child process, summarises the samples, and writes
// results (JSON + Markdown) to bench/results/.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { CaseReport, CaseSpec, ImplId, SizeId } from './types.ts';
import { escapeCell, resultStamp, writeBetweenMarkers } from './report-files.ts';

const CASE_RUNNER = fileURLToPath(new URL('./case-runner.ts', import.meta.url));
const MiB = 1024 * 1024;

/** Runs one case in a fresh `node --import tsx --expose-gc` child and returns its report. */
export function runCaseInChild(spec: CaseSpec, timeoutMs = 240_000): Promise<CaseReport> {
  return new Promise((resolve) => {
    const child = fork(CASE_RUNNER, [JSON.stringify(spec)], {
      execArgv: ['--import', 'tsx', '--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let report: CaseReport | undefined;
    const timer = setTimeout(() => {
      report ??= { status: 'error', message: `timed out after ${timeoutMs} ms` };
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('message', (message) => {
      report = message as CaseReport;
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(report ?? { status: 'error', message: `child exited (${signal ?? code}) without a report` });
    });
  });
}

/** Median of the samples. */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** One row of the results. */
export interface CaseResult {
  section: 'sign' | 'verify';
  impl: ImplId;
  label: string;
  sizeId: SizeId;
  status: 'measured' | 'not measured' | 'error';
  reason?: string;
  warmup?: number;
  runs?: number;
  medianMs?: number;
  p95Ms?: number;
  minMs?: number;
  samplesMs?: number[];
  /** Max over runs of the per-run RSS peak above the pre-run RSS. */
  peakRssMiB?: number;
  medianPeakRssMiB?: number;
  peakExternalMiB?: number;
  rssMethod?: 'vmhwm' | 'sampled';
  baselineRssMiB?: number;
  /** median / the section's floor median at the same size. */
  vsFloor?: number;
  /** median / @libpdf/core's median at the same size (signing only). */
  vsLibpdf?: number;
  /** Independent check of the last output (pdfsig + byte scan) or a note. */
  check?: string;
  checkOk?: boolean;
  target?: { text: string; met: boolean | null };
}

/** Turns a child's report into a result row. */
export function summarize(
  section: 'sign' | 'verify',
  impl: ImplId,
  label: string,
  sizeId: SizeId,
  report: CaseReport,
): CaseResult {
  const base = { section, impl, label, sizeId };
  if (report.status === 'unavailable') return { ...base, status: 'not measured', reason: report.reason };
  if (report.status === 'error') return { ...base, status: 'error', reason: report.message };
  return {
    ...base,
    status: 'measured',
    warmup: report.warmup,
    runs: report.samplesMs.length,
    medianMs: median(report.samplesMs),
    p95Ms: percentile(report.samplesMs, 95),
    minMs: Math.min(...report.samplesMs),
    samplesMs: report.samplesMs.map((v) => Math.round(v * 1000) / 1000),
    peakRssMiB: Math.max(0, ...report.peakRssBytes) / MiB,
    medianPeakRssMiB: Math.max(0, median(report.peakRssBytes)) / MiB,
    peakExternalMiB: Math.max(0, ...report.peakExternalBytes) / MiB,
    rssMethod: report.rssMethod,
    baselineRssMiB: report.baselineRssBytes / MiB,
    check: report.note,
  };
}

/** Everything one benchmark run produced. */
export interface BenchResults {
  schema: 1;
  /** Only some cases/sizes were run (--only / --sizes). */
  partial: boolean;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: Record<string, string | number>;
  libraries: Record<string, string>;
  method: string[];
  sizes: Array<{ id: SizeId; label: string; pages: number; bytes: number }>;
  targets: string[];
  cases: CaseResult[];
}

const fmtMs = (v: number | undefined) =>
  v === undefined ? '—' : v < 10 ? v.toFixed(2) : v < 100 ? v.toFixed(1) : v.toFixed(0);
const fmtMiB = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const fmtX = (v: number | undefined) => (v === undefined ? '—' : `${v < 10 ? v.toFixed(2) : v.toFixed(1)}×`);

function cell(r: CaseResult | undefined, show: (r: CaseResult) => string): string {
  if (r === undefined) return '—';
  if (r.status === 'not measured') return 'not measured';
  if (r.status === 'error') return 'ERROR';
  return show(r);
}

/** The Markdown report: a median matrix per section, then every detail. */
export function toMarkdown(results: BenchResults): string {
  const lines: string[] = [];
  const sizes = results.sizes;
  const find = (impl: ImplId, size: SizeId) => results.cases.find((c) => c.impl === impl && c.sizeId === size);
  lines.push(
    `Run ${results.startedAt}${results.partial ? ' (partial)' : ''} — Node ${results.machine.node}, ${results.machine.cpuModel} ×${results.machine.cpus}, ${results.machine.platform}; ` +
      `load average ${results.machine.loadAvg1m}; ${results.durationS.toFixed(0)} s in total.`,
  );
  lines.push('');
  const tables = [
    [
      'sign',
      'Signing (RSA-2048, no timestamp): median time (× floor)',
      (r: CaseResult) => `${fmtMs(r.medianMs)} ms${r.vsFloor === undefined ? '' : ` (${fmtX(r.vsFloor)})`}`,
    ],
    ['sign', 'Signing: peak RSS above the pre-run baseline (MiB)', (r: CaseResult) => fmtMiB(r.peakRssMiB)],
    [
      'verify',
      'Verification: median time (× hash floor)',
      (r: CaseResult) => `${fmtMs(r.medianMs)} ms${r.vsFloor === undefined ? '' : ` (${fmtX(r.vsFloor)})`}`,
    ],
  ] as const;
  for (const [section, title, show] of tables) {
    const impls = [...new Set(results.cases.filter((c) => c.section === section).map((c) => c.impl))];
    lines.push(`**${title}**`, '');
    lines.push(`| implementation | ${sizes.map((s) => s.label).join(' | ')} |`);
    lines.push(`|---|${sizes.map(() => '---:').join('|')}|`);
    for (const impl of impls) {
      const label = results.cases.find((c) => c.impl === impl)!.label;
      lines.push(`| ${label} | ${sizes.map((s) => cell(find(impl, s.id), show)).join(' | ')} |`);
    }
    lines.push('');
  }
  lines.push('**Details**', '');
  lines.push(
    '| case | size | runs (warm-up) | median ms | p95 ms | × floor | × libpdf | peak RSS Δ MiB (max / median) | peak external Δ MiB | output check | Inkan target |',
  );
  lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|');
  for (const c of results.cases) {
    const size = sizes.find((s) => s.id === c.sizeId)!.label;
    const target =
      c.target === undefined
        ? ''
        : `${c.target.text}: ${c.target.met === null ? 'not measured' : c.target.met ? 'met' : 'MISSED'}`;
    if (c.status !== 'measured') {
      lines.push(
        `| ${c.label} | ${size} | — | ${c.status === 'error' ? 'ERROR' : 'not measured'} | — | — | — | — | — | ${escapeCell(c.reason ?? '')} | ${target} |`,
      );
      continue;
    }
    lines.push(
      `| ${c.label} | ${size} | ${c.runs} (${c.warmup}) | ${fmtMs(c.medianMs)} | ${fmtMs(c.p95Ms)} | ${fmtX(c.vsFloor)} | ${fmtX(c.vsLibpdf)} | ${fmtMiB(c.peakRssMiB)} / ${fmtMiB(c.medianPeakRssMiB)} | ${fmtMiB(c.peakExternalMiB)} | ${escapeCell(c.check ?? '')} | ${target} |`,
    );
  }
  lines.push('');
  const fmtBytes = (n: number) => (n < MiB ? `${(n / 1024).toFixed(1)} KiB` : `${(n / MiB).toFixed(2)} MiB`);
  lines.push('Inputs: ' + sizes.map((s) => `${s.label} = ${s.pages} page(s), ${fmtBytes(s.bytes)}`).join('; ') + '.');
  lines.push('');
  lines.push('Targets for Inkan: ' + results.targets.join('; ') + '.');
  lines.push('');
  lines.push('Method: ' + results.method.join(' '));
  lines.push('');
  lines.push(
    'Libraries: ' +
      Object.entries(results.libraries)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ') +
      '.',
  );
  return lines.join('\n') + '\n';
}

const README_START = '<!-- bench-results:start -->';
const README_END = '<!-- bench-results:end -->';

/** Writes sign-<timestamp>.json, latest.json, latest.md, and the table inside bench/README.md and README.md. */
export function writeResults(
  resultsDir: string,
  results: BenchResults,
  options: { partial: boolean },
): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const json = join(resultsDir, `sign-${resultStamp(results.startedAt)}${options.partial ? '-partial' : ''}.json`);
  const body = `${JSON.stringify(results, null, 2)}\n`;
  writeFileSync(json, body);
  const markdown = toMarkdown(results);
  if (options.partial) return { json, markdown };
  writeFileSync(join(resultsDir, 'latest.json'), body);
  writeFileSync(join(resultsDir, 'latest.md'), markdown);
  writeBetweenMarkers(resultsDir, README_START, README_END, markdown);
  return { json, markdown };
}
