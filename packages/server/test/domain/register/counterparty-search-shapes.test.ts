// The 取引先 search's two query shapes on a register large enough to take both (SQLite: up to 2,000
// trigram matches are read by rowid, more are a LIKE checked while walking the page's order): every
// page, walked with the keyset cursor, must give the ids a brute-force filter and sort give.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { substringSearchHints } from '../../../src/adapters/db/substring-match.ts';
import { counterpartyNorm } from '../../../src/domain/register/contract-model.ts';
import { parseContractQuery } from '../../../src/domain/register/contract-search.ts';
import { listContracts } from '../../../src/domain/use-cases/list-contracts.ts';
import {
  benchProfile,
  insertRegisterEntries,
  prng,
  registerEntries,
  type RegisterEntry,
} from '../../helpers/register-data.ts';
import { DIALECTS, openMigratedTestDatabase, type MigratedTestDatabase } from '../../helpers/test-database.ts';

// 9,000 entries of the benchmark's names: about a quarter are 株式会社 (more than 2,000 matches).
const ENTRIES = 9000;

/** The brute-force page order: values first by (value, id), then empty values by id, all in `direction`. */
function expectedIds(
  entries: readonly RegisterEntry[],
  match: (e: RegisterEntry) => boolean,
  value: (e: RegisterEntry) => string | number | null,
  direction: 'asc' | 'desc',
): string[] {
  const sign = direction === 'asc' ? 1 : -1;
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const withValue = entries.filter((e) => match(e) && value(e) !== null);
  const empty = entries.filter((e) => match(e) && value(e) === null);
  withValue.sort((a, b) => sign * (compare(value(a)!, value(b)!) || compare(a.id, b.id)));
  empty.sort((a, b) => sign * compare(a.id, b.id));
  return [...withValue, ...empty].map((e) => e.id);
}

for (const dialect of DIALECTS) {
  describe(`counterparty search shapes (${dialect})`, () => {
    let database: MigratedTestDatabase;
    let entries: RegisterEntry[];

    before(async () => {
      database = await openMigratedTestDatabase(dialect);
      const now = new Date().toISOString();
      await database.db
        .insertInto('organizations')
        .values([
          { id: 'org-a', name: '甲株式会社', slug: 'org-a', created_at: now },
          { id: 'org-b', name: '乙株式会社', slug: 'org-b', created_at: now },
        ])
        .execute();
      entries = [...registerEntries(benchProfile({ textChars: 0 }), prng(7), { count: ENTRIES })];
      await insertRegisterEntries(database.db, 'org-a', entries);
      // Another organisation's entries share the names: they must never show.
      await insertRegisterEntries(
        database.db,
        'org-b',
        registerEntries(benchProfile({ textChars: 0 }), prng(8), { count: 500 }),
      );
    });
    after(async () => {
      await database?.close();
    });

    const cases: Array<{ name: string; counterparty: string; many: boolean; query: Record<string, string> }> = [
      { name: 'many matches, default order', counterparty: '株式会社', many: true, query: {} },
      {
        name: 'many matches, 締結日 range, 金額 descending',
        counterparty: '株式会社',
        many: true,
        query: { signedFrom: '2018-01-01', signedTo: '2024-12-31', sort: '-amount' },
      },
      { name: 'few matches, title order', counterparty: '株式会社山田商事', many: false, query: { sort: 'title' } },
    ];
    for (const c of cases) {
      it(`${c.name}: every page as the brute force orders it`, async () => {
        const hints = await substringSearchHints(database.db, dialect, c.counterparty);
        if (dialect === 'sqlite') assert.equal(hints.counterparty === 'many', c.many, 'the shape under test');
        const text = c.counterparty.normalize('NFKC').toLowerCase();
        const from = c.query.signedFrom ?? '';
        const to = c.query.signedTo ?? '9999';
        const match = (e: RegisterEntry) =>
          (counterpartyNorm(e.counterparties) ?? '').includes(text) &&
          e.signedOn !== null &&
          e.signedOn >= from &&
          e.signedOn <= to;
        const sort = c.query.sort ?? '-signedOn';
        const key = sort.replace('-', '') as 'amount' | 'title' | 'signedOn';
        const expected = expectedIds(entries, match, (e) => e[key], sort.startsWith('-') ? 'desc' : 'asc');
        assert.ok(expected.length > (c.many ? 100 : 0), 'the data holds matches');
        const seen: string[] = [];
        let cursor: string | null = null;
        for (let page = 0; page < 1000; page++) {
          const result: { items: Array<{ id: string }>; nextCursor: string | null } = await listContracts(
            { db: database.db, dialect },
            {
              scope: { kind: 'organization', organizationId: 'org-a' },
              query: parseContractQuery({
                counterparty: c.counterparty,
                sort,
                limit: '100',
                ...(c.query.signedFrom ? { signedFrom: from, signedTo: to } : {}),
                ...(cursor ? { cursor } : {}),
              }),
            },
          );
          seen.push(...result.items.map((i) => i.id));
          cursor = result.nextCursor;
          if (!cursor) break;
        }
        assert.deepEqual(seen, expected);
      });
    }
  });
}
