import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig, parseMailbox, verifyLimitsOf } from '../../src/config/config.ts';

const base = { INKAN_DATA_DIR: '/tmp/inkan-config-test' };

describe('configuration of the envelope flow', () => {
  test('defaults', () => {
    const config = loadConfig(base);
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.smtpUrl, undefined);
    assert.deepEqual(config.mailFrom, { name: 'Inkan', address: 'no-reply@localhost' });
    assert.equal(config.downloadTtlMs, 14 * 86_400_000);
    assert.equal(config.linkTtlMs, 30 * 86_400_000);
    assert.equal(config.sessionTtlMs, 12 * 3_600_000);
    assert.equal(config.accessCodeMaxAttempts, 5);
    assert.equal(config.maxUploadBytes, 50 * 1024 * 1024);
    assert.equal(config.jobLeaseMs, 60_000);
    assert.equal(loadConfig({ ...base, INKAN_JOB_LEASE: '2s' }).jobLeaseMs, 2000);
    assert.equal(config.workerIdleMs, 2 * 60_000);
    assert.equal(config.workerThreads, Math.min(2, availableParallelism()));
    assert.equal(loadConfig({ ...base, INKAN_WORKER_IDLE: '30s' }).workerIdleMs, 30_000);
    assert.equal(loadConfig({ ...base, INKAN_WORKER_IDLE: 'off' }).workerIdleMs, 0);
    assert.equal(loadConfig({ ...base, INKAN_WORKER_THREADS: '3' }).workerThreads, 3);
  });

  test('values', () => {
    const config = loadConfig({
      ...base,
      INKAN_DATABASE_URL: 'postgres://inkan:pw@db.example.jp:5432/inkan',
      INKAN_SMTP_URL: 'smtps://user:pass@smtp.example.jp:465',
      INKAN_MAIL_FROM: '"Inkan 電子契約" <no-reply@example.jp>',
      INKAN_DOWNLOAD_TTL: '7d',
      INKAN_LINK_TTL: '48h',
      INKAN_SESSION_TTL: '30m',
      INKAN_ACCESS_CODE_MAX_ATTEMPTS: '3',
      INKAN_MAX_UPLOAD_MB: '10',
    });
    assert.equal(config.databaseUrl, 'postgres://inkan:pw@db.example.jp:5432/inkan');
    assert.equal(config.smtpUrl, 'smtps://user:pass@smtp.example.jp:465');
    assert.deepEqual(config.mailFrom, { name: 'Inkan 電子契約', address: 'no-reply@example.jp' });
    assert.equal(config.downloadTtlMs, 7 * 86_400_000);
    assert.equal(config.linkTtlMs, 48 * 3_600_000);
    assert.equal(config.sessionTtlMs, 30 * 60_000);
    assert.equal(config.accessCodeMaxAttempts, 3);
    assert.equal(config.maxUploadBytes, 10 * 1024 * 1024);
    assert.equal(loadConfig({ ...base, INKAN_DATABASE_URL: '' }).databaseUrl, undefined);
  });

  for (const [variable, value] of [
    ['INKAN_DATABASE_URL', 'mysql://localhost/inkan'],
    ['INKAN_SMTP_URL', 'http://smtp.example.jp'],
    ['INKAN_SMTP_URL', 'smtp://'],
    ['INKAN_MAIL_FROM', 'Inkan <not an address>'],
    ['INKAN_MAIL_FROM', 'nobody'],
    ['INKAN_DOWNLOAD_TTL', '14 days'],
    ['INKAN_LINK_TTL', '-1d'],
    ['INKAN_SESSION_TTL', 'soon'],
    ['INKAN_ACCESS_CODE_MAX_ATTEMPTS', '0'],
    ['INKAN_ACCESS_CODE_MAX_ATTEMPTS', 'five'],
    ['INKAN_MAX_UPLOAD_MB', '2.5'],
    ['INKAN_MAX_UPLOAD_MB', '0'],
    ['INKAN_JOB_LEASE', '500ms'],
    ['INKAN_JOB_LEASE', 'forever'],
    ['INKAN_WORKER_IDLE', '500ms'],
    ['INKAN_WORKER_IDLE', 'never'],
    ['INKAN_WORKER_THREADS', '-1'],
    ['INKAN_WORKER_THREADS', '1.5'],
    ['INKAN_VERIFY_DECODE_BUDGET_MB', '0'],
    ['INKAN_VERIFY_WORKERS', '-1'],
    ['INKAN_VERIFY_WORKER_MEMORY_MB', '16'],
    ['INKAN_VERIFY_TIMEOUT', '10ms'],
    ['INKAN_VERIFY_QUEUE', 'many'],
  ] as const) {
    test(`${variable}=${JSON.stringify(value)} is refused, naming the variable`, () => {
      assert.throws(
        () => loadConfig({ ...base, [variable]: value }),
        (e: unknown) => e instanceof ConfigError && e.variable === variable && e.message.startsWith(`${variable}:`),
      );
    });
  }

  test('verification limits and pool: defaults (one worker per core, budget by file size) and values', () => {
    const defaults = loadConfig(base);
    assert.deepEqual(defaults.verify, {
      decodeBudgetBytes: undefined,
      workers: availableParallelism(),
      workerMemoryMb: 512,
      timeoutMs: 30_000,
      queueLength: 8,
      online: false,
    });
    assert.deepEqual(verifyLimitsOf(defaults), {});
    const set = loadConfig({
      ...base,
      INKAN_VERIFY_DECODE_BUDGET_MB: '100',
      INKAN_VERIFY_WORKERS: '3',
      INKAN_VERIFY_WORKER_MEMORY_MB: '256',
      INKAN_VERIFY_TIMEOUT: '5s',
      INKAN_VERIFY_QUEUE: '0',
      INKAN_VERIFY_ONLINE: 'true',
    });
    assert.deepEqual(set.verify, {
      decodeBudgetBytes: 100 * 1024 * 1024,
      workers: 3,
      workerMemoryMb: 256,
      timeoutMs: 5000,
      queueLength: 0,
      online: true,
    });
    assert.throws(() => loadConfig({ ...base, INKAN_VERIFY_ONLINE: 'yes' }), /INKAN_VERIFY_ONLINE/);
    assert.deepEqual(verifyLimitsOf(set), { maxDecodedBytes: 100 * 1024 * 1024 });
  });

  test('parseMailbox', () => {
    assert.deepEqual(parseMailbox('Inkan <no-reply@localhost>'), { name: 'Inkan', address: 'no-reply@localhost' });
    assert.deepEqual(parseMailbox('"A \\"quoted\\" name" <a@b.jp>'), { name: 'A "quoted" name', address: 'a@b.jp' });
    assert.deepEqual(parseMailbox('a@b.jp'), { name: '', address: 'a@b.jp' });
    assert.equal(parseMailbox('<>'), undefined);
  });
});

