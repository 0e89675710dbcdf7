import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The contract register (issue 7, parts 2–4): entries owned by exactly one scope (an organisation or a
 * personal account), their documents, extracted text, tags, watchers, custom fields, the append-only
 * history, reminder bookkeeping and the 保管 (claim) links.
 *
 * Text that is compared or sorted is `collate "C"` on PostgreSQL so that both dialects order it by code
 * point (SQLite's BINARY collation), and search results and keyset pages are the same on both.
 */
export function registerMigration(dialect: 'sqlite' | 'postgres'): Migration {
  const collateC = dialect === 'postgres' ? sql`collate "C"` : sql``;
  const amountType = dialect === 'postgres' ? 'bigint' : 'integer';
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema
        .alterTable('organizations')
        // Days before 契約満了日 / 解約通知期限 at which the 担当者 and watchers get a reminder (JSON array).
        .addColumn('contract_reminder_days', 'text', (c) => c.notNull().defaultTo('[60,14]'))
        .execute();

      await db.schema
        .createTable('contracts')
        .addColumn('id', 'text', (c) => c.primaryKey())
        // 'o:<organization id>' or 'u:<user id>': every index starts with it, every query filters by it.
        .addColumn('scope', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addColumn('organization_id', 'text', (c) => c.references('organizations.id').onDelete('cascade'))
        .addColumn('owner_user_id', 'text', (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('envelope', 'claim', 'import')`))
        .addColumn('envelope_id', 'text')
        .addColumn('certificate_id', 'text')
        .addColumn('title', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addColumn('counterparties', 'text', (c) => c.notNull())
        // NFKC + lower case of the counterparties joined by U+001F (null when none): filter and sort run on it.
        .addColumn('counterparty_norm', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('signed_on', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('start_on', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('end_on', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('notice_on', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('amount', amountType)
        .addColumn('currency', 'text', (c) => c.notNull().defaultTo('JPY'))
        .addColumn('tax', 'text', (c) => c.check(sql`tax in ('included', 'excluded')`))
        .addColumn('auto_renew', 'integer', (c) =>
          c
            .notNull()
            .defaultTo(0)
            .check(sql`auto_renew in (0, 1)`),
        )
        .addColumn('renewal_months', 'integer')
        .addColumn('contract_type', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('reference_number', 'text', (c) => c.modifyEnd(collateC))
        .addColumn('assignee_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('memo', 'text', (c) => c.notNull().defaultTo(''))
        .addColumn('status', 'text', (c) =>
          c
            .notNull()
            .defaultTo('active')
            .check(sql`status in ('active', 'expired', 'terminated')`)
            .modifyEnd(collateC),
        )
        .addColumn('imported_at', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addColumn('updated_at', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addCheckConstraint('contracts_one_owner', sql`(organization_id is null) <> (owner_user_id is null)`)
        .execute();
      // The 電帳法 searches: each criterion alone is a range scan of one scope; ids break ties for keyset pages.
      for (const column of [
        'signed_on',
        'end_on',
        'start_on',
        'notice_on',
        'amount',
        'created_at',
        'updated_at',
        'title',
      ]) {
        await db.schema
          .createIndex(`contracts_scope_${column}`)
          .on('contracts')
          .columns(['scope', column, 'id'])
          .execute();
      }
      await db.schema
        .createIndex('contracts_scope_assignee')
        .on('contracts')
        .columns(['scope', 'assignee_user_id'])
        .execute();
      // One organisation entry per envelope (自動登録 runs once even when the job reruns).
      await db.schema
        .createIndex('contracts_envelope_org')
        .on('contracts')
        .columns(['organization_id', 'envelope_id'])
        .unique()
        .where(sql.ref('source'), '=', 'envelope')
        .execute();
      // The reminder job looks for entries whose end or notice date falls on a given day.
      await db.schema.createIndex('contracts_end_on').on('contracts').column('end_on').execute();
      await db.schema.createIndex('contracts_notice_on').on('contracts').column('notice_on').execute();

      await db.schema
        .createTable('contract_documents')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('signed', 'certificate', 'imported')`))
        .addColumn('position', 'integer', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('size', 'integer', (c) => c.notNull())
        .addColumn('sha256', 'text', (c) => c.notNull())
        .addColumn('blob', 'text', (c) => c.notNull())
        // 1: the blob is this entry's own copy (claims, imports); 0: the envelope's blob (organisation entries).
        .addColumn('owned', 'integer', (c) => c.notNull().check(sql`owned in (0, 1)`))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contract_documents_contract')
        .on('contract_documents')
        .columns(['contract_id', 'position'])
        .execute();

      await db.schema
        .createTable('contract_texts')
        .addColumn('contract_id', 'text', (c) => c.primaryKey().references('contracts.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull().modifyEnd(collateC))
        // The documents' text layer as extracted (bounded), and the NFKC lower-case search form of
        // title + counterparties + text that `q` matches as a substring.
        .addColumn('extracted', 'text', (c) => c.notNull())
        .addColumn('search_norm', 'text', (c) => c.notNull().modifyEnd(collateC))
        .execute();
      await db.schema
        .createIndex('contract_texts_scope')
        .on('contract_texts')
        .columns(['scope', 'contract_id'])
        .execute();
      await createSubstringIndexes(db, dialect);

      await db.schema
        .createTable('contract_tags')
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addColumn('tag', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addPrimaryKeyConstraint('contract_tags_pk', ['contract_id', 'tag'])
        .execute();
      await db.schema
        .createIndex('contract_tags_scope_tag')
        .on('contract_tags')
        .columns(['scope', 'tag', 'contract_id'])
        .execute();

      await db.schema
        .createTable('contract_watchers')
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addPrimaryKeyConstraint('contract_watchers_pk', ['contract_id', 'user_id'])
        .execute();

      await db.schema
        .createTable('contract_field_definitions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('organization_id', 'text', (c) => c.notNull().references('organizations.id').onDelete('cascade'))
        .addColumn('key', 'text', (c) => c.notNull())
        .addColumn('label', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('text', 'number', 'date', 'choice')`))
        .addColumn('choices', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('contract_field_definitions_key', ['organization_id', 'key'])
        .execute();

      await db.schema
        .createTable('contract_field_values')
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('scope', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addColumn('key', 'text', (c) => c.notNull().modifyEnd(collateC))
        // The canonical text of the value (a number's decimal digits, a date's YYYY-MM-DD).
        .addColumn('value', 'text', (c) => c.notNull().modifyEnd(collateC))
        .addPrimaryKeyConstraint('contract_field_values_pk', ['contract_id', 'key'])
        .execute();
      await db.schema
        .createIndex('contract_field_values_scope_key')
        .on('contract_field_values')
        .columns(['scope', 'key', 'value', 'contract_id'])
        .execute();

      await db.schema
        .createTable('contract_history')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('actor_type', 'text', (c) => c.notNull().check(sql`actor_type in ('user', 'api_key', 'system')`))
        .addColumn('actor_id', 'text')
        .addColumn('field', 'text', (c) => c.notNull())
        // JSON of the old and new values (null when absent).
        .addColumn('old_value', 'text', (c) => c.notNull())
        .addColumn('new_value', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('contract_history_contract')
        .on('contract_history')
        .columns(['contract_id', 'created_at'])
        .execute();
      // 電子帳簿保存法: no silent correction or deletion. The database refuses to change a history row,
      // and refuses to delete one while its entry exists (deleting a personal account removes its
      // entries, and only then their history, through the cascade).
      if (dialect === 'postgres') {
        await sql`create function contract_history_append_only() returns trigger language plpgsql as $$
          begin
            if tg_op = 'UPDATE' then raise exception 'contract_history is append-only'; end if;
            if exists (select 1 from contracts where id = old.contract_id) then raise exception 'contract_history is append-only'; end if;
            return old;
          end $$`.execute(db);
        await sql`create trigger contract_history_no_update before update or delete on contract_history for each row execute function contract_history_append_only()`.execute(
          db,
        );
      } else {
        await sql`create trigger contract_history_no_update before update on contract_history begin select raise(abort, 'contract_history is append-only'); end`.execute(
          db,
        );
        await sql`create trigger contract_history_no_delete before delete on contract_history when exists (select 1 from contracts where id = old.contract_id) begin select raise(abort, 'contract_history is append-only'); end`.execute(
          db,
        );
      }

      await db.schema
        .createTable('contract_reminders')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('contract_id', 'text', (c) => c.notNull().references('contracts.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('end', 'notice')`))
        .addColumn('threshold_days', 'integer', (c) => c.notNull())
        // The deadline the reminder is for: a changed date (a renewal) gets reminders of its own.
        .addColumn('due_on', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addUniqueConstraint('contract_reminders_once', ['contract_id', 'kind', 'threshold_days', 'due_on'])
        .execute();

      await db.schema
        .createTable('claim_links')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('envelope_id', 'text', (c) => c.notNull())
        .addColumn('recipient_id', 'text', (c) => c.notNull())
        .addColumn('organization_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'text', (c) => c.notNull())
        .addColumn('claimed_by_user_id', 'text', (c) => c.references('users.id').onDelete('set null'))
        .addColumn('claimed_at', 'text')
        .addColumn('contract_id', 'text', (c) => c.references('contracts.id').onDelete('set null'))
        .execute();
      await db.schema.createIndex('claim_links_recipient').on('claim_links').column('recipient_id').execute();
    },

    async down(db: Kysely<unknown>): Promise<void> {
      if (dialect === 'sqlite') {
        await sql`drop table if exists contract_texts_fts`.execute(db);
        await sql`drop table if exists contracts_counterparty_fts`.execute(db);
      }
      for (const table of [
        'claim_links',
        'contract_reminders',
        'contract_history',
        'contract_field_values',
        'contract_field_definitions',
        'contract_watchers',
        'contract_tags',
        'contract_texts',
        'contract_documents',
        'contracts',
      ]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
      if (dialect === 'postgres') await sql`drop function if exists contract_history_append_only()`.execute(db);
      await db.schema.alterTable('organizations').dropColumn('contract_reminder_days').execute();
    },
  };
}

/**
 * Indexes for substring search (Japanese has no word boundaries, so `q` and `counterparty` are
 * "contains" matches). SQLite: an FTS5 table with the trigram tokenizer over contract_texts, kept in
 * step by triggers (the adapter queries it for 3+ characters). PostgreSQL: pg_trgm GIN indexes, which
 * `LIKE '%…%'` uses directly — when the extension is available and may be created here; without it
 * the same queries run as scans (correct, slower).
 */
async function createSubstringIndexes(db: Kysely<unknown>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'sqlite') {
    await sql`create virtual table contract_texts_fts using fts5(search_norm, content='contract_texts', content_rowid='rowid', tokenize='trigram')`.execute(
      db,
    );
    await sql`create trigger contract_texts_fts_insert after insert on contract_texts begin
      insert into contract_texts_fts(rowid, search_norm) values (new.rowid, new.search_norm); end`.execute(db);
    await sql`create trigger contract_texts_fts_delete after delete on contract_texts begin
      insert into contract_texts_fts(contract_texts_fts, rowid, search_norm) values ('delete', old.rowid, old.search_norm); end`.execute(
      db,
    );
    await sql`create trigger contract_texts_fts_update after update of search_norm on contract_texts begin
      insert into contract_texts_fts(contract_texts_fts, rowid, search_norm) values ('delete', old.rowid, old.search_norm);
      insert into contract_texts_fts(rowid, search_norm) values (new.rowid, new.search_norm); end`.execute(db);
    // The same for 取引先 (counterparty_norm of contracts).
    await sql`create virtual table contracts_counterparty_fts using fts5(counterparty_norm, content='contracts', content_rowid='rowid', tokenize='trigram')`.execute(
      db,
    );
    await sql`create trigger contracts_counterparty_fts_insert after insert on contracts begin
      insert into contracts_counterparty_fts(rowid, counterparty_norm) values (new.rowid, new.counterparty_norm); end`.execute(
      db,
    );
    await sql`create trigger contracts_counterparty_fts_delete after delete on contracts begin
      insert into contracts_counterparty_fts(contracts_counterparty_fts, rowid, counterparty_norm) values ('delete', old.rowid, old.counterparty_norm); end`.execute(
      db,
    );
    await sql`create trigger contracts_counterparty_fts_update after update of counterparty_norm on contracts begin
      insert into contracts_counterparty_fts(contracts_counterparty_fts, rowid, counterparty_norm) values ('delete', old.rowid, old.counterparty_norm);
      insert into contracts_counterparty_fts(rowid, counterparty_norm) values (new.rowid, new.counterparty_norm); end`.execute(
      db,
    );
    return;
  }
  const { rows } = await sql<{ usable: boolean }>`select exists (select 1 from pg_extension where extname = 'pg_trgm')
      or (exists (select 1 from pg_available_extensions where name = 'pg_trgm') and has_database_privilege(current_database(), 'CREATE')) as usable`.execute(
    db,
  );
  if (!rows[0]?.usable) return;
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create index contract_texts_search_trgm on contract_texts using gin (search_norm gin_trgm_ops)`.execute(db);
  await sql`create index contracts_counterparty_trgm on contracts using gin (counterparty_norm gin_trgm_ops)`.execute(
    db,
  );
}
