import { Kysely, PostgresDialect, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import { withEventLogAtCommit, type DbOrTx, type EventLogAtCommit, type Schema } from '../../ports/database.ts';

/** SQL that reads or writes the events table (Kysely quotes names: `from "events"`). */
const TOUCHES_EVENTS = /\b(?:from|join|into|update)\s+(?:"?public"?\.)?"?events"?(?![\w"])/i;

/** SQL that would begin or end a transaction: only the write transaction itself does that. */
const TRANSACTION_CONTROL = /^\s*(?:begin|start\s+transaction|commit|end|rollback|abort)\b/i;

/**
 * The statement that appends events to the chain (inkan_append_events, migration 031), as text for the
 * simple query protocol, the only one that carries a COMMIT after it in the same round trip. Each
 * canonical form is a literal escaped by pg (quotes and backslashes doubled): JSON.stringify wrote it, so
 * it holds no NUL nor any other control character.
 */
function appendStatement(canonicals: readonly string[]): string {
  return `select inkan_append_events(array[${canonicals.map((c) => pg.escapeLiteral(c)).join(',')}]::text[])`;
}

/**
 * PostgreSQL's write transaction, with the operation log appended at the commit. `work` gets a Kysely
 * handle on one pooled client inside BEGIN; recordEvent queues its events on the handle (see
 * EventLogAtCommit) and the end of the transaction sends `select inkan_append_events(…); commit` as ONE
 * query: the chain's advisory lock is taken there and released by that COMMIT, with no turn of Node's
 * event loop in between. (Held from the event to the commit, as before, it serialised every signing
 * request behind the round trips of the others, each waiting for a busy event loop: issue 10.)
 *
 * A statement of `work` that reads or writes the events table first appends what is queued, so the
 * transaction sees its own events; from then on it holds the chain's lock, as an immediate append does.
 */
export async function postgresWriteTransaction<T>(pool: pg.Pool, work: (tx: DbOrTx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  const state = { queued: [] as string[], ended: false };
  let broken = false;
  try {
    try {
      await client.query('begin');
      const { queued } = state;
      const log: EventLogAtCommit = {
        queue: (canonical) => void queued.push(canonical),
        flush: async () => {
          if (queued.length > 0) await client.query(appendStatement(queued.splice(0)));
        },
      };
      let result: T;
      try {
        result = await work(withEventLogAtCommit(handleOn(client, state, log), log));
      } finally {
        // From now on the COMMIT or ROLLBACK is the client's last statement in this transaction.
        state.ended = true;
      }
      const ending = queued.length > 0 ? `${appendStatement(queued)}; commit` : 'commit';
      // One result per statement; PostgreSQL answers COMMIT with ROLLBACK when the transaction had failed.
      const outcome = [(await client.query(ending)) as pg.QueryResult | pg.QueryResult[]].flat();
      if (outcome.at(-1)?.command !== 'COMMIT')
        throw new Error('the transaction was rolled back: one of its statements had failed');
      return result;
    } catch (error) {
      // After a failed COMMIT the transaction has ended; ROLLBACK then only warns.
      await client.query('rollback').catch(() => {
        broken = true;
      });
      throw error;
    }
  } finally {
    // A client that could not even roll back is dropped, not handed to the next transaction.
    client.release(broken);
  }
}

/** A Kysely handle whose every statement runs on `client`, inside the write transaction. */
function handleOn(
  client: pg.PoolClient,
  state: { readonly queued: readonly string[]; readonly ended: boolean },
  log: EventLogAtCommit,
): Kysely<Schema> {
  const connection = {
    query: async (text: string, parameters: ReadonlyArray<unknown>) => {
      // A statement the work left running after it returned or threw would run after the COMMIT or
      // ROLLBACK, outside the transaction, on a client the pool may have handed to another one.
      if (state.ended) throw new Error('this write transaction has ended');
      if (TRANSACTION_CONTROL.test(text)) throw new Error('a write transaction ends when its work returns or throws');
      if (state.queued.length > 0 && TOUCHES_EVENTS.test(text)) await log.flush();
      return client.query(text, [...parameters]);
    },
    // The client stays with the transaction until it ends (postgresWriteTransaction releases it).
    release: () => undefined,
  } as unknown as PostgresPoolClient;
  const pool: PostgresPool = { connect: async () => connection, end: async () => undefined };
  return new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
}
