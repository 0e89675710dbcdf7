// Deadline reminders of the register with a controlled clock, on SQLite and PostgreSQL, mail over real
// SMTP: each threshold (organisation setting, default 60 and 14 days) mails the 担当者 and watchers once
// per entry, kind and deadline — also when the daily run repeats and when two workers race.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { startJobRunner, type JobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { createOrganization } from '../../src/cli/admin-commands.ts';
import type { AppContext } from '../../src/context.ts';
import { counterpartyNorm, japanDate } from '../../src/domain/register/contract-model.ts';
import { addDays } from '../../src/domain/register/reminder-days.ts';
import { listDeadlines } from '../../src/domain/use-cases/list-deadlines.ts';
import { queueDeadlineReminders } from '../../src/domain/use-cases/queue-deadline-reminders.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { newId } from '../../src/security/tokens.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { createTestContext, DIALECTS, TestClock, type TestContext } from '../helpers/test-database.ts';

const DAY = 86400_000;
const WORKER = fileURLToPath(new URL('../helpers/reminder-worker-process.ts', import.meta.url));

for (const dialect of DIALECTS) {
  describe(`register deadline reminders (${dialect})`, () => {
    let smtp: SmtpSink;
    let t: TestContext;
    let clock: TestClock;
    let runner: JobRunner;
    let org: { id: string; adminId: string; adminEmail: string };
    let other: { id: string; adminId: string; adminEmail: string };
    const watcher = { id: newId(), email: 'watcher@reminders.example.jp' };
    const ids: Record<string, string> = {};

    async function insertEntry(
      name: string,
      scope: { organizationId: string } | { userId: string },
      fields: { end_on?: string; notice_on?: string; status?: 'active' | 'terminated'; assignee?: string | null },
    ) {
      const id = newId();
      ids[name] = id;
      const now = clock.now().toISOString();
      await t.context.db
        .insertInto('contracts')
        .values({
          id,
          scope: 'organizationId' in scope ? `o:${scope.organizationId}` : `u:${scope.userId}`,
          organization_id: 'organizationId' in scope ? scope.organizationId : null,
          owner_user_id: 'userId' in scope ? scope.userId : null,
          source: 'import',
          envelope_id: null,
          certificate_id: null,
          title: `契約 ${name}`,
          counterparties: JSON.stringify(['株式会社テスト']),
          counterparty_norm: counterpartyNorm(['株式会社テスト']),
          signed_on: null,
          start_on: null,
          end_on: fields.end_on ?? null,
          notice_on: fields.notice_on ?? null,
          amount: null,
          tax: null,
          renewal_months: null,
          contract_type: null,
          reference_number: null,
          assignee_user_id: fields.assignee === undefined ? null : fields.assignee,
          status: fields.status ?? 'active',
          imported_at: now,
          created_at: now,
          updated_at: now,
        })
        .execute();
      return id;
    }

    const today = () => japanDate(clock.now());
    let env: Record<string, string>;

    /** A reminder worker in its own process, started now, released by go(). */
    function startWorker(): { ready: Promise<void>; go(): void; queued: Promise<number> } {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', WORKER, JSON.stringify(env), clock.now().toISOString(), today()],
        {
          env: { ...process.env, NODE_TEST_CONTEXT: '' },
          stdio: ['pipe', 'pipe', 'inherit'],
        },
      );
      const lines = createInterface({ input: child.stdout! });
      let readyResolve: () => void;
      const ready = new Promise<void>((resolve) => (readyResolve = resolve));
      const queued = new Promise<number>((resolve, reject) => {
        lines.on('line', (line) => {
          if (line === 'ready') readyResolve();
          const match = /^queued (\d+)$/.exec(line);
          if (match) resolve(Number(match[1]));
        });
        child.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`worker exited with ${code}`))));
      });
      return { ready, go: () => child.stdin!.end('go\n'), queued };
    }
    const reminderMails = () => smtp.messages.filter((m) => m.subject.startsWith('【Inkan】'));
    async function runDay(context: AppContext = t.context): Promise<number> {
      const queued = await queueDeadlineReminders(context, { day: today() });
      await runner.idle();
      return queued;
    }

    before(async () => {
      smtp = await startSmtpSink();
      // 2030-03-31 20:00 UTC = 2030-04-01 05:00 in Japan.
      clock = new TestClock(new Date('2030-03-31T20:00:00.000Z'));
      t = await createTestContext(
        dialect,
        { INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`, INKAN_PUBLIC_URL: 'http://inkan.test' },
        { clock },
      );
      env = {
        INKAN_ENV: 'test',
        INKAN_DATA_DIR: t.dataDir,
        INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
        INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        INKAN_PUBLIC_URL: 'http://inkan.test',
        ...(t.database.url ? { INKAN_DATABASE_URL: t.database.url } : {}),
      };
      const a = await createOrganization(t.context, {
        name: '期限テスト株式会社',
        slug: `rem-${newId().slice(0, 6)}`,
        adminEmail: 'admin@reminders.example.jp',
      });
      const b = await createOrganization(t.context, {
        name: '別組織',
        slug: `rem-other-${newId().slice(0, 6)}`,
        adminEmail: 'admin@other-reminders.example.jp',
      });
      org = { id: a.organizationId, adminId: a.userId, adminEmail: 'admin@reminders.example.jp' };
      other = { id: b.organizationId, adminId: b.userId, adminEmail: 'admin@other-reminders.example.jp' };
      await t.context.db
        .insertInto('users')
        .values({
          id: watcher.id,
          email: watcher.email,
          name: 'ウォッチャー',
          password_hash: null,
          created_at: clock.now().toISOString(),
        })
        .execute();
      await t.context.db
        .insertInto('memberships')
        .values({ user_id: watcher.id, organization_id: org.id, role: 'member', created_at: clock.now().toISOString() })
        .execute();
      // The other organisation reminds 30 days ahead only.
      await t.context.db
        .updateTable('organizations')
        .set({ contract_reminder_days: '[30]' })
        .where('id', '=', other.id)
        .execute();
      runner = startJobRunner({
        db: t.context.db,
        dialect: t.context.dialect,
        handlers: createJobHandlers(t.context),
        workerId: 'reminders-test',
        clock,
        manual: true,
      });

      const d = (n: number) => addDays(today(), n);
      await insertEntry('A', { organizationId: org.id }, { end_on: d(60), assignee: org.adminId });
      await t.context.db.insertInto('contract_watchers').values({ contract_id: ids.A!, user_id: watcher.id }).execute();
      await insertEntry('B', { organizationId: org.id }, { notice_on: d(14), assignee: org.adminId });
      await insertEntry('C', { organizationId: org.id }, { end_on: d(10), assignee: org.adminId });
      await insertEntry('D', { organizationId: org.id }, { end_on: d(61), assignee: org.adminId });
      await insertEntry(
        'E',
        { organizationId: org.id },
        { end_on: d(14), assignee: org.adminId, status: 'terminated' },
      );
      await insertEntry('F', { organizationId: other.id }, { end_on: d(61), assignee: other.adminId });
      await insertEntry('G', { organizationId: org.id }, { end_on: d(-1), assignee: org.adminId });
      await insertEntry('H', { organizationId: org.id }, { end_on: d(30) });
    });
    after(async () => {
      await runner?.stop();
      await t?.cleanup();
      await smtp?.close();
    });

    const rows = async () =>
      (
        await t.context.db
          .selectFrom('contract_reminders')
          .select(['contract_id', 'kind', 'threshold_days', 'due_on'])
          .execute()
      )
        .map((r) => `${Object.keys(ids).find((k) => ids[k] === r.contract_id)}:${r.kind}:${r.threshold_days}`)
        .sort();

    it('day 0: the 60-day threshold of A, the 14-day ones of B (notice) and C (first seen at 10 days); not D, E, F, G', async () => {
      assert.equal(await runDay(), 4);
      assert.deepEqual(await rows(), ['A:end:60', 'B:notice:14', 'C:end:14', 'H:end:60']);
      const mails = reminderMails();
      // A → 担当者 and watcher; B, C → 担当者; H has neither → the organisation's administrators.
      assert.deepEqual(mails.map((m) => `${m.to.join(',')}|${m.subject}`).sort(), [
        `${org.adminEmail}|【Inkan】契約満了日が10日後です：契約 C`,
        `${org.adminEmail}|【Inkan】契約満了日が30日後です：契約 H`,
        `${org.adminEmail}|【Inkan】契約満了日が60日後です：契約 A`,
        `${org.adminEmail}|【Inkan】解約通知期限が14日後です：契約 B`,
        `${watcher.email}|【Inkan】契約満了日が60日後です：契約 A`,
      ]);
      const a = mails.find((m) => m.subject.endsWith('契約 A'))!;
      assert.match(a.text, /2030年5月31日/);
      assert.match(a.text, new RegExp(`http://inkan\\.test/contracts/${ids.A}`));
      assert.match(a.text, /ends 2030-05-31 \(in 60 days\)/, 'English second');
      const events = await t.context.db
        .selectFrom('events')
        .select('details')
        .where('action', '=', 'contract.reminder-queued')
        .execute();
      assert.equal(events.length, 4);
    });

    it('the same day again, and a second run of the job: nothing new', async () => {
      const before = reminderMails().length;
      assert.equal(await runDay(), 0);
      assert.equal(reminderMails().length, before);
    });

    it('two workers racing on one day: each threshold is queued and mailed exactly once', async () => {
      clock.advance(46 * DAY); // A is 14 days away, D 15, F 15 (its 30-day threshold passed on the way)
      // Two worker processes on the same database (SQLite: two writers waiting on each other's lock).
      const workers = [startWorker(), startWorker()];
      await Promise.all(workers.map((w) => w.ready));
      for (const w of workers) w.go();
      const results = await Promise.all(workers.map((w) => w.queued));
      assert.equal(results[0]! + results[1]!, 3, `queued ${results.join(' + ')}`);
      await runner.idle();
      assert.deepEqual(await rows(), [
        'A:end:14',
        'A:end:60',
        'B:notice:14',
        'C:end:14',
        'D:end:60',
        'F:end:30',
        'H:end:60',
      ]);
      const jobs = await t.context.db
        .selectFrom('jobs')
        .select('id')
        .where('kind', '=', 'mail.contract-reminder')
        .execute();
      assert.equal(jobs.length, 7, 'one mail job per reminder');
      const latest = reminderMails().filter((m) => /契約 [ADF]$/.test(m.subject) && !/60日後/.test(m.subject));
      assert.deepEqual(latest.map((m) => `${m.to.join(',')}|${m.subject}`).sort(), [
        `${other.adminEmail}|【Inkan】契約満了日が15日後です：契約 F`,
        `${org.adminEmail}|【Inkan】契約満了日が14日後です：契約 A`,
        `${org.adminEmail}|【Inkan】契約満了日が15日後です：契約 D`,
        `${watcher.email}|【Inkan】契約満了日が14日後です：契約 A`,
      ]);
    });

    it('a changed deadline (renewal) gets reminders of its own; the deadlines list shows what is coming', async () => {
      const newEnd = addDays(today(), 60);
      await t.context.db.updateTable('contracts').set({ end_on: newEnd }).where('id', '=', ids.A!).execute();
      assert.equal(await runDay(), 1);
      assert.ok((await rows()).filter((r) => r === 'A:end:60').length === 2);
      const upcoming = await listDeadlines(t.context, {
        scope: { kind: 'organization', organizationId: org.id },
        days: 60,
      });
      assert.deepEqual(
        upcoming.map((u) => `${u.contract.title}:${u.kind}:${u.daysLeft}`),
        ['契約 D:end:15', '契約 A:end:60'],
      );
      assert.deepEqual(
        (await listDeadlines(t.context, { scope: { kind: 'organization', organizationId: other.id }, days: 60 })).map(
          (u) => u.contract.title,
        ),
        ['契約 F'],
      );
    });
  });
}
