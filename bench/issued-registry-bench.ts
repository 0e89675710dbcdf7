// The built-in CA's issued-certificate registry at scale (issue 10): a PKI whose log holds N issued
// certificates (two per envelope), loaded afresh as a job process loads it, and the CPU and retained heap
// of its first OCSP status lookup (the log read whole once per process). Run:
//   node --expose-gc --import tsx bench/issued-registry-bench.ts [--records=200000]
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadBuiltinPki } from '../packages/core/src/index.ts';
import { createPkiFixture } from '../packages/core/test/helpers/pki-fixture.ts';

const records = Number(process.argv.find((a) => a.startsWith('--records='))?.slice(10) ?? 200_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc');
const fixture = await createPkiFixture();
try {
  const log = join(fixture.dir, 'issued.jsonl');
  const record = {
    serialHex: '',
    issuer: 'issuing',
    subject: '2.5.4.10="s:株式会社インカン テスト",2.5.4.3="s:山田 太郎"',
    profile: 'signing',
    notAfter: '2028-12-08T00:00:00.000Z',
  };
  let chunk = '';
  for (let i = 0; i < records; i++) {
    // 16 bytes, no leading zero byte: the form certificateSerialHex gives.
    record.serialHex = `4${((BigInt(i) + 1n) * 0x9e3779b97f4a7c15n).toString(16).padStart(31, '0')}`;
    chunk += `${JSON.stringify(record)}\n`;
    if (chunk.length > 1_000_000 || i === records - 1) {
      appendFileSync(log, chunk);
      chunk = '';
    }
  }
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const pki = await loadBuiltinPki({ dir: fixture.dir });
  const cpu = process.cpuUsage();
  const started = performance.now();
  const status = await pki.statusOf('issuing', record.serialHex);
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  gc();
  const retained = process.memoryUsage().heapUsed - heapBefore;
  console.log(
    `${records} issued certificates: first statusOf ${status.status}, ${wall.toFixed(0)} ms wall, ` +
      `${((used.user + used.system) / 1000).toFixed(0)} ms CPU, heap retained +${(retained / 1e6).toFixed(1)} MB`,
  );
} finally {
  fixture.cleanup();
}
