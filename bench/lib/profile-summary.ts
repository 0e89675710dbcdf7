// Summarises V8 CPU profiles (`node --cpu-prof`, one .cpuprofile per thread) of the Inkan server:
// self time by component (where the CPU goes), the heaviest functions, and the inclusive time of the
// use cases and job handlers (what the CPU is spent for). Used by the envelope bench (`--profile=DIR`)
// and on its own: `node --import tsx bench/lib/profile-summary.ts DIR [--per=N]`.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** One thread's profile, summarised. */
export interface ThreadSummary {
  file: string;
  /** Sampled time that was not idle, ms. */
  busyMs: number;
  wallMs: number;
  components: Array<{ name: string; ms: number }>;
  functions: Array<{ name: string; ms: number }>;
  /** Inclusive time of the use cases, job handlers and HTTP hooks found on the stacks. */
  operations: Array<{ name: string; ms: number }>;
}

/** The component a frame's own time is charged to (first matching rule). */
const COMPONENTS: Array<[string, (url: string, fn: string) => boolean]> = [
  ['(idle)', (u, f) => f === '(idle)'],
  ['(garbage collector)', (u, f) => f === '(garbage collector)'],
  ['(program: native, outside JS)', (u, f) => f === '(program)'],
  ['node:crypto (RSA, hashes, keygen)', (u) => /^node:(internal\/)?crypto/.test(u)],
  ['better-sqlite3 (SQLite calls)', (u) => u.includes('better-sqlite3')],
  ['pg (PostgreSQL driver)', (u) => /node_modules\/(pg|pg-protocol|pg-pool)\//.test(u)],
  ['kysely (query building)', (u) => u.includes('node_modules/kysely')],
  [
    'fontkit / pdf-lib (stamp, certificate rendering)',
    (u) => /fontkit|pdf-lib|restructure|unicode-trie|brotli/.test(u),
  ],
  ['pkijs / asn1js', (u) => /pkijs|asn1js|pvtsutils|pvutils|bytestreamjs/.test(u)],
  ['zod', (u) => u.includes('node_modules/zod')],
  [
    'fastify + plugins',
    (u) =>
      /node_modules\/(@fastify|fastify|find-my-way|light-my-request|avvio|fast-json-stringify|secure-json-parse)/.test(
        u,
      ),
  ],
  ['pino (logging)', (u) => /node_modules\/(pino|sonic-boom|thread-stream)/.test(u)],
  ['argon2', (u) => u.includes('argon2')],
  ['nodemailer / mail', (u) => /nodemailer|mailparser|libmime|libqp|libbase64/.test(u)],
  ['tsx (TypeScript loader)', (u) => /node_modules\/(tsx|esbuild)/.test(u)],
  ['other npm packages', (u) => u.includes('node_modules/')],
  ['core: pdf reader/writer', (u) => u.includes('packages/core/src/pdf/')],
  ['core: pades (stamp, sign, seal)', (u) => u.includes('packages/core/src/pades/')],
  ['core: cms / tsp', (u) => /packages\/core\/src\/(cms|tsp)\//.test(u)],
  ['core: pki / x509 / der', (u) => /packages\/core\/src\/(pki|x509|der|asn1)\//.test(u)],
  ['core: font / certificate', (u) => /packages\/core\/src\/(font|certificate)/.test(u)],
  ['core: other', (u) => u.includes('packages/core/')],
  ['server: http', (u) => u.includes('packages/server/src/http/')],
  ['server: domain', (u) => u.includes('packages/server/src/domain/')],
  ['server: adapters', (u) => u.includes('packages/server/src/adapters/')],
  ['server: mail', (u) => u.includes('packages/server/src/mail/')],
  ['server: other', (u) => u.includes('packages/server/')],
  ['node internals (streams, net, timers, modules)', (u) => u.startsWith('node:')],
  ['(no url: builtins, regexps, native callbacks)', (u) => u === ''],
  ['other', () => true],
];

/** Functions whose inclusive time is "what the CPU is for": use cases, job handlers, request handling. */
const OPERATION_FILES =
  /packages\/server\/src\/(domain\/use-cases|mail|jobs|backup)\/|packages\/core\/src\/(pades|certificate)/;

function shortUrl(url: string): string {
  const i = url.indexOf('/packages/');
  if (i >= 0) return url.slice(i + 1);
  const j = url.lastIndexOf('node_modules/');
  if (j >= 0) return url.slice(j + 'node_modules/'.length);
  return url;
}

/** Summarises one .cpuprofile file. */
export function summariseProfile(file: string, top = 15, window?: ProfileWindow): ThreadSummary {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  // Sample times: startTime + running sum of timeDeltas (µs of CLOCK_MONOTONIC, like process.hrtime).
  let at = profile.startTime;
  const keep = profile.samples.map((_, i) => {
    at += profile.timeDeltas[i] ?? 0;
    return window === undefined || (at >= window.fromUs && at <= window.toUs);
  });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    if (!keep[i]) continue;
    // timeDeltas[i] is the time before sample i; charge it to the sample (the usual approximation).
    const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    self.set(profile.samples[i], (self.get(profile.samples[i]) ?? 0) + dt);
  }
  const components = new Map<string, number>();
  const functions = new Map<string, number>();
  const operations = new Map<string, number>();
  let busy = 0;
  for (const [id, ms] of self) {
    const node = byId.get(id)!;
    const { url, functionName } = node.callFrame;
    const component = COMPONENTS.find(([, test]) => test(url, functionName))![0];
    components.set(component, (components.get(component) ?? 0) + ms);
    if (component === '(idle)') continue;
    busy += ms;
    const fn = `${functionName || '(anonymous)'} ${shortUrl(url)}:${node.callFrame.lineNumber + 1}`;
    functions.set(fn, (functions.get(fn) ?? 0) + ms);
    // Inclusive time: each distinct operation frame on this sample's stack gets the sample once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)!.callFrame;
      if (!OPERATION_FILES.test(frame.url) || !frame.functionName) continue;
      const name = `${frame.functionName} (${shortUrl(frame.url).replace(/^packages\/(server|core)\/src\//, '')})`;
      if (seen.has(name)) continue;
      seen.add(name);
      operations.set(name, (operations.get(name) ?? 0) + ms);
    }
  }
  const sorted = (m: Map<string, number>) => [...m].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return {
    file,
    busyMs: busy,
    wallMs:
      window === undefined
        ? (profile.endTime - profile.startTime) / 1000
        : (Math.min(window.toUs, profile.endTime) - Math.max(window.fromUs, profile.startTime)) / 1000,
    components: sorted(components),
    functions: sorted(functions).slice(0, top),
    operations: sorted(operations).slice(0, top),
  };
}

/** A time window of the profiles (µs of CLOCK_MONOTONIC: `process.hrtime.bigint() / 1000n` in any process). */
export interface ProfileWindow {
  fromUs: number;
  toUs: number;
}

/** Now, on the clock of CPU profiles' sample times. */
export function profileClockUs(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/**
 * Every .cpuprofile in a directory, busiest thread first; only the samples inside `window` if given, or
 * inside the window written to DIR/window.json by the envelope bench (its throughput phase).
 */
export function summariseDirectory(dir: string, top = 15, window?: ProfileWindow): ThreadSummary[] {
  let w = window;
  if (w === undefined && existsSync(join(dir, 'window.json')))
    w = JSON.parse(readFileSync(join(dir, 'window.json'), 'utf8')) as ProfileWindow;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => summariseProfile(join(dir, f), top, w))
    .sort((a, b) => b.busyMs - a.busyMs);
}

/** Markdown tables; `per` divides times (e.g. by the number of envelopes: ms per envelope). */
export function profileMarkdown(threads: readonly ThreadSummary[], per = 1, unit = 'ms'): string {
  const f = (ms: number) => (ms / per >= 10 ? (ms / per).toFixed(0) : (ms / per).toFixed(1));
  const lines: string[] = [];
  const total = threads.reduce((s, t) => s + t.busyMs, 0);
  lines.push(
    `CPU sampled in the server: ${f(total)} ${unit} (threads: ${threads.map((t) => f(t.busyMs)).join(' + ')})`,
    '',
  );
  for (const t of threads) {
    if (t.busyMs / total < 0.02) continue;
    lines.push(
      `**${t.file.split('/').at(-1)}**: busy ${f(t.busyMs)} ${unit} of ${(t.wallMs / 1000).toFixed(1)} s sampled`,
      '',
    );
    lines.push(`| component (self time) | ${unit} | share |`, '|---|---:|---:|');
    for (const c of t.components.filter((c) => c.name !== '(idle)' && c.ms / t.busyMs >= 0.005))
      lines.push(`| ${c.name} | ${f(c.ms)} | ${((100 * c.ms) / t.busyMs).toFixed(1)} % |`);
    lines.push('', `| operation (inclusive) | ${unit} | share |`, '|---|---:|---:|');
    for (const o of t.operations) lines.push(`| ${o.name} | ${f(o.ms)} | ${((100 * o.ms) / t.busyMs).toFixed(1)} % |`);
    lines.push('', `| function (self time) | ${unit} |`, '|---|---:|');
    for (const fn of t.functions) lines.push(`| \`${fn.name.replace(/\|/g, '\\|')}\` | ${f(fn.ms)} |`);
    lines.push('');
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: profile-summary.ts DIR [--per=N] [--top=N] [--window=burst-window.json]');
  const per = Number(/--per=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 1);
  // The throughput phase (window.json) unless another window the bench wrote is named (burst-window.json:
  // the 100-signer burst, per sign request).
  const windowFile = join(dir, /--window=(\S+)/.exec(process.argv.join(' '))?.[1] ?? 'window.json');
  const written = existsSync(windowFile)
    ? (JSON.parse(readFileSync(windowFile, 'utf8')) as ProfileWindow & { envelopes?: number; requests?: number })
    : undefined;
  // Without --per, the envelope (or request) count the bench wrote beside the window.
  const perWindow = written?.envelopes ?? written?.requests;
  const top = Number(/--top=(\d+)/.exec(process.argv.join(' '))?.[1] ?? 15);
  const divide = process.argv.some((a) => a.startsWith('--per=')) ? per : (perWindow ?? 1);
  const unit = divide === 1 ? 'ms' : written?.requests !== undefined ? 'ms/request' : 'ms/envelope';
  console.log(profileMarkdown(summariseDirectory(dir, top, written), divide, unit));
}

/**
 * A short summary for the bench report: CPU per envelope by component over all threads, the busiest
 * threads, and the operations (use cases, PAdES steps) that the time was spent for.
 */
export function compactProfileMarkdown(
  threads: readonly ThreadSummary[],
  envelopes: number,
  options: { cpuMsPerEnvelope?: number; top?: number } = {},
): string {
  const top = options.top ?? 12;
  const total = threads.reduce((sum, t) => sum + t.busyMs, 0);
  // Sample intervals are wall time: on a loaded machine a sample's interval includes the time the thread
  // waited for a core. The shares are what the profile says; the times are the shares of the CPU time
  // the kernel counted for the server (when given), else the sampled time.
  const scale = options.cpuMsPerEnvelope === undefined ? 1 / envelopes : options.cpuMsPerEnvelope / total;
  const per = (ms: number) => ms * scale;
  const f = (ms: number) => (per(ms) >= 10 ? per(ms).toFixed(0) : per(ms).toFixed(1));
  const components = new Map<string, number>();
  for (const t of threads)
    for (const c of t.components) if (c.name !== '(idle)') components.set(c.name, (components.get(c.name) ?? 0) + c.ms);
  const lines = [
    `${options.cpuMsPerEnvelope === undefined ? 'CPU sampled' : 'Server CPU (kernel count)'} per envelope: ${f(total)} ms over ${threads.length} threads (${threads
      .filter((t) => t.busyMs / total >= 0.01)
      .map((t) => `${threadName(t.file)} ${f(t.busyMs)} ms`)
      .join(', ')}).`,
    '',
    '| component (self time, all threads) | ms per envelope | share |',
    '|---|---:|---:|',
  ];
  for (const [name, ms] of [...components].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`| ${name} | ${f(ms)} | ${((100 * ms) / total).toFixed(1)} % |`);
  const operations = new Map<string, number>();
  for (const t of threads) for (const o of t.operations) operations.set(o.name, (operations.get(o.name) ?? 0) + o.ms);
  lines.push('', '| operation (inclusive, all threads) | ms per envelope | share |', '|---|---:|---:|');
  for (const [name, ms] of [...operations].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`| ${name} | ${f(ms)} | ${((100 * ms) / total).toFixed(1)} % |`);
  return lines.join('\n');
}

/** `CPU.20261206.091452.7561.2.003.cpuprofile` → `process 7561 thread 2`. */
function threadName(file: string): string {
  const m = /\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
  return m ? `pid ${m[1]} thread ${m[2]}` : file.split('/').at(-1)!;
}
