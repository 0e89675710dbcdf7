// The register benchmark's searches, shared by the timing run (register-bench.ts) and the plan printer
// (register-plans.ts), so that the plans shown are those of the queries timed.
import { BENCH_STEM_AND_KIND, benchCounterpartyName } from '../../packages/server/test/helpers/register-data.ts';

/** One timed search: over the large register ('bench-org') or the one with 2 KB texts ('bench-text'). */
export interface RegisterCase {
  name: string;
  register: 'bench-org' | 'bench-text';
  query: Record<string, string>;
  goalMs: number;
}

const cp = benchCounterpartyName(1234);

const CASES: ReadonlyArray<Omit<RegisterCase, 'goalMs'>> = [
  {
    name: '締結日 range (1 month)',
    register: 'bench-org',
    query: { signedFrom: '2022-04-01', signedTo: '2022-04-30' },
  },
  { name: '金額 range', register: 'bench-org', query: { amountMin: '1000000', amountMax: '1200000' } },
  { name: '取引先 (substring)', register: 'bench-org', query: { counterparty: cp } },
  {
    name: '満了日 range (1 month)',
    register: 'bench-org',
    query: { endFrom: '2026-04-01', endTo: '2026-04-30', sort: 'endOn' },
  },
  {
    name: '締結日 + 金額',
    register: 'bench-org',
    query: { signedFrom: '2022-01-01', signedTo: '2022-12-31', amountMin: '1000000', amountMax: '5000000' },
  },
  {
    name: '締結日 + 取引先',
    register: 'bench-org',
    query: { signedFrom: '2018-01-01', signedTo: '2025-12-31', counterparty: BENCH_STEM_AND_KIND },
  },
  {
    name: '締結日 + 金額 + 取引先',
    register: 'bench-org',
    query: {
      signedFrom: '2016-01-01',
      signedTo: '2028-12-31',
      amountMin: '100000',
      amountMax: '900000000',
      counterparty: cp.slice(-9),
    },
  },
  {
    name: 'sorted: 金額 desc within a year',
    register: 'bench-org',
    query: { signedFrom: '2024-01-01', signedTo: '2024-12-31', sort: '-amount' },
  },
  { name: 'sorted: title asc, no filter', register: 'bench-org', query: { sort: 'title' } },
  { name: 'full text (3+ chars) over 2 KB texts', register: 'bench-text', query: { q: '専属的合意管轄' } },
  {
    name: 'full text + 締結日',
    register: 'bench-text',
    query: { q: '再委託', signedFrom: '2020-01-01', signedTo: '2020-12-31' },
  },
  // A phrase of one entry (its numbered title): the walk gives up after its budget and the index answers.
  { name: 'full text, rare phrase', register: 'bench-text', query: { q: '保守契約書 12345' } },
  // Every trigram of it is in every text, the phrase in none: the index narrows nothing (the worst case).
  { name: 'full text, absent phrase of common words', register: 'bench-text', query: { q: '秘密情報を再委託' } },
];

/** The cases with their goals: p95 ≤ 50 ms for the 電帳法 searches, ≤ 200 ms for full text. */
export const REGISTER_CASES: readonly RegisterCase[] = CASES.map((c) => ({
  ...c,
  goalMs: c.register === 'bench-org' ? 50 : 200,
}));

/** `--name=value` flags as a record; a bare `--name` is 'true'. */
export function parseFlags(argv: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    argv.map((a) => {
      const [name = '', ...value] = a.replace(/^--/, '').split('=');
      return [name, value.length > 0 ? value.join('=') : 'true'];
    }),
  );
}
