// `node --import tsx bench/bulk-send-bench.ts [--rows=1500] [--dialects=sqlite,postgres] [--queue-only]`: 一括送信 of a
// CSV through the HTTP API on a fresh database (the API test harness: app.inject, the job runner in
// manual mode in this process, mail to the outbox). Prints the time to validate the file (step 1), to
// queue the valid rows (step 2) and to make, stamp and send every envelope with its signing-request
// mail (the jobs). Indicative only on a shared machine: the load average is printed with the figures.
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { makePdf } from '../packages/core/test/helpers/make-pdf.ts';
import { startHarness } from '../packages/server/test/api/helpers/harness.ts';

const args = Object.fromEntries(
  process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')) as Array<[string, string]>,
);
const ROWS = Number(args.rows ?? 1500);
const DIALECTS = (args.dialects ?? 'sqlite').split(',') as Array<'sqlite' | 'postgres'>;
/** `--queue-only`: stop after step 2 (storing the rows and queueing their jobs); the jobs are not run. */
const QUEUE_ONLY = 'queue-only' in args;

for (const dialect of DIALECTS) {
  const h = await startHarness(dialect);
  try {
    const pdf = await makePdf({ pages: 2, text: 'Bulk bench' });
    const draft = await h.createEnvelope(
      h.org,
      { name: '業務委託契約書（{{会社名}}）', recipients: [{ name: '見本', email: 'sample@example.jp', order: 1 }] },
      [{ filename: '契約書.pdf', data: pdf }],
    );
    const template = await h.api(h.org, 'POST', '/api/v1/templates', {
      envelopeId: draft.json().id,
      name: 'bench',
      roleNames: ['取引先'],
    });
    const id = template.json().id as string;
    const lines = ['取引先:氏名,取引先:メールアドレス,取引先:アクセスコード,会社名'];
    for (let i = 1; i <= ROWS; i++) lines.push(`取引先 ${i},bench-${i}@example.jp,${1000 + (i % 9000)},株式会社${i}`);
    const csv = `${lines.join('\r\n')}\r\n`;
    const post = (url: string, headers: Record<string, string> = {}) =>
      h.app.inject({
        method: 'POST',
        url,
        payload: csv,
        headers: { authorization: `Bearer ${h.org.apiKey}`, 'content-type': 'text/csv', ...headers },
      });
    const load = () =>
      loadavg()
        .map((n) => n.toFixed(1))
        .join(' ');
    let t = performance.now();
    const report = await post(`/api/v1/templates/${id}/bulk-sends/validate`);
    const validateMs = performance.now() - t;
    if (report.json().validRows !== ROWS) throw new Error(report.body);
    t = performance.now();
    const started = await post(`/api/v1/templates/${id}/bulk-sends`, { 'idempotency-key': 'bench-0000000000000000' });
    const queueMs = performance.now() - t;
    if (started.statusCode !== 202) throw new Error(started.body);
    if (QUEUE_ONLY) {
      console.log(
        `${dialect}: ${ROWS} rows — validate ${validateMs.toFixed(0)} ms, queue ${queueMs.toFixed(0)} ms; load ${load()}`,
      );
      continue;
    }
    t = performance.now();
    await h.runJobs();
    const sendMs = performance.now() - t;
    const progress = (await h.api(h.org, 'GET', `/api/v1/bulk-sends/${started.json().id}`)).json();
    if (progress.sent !== ROWS) throw new Error(JSON.stringify(progress));
    console.log(
      `${dialect}: ${ROWS} rows — validate ${validateMs.toFixed(0)} ms, queue ${queueMs.toFixed(0)} ms, ` +
        `make+send+mail ${(sendMs / 1000).toFixed(1)} s (${((ROWS * 1000) / sendMs).toFixed(1)} envelopes/s); load ${load()}`,
    );
  } finally {
    await h.close();
  }
}
