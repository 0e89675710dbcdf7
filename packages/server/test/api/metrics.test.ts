// /metrics and /readyz through the app on SQLite and PostgreSQL: the database-derived metrics (job queue
// depth and age per kind, mails sent, signatures applied) read right on both dialects; clients outside
// INKAN_METRICS_ALLOW get 404 for /metrics and no details from /readyz.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

/** The value of one sample line (`name{labels} value`), or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

for (const dialect of DIALECTS) {
  describe(`metrics (${dialect})`, () => {
    let h: Harness;
    before(async () => {
      h = await startHarness(dialect);
    });
    after(async () => h?.close());

    const metrics = async (remoteAddress = '127.0.0.1') =>
      h.app.inject({ method: 'GET', url: '/metrics', remoteAddress });

    it('queue depth and oldest age per kind, then mails sent once the worker ran', async () => {
      const created = await h.createEnvelope(
        h.org,
        { name: 'M', recipients: [{ name: 'R', email: 'r@example.jp', accessCode: '1234', order: 1 }] },
        [{ filename: 'a.pdf', data: await makePdf({ pages: 1 }) }],
      );
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${created.json().id}/send`)).statusCode, 200);
      const before = (await metrics()).body;
      assert.equal(sample(before, 'inkan_jobs_queued{kind="mail.signing-request"}'), 1, before);
      assert.ok((sample(before, 'inkan_jobs_oldest_age_seconds{kind="mail.signing-request"}') ?? -1) >= 0);
      assert.equal(sample(before, 'inkan_mails_sent_total'), 0);
      await h.runJobs();
      const afterRun = (await metrics()).body;
      assert.equal(sample(afterRun, 'inkan_jobs_queued{kind="mail.signing-request"}'), undefined, 'no queued job left');
      assert.equal(sample(afterRun, 'inkan_mails_sent_total'), 1);
      assert.equal(sample(afterRun, 'inkan_signatures_applied_total'), 0);
      assert.equal(sample(afterRun, 'inkan_mails_failed_total'), 0);
      // Request latency is labelled by route pattern, never by the raw URL.
      assert.match(
        afterRun,
        /inkan_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/envelopes\/:id\/send",status_code="200"\} 1/,
      );
    });

    it('outside INKAN_METRICS_ALLOW: /metrics is 404 and /readyz says only ok or unavailable', async () => {
      const res = await metrics('192.0.2.7');
      assert.equal(res.statusCode, 404);
      assert.equal(res.json().error.code, 'NOT_FOUND');
      const ready = await h.app.inject({ method: 'GET', url: '/readyz', remoteAddress: '192.0.2.7' });
      // The harness runs no job worker thread (no heartbeat): not ready, and the outsider is not told why.
      assert.equal(ready.statusCode, 503);
      assert.deepEqual(ready.json(), { status: 'unavailable' });
      const inside = await h.app.inject({ method: 'GET', url: '/readyz', remoteAddress: '127.0.0.1' });
      assert.deepEqual(inside.json().failed, ['worker']);
    });
  });
}
