/**
 * An API test harness: a full AppContext on its own database (SQLite or PostgreSQL), the Fastify app
 * driven with app.inject, the job runner in manual mode (jobs run when the test says so), two
 * organisations with a password user and an API key each, and helpers for multipart uploads, mail and
 * "nothing changed" snapshots.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Selectable } from 'kysely';
import { buildApp } from '../../../src/http/app.ts';
import { createApiKey, createOrganization } from '../../../src/cli/admin-commands.ts';
import { startJobRunner, type JobRunner } from '../../../src/adapters/jobs/db-job-queue.ts';
import { createJobHandlers } from '../../../src/jobs/handlers.ts';
import { hashPassword, newId } from '../../../src/security/tokens.ts';
import type { AppContext } from '../../../src/context.ts';
import type { Clock } from '../../../src/ports/clock.ts';
import type { Schema } from '../../../src/ports/database.ts';
import { createTestContext, type Dialect, type TestContext } from '../../helpers/test-database.ts';

/** Real time plus an offset the test can move forward (expiry tests), never backward. */
export class OffsetClock implements Clock {
  #offset = 0;
  now(): Date {
    return new Date(Date.now() + this.#offset);
  }
  advance(ms: number): void {
    this.#offset += ms;
  }
}

/** A seeded organisation: an admin with a password, a viewer, and an API key. */
export interface TestOrganization {
  id: string;
  slug: string;
  name: string;
  apiKey: string;
  admin: { id: string; email: string; password: string };
  viewer: { id: string; email: string; password: string };
}

/** One multipart part. */
export type Part =
  | { name: string; value: string; contentType?: string }
  | { name: string; filename: string; data: Uint8Array; contentType?: string };

/** Builds a multipart/form-data body (the way browsers and curl send it). */
export function multipart(parts: readonly Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----inkan${newId().replace(/-/g, '')}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if ('filename' in part)
      head += `; filename="${part.filename}"\r\nContent-Type: ${part.contentType ?? 'application/pdf'}`;
    else if (part.contentType) head += `\r\nContent-Type: ${part.contentType}`;
    chunks.push(
      Buffer.from(`${head}\r\n\r\n`, 'utf8'),
      'filename' in part ? Buffer.from(part.data) : Buffer.from(part.value, 'utf8'),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}

/** A running harness. */
export interface Harness {
  dialect: Dialect;
  context: AppContext;
  app: FastifyInstance;
  runner: JobRunner;
  clock: OffsetClock;
  test: TestContext;
  org: TestOrganization;
  other: TestOrganization;
  /** Runs every due job until none is left. */
  runJobs(): Promise<void>;
  /** A request with the organisation's API key. */
  api(org: TestOrganization, method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  /** Creates an envelope through the API (multipart); returns the response. */
  createEnvelope(
    org: TestOrganization,
    envelope: unknown,
    documents: Array<{ filename: string; data: Uint8Array }>,
    headers?: Record<string, string>,
  ): Promise<LightMyRequestResponse>;
  /** Mails in the outbox to an address, oldest first. */
  mailsTo(address: string): Promise<Array<Selectable<Schema['mails']>>>;
  close(): Promise<void>;
}

const TABLES = [
  'organizations',
  'users',
  'memberships',
  'member_invitations',
  'sessions',
  'account_tokens',
  'login_links',
  'api_keys',
  'envelopes',
  'documents',
  'recipients',
  'signing_links',
  'recipient_sessions',
  'download_links',
  'events',
  'jobs',
  'mails',
  'contracts',
  'contract_documents',
  'contract_texts',
  'contract_tags',
  'contract_watchers',
  'contract_field_definitions',
  'contract_field_values',
  'contract_history',
  'contract_reminders',
  'claim_links',
  'address_book_contacts',
  'address_book_registration_links',
  'approval_routes',
  'envelope_approvals',
  'retention_rules',
  'legal_holds',
  'document_keys',
  'webhook_endpoints',
  'webhook_deliveries',
] as const;

/**
 * Every row of every table (as JSON) and the blob files: compare two to prove nothing changed. The
 * API key's own use log (`apikey.used`, at most once a minute, and last_used_at) is left out: it records
 * the request being made, not anything the request did.
 */
export async function snapshot(h: Harness): Promise<{ tables: Record<string, string[]>; blobs: string[] }> {
  const tables: Record<string, string[]> = {};
  for (const table of TABLES) {
    let rows: Array<Record<string, unknown>> = await h.context.db.selectFrom(table).selectAll().execute();
    if (table === 'events') rows = rows.filter((r) => r.action !== 'apikey.used');
    if (table === 'api_keys') rows = rows.map(({ last_used_at: _ignored, ...rest }) => rest);
    // Like last_used_at: when a session was last used records the request, not what it did.
    if (table === 'sessions') rows = rows.map(({ last_seen_at: _ignored, ...rest }) => rest);
    tables[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return { tables, blobs: listFiles(join(h.test.dataDir, 'blobs')) };
}

/** Row counts of every table and the number of blob files. */
export async function counts(h: Harness): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    const row = await h.context.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  out.blobs = listFiles(join(h.test.dataDir, 'blobs')).length;
  return out;
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

async function seedOrganization(context: AppContext, slug: string, name: string): Promise<TestOrganization> {
  const adminEmail = `admin@${slug}.example.jp`;
  const created = await createOrganization(context, { name, slug, adminEmail, adminName: `${name} 管理者` });
  const password = `pw-${slug}-correct horse`;
  await context.db
    .updateTable('users')
    .set({ password_hash: await hashPassword(password) })
    .where('id', '=', created.userId)
    .execute();
  const viewerId = newId();
  const viewerEmail = `viewer@${slug}.example.jp`;
  await context.db
    .insertInto('users')
    .values({
      id: viewerId,
      email: viewerEmail,
      name: 'Viewer',
      password_hash: await hashPassword(password),
      created_at: new Date().toISOString(),
    })
    .execute();
  await context.db
    .insertInto('memberships')
    .values({
      user_id: viewerId,
      organization_id: created.organizationId,
      role: 'viewer',
      created_at: new Date().toISOString(),
    })
    .execute();
  const key = await createApiKey(context, { organizationSlug: slug });
  return {
    id: created.organizationId,
    slug,
    name,
    apiKey: key.key,
    admin: { id: created.userId, email: adminEmail, password },
    viewer: { id: viewerId, email: viewerEmail, password },
  };
}

/** Starts a harness on a fresh database of the dialect. */
export async function startHarness(
  dialect: Dialect,
  options: { env?: Record<string, string>; webDistDir?: string } = {},
): Promise<Harness> {
  const clock = new OffsetClock();
  const test = await createTestContext(dialect, { INKAN_PUBLIC_URL: 'http://inkan.test', ...options.env }, { clock });
  const context = test.context;
  const webDistDir = options.webDistDir ?? join(test.dataDir, 'no-web-build');
  mkdirSync(join(test.dataDir, 'no-web-build'), { recursive: true });
  const app = await buildApp({ context, webDistDir });
  await app.ready();
  const runner = startJobRunner({
    db: context.db,
    dialect: context.dialect,
    handlers: createJobHandlers(context),
    workerId: 'api-test',
    clock,
    manual: true,
  });
  const org = await seedOrganization(context, `org-${newId().slice(0, 8)}`, 'テスト市役所 契約課');
  const other = await seedOrganization(context, `other-${newId().slice(0, 8)}`, 'Other Org');
  const h: Harness = {
    dialect,
    context,
    app,
    runner,
    clock,
    test,
    org,
    other,
    runJobs: async () => {
      await runner.idle();
      const failed = await context.db
        .selectFrom('jobs')
        .select(['kind', 'last_error', 'status'])
        .where('last_error', 'is not', null)
        .where('status', '!=', 'done')
        .execute();
      if (failed.length > 0) throw new Error(`jobs failed: ${JSON.stringify(failed)}`);
    },
    api: (o, method, url, body) =>
      app.inject({
        method: method as 'GET',
        url,
        headers: { authorization: `Bearer ${o.apiKey}` },
        ...(body === undefined ? {} : { payload: body as object }),
      }),
    createEnvelope: (o, envelope, documents, headers = {}) => {
      const body = multipart([
        { name: 'envelope', value: JSON.stringify(envelope), contentType: 'application/json' },
        ...documents.map((d) => ({ name: 'documents', filename: d.filename, data: d.data })),
      ]);
      return app.inject({
        method: 'POST',
        url: '/api/v1/envelopes',
        payload: body.payload,
        headers: { ...body.headers, authorization: `Bearer ${o.apiKey}`, ...headers },
      });
    },
    mailsTo: (address) =>
      context.db
        .selectFrom('mails')
        .selectAll()
        .where('to_address', '=', address)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    close: async () => {
      await runner.stop();
      await app.close();
      await test.cleanup();
    },
  };
  return h;
}

/** The path of a link of this installation in a mail's text (`/s/…` or `/d/…`). */
export function linkIn(text: string, kind: 's' | 'd'): string {
  const match = new RegExp(`http://inkan\\.test/${kind}/([A-Za-z0-9_-]+)`).exec(text);
  if (!match) throw new Error(`no /${kind}/ link in mail:\n${text}`);
  return match[1];
}

/** Writes a minimal web build (index.html + an asset) for the SPA tests. */
export function writeFakeWebBuild(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(
    join(dir, 'index.html'),
    '<!DOCTYPE html><html><head><title>Inkan UI</title></head><body><div id="root"></div></body></html>',
  );
  writeFileSync(join(dir, 'assets', 'app.js'), 'console.log("inkan")');
}
