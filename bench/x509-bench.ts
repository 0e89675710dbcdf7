// Certificate parsing, ours against pkijs and node:crypto, on the 405 NIST PKITS certificates of
// packages/core/test/fixtures/corpus/pkits (real-world variety: RSA and DSA keys, every extension
// PKITS exercises). `npm run bench -- x509 [--rounds=15]`; results in bench/results/x509-*.json and
// between the x509-bench markers of README.md.
//
// Each round parses all 405 certificates with each parser in turn (interleaved, in one process, after
// two warm-up rounds); the figure is the median over rounds of (round time / 405).
import { X509Certificate } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import * as pkijs from 'pkijs';
import { clearCertificateCache, parseCertificate } from '../packages/core/src/x509/certificate.ts';
import { median } from './lib/harness.ts';
import { machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results');
const CERTS = join(ROOT, 'packages', 'core', 'test', 'fixtures', 'corpus', 'pkits', 'certs');
const args = Object.fromEntries(
  process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')) as Array<[string, string]>,
);
const ROUNDS = Number(args.rounds ?? 15);
const WARMUP = 2;

const certificates = readdirSync(CERTS)
  .filter((name) => name.endsWith('.crt'))
  .sort()
  .map((name) => new Uint8Array(readFileSync(join(CERTS, name))));

interface Parser {
  id: string;
  label: string;
  parse(der: Uint8Array): unknown;
  /** Run before each round (outside the timing). */
  reset?(): void;
}

const parsers: Parser[] = [
  {
    id: 'inkan-uncached',
    label: 'Inkan `parseCertificate` (x509/certificate.ts), cache cleared before each round',
    parse: (der) => parseCertificate(der),
    reset: clearCertificateCache,
  },
  {
    id: 'inkan-cached',
    label: 'Inkan `parseCertificate`, from the fingerprint cache (SHA-256 of the DER + lookup)',
    parse: (der) => parseCertificate(der),
  },
  {
    id: 'pkijs',
    label: '`pkijs.Certificate.fromBER` (pkijs 3)',
    parse: (der) => pkijs.Certificate.fromBER(der as Uint8Array<ArrayBuffer>),
  },
  {
    id: 'node',
    label: "`new X509Certificate` (node:crypto, OpenSSL's parser)",
    parse: (der) => new X509Certificate(der),
  },
];

// Every parser must read every certificate: a parser that fails is not measured against the others.
const unreadable = parsers.flatMap((p) =>
  certificates.flatMap((der, i) => {
    try {
      p.parse(der);
      return [];
    } catch (error) {
      return [`${p.id}: certificate ${i}: ${(error as Error).message}`];
    }
  }),
);

const startedAt = new Date().toISOString();
const loadBefore = loadavg()[0];
const samples = new Map<string, number[]>(parsers.map((p) => [p.id, []]));
for (let round = 0; round < WARMUP + ROUNDS; round++) {
  for (const parser of parsers) {
    parser.reset?.();
    const start = performance.now();
    for (const der of certificates) parser.parse(der);
    const perCertificateUs = ((performance.now() - start) * 1000) / certificates.length;
    if (round >= WARMUP) samples.get(parser.id)!.push(perCertificateUs);
  }
}

const rows = parsers.map((p) => ({ id: p.id, label: p.label, medianUs: median(samples.get(p.id)!) }));
const machine = machineInfo(loadBefore);
const results = { startedAt, machine, certificates: certificates.length, rounds: ROUNDS, unreadable, rows };
mkdirSync(RESULTS, { recursive: true });
writeFileSync(join(RESULTS, `x509-${resultStamp(startedAt)}.json`), `${JSON.stringify(results, null, 2)}\n`);

const fmt = (us: number) => (us >= 100 ? us.toFixed(0) : us.toFixed(1));
const markdown = [
  `Run ${startedAt} — Node ${machine.node}, ${machine.cpuModel} ×${machine.cpus}, load average ${machine.loadAvg1m}, commit ${machine.commit}; ${certificates.length} PKITS certificates, ${ROUNDS} rounds (median µs per certificate).`,
  '',
  '| parser | µs per certificate | × Inkan uncached |',
  '|---|---:|---:|',
  ...rows.map((r) => `| ${r.label} | ${fmt(r.medianUs)} | ${(r.medianUs / rows[0].medianUs).toFixed(2)} |`),
  ...(unreadable.length > 0 ? ['', `Not read: ${unreadable.join('; ')}`] : []),
  '',
].join('\n');
writeBetweenMarkers(RESULTS, '<!-- x509-bench:start -->', '<!-- x509-bench:end -->', markdown);
console.log(markdown);
