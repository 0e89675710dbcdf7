// GET /api/v1/contracts/{id}/suggestions on SQLite and PostgreSQL: the 自動登録 entry of an envelope whose
// PDF is a Japanese contract (text layer read by the register's pdf.js extraction) gets the contract's
// 契約金額, 契約期間, 自動更新, 解約通知期限 and 甲/乙, each with its sentence; the GET changes nothing;
// another organisation's entry is 404.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { textToPdf } from '../helpers/contract-pdf.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { completeEnvelope } from '../verify/helpers/signed-envelope.ts';
import { snapshot, startHarness, type Harness } from './helpers/harness.ts';

const CONTRACT = readFileSync(new URL('../fixtures/contracts/01-gyomu-itaku.txt', import.meta.url), 'utf8');

for (const dialect of DIALECTS) {
  describe(`register suggestions (${dialect})`, () => {
    let h: Harness;
    let contractId: string;

    before(async () => {
      h = await startHarness(dialect);
      await completeEnvelope(h, {
        name: 'システム開発支援業務委託契約',
        documents: [{ filename: '業務委託契約書.pdf', data: await textToPdf(CONTRACT) }],
      });
      contractId = (await h.api(h.org, 'GET', '/api/v1/contracts')).json().items[0].id;
    });
    after(async () => {
      await h?.close();
    });

    it('suggests the fields of the signed PDF with their sentences, and writes nothing', async () => {
      const before = await snapshot(h);
      const res = await h.api(h.org, 'GET', `/api/v1/contracts/${contractId}/suggestions`);
      assert.equal(res.statusCode, 200, res.body);
      const { suggestions } = res.json() as {
        suggestions: Array<{ field: string; value: unknown; source: { sentence: string } }>;
      };
      const by = (field: string) => suggestions.find((s) => s.field === field);
      assert.deepEqual(by('amount')?.value, {
        yen: 6_600_000,
        currency: 'JPY',
        tax: 'excluded',
        basis: 'total',
        context: '委託料',
      });
      assert.match(by('amount')!.source.sentence, /委託料は、金6,600,000円/u);
      assert.equal(by('startDate')?.value, '2026-04-01');
      assert.equal(by('endDate')?.value, '2027-03-31');
      assert.deepEqual(by('autoRenewal')?.value, { renews: true, periodMonths: 12 });
      assert.deepEqual(by('noticeDeadline')?.value, { amount: 3, unit: 'months', date: '2026-12-31' });
      assert.deepEqual(by('parties')?.value, { kou: '株式会社みなと商事', otsu: '株式会社ブルーライン・テクノロジー' });
      assert.deepEqual(await snapshot(h), before, 'a GET of suggestions changes nothing');
      const entry = (await h.api(h.org, 'GET', `/api/v1/contracts/${contractId}`)).json();
      assert.equal(entry.amount, null, 'nothing is saved until a person accepts');
    });

    it("another organisation's entry is 404", async () => {
      const res = await h.api(h.other, 'GET', `/api/v1/contracts/${contractId}/suggestions`);
      assert.equal(res.statusCode, 404, res.body);
      assert.equal(res.json().error.code, 'NOT_FOUND');
    });
  });
}
