// Summarises `perf script -F pid,tid,time,ip,sym,dso` output of the envelope bench (issue 10): samples per
// process, main thread and helper threads apart, split by what the sampled code is (V8's builtins, runtime,
// compiler and collector; OpenSSL; SQLite; glibc; the kernel; JavaScript of Inkan or of a package). Record
// with JIT symbols (`--perf-basic-prof-only-functions`), e.g.
//   INKAN_BENCH_SERVER_ENV="NODE_OPTIONS=--perf-basic-prof-only-functions" perf record -F 999 -a -o perf.data -- \
//     node --import tsx bench/envelope-bench.ts --db=sqlite --profile=off --count=400
//   perf script -i perf.data -F pid,tid,time,ip,sym,dso > perf.txt
//   node --import tsx bench/lib/perf-summary.ts perf.txt [--from=SECONDS --to=SECONDS] [--top=8]
import { readFileSync } from 'node:fs';

const SAMPLE = /^\s*(\d+)\/(\d+)\s+([\d.]+):\s+[0-9a-f]+\s+(.*)\s+\((.*)\)\s*$/;

/** What a sampled symbol is, by its DSO and name. */
export function category(symbol: string, dso: string): string {
  if (dso.includes('kernel')) return 'kernel';
  if (dso.includes('better_sqlite3')) return 'SQLite';
  if (dso.startsWith('/tmp/perf-')) {
    const pkg = /node_modules\/(@[^/]+\/[^/]+|[^/]+)/.exec(symbol);
    if (pkg) return `JS: ${pkg[1]}`;
    if (symbol.includes(' node:')) return 'JS: node internals';
    return symbol.includes('/dist/') || symbol.includes('/packages/') ? 'JS: Inkan' : 'JS: other';
  }
  if (dso.includes('libc.so')) return 'glibc';
  if (dso.endsWith('/node')) {
    if (/rsaz|bn_|BN_|sha\d|EVP|aes|ossl|OPENSSL|CRYPTO|ecp_|mulx/i.test(symbol)) return 'OpenSSL';
    if (symbol.includes('compiler::') || /maglev/i.test(symbol)) return 'V8 compiler';
    if (/Mark|Scaveng|Evacuat|Sweep|heap::|Heap/.test(symbol)) return 'V8 garbage collector';
    if (symbol.startsWith('Builtins_')) return 'V8 builtins';
    if (symbol.includes('v8::')) return 'V8 runtime';
    if (/deflate|inflate|longest_match|pqdownheap|compress_block|build_tree/.test(symbol)) return 'zlib';
    return 'node (C++)';
  }
  return `other: ${dso.split('/').pop()}`;
}

if (process.argv[1]?.endsWith('perf-summary.ts')) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: perf-summary.ts PERF_SCRIPT_OUTPUT [--from=S --to=S] [--top=N]');
  const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const from = Number(option('from') ?? -Infinity);
  const to = Number(option('to') ?? Infinity);
  const top = Number(option('top') ?? 8);
  const byThread = new Map<string, Map<string, number>>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const [, pid, tid, time, symbol, dso] = m as unknown as [string, string, string, string, string, string];
    if (Number(time) < from || Number(time) > to) continue;
    const thread = `${pid} ${pid === tid ? 'main' : 'helpers'}`;
    const counts = byThread.get(thread) ?? new Map<string, number>();
    const what = category(symbol, dso);
    counts.set(what, (counts.get(what) ?? 0) + 1);
    byThread.set(thread, counts);
  }
  const total = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);
  for (const [thread, counts] of [...byThread].sort((a, b) => total(b[1]) - total(a[1])).slice(0, top)) {
    const n = total(counts);
    console.log(`pid ${thread}: ${n} samples`);
    for (const [what, k] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 12))
      console.log(`  ${what.padEnd(24)} ${String(k).padStart(7)} ${((100 * k) / n).toFixed(1).padStart(5)} %`);
  }
}
