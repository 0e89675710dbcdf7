// Read-only looks into Inkan's database for what the HTTP API does not give a client: the mails of the
// outbox (the signing links) and how many platform signatures the worker has applied. SQLite is
// opened read-only (WAL: readers never block the server's writer); PostgreSQL through one client.
import Database from 'better-sqlite3';
import pg from 'pg';
import { ownCpuMs } from './inkan-process.ts';

/** A mail of the outbox, without its body. */
export interface MailHead {
  id: string;
  to: string;
  createdAt: string;
}

/** What the bench reads from the database. */
export interface DbObserver {
  /** Mails created at or after `since` (ISO time), oldest first (heads only: the poll stays cheap). */
  mailsSince(since: string): Promise<MailHead[]>;
  /** The text bodies of these mails, by id. */
  mailTexts(ids: readonly string[]): Promise<Map<string, string>>;
  /** Number of `recipient.signature-applied` events of these envelopes. */
  appliedSignatures(envelopeIds: readonly string[]): Promise<number>;
  /** Jobs that failed for good, and jobs that needed more than one attempt (a retry after an error). */
  jobTrouble(): Promise<{ failed: number; retried: number }>;
  /** Jobs still to run (queued or running), whenever due. */
  pendingJobs(): Promise<number>;
  /**
   * The database server's own processes for this database (PostgreSQL backends) with the CPU each has used
   * so far, ms by pid; absent for SQLite, which runs inside the server's processes.
   */
  backendCpuMs?(): Promise<Map<number, number>>;
  close(): Promise<void>;
}

/**
 * CPU (ms) the database server spent between two backendCpuMs() snapshots: the backends present at the
 * end, less what each had used at the start (a backend that ended meanwhile is not counted).
 */
export function backendCpuBetween(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, ms] of after) total += ms - (before.get(pid) ?? 0);
  return total;
}

const placeholders = (n: number) => Array.from({ length: n }, () => '?').join(',');

/** Observes the SQLite file of a data directory. */
export function sqliteObserver(path: string): DbObserver {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const heads = db.prepare<[string], { id: string; to_address: string; created_at: string }>(
    'select id, to_address, created_at from mails where created_at >= ? order by created_at, id',
  );
  return {
    mailsSince: async (since) => heads.all(since).map((m) => ({ id: m.id, to: m.to_address, createdAt: m.created_at })),
    mailTexts: async (ids) => {
      if (ids.length === 0) return new Map();
      const rows = db
        .prepare(`select id, text_body from mails where id in (${placeholders(ids.length)})`)
        .all(...ids) as Array<{ id: string; text_body: string }>;
      return new Map(rows.map((r) => [r.id, r.text_body]));
    },
    appliedSignatures: async (ids) => {
      if (ids.length === 0) return 0;
      const row = db
        .prepare(
          `select count(*) as n from events where action = 'recipient.signature-applied' and envelope_id in (${placeholders(ids.length)})`,
        )
        .get(...ids) as { n: number };
      return Number(row.n);
    },
    jobTrouble: async () => {
      const row = db
        .prepare(`select sum(status = 'failed') as failed, sum(attempts > 1) as retried from jobs`)
        .get() as { failed: number | null; retried: number | null };
      return { failed: Number(row.failed ?? 0), retried: Number(row.retried ?? 0) };
    },
    pendingJobs: async () => {
      // Only work that is due: the scheduled sweeps queued for later (envelope.expiry-sweep…) are not.
      const row = db
        .prepare(
          `select count(*) as n from jobs where status in ('queued', 'running') and (kind like 'envelope.%' or kind like 'mail.%') and (status = 'running' or run_at <= ?)`,
        )
        .get(new Date().toISOString()) as { n: number };
      return Number(row.n);
    },
    close: async () => void db.close(),
  };
}

