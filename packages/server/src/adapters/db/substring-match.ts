import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { DbOrTx } from '../../ports/database.ts';

/** Whether SQLite's trigram index can answer a "contains" search for this text. */
function trigramIndexable(text: string): boolean {
  return [...text].length >= 3 && !/[\\%_]/.test(text);
}

/**
 * What a substring search found out before the page's query (SQLite: the counterparty's trigram index
 * asked once, so that the page's query can be shaped to the number of matches).
 */
export interface SubstringSearchHints {
  /** The rowids whose counterparties contain the text, or 'many' when there are more than COUNTERPARTY_FEW. */
  counterparty?: { rowids: number[] } | 'many';
}

/**
 * At most this many matching entries are looked up by rowid and sorted; more, and the page's order is
 * walked instead (each entry checked against the matches): reading a few thousand rows out of order
 * costs more than walking an index to the 50th match of a common name.
 */
const COUNTERPARTY_FEW = 2000;

/** Asks the substring indexes what the page's query should know (see SubstringSearchHints). */
export async function substringSearchHints(
  db: DbOrTx,
  dialect: 'sqlite' | 'postgres',
  counterparty: string | undefined,
): Promise<SubstringSearchHints> {
  if (dialect !== 'sqlite' || counterparty === undefined || !trigramIndexable(counterparty)) return {};
  const { rows } = await sql<{ rowid: number }>`select rowid from contracts_counterparty_fts
    where contracts_counterparty_fts.counterparty_norm like ${`%${counterparty}%`} limit ${COUNTERPARTY_FEW + 1}`.execute(
    db,
  );
  return { counterparty: rows.length > COUNTERPARTY_FEW ? 'many' : { rowids: rows.map((r) => r.rowid) } };
}

/** The key by which the list use case reads a page's rows: SQLite's rowid (every index holds it), PostgreSQL's id. */
export function rowKey(dialect: 'sqlite' | 'postgres'): RawBuilder<string | number> {
  return dialect === 'sqlite' ? sql<number>`c.rowid` : sql<string>`c.id`;
}

/**
 * The `counterparty` condition on `contracts as c`: a counterparty name contains `text` (NFKC lower
 * case). SQLite: the FTS5 trigram table for 3+ characters — the few matching rowids found beforehand
 * (each row still checked with LIKE: a rowid may have been reused since); for many matches a LIKE, which
 * the page's order checks in the 締結日 index that carries the counterparties (migration 026), reaching
 * 50 matches long before the trigram index would have listed them all; otherwise (and on PostgreSQL,
 * with pg_trgm) a LIKE.
 */
export function counterpartyCondition(
  dialect: 'sqlite' | 'postgres',
  text: string,
  hint?: SubstringSearchHints['counterparty'],
): RawBuilder<SqlBool> {
  if (dialect === 'sqlite' && trigramIndexable(text)) {
    if (hint !== undefined && hint !== 'many')
      return sql<SqlBool>`(c.rowid in (select value from json_each(${JSON.stringify(hint.rowids)})) and c.counterparty_norm like ${likePattern(text)} escape '\\')`;
    if (hint === undefined)
      return sql<SqlBool>`c.rowid in (select rowid from contracts_counterparty_fts where contracts_counterparty_fts.counterparty_norm like ${`%${text}%`})`;
  }
  return sql<SqlBool>`c.counterparty_norm like ${likePattern(text)} escape '\\'`;
}

/** A LIKE pattern matching `text` anywhere (backslash escapes). */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
}

/**
 * The `q` condition on `contracts as c`: its search text contains `text` (already NFKC lower case).
 * The one query of the register that differs by dialect: SQLite asks the FTS5 trigram table for 3+
 * characters without LIKE wildcards in them (the index cannot take an ESCAPE clause); everything else
 * is a LIKE, which PostgreSQL answers from its pg_trgm GIN index.
 */
export function fullTextCondition(dialect: 'sqlite' | 'postgres', text: string): RawBuilder<SqlBool> {
  if (dialect === 'sqlite' && trigramIndexable(text)) {
    return sql<SqlBool>`c.id in (select t.contract_id from contract_texts t where t.rowid in (select rowid from contract_texts_fts where contract_texts_fts.search_norm like ${`%${text}%`}))`;
  }
  return sql<SqlBool>`c.id in (select t.contract_id from contract_texts t where t.search_norm like ${likePattern(text)} escape '\\')`;
}

/**
 * The ids among `contractIds` whose search text contains `text` (already NFKC lower case, as the column
 * is): fullTextCondition's predicate checked on a few known rows (their primary keys), no index needed.
 * A plain substring test (SQLite instr, PostgreSQL strpos) — the same answer as the escaped LIKE, several
 * times faster over 2 KB texts than LIKE's pattern matcher.
 */
export async function textsContaining(
  db: DbOrTx,
  dialect: 'sqlite' | 'postgres',
  contractIds: readonly string[],
  text: string,
): Promise<Set<string>> {
  const contains =
    dialect === 'sqlite'
      ? sql<SqlBool>`instr(t.search_norm, ${text}) > 0`
      : sql<SqlBool>`strpos(t.search_norm, ${text}) > 0`;
  const rows = await db
    .selectFrom('contract_texts as t')
    .select('t.contract_id')
    .where('t.contract_id', 'in', contractIds)
    .where(contains)
    .execute();
  return new Set(rows.map((r) => r.contract_id));
}
