/*
 * Prometheus metrics (prom-client). Each process and each worker thread has its own registry (made in
 * createContext, no module-level singleton); /metrics merges the web process's, its job worker
 * thread's, and figures read from the database — which every process shares, so queue depth and
 * the counts of signatures and mails are right however many workers run.
 */
import { sql } from 'kysely';
import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import type { Db } from '../ports/database.ts';
import type { Clock } from '../ports/clock.ts';

/** One process's (or thread's) instruments. */
export interface Metrics {
  registry: Registry;
  /** Request latency by route pattern (never the raw URL: links hold tokens). */
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  /** Time to verify an uploaded PDF (POST /api/verify, whole request). */
  verificationDuration: Histogram;
  /** RFC 3161 round trips, by outcome. */
  tsaDuration: Histogram<'outcome'>;
  /** TSA failures by error code. */
  tsaErrors: Counter<'code'>;
}

/** Makes the instruments; `processMetrics` adds Node's own (memory, CPU, event loop) — once per process. */
export function createMetrics(options: { processMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'inkan_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    verificationDuration: new Histogram({
      name: 'inkan_verification_duration_seconds',
      help: 'Time to verify an uploaded PDF (POST /api/verify)',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    tsaDuration: new Histogram({
      name: 'inkan_tsa_request_duration_seconds',
      help: 'RFC 3161 timestamp requests, by outcome',
      labelNames: ['outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    tsaErrors: new Counter({
      name: 'inkan_tsa_errors_total',
      help: 'Failed RFC 3161 timestamp requests, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}

/**
 * A registry whose collectors read the database at scrape time: job queue depth and oldest age per
 * kind, running and failed jobs, signatures applied, mails sent and mail jobs failed for good.
 */
export function createDatabaseMetrics(db: Db, clock: Clock): Registry {
  const registry = new Registry();
  const now = () => clock.now().toISOString();
  const perKind = (name: string, help: string, read: () => Promise<Array<{ kind: string; value: number }>>) =>
    new Gauge({
      name,
      help,
      labelNames: ['kind'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const row of await read()) this.set({ kind: row.kind }, row.value);
      },
    });
  const total = (name: string, help: string, read: () => Promise<number>) =>
    new Counter({
      name,
      help,
      registers: [registry],
      // The rows counted are never deleted, so the count only grows: a counter.
      async collect() {
        this.reset();
        this.inc(await read());
      },
    });
  const count = (rows: Array<{ n: unknown }>) => Number(rows[0]?.n ?? 0);

  perKind('inkan_jobs_queued', 'Jobs due now and waiting for a worker, per kind', async () => {
    const rows = await db
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.countAll().as('n')])
      .where('status', '=', 'queued')
      .where('run_at', '<=', now())
      .groupBy('kind')
      .execute();
    return rows.map((r) => ({ kind: r.kind, value: Number(r.n) }));
  });
  perKind('inkan_jobs_oldest_age_seconds', 'How long the oldest due job has waited, per kind', async () => {
    const rows = await db
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.min('run_at').as('oldest')])
      .where('status', '=', 'queued')
      .where('run_at', '<=', now())
      .groupBy('kind')
      .execute();
    const at = clock.now().getTime();
    return rows.map((r) => ({ kind: r.kind, value: Math.max(0, (at - new Date(String(r.oldest)).getTime()) / 1000) }));
  });
  perKind('inkan_jobs_running', 'Jobs a worker is running, per kind', async () => {
    const rows = await db
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.countAll().as('n')])
      .where('status', '=', 'running')
      .groupBy('kind')
      .execute();
    return rows.map((r) => ({ kind: r.kind, value: Number(r.n) }));
  });
  perKind('inkan_jobs_failed', 'Jobs that failed for good (no attempt left), per kind', async () => {
    const rows = await db
      .selectFrom('jobs')
      .select(['kind', (eb) => eb.fn.countAll().as('n')])
      .where('status', '=', 'failed')
      .groupBy('kind')
      .execute();
    return rows.map((r) => ({ kind: r.kind, value: Number(r.n) }));
  });
  total('inkan_signatures_applied_total', 'Platform signatures applied for recipients', async () =>
    count(
      await db
        .selectFrom('events')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('action', '=', 'recipient.signature-applied')
        .execute(),
    ),
  );
  total('inkan_mails_sent_total', 'Mails sent over SMTP or put in the outbox', async () =>
    count(
      await db
        .selectFrom('mails')
        .select((eb) => eb.fn.countAll().as('n'))
        .execute(),
    ),
  );
  total('inkan_mails_failed_total', 'Mail jobs that failed for good', async () =>
    count(
      await db
        .selectFrom('jobs')
        .select((eb) => eb.fn.countAll().as('n'))
        .where('kind', 'like', 'mail.%')
        .where('status', '=', 'failed')
        .execute(),
    ),
  );
  return registry;
}

/** Merges the JSON of several registries (this process, its worker thread, the database) into Prometheus text. */
export async function renderMetrics(
  sources: ReadonlyArray<Promise<MetricObjectWithValues<MetricValue<string>>[]>>,
): Promise<{ contentType: string; text: string }> {
  const merged = AggregatorRegistry.aggregate(await Promise.all(sources));
  return { contentType: merged.contentType, text: await merged.metrics() };
}

/** Runs `sql` through the database once: the readiness probe's check that it answers. */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