/** Observes a PostgreSQL database. */
export async function postgresObserver(url: string): Promise<DbObserver> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    mailsSince: async (since) => {
      const result = await client.query<{ id: string; to_address: string; created_at: string }>(
        'select id, to_address, created_at from mails where created_at >= $1 order by created_at, id',
        [since],
      );
      return result.rows.map((m) => ({ id: m.id, to: m.to_address, createdAt: m.created_at }));
    },
    mailTexts: async (ids) => {
      if (ids.length === 0) return new Map();
      const result = await client.query<{ id: string; text_body: string }>(
        'select id, text_body from mails where id = any($1::text[])',
        [ids],
      );
      return new Map(result.rows.map((r) => [r.id, r.text_body]));
    },
    appliedSignatures: async (ids) => {
      if (ids.length === 0) return 0;
      const result = await client.query<{ n: string }>(
        `select count(*) as n from events where action = 'recipient.signature-applied' and envelope_id = any($1::text[])`,
        [ids],
      );
      return Number(result.rows[0].n);
    },
    jobTrouble: async () => {
      const result = await client.query<{ failed: string; retried: string }>(
        `select count(*) filter (where status = 'failed') as failed, count(*) filter (where attempts > 1) as retried from jobs`,
      );
      return { failed: Number(result.rows[0].failed), retried: Number(result.rows[0].retried) };
    },
    pendingJobs: async () => {
      const result = await client.query<{ n: string }>(
        `select count(*) as n from jobs where status in ('queued', 'running') and (kind like 'envelope.%' or kind like 'mail.%') and (status = 'running' or run_at <= $1)`,
        [new Date().toISOString()],
      );
      return Number(result.rows[0].n);
    },
    backendCpuMs: async () => {
      const result = await client.query<{ pid: number }>(
        'select pid from pg_stat_activity where datname = current_database()',
      );
      return new Map(result.rows.map((r) => [r.pid, ownCpuMs(r.pid)]));
    },
    close: () => client.end(),
  };
}

/**
 * Hands out signing links (`/s/{token}`) as they are mailed. One poll loop serves every waiter and runs
 * only while someone waits. It looks back a few seconds on every poll: created_at is set before the
 * commit, so a mail may become visible after a later-stamped one.
 */
export class MailWatcher {
  readonly #db: DbObserver;
  readonly #pollMs: number;
  readonly #seen = new Set<string>();
  readonly #tokens = new Map<string, string[]>();
  readonly #waiters = new Map<string, Array<{ resolve: (token: string) => void; reject: (error: unknown) => void }>>();
  #newest = 0;
  #running = false;

  constructor(db: DbObserver, options: { pollMs?: number } = {}) {
    this.#db = db;
    this.#pollMs = options.pollMs ?? 25;
  }

  /** The token of the next unclaimed signing link mailed to `address`. */
  signingToken(address: string, timeoutMs: number): Promise<string> {
    const ready = this.#tokens.get(address);
    if (ready?.length) return Promise.resolve(ready.shift()!);
    return new Promise<string>((resolve, reject) => {
      const waiter = {
        resolve: (token: string) => (clearTimeout(timer), resolve(token)),
        reject: (error: unknown) => (clearTimeout(timer), reject(error)),
      };
      const timer = setTimeout(() => {
        this.#waiters.set(
          address,
          (this.#waiters.get(address) ?? []).filter((w) => w !== waiter),
        );
        reject(new Error(`no signing link mailed to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.set(address, [...(this.#waiters.get(address) ?? []), waiter]);
      if (!this.#running) void this.#run();
    });
  }

  #someoneWaits(): boolean {
    for (const list of this.#waiters.values()) if (list.length > 0) return true;
    return false;
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      while (this.#someoneWaits()) {
        const since = new Date(Math.max(0, this.#newest - 5000)).toISOString();
        const fresh = (await this.#db.mailsSince(since)).filter((m) => !this.#seen.has(m.id));
        const texts = await this.#db.mailTexts(fresh.map((m) => m.id));
        for (const mail of fresh) {
          this.#seen.add(mail.id);
          this.#newest = Math.max(this.#newest, Date.parse(mail.createdAt));
          const match = /\/s\/([A-Za-z0-9_-]{16,})/.exec(texts.get(mail.id) ?? '');
          if (!match) continue;
          const waiter = this.#waiters.get(mail.to)?.shift();
          if (waiter) waiter.resolve(match[1]);
          else this.#tokens.set(mail.to, [...(this.#tokens.get(mail.to) ?? []), match[1]]);
        }
        await new Promise((r) => setTimeout(r, this.#pollMs));
      }
    } catch (error) {
      // A broken database read fails every waiter at once instead of leaving them to time out.
      for (const list of this.#waiters.values()) for (const w of list.splice(0)) w.reject(error);
    } finally {
      this.#running = false;
    }
  }
}
