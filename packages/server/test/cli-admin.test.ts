import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { openDatabase, type OpenDatabase } from '../src/adapters/db/open-database.ts';
import { verifyEventChain } from '../src/domain/record-event.ts';
import { hashToken } from '../src/security/tokens.ts';
import { INKAN_BIN, REPO_ROOT, runInkan } from './helpers/run-inkan.ts';
import { createTestDatabase, DIALECTS, type TestDatabase } from './helpers/test-database.ts';

const LINK = /^http:\/\/localhost:3000\/login\/link\?token=([A-Za-z0-9_-]{43})$/m;

/** Runs `inkan ARGS` (default `start`) until it is ready; returns its output so far and a stop function. */
async function startInkan(
  env: Record<string, string>,
  args: string[] = ['start'],
  ready = /^Inkan is listening on (http:\/\/\S+)/,
): Promise<{ output: string[]; url: string; stop(): Promise<number | null> }> {
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('INKAN_') && k !== 'NODE_TEST_CONTEXT') clean[k] = v;
  const child = spawn(process.execPath, [INKAN_BIN, ...args], {
    cwd: REPO_ROOT,
    env: { ...clean, INKAN_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output: string[] = [];
  const stderr: string[] = [];
  child.stderr!.on('data', (d: Buffer) => stderr.push(d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output.push(line);
      const m = ready.exec(line);
      if (m) resolve(m[1] ?? '');
    });
    void exited.then((code) =>
      reject(new Error(`inkan start exited with ${code}\n${output.join('\n')}\n${stderr.join('')}`)),
    );
  });
  return {
    output,
    url,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`admin CLI on ${dialect}`, () => {
    let dataDir: string;
    let database: TestDatabase;
    let env: Record<string, string>;
    let db: OpenDatabase;
    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'inkan-cli-admin-'));
      database = await createTestDatabase(dialect, dataDir);
      env = database.url ? { INKAN_DATABASE_URL: database.url } : {};
    });
    after(async () => {
      await db?.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    test('org create: organisation, administrator and a one-time sign-in link stored as a hash, with events', async () => {
      const run = await runInkan(
        ['org', 'create', '--name', '横浜市 契約課', '--slug', 'yokohama', '--admin-email', 'Keiyaku@Example.JP'],
        { dataDir, env },
      );
      assert.equal(run.code, 0, run.stderr);
      const token = LINK.exec(run.stdout)?.[1];
      assert.ok(token, run.stdout);
      db = await openDatabase(database.url, dataDir);
      const org = await db.db
        .selectFrom('organizations')
        .selectAll()
        .where('slug', '=', 'yokohama')
        .executeTakeFirstOrThrow();
      assert.equal(org.name, '横浜市 契約課');
      const membership = await db.db
        .selectFrom('memberships')
        .selectAll()
        .where('organization_id', '=', org.id)
        .executeTakeFirstOrThrow();
      assert.equal(membership.role, 'admin');
      const user = await db.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', membership.user_id)
        .executeTakeFirstOrThrow();
      assert.equal(user.email, 'keiyaku@example.jp');
      assert.equal(user.password_hash, null);
      const link = await db.db
        .selectFrom('login_links')
        .selectAll()
        .where('user_id', '=', user.id)
        .executeTakeFirstOrThrow();
      assert.equal(link.token_hash, hashToken(token));
      assert.equal(link.used_at, null);
      assert.equal(new Date(link.expires_at).getTime() - new Date(link.created_at).getTime(), 24 * 3_600_000);
      const events = await db.db
        .selectFrom('events')
        .selectAll()
        .where('organization_id', '=', org.id)
        .orderBy('seq')
        .execute();
      assert.deepEqual(
        events.map((e) => [e.action, e.actor_type, e.actor_id]),
        [
          ['organization.created', 'system', null],
          ['login-link.created', 'system', null],
        ],
      );
      assert.ok(!JSON.stringify(events).includes(token), 'the token is in no event');
      assert.deepEqual(await verifyEventChain(db.db), { events: 2, brokenAt: null });
    });

    test('org create refuses a taken slug, a bad slug; usage errors exit 2; member add refuses a member twice', async () => {
      const taken = await runInkan(
        ['org', 'create', '--name', 'X', '--slug', 'yokohama', '--admin-email', 'other@example.jp'],
        { dataDir, env },
      );
      assert.equal(taken.code, 1);
      assert.match(taken.stderr, /slug "yokohama" exists already/);
      const twice = await runInkan(['member', 'add', '--org', 'yokohama', '--email', 'keiyaku@example.jp'], {
        dataDir,
        env,
      });
      assert.equal(twice.code, 1);
      assert.match(twice.stderr, /keiyaku@example\.jp is a member of "yokohama" already \(admin\)/);
      const slug = await runInkan(
        ['org', 'create', '--name', 'X', '--slug', 'Bad Slug', '--admin-email', 'x@example.jp'],
        { dataDir, env },
      );
      assert.equal(slug.code, 1);
      assert.match(slug.stderr, /--slug/);
      const usage = await runInkan(['org', 'create', '--name', 'X'], { dataDir, env });
      assert.equal(usage.code, 2);
      assert.match(usage.stderr, /usage: inkan org create/);
      assert.equal((await db.db.selectFrom('organizations').select('id').execute()).length, 1, 'nothing was stored');
    });

    test('apikey create prints the key on its last line; only its hash and prefix are stored', async () => {
      const run = await runInkan(['apikey', 'create', '--org', 'yokohama', '--name', '基幹システム連携'], {
        dataDir,
        env,
      });
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stdout.trimEnd().split('\n');
      const key = lines.at(-1)!;
      assert.match(key, /^inkan_[A-Za-z0-9_-]{43}$/);
      assert.equal(Buffer.from(key.slice('inkan_'.length), 'base64url').length, 32);
      const row = await db.db
        .selectFrom('api_keys')
        .selectAll()
        .where('name', '=', '基幹システム連携')
        .executeTakeFirstOrThrow();
      assert.equal(row.key_hash, hashToken(key));
      assert.equal(row.prefix, key.slice(0, 12));
      assert.equal(row.revoked_at, null);
      assert.ok(!Object.values(row).includes(key));
      const event = await db.db
        .selectFrom('events')
        .selectAll()
        .where('action', '=', 'apikey.created')
        .executeTakeFirstOrThrow();
      assert.equal(JSON.parse(event.details).apiKeyId, row.id);
      assert.ok(!event.details.includes(key));
      assert.deepEqual(await verifyEventChain(db.db), { events: 3, brokenAt: null });

      const second = await runInkan(['apikey', 'create', '--org', 'yokohama'], { dataDir, env });
      assert.equal(second.code, 0);
      assert.notEqual(second.stdout.trimEnd().split('\n').at(-1), key);
      assert.equal(row.scopes, '["send","read","register"]', 'without --scopes: what keys could always do');
      const scoped = await runInkan(
        ['apikey', 'create', '--org', 'yokohama', '--name', 'ro', '--scopes', 'read,admin'],
        {
          dataDir,
          env,
        },
      );
      assert.equal(scoped.code, 0, scoped.stderr);
      const scopedRow = await db.db
        .selectFrom('api_keys')
        .select('scopes')
        .where('name', '=', 'ro')
        .executeTakeFirstOrThrow();
      assert.equal(scopedRow.scopes, '["read","admin"]');
      const badScope = await runInkan(['apikey', 'create', '--org', 'yokohama', '--scopes', 'root'], { dataDir, env });
      assert.equal(badScope.code, 1);
      assert.match(badScope.stderr, /--scopes must be/);
      const unknown = await runInkan(['apikey', 'create', '--org', 'nowhere'], { dataDir, env });
      assert.equal(unknown.code, 1);
      assert.match(unknown.stderr, /no organisation with the slug "nowhere"/);
      assert.equal((await runInkan(['apikey', 'create'], { dataDir, env })).code, 2);
    });

    test('inkan start seeds the demo organisation once and prints a fresh sign-in link on every start', async () => {
      const first = await startInkan({ INKAN_DATA_DIR: dataDir, ...env });
      const health = await fetch(`${first.url}/healthz`);
      assert.equal(health.status, 200);
      assert.equal(await first.stop(), 0);
      const second = await startInkan({ INKAN_DATA_DIR: dataDir, ...env });
      assert.equal(await second.stop(), 0);
      const token1 = LINK.exec(first.output.join('\n'))?.[1];
      const token2 = LINK.exec(second.output.join('\n'))?.[1];
      assert.ok(token1 && token2);
      assert.notEqual(token1, token2);
      assert.match(first.output.join('\n'), /Created the demo organisation/);
      assert.doesNotMatch(second.output.join('\n'), /Created/);
      const demo = await db.db.selectFrom('organizations').selectAll().where('slug', '=', 'demo').execute();
      assert.equal(demo.length, 1);
      const admins = await db.db
        .selectFrom('memberships')
        .select(['user_id', 'role'])
        .where('organization_id', '=', demo[0].id)
        .execute();
      assert.deepEqual(
        admins.map((a) => a.role),
        ['admin'],
      );
      const links = await db.db
        .selectFrom('login_links')
        .select('token_hash')
        .where('user_id', '=', admins[0].user_id)
        .execute();
      assert.deepEqual(links.map((l) => l.token_hash).sort(), [hashToken(token1), hashToken(token2)].sort());
      assert.equal((await verifyEventChain(db.db)).brokenAt, null);
    });

    test('serve --role=web serves HTTP only, --role=worker runs jobs only; both stop on SIGTERM', async () => {
      const web = await startInkan({ INKAN_DATA_DIR: dataDir, ...env }, ['serve', '--role=web']);
      assert.equal((await fetch(`${web.url}/healthz`)).status, 200);
      assert.equal(await web.stop(), 0);
      const worker = await startInkan(
        { INKAN_DATA_DIR: dataDir, ...env },
        ['serve', '--role=worker'],
        /^Inkan job worker is running$/,
      );
      assert.ok(!worker.output.some((line) => line.includes('listening')));
      assert.equal(await worker.stop(), 0);
      const bad = await runInkan(['serve', '--role=everything'], { dataDir, env });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /--role=all\|web\|worker/);
    });
  });
}
