// 自動リマインド's bounded batch (issue 11 part 8b follow-up, session 19), on SQLite and PostgreSQL with a
// controlled clock: more than a whole batch (2,000) of signers who are not due — mailed too recently, or
// waiting for an earlier order group — come before a due signer in the run's order, and the due signer
// is still reminded (the due and turn tests are in the query, not applied after the batch is cut).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { queueAutoReminders } from '../../src/domain/use-cases/queue-auto-reminders.ts';
import { updateOrganizationSettings } from '../../src/domain/use-cases/update-organization-settings.ts';
import { startHarness, type Harness } from '../api/helpers/harness.ts';
import { DIALECTS } from '../helpers/test-database.ts';

const DAY = 86_400_000;
const HOUR = 3_600_000;
/** Signers mailed too recently, and signers of a later order group whose first group has not signed. */
const RECENT = 1_950;
const LATER_GROUP = 100;

for (const dialect of DIALECTS) {
  describe(`自動リマインド: a full batch of signers not due before a due one (${dialect})`, () => {
    let h: Harness;
    let pdf: Uint8Array;

    before(async () => {
      h = await startHarness(dialect);
      pdf = await makePdf({ pages: 1, text: 'Auto reminder batch' });
    });
    after(async () => {
      await h?.close();
    });

    /** A sent envelope with one signer (order 1); returns the envelope id. */
    async function sentEnvelope(name: string, email: string): Promise<string> {
      const res = await h.createEnvelope(
        h.org,
        { name, recipients: [{ name: '署名 太郎', email, accessCode: '2468', order: 1 }] },
        [{ filename: '契約書.pdf', data: pdf }],
      );
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().id as string;
      assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${id}/send`)).statusCode, 200);
      await h.runJobs();
      return id;
    }

    const recipientsOf = (envelopeId: string) =>
      h.context.db.selectFrom('recipients').selectAll().where('envelope_id', '=', envelopeId).orderBy('id').execute();

    it('the due signer is reminded; none of the 2,050 signers ahead of it in the batch order is', async () => {
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 3 },
      });
      const dueEnvelope = await sentEnvelope('期限の来た契約', 'due@example.jp');
      const mailedAt = h.clock.now().toISOString();
      h.clock.advance(3 * DAY + HOUR);
      // Sent now: its signer was mailed just now (not due for three days).
      const crowdEnvelope = await sentEnvelope('大量の署名者の契約', 'crowd@example.jp');
      const [template] = await recipientsOf(crowdEnvelope);
      assert.ok(template.notified_at, 'the crowd envelope’s signer was mailed');
      const now = h.clock.now().toISOString();
      // Ids that sort before any random UUID: the batch (ordered by id) meets them first.
      const rows = Array.from({ length: RECENT + LATER_GROUP }, (_, i) => {
        const later = i >= RECENT;
        return {
          ...template,
          id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
          email: `crowd-${i}@example.jp`,
          position: i + 1,
          // Order 2 waits for the order-1 signer, however long ago it was mailed.
          signing_order: later ? 2 : 1,
          status: 'notified' as const,
          notified_at: later ? mailedAt : now,
        };
      });
      for (let i = 0; i < rows.length; i += 200)
        await h.context.db
          .insertInto('recipients')
          .values(rows.slice(i, i + 200))
          .execute();
      const [due] = await recipientsOf(dueEnvelope);
      assert.ok(due.id > rows[rows.length - 1].id, 'the due signer comes after the crowd in the batch order');
      assert.ok(RECENT + LATER_GROUP > 2000, 'more than a whole batch ahead of it');

      assert.equal(await queueAutoReminders(h.context), 1, 'one reminder queued');
      const [after] = await recipientsOf(dueEnvelope);
      assert.equal(Number(after.reminder_count), 1, 'the due signer was reminded');
      const crowd = await recipientsOf(crowdEnvelope);
      assert.equal(crowd.length, RECENT + LATER_GROUP + 1);
      assert.deepEqual(
        crowd.filter((r) => Number(r.reminder_count) !== 0).map((r) => r.id),
        [],
        'no signer of the crowd was reminded',
      );
      assert.equal(await queueAutoReminders(h.context), 0, 'a second run reminds nobody');

      // The order-1 signers sign (set directly: the point is the turn): the later group is now due.
      await h.context.db
        .updateTable('recipients')
        .set({ status: 'signed', signed_at: now })
        .where('envelope_id', '=', crowdEnvelope)
        .where('signing_order', '=', 1)
        .execute();
      assert.equal(
        await queueAutoReminders(h.context, { maxPerRun: 30 }),
        30,
        'the later group, due since its own mail, is reminded once its turn came (a bounded batch)',
      );
      await updateOrganizationSettings(h.context, {
        organizationId: h.org.id,
        actor: { type: 'user', id: h.org.admin.id },
        changes: { autoRemindDays: 0 },
      });
    });
  });
}
