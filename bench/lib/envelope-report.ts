// Results of the envelope-flow bench: the JSON file, envelopes-latest.md and the tables between the
// `envelope-bench` markers of README.md and bench/README.md.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeCell, resultStamp, writeBetweenMarkers } from './report-files.ts';

/** Nearest-rank percentiles of a sample, in ms. */
export interface Latencies {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Both phases on one database. */
export interface DatabaseRun {
  database: 'sqlite' | 'postgres' | 'postgres-multi';
  status: 'measured' | 'not measured' | 'error';
  reason?: string;
  durationS: number;
  pdfBytes?: number;
  throughput?: {
    /** CPU time per envelope (ms): the server during the phase, the server until its queue was empty, the bench client. */
    cpu?: {
      serverMsPerEnvelopeInPhase: number;
      serverMsPerEnvelope: number;
      /** The job processes' part of serverMsPerEnvelope (absent in results written before it was measured). */
      jobMsPerEnvelope?: number;
      /** PostgreSQL's backends of the database (not part of serverMsPerEnvelope); absent on SQLite. */
      databaseMsPerEnvelope?: number;
      benchMsPerEnvelope: number;
    };
    envelopes: number;
    concurrency: number;
    warmup: number;
    /** The warm-up envelopes (run like the phase, right after the server's start): rate and server CPU. */
    warmupRun?: { envelopes: number; envelopesPerS: number; serverMsPerEnvelopeInPhase: number };
    completed: number;
    wallS: number;
    envelopesPerS: number;
    completionMs: Latencies;
    /** Latency of each kind of request during the phase. */
    steps: Record<string, Latencies>;
    getRequests: number;
    errors: number;
    errorSamples: string[];
    firstCompletedId?: string;
  };
  latency?: {
    signers: number;
    ready: number;
    /** Time to create, send and pass the access code for every signer (not part of the measurement). */
    prepS: number;
    sign: Latencies;
    errors: number;
    errorSamples: string[];
    /** From the burst to the last platform signature applied by the worker. */
    appliedS: number | null;
    signaturesPerS: number | null;
  };
  /** `inkan verify` on a completed envelope's document. */
  check?: string;
  /** Where the server's CPU went during the throughput phase (Markdown, from its CPU profiles). */
  profileSummary?: string;
  /** The job queue at the end: jobs failed for good (an error) and jobs that needed a retry. */
  jobs?: { failed: number; retried: number };
}

/** Everything one envelope-bench run produced. */
export interface EnvelopeBenchResults {
  schema: 1;
  partial: boolean;
  startedAt: string;
  finishedAt: string;
  durationS: number;
  machine: Record<string, string | number>;
  options: { count: number; concurrency: number; signers: number; warmup: number };
  method: string[];
  runs: DatabaseRun[];
}

const ms = (v: number | undefined) =>
  v === undefined || Number.isNaN(v)
    ? '—'
    : v < 10
      ? `${v.toFixed(1)} ms`
      : v < 10_000
        ? `${v.toFixed(0)} ms`
        : `${(v / 1000).toFixed(1)} s`;
const label = (db: string) =>
  db === 'sqlite' ? 'SQLite (default)' : db === 'postgres' ? 'PostgreSQL' : 'PostgreSQL, 2 web + 1 worker processes';

/** The Markdown report. */
export function envelopeMarkdown(r: EnvelopeBenchResults): string {
  const lines: string[] = [];
  lines.push(
    `Run ${r.startedAt}${r.partial ? ' (partial)' : ''} — Node ${r.machine.node}, ${r.machine.cpuModel} ×${r.machine.cpus}, ${r.machine.platform}; ` +
      `load average ${r.machine.loadAvg1m}; ${r.durationS.toFixed(0)} s in total.`,
    '',
  );
  const measured = r.runs.filter((x) => x.status === 'measured');
  lines.push(
    `**Complete envelopes** (create → send → 2 signatures → completed; ${r.options.count} envelopes, ${r.options.concurrency} at a time, through the HTTP API)`,
    '',
  );
  lines.push(
    '| database | envelopes/s | time to completion median | p95 | max | errors | server CPU per envelope | bench client CPU per envelope | warm-up right after the start: envelopes/s, server CPU |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of r.runs) {
    const t = run.throughput;
    if (run.status !== 'measured' || t === undefined) {
      lines.push(
        `| ${label(run.database)} | ${run.status === 'error' ? 'ERROR' : 'not measured'} | — | — | — | ${escapeCell(run.reason ?? '')} | — | — | — |`,
      );
      continue;
    }
    lines.push(
      `| ${label(run.database)} | ${t.envelopesPerS.toFixed(2)} | ${ms(t.completionMs.p50)} | ${ms(t.completionMs.p95)} | ${ms(t.completionMs.max)} | ${t.errors} of ${t.envelopes} | ${ms(t.cpu?.serverMsPerEnvelope)}${t.cpu?.jobMsPerEnvelope === undefined ? '' : ` (jobs ${ms(t.cpu.jobMsPerEnvelope)})`}${t.cpu?.databaseMsPerEnvelope === undefined ? '' : ` + PostgreSQL ${ms(t.cpu.databaseMsPerEnvelope)}`} | ${ms(t.cpu?.benchMsPerEnvelope)} | ${t.warmupRun ? `${t.warmupRun.envelopes}: ${t.warmupRun.envelopesPerS.toFixed(2)}, ${ms(t.warmupRun.serverMsPerEnvelopeInPhase)}` : '—'} |`,
    );
  }
  lines.push('');
  lines.push(
    `**Signing request with ${r.options.signers} concurrent signers** (\`POST /api/sign/{token}/sign\`, all at once, sessions ready)`,
    '',
  );
  lines.push(
    '| database | p50 | p95 | p99 | max | errors | all signatures applied by the worker after | signatures/s |',
  );
  lines.push('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const run of measured) {
    const l = run.latency!;
    lines.push(
      `| ${label(run.database)} | ${ms(l.sign.p50)} | ${ms(l.sign.p95)} | ${ms(l.sign.p99)} | ${ms(l.sign.max)} | ${l.errors} of ${l.signers} | ${l.appliedS === null ? '—' : `${l.appliedS.toFixed(1)} s`} | ${l.signaturesPerS === null ? '—' : l.signaturesPerS.toFixed(1)} |`,
    );
  }
  lines.push('');
  lines.push('**Requests during the throughput phase** (median / p95)', '');
  const steps = [...new Set(measured.flatMap((run) => Object.keys(run.throughput!.steps)))];
  lines.push(`| database | ${steps.join(' | ')} |`);
  lines.push(`|---|${steps.map(() => '---:').join('|')}|`);
  for (const run of measured) {
    lines.push(
      `| ${label(run.database)} | ${steps
        .map((s) => {
          const v = run.throughput!.steps[s];
          return v ? `${ms(v.p50)} / ${ms(v.p95)}` : '—';
        })
        .join(' | ')} |`,
    );
  }
  lines.push('');
  for (const run of measured) {
    const t = run.throughput!;
    const l = run.latency!;
    lines.push(
      `${label(run.database)}: ${t.completed} envelopes in ${t.wallS.toFixed(1)} s after ${t.warmup} warm-up envelopes` +
        (t.warmupRun
          ? ` (right after the start: ${t.warmupRun.envelopesPerS.toFixed(2)} envelopes/s, server CPU ${ms(t.warmupRun.serverMsPerEnvelopeInPhase)} per envelope)`
          : '') +
        `, ${t.getRequests} status polls; ` +
        `${l.ready} signer sessions prepared in ${l.prepS.toFixed(1)} s; output check: ${run.check}; jobs failed ${run.jobs?.failed ?? '—'}, retried ${run.jobs?.retried ?? '—'}; ${run.durationS.toFixed(0)} s for this database.`,
    );
    for (const e of [...t.errorSamples, ...l.errorSamples]) lines.push(`- error: ${escapeCell(e)}`);
  }
  lines.push('');
  for (const run of measured) {
    if (run.profileSummary === undefined) continue;
    lines.push(
      `**Where the server's CPU went** — ${label(run.database)}, throughput phase, from \`--cpu-prof\` of every server thread:`,
      '',
    );
    lines.push(run.profileSummary, '');
  }
  lines.push('Method: ' + r.method.join(' '));
  return lines.join('\n') + '\n';
}

const START = '<!-- envelope-bench:start -->';
const END = '<!-- envelope-bench:end -->';

/** Writes envelopes-<time>.json, envelopes-latest.md and the table inside bench/README.md and README.md. */
export function writeEnvelopeResults(
  resultsDir: string,
  results: EnvelopeBenchResults,
  options: { partial: boolean },
): { json: string; markdown: string } {
  mkdirSync(resultsDir, { recursive: true });
  const json = join(resultsDir, `envelopes-${resultStamp(results.startedAt)}${options.partial ? '-partial' : ''}.json`);
  writeFileSync(json, `${JSON.stringify(results, null, 2)}\n`);
  const markdown = envelopeMarkdown(results);
  if (options.partial) return { json, markdown };
  writeFileSync(join(resultsDir, 'envelopes-latest.md'), markdown);
  writeBetweenMarkers(resultsDir, START, END, markdown);
  return { json, markdown };
}
