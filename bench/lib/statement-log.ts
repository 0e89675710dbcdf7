// Counts the SQL statements a process runs, where the drivers run them (better-sqlite3's Statement
// methods, pg's Client.query), BEGIN/COMMIT included: for the in-process cost benches.
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

/** Where statements go while one is set (see recordStatementsInto); undefined: not recorded. */
let recording: string[] | undefined;

/** Records every statement from now on into `into` (or stops with undefined); returns the previous target. */
export function recordStatementsInto(into: string[] | undefined): string[] | undefined {
  const previous = recording;
  recording = into;
  return previous;
}

function record(sqlText: unknown): void {
  if (recording) recording.push(typeof sqlText === 'string' ? sqlText : String((sqlText as { text?: string })?.text));
}

// better-sqlite3: wrap the Statement methods Kysely calls.
{
  const probe = new SqliteDatabase(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, (...a: unknown[]) => unknown>;
  for (const method of ['all', 'get', 'run', 'iterate']) {
    const original = proto[method];
    proto[method] = function (this: { source: string }, ...a: unknown[]) {
      record(this.source);
      return original.apply(this, a);
    };
  }
  probe.close();
}
// pg: every query of every pooled client.
{
  const original = pg.Client.prototype.query as (...a: unknown[]) => unknown;
  (pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown }).query = function (
    this: pg.Client,
    ...a: unknown[]
  ) {
    record(a[0]);
    return original.apply(this, a);
  };
}
