// `npm run bench -- webhooks [--delay=MS] [--events=N]`: webhook delivery throughput with a slow
// receiver, on SQLite and PostgreSQL. A receiver on loopback answers 200 after `delay` ms (default
// 200 ms); N events (default 200) are recorded the way the domain records them (recordEvent, each in its
// own transaction, which writes the outbox rows), then the job runner delivers them, signed, through
// the real HTTP sender. Measured: deliveries per second from the first claim to the last delivery,
//  - events of N different contracts (independent chains: limited by the runner's concurrency), with the
//    worker's default webhook concurrency (INKAN_WEBHOOK_CONCURRENCY, 8) and with 32;
//  - events of ONE envelope (one chain: per-envelope ordering makes them strictly one after the other);
//  - a fast receiver (0 ms) for the cost of the queue and the database alone.
import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startJobRunner } from '../packages/server/src/adapters/jobs/db-job-queue.ts';
import { createOrganization } from '../packages/server/src/cli/admin-commands.ts';
import { createWebhookEndpoint } from '../packages/server/src/domain/use-cases/manage-webhook-endpoints.ts';
import { recordEvent } from '../packages/server/src/domain/record-event.ts';
import { inTransaction } from '../packages/server/src/domain/transaction.ts';
import { createJobHandlers } from '../packages/server/src/jobs/handlers.ts';
import { newId } from '../packages/server/src/security/tokens.ts';
import { createTestContext, type Dialect } from '../packages/server/test/helpers/test-database.ts';
import { escapeCell, machineInfo, resultStamp, writeBetweenMarkers } from './lib/report-files.ts';

const RESULTS = fileURLToPath(new URL('./results', import.meta.url));
const arg = (name: string, fallback: number): number => {
  const found = process.argv.find((a) => a.startsWith(`--${name}=`));
  return found ? Number(found.split('=')[1]) : fallback;
};
const DELAY_MS = arg('delay', 200);
const EVENTS = arg('events', 200);

interface Row {
  dialect: Dialect;
  case: string;
  delayMs: number;
  concurrency: number;
  deliveries: number;
  seconds: number;
  perSecond: number;
  /** Deliveries received out of event order within a chain (must be 0). */
  outOfOrder: number;
}

async function startSlowReceiver(delayMs: number) {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => setTimeout(() => response.writeHead(200).end('ok'), delayMs));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function measure(
  dialect: Dialect,
  name: string,
  options: { delayMs: number; events: number; concurrency: number; oneChain: boolean },
): Promise<Row> {
  const receiver = await startSlowReceiver(options.delayMs);
  const test = await createTestContext(dialect, { INKAN_WEBHOOK_ALLOW_PRIVATE: 'true' });
  const context = test.context;
  try {
    const org = await createOrganization(context, {
      name: 'ベンチ株式会社',
      slug: `bench-${newId().slice(0, 8)}`,
      adminEmail: 'admin@bench.example.jp',
    });
    await createWebhookEndpoint(context, {
      organizationId: org.organizationId,
      actor: { type: 'user', id: org.userId },
      url: receiver.url,
      events: ['envelope.signed', 'contract.updated'],
    });
    const envelopeId = newId();
    // The events, as the domain records them (each its own transaction, with its outbox rows).
    const order: string[] = [];
    for (let i = 0; i < options.events; i++) {
      await inTransaction(context.db, context.dialect, async (tx) => {
        const recorded = options.oneChain
          ? await recordEvent(tx, {
              organizationId: org.organizationId,
              envelopeId,
              actor: { type: 'recipient', id: newId() },
              action: 'recipient.signed',
              at: new Date(),
            })
          : await recordEvent(tx, {
              organizationId: org.organizationId,
              actor: { type: 'system', id: null },
              action: 'contract.updated',
              details: { contractId: newId(), fields: ['title'] },
              at: new Date(),
            });
        order.push(recorded.id);
      });
    }
    const started = performance.now();
    const runner = startJobRunner({
      db: context.db,
      dialect: context.dialect,
      handlers: { 'webhook.deliver': createJobHandlers(context)['webhook.deliver'] },
      workerId: `bench:${process.pid}`,
      concurrency: options.concurrency,
      pollMs: 20,
    });
    for (;;) {
      const pending = await context.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      if (Number(pending.n) === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const last = performance.now();
    await runner.stop();
    const delivered = await context.db
      .selectFrom('webhook_deliveries')
      .select(['event_id', 'delivered_at'])
      .where('status', '=', 'delivered')
      .orderBy('delivered_at')
      .orderBy('event_seq')
      .execute();
    // Out of order: within the one chain, a delivery finished before an earlier event's.
    let outOfOrder = 0;
    if (options.oneChain) {
      const position = new Map(order.map((id, i) => [id, i]));
      let previous = -1;
      for (const row of delivered) {
        const p = position.get(row.event_id) ?? -1;
        if (p < previous) outOfOrder++;
        previous = p;
      }
    }
    const seconds = (last - started) / 1000;
    return {
      dialect,
      case: name,
      delayMs: options.delayMs,
      concurrency: options.concurrency,
      deliveries: delivered.length,
      seconds,
      perSecond: delivered.length / seconds,
      outOfOrder,
    };
  } finally {
    await test.cleanup();
    await receiver.close();
  }
}

const startedAt = new Date().toISOString();
const loadBefore = loadavg()[0];
const rows: Row[] = [];
for (const dialect of ['sqlite', 'postgres'] as const) {
  for (const concurrency of [8, 32])
    rows.push(
      await measure(dialect, 'independent contracts', {
        delayMs: DELAY_MS,
        events: EVENTS,
        concurrency,
        oneChain: false,
      }),
    );
  rows.push(
    await measure(dialect, 'one envelope (ordered)', {
      delayMs: DELAY_MS,
      events: Math.max(10, Math.round(EVENTS / 4)),
      concurrency: 8,
      oneChain: true,
    }),
  );
  rows.push(
    await measure(dialect, 'independent, fast receiver', {
      delayMs: 0,
      events: EVENTS,
      concurrency: 8,
      oneChain: false,
    }),
  );
  process.stdout.write(`${dialect} done\n`);
}
const machine = machineInfo(loadBefore);
const markdown = [
  `Webhook deliveries per second with a receiver that answers after ${DELAY_MS} ms (\`npm run bench -- webhooks\`; ${machine.cpus} × ${escapeCell(machine.cpuModel)}, load ${machine.loadAvg1m}, commit ${machine.commit}, ${startedAt}; compare the load with the 2 cores before reading the figures):`,
  '',
  '| database | events | receiver delay (ms) | runner concurrency | deliveries | time (s) | deliveries/s | out of order |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.dialect} | ${r.case} | ${r.delayMs} | ${r.concurrency} | ${r.deliveries} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${r.outOfOrder} |`,
  ),
  '',
].join('\n');
mkdirSync(RESULTS, { recursive: true });
writeFileSync(
  join(RESULTS, `webhooks-${resultStamp(startedAt)}.json`),
  `${JSON.stringify({ startedAt, machine, delayMs: DELAY_MS, events: EVENTS, rows }, null, 2)}\n`,
);
writeFileSync(join(RESULTS, 'webhooks-latest.md'), markdown);
writeBetweenMarkers(RESULTS, '<!-- webhook-bench:start -->', '<!-- webhook-bench:end -->', markdown);
process.stdout.write(markdown);
