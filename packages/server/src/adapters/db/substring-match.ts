import { sql, type RawBuilder, type SqlBool } from 'kysely';

/**
 * The `q` condition on `contracts as c`: its search text contains `text` (already NFKC lower case).
 * The one query of the register that differs by dialect: SQLite asks the FTS5 trigram table for 3+
 * characters without LIKE wildcards in them (the index cannot take an ESCAPE clause); everything else
 * is a LIKE, which PostgreSQL answers from its pg_trgm GIN index.
 */
export function fullTextCondition(dialect: 'sqlite' | 'postgres', text: string): RawBuilder<SqlBool> {
  if (dialect === 'sqlite' && [...text].length >= 3 && !/[\\%_]/.test(text)) {
    return sql<SqlBool>`c.id in (select t.contract_id from contract_texts t where t.rowid in (select rowid from contract_texts_fts where contract_texts_fts.search_norm like ${`%${text}%`}))`;
  }
  const pattern = `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;
  return sql<SqlBool>`c.id in (select t.contract_id from contract_texts t where t.search_norm like ${pattern} escape '\\')`;
}
