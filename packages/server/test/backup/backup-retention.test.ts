/**
 * Grandfather-father-son retention: the pure policy, the next-slot computation in a time zone, and 3
 * simulated years of daily scheduled backups (the real `backup.run` job through the database queue, a
 * controlled clock, real backups on disk) leaving exactly the expected generations (PostgreSQL: 70 days).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { listBackups } from '../../src/backup/backups.ts';
import { backupsToKeep, nextDailyTime, zonedDay } from '../../src/backup/retention.ts';
import { scheduleBackup } from '../../src/backup/run-scheduled-backup.ts';
import { startJobRunner } from '../../src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../../src/jobs/handlers.ts';
import { createTestContext, DIALECTS, type Dialect } from '../helpers/test-database.ts';
import type { Clock } from '../../src/ports/clock.ts';

/** A clock the test sets to each scheduled instant. */
class SettableClock implements Clock {
  constructor(public instant: Date) {}
  now(): Date {
    return new Date(this.instant);
  }
}

describe('backup retention policy', () => {
  it('keeps the newest backup of each of the last N days, months and years (in the time zone)', () => {
    const backups = [
      // 2030-03-31 23:30 in Tokyo is 14:30 UTC: the Tokyo day decides the period.
      { id: 'a', createdAt: new Date('2030-03-31T14:30:00Z') },
      { id: 'b', createdAt: new Date('2030-03-31T15:30:00Z') }, // 2030-04-01 00:30 Tokyo
      { id: 'c', createdAt: new Date('2030-04-01T18:00:00Z') }, // 2030-04-02 Tokyo
      { id: 'd', createdAt: new Date('2030-04-02T01:00:00Z') }, // 2030-04-02 Tokyo, newer
    ];
    assert.deepEqual([...backupsToKeep(backups, { daily: 2, monthly: 0, yearly: 0 }, 'Asia/Tokyo')].sort(), ['b', 'd']);
    assert.deepEqual([...backupsToKeep(backups, { daily: 1, monthly: 2, yearly: 0 }, 'Asia/Tokyo')].sort(), ['a', 'd']);
    assert.deepEqual([...backupsToKeep(backups, { daily: 1, monthly: 0, yearly: 1 }, 'UTC')].sort(), ['d']);
    assert.deepEqual([...backupsToKeep(backups, { daily: 3, monthly: 0, yearly: 0 }, 'UTC')].sort(), ['b', 'c', 'd']);
  });

  it('finds the next wall-clock time in the time zone, across days and daylight-saving changes', () => {
    assert.equal(
      nextDailyTime(new Date('2030-01-01T00:00:00Z'), { hour: 3, minute: 0 }, 'Asia/Tokyo').toISOString(),
      '2030-01-01T18:00:00.000Z',
    );
    assert.equal(
      nextDailyTime(new Date('2030-01-01T17:59:59Z'), { hour: 3, minute: 0 }, 'Asia/Tokyo').toISOString(),
      '2030-01-01T18:00:00.000Z',
    );
    assert.equal(
      nextDailyTime(new Date('2030-01-01T18:00:00Z'), { hour: 3, minute: 0 }, 'Asia/Tokyo').toISOString(),
      '2030-01-02T18:00:00.000Z',
    );
    // New York: 03:00 is EST (UTC-5) on 9 March 2030 and EDT (UTC-4) on 10 March (the change is at 02:00).
    assert.equal(
      nextDailyTime(new Date('2030-03-09T09:00:00Z'), { hour: 3, minute: 0 }, 'America/New_York').toISOString(),
      '2030-03-10T07:00:00.000Z',
    );
    assert.equal(
      nextDailyTime(new Date('2030-03-08T09:00:00Z'), { hour: 3, minute: 0 }, 'America/New_York').toISOString(),
      '2030-03-09T08:00:00.000Z',
    );
  });
});

// The expected generations after daily backups at 03:00 Tokyo from 2027-01-01 to 2029-12-31 with the
// defaults (7 daily, 12 monthly, 10 yearly), worked out by hand: the last 7 days, the last day of each
// of the 11 earlier months of 2029, and the last day of 2028 and of 2027.
const EXPECTED_DAYS = [
  '2027-12-31',
  '2028-12-31',
  '2029-01-31',
  '2029-02-28',
  '2029-03-31',
  '2029-04-30',
  '2029-05-31',
  '2029-06-30',
  '2029-07-31',
  '2029-08-31',
  '2029-09-30',
  '2029-10-31',
  '2029-11-30',
  '2029-12-25',
  '2029-12-26',
  '2029-12-27',
  '2029-12-28',
  '2029-12-29',
  '2029-12-30',
  '2029-12-31',
];

