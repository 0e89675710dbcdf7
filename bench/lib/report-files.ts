// What both benchmarks share: the machine description of a run, table-cell escaping, result file
// names, and rewriting the tables between markers in bench/README.md and README.md.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The machine a run measured on; other work skews numbers, so the 1-minute load average before and after. */
export function machineInfo(loadBefore: number): {
  node: string;
  platform: string;
  cpuModel: string;
  cpus: number;
  totalMemGiB: number;
  commit: string;
  loadAvg1m: string;
} {
  return {
    node: process.version,
    platform: `${platform()} ${release()}`,
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: cpus().length,
    totalMemGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    commit: gitCommit(),
    loadAvg1m: `${loadBefore.toFixed(2)} → ${loadavg()[0].toFixed(2)}`,
  };
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'none';
  }
}

/** Text safe inside a Markdown table cell. */
export function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** `2026-11-25T18-18-29Z` from an ISO start time, for result file names. */
export function resultStamp(startedAtIso: string): string {
  return startedAtIso.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
}

/** Replaces what stands between `start` and `end` markers in bench/README.md and the repository's README.md. */
export function writeBetweenMarkers(resultsDir: string, start: string, end: string, markdown: string): void {
  for (const readme of [join(dirname(resultsDir), 'README.md'), join(dirname(resultsDir), '..', 'README.md')]) {
    if (!existsSync(readme)) continue;
    const text = readFileSync(readme, 'utf8');
    const a = text.indexOf(start);
    const b = text.indexOf(end);
    if (a >= 0 && b > a) writeFileSync(readme, `${text.slice(0, a + start.length)}\n${markdown}${text.slice(b)}`);
  }
}