describe('LTA renewal settings', () => {
  test('INKAN_RENEWAL_MARGIN: one year by default, years and days accepted, 1d–10y', () => {
    const DAY = 86_400_000;
    assert.deepEqual(loadConfig(base).renewal, { marginMs: 365 * DAY, minimumHash: 'sha256' });
    assert.equal(loadConfig({ ...base, INKAN_RENEWAL_MARGIN: '2y' }).renewal.marginMs, 730 * DAY);
    assert.equal(loadConfig({ ...base, INKAN_RENEWAL_MARGIN: '90d' }).renewal.marginMs, 90 * DAY);
    assert.throws(() => loadConfig({ ...base, INKAN_RENEWAL_MARGIN: '1h' }), /INKAN_RENEWAL_MARGIN/);
    assert.throws(() => loadConfig({ ...base, INKAN_RENEWAL_MARGIN: '11y' }), /INKAN_RENEWAL_MARGIN/);
    assert.throws(() => loadConfig({ ...base, INKAN_RENEWAL_MARGIN: 'soon' }), /like 30s, 15m, 14d or 1y/);
    assert.equal(loadConfig({ ...base, INKAN_RENEWAL_MIN_HASH: 'sha384' }).renewal.minimumHash, 'sha384');
    assert.throws(() => loadConfig({ ...base, INKAN_RENEWAL_MIN_HASH: 'sha1' }), /INKAN_RENEWAL_MIN_HASH/);
  });
});