async function simulateDailyBackups(dialect: Dialect, lastDay: string, expectedDays: readonly string[]): Promise<void> {
  // Backups on a memory file system where there is one: this test is about which generations remain, and a
  // thousand synced disk writes on a shared machine would only make it slow.
  const backupDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'inkan-retention-'));
  const clock = new SettableClock(new Date('2026-12-31T15:00:00Z')); // 2027-01-01 00:00 in Tokyo
  const test = await createTestContext(
    dialect,
    { INKAN_BACKUP_TARGET: backupDir, INKAN_TIME_ZONE: 'Asia/Tokyo', INKAN_BACKUP_SCHEDULE: '03:00' },
    { clock },
  );
  const { context } = test;
  const runner = startJobRunner({
    db: context.db,
    dialect: context.dialect,
    handlers: createJobHandlers(context),
    workerId: 'retention-test',
    clock,
    manual: true,
  });
  try {
    const first = await scheduleBackup(context, clock.now());
    assert.equal(first?.toISOString(), '2026-12-31T18:00:00.000Z');
    let runs = 0;
    for (;;) {
      const next = await context.db
        .selectFrom('jobs')
        .select(['run_at', 'status'])
        .where('kind', '=', 'backup.run')
        .where('status', '=', 'queued')
        .orderBy('run_at')
        .executeTakeFirstOrThrow();
      const slot = new Date(next.run_at);
      if (zonedDay(slot, 'Asia/Tokyo') > lastDay) break;
      clock.instant = slot;
      await runner.idle();
      runs++;
      const failed = await context.db
        .selectFrom('jobs')
        .select(['last_error'])
        .where('kind', '=', 'backup.run')
        .where('last_error', 'is not', null)
        .executeTakeFirst();
      assert.equal(failed, undefined, `backup job failed: ${failed?.last_error}`);
    }
    assert.equal(
      runs,
      Math.round((Date.parse(`${lastDay}T00:00:00Z`) - Date.parse('2027-01-01T00:00:00Z')) / 86_400_000) + 1,
    );
    const left = await listBackups(test.config);
    assert.ok(
      left.every((b) => b.manifest !== undefined),
      'every remaining backup is complete',
    );
    assert.deepEqual(
      left.map((b) => zonedDay(new Date(b.manifest!.createdAt), 'Asia/Tokyo')),
      expectedDays,
    );
    assert.ok(
      left.every((b) => new Date(b.manifest!.createdAt).toISOString().endsWith('T18:00:00.000Z')),
      'each taken at 03:00 Tokyo',
    );
  } finally {
    await runner.stop();
    await test.cleanup();
    rmSync(backupDir, { recursive: true, force: true });
  }
}

// The same for 70 days (to 2027-03-11): the last 7 days and the last day of January and of February.
const EXPECTED_DAYS_70 = [
  '2027-01-31',
  '2027-02-28',
  '2027-03-05',
  '2027-03-06',
  '2027-03-07',
  '2027-03-08',
  '2027-03-09',
  '2027-03-10',
  '2027-03-11',
];

// 1,096 real backups take minutes on this shared machine (each one snapshots the database and syncs
// its files); PostgreSQL adds a pg_dump process per backup, so it runs the 70-day span and SQLite the
// three years. The policy code is the same for both; the dialect only changes the snapshot.
const SPANS: Record<Dialect, { lastDay: string; expected: readonly string[]; label: string }> = {
  sqlite: { lastDay: '2029-12-31', expected: EXPECTED_DAYS, label: '3 simulated years' },
  postgres: { lastDay: '2027-03-11', expected: EXPECTED_DAYS_70, label: '70 simulated days' },
};

for (const dialect of DIALECTS) {
  const span = SPANS[dialect];
  describe(`scheduled daily backups over ${span.label} (${dialect})`, () => {
    it('leave exactly the grandfather-father-son generations', { timeout: 1_200_000 }, () =>
      simulateDailyBackups(dialect, span.lastDay, span.expected),
    );
  });
}
