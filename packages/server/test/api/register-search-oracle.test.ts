// The register's search against an oracle, on SQLite and PostgreSQL: 1,000 random entries (plus
// another organisation's, which must never show), 300 random filter combinations (ranges, empties,
// tags, custom fields, full text, combinations, every sort in both directions), each walked page by
// page with the keyset cursor through the HTTP API; the ids, in order, must equal a brute-force
// filter and sort computed here from the raw fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  ORACLE_PROFILE,
  ORACLE_VOCABULARY,
  insertRegisterEntries,
  prng,
  registerEntries,
  type RegisterEntry,
} from '../helpers/register-data.ts';
import { parseContractQuery } from '../../src/domain/register/contract-search.ts';
import { listContracts } from '../../src/domain/use-cases/list-contracts.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

const ENTRIES = 1000;
const OTHER_ENTRIES = 100;
const QUERIES = 300;
const SEED = Number(process.env.INKAN_ORACLE_SEED ?? 20261206);

const { counterparties: COUNTERPARTIES, titles: TITLES, words: WORDS } = ORACLE_VOCABULARY;
const TAGS = ORACLE_PROFILE.tags;
const STATUSES = ORACLE_PROFILE.statuses;
const DEPTS = ORACLE_PROFILE.customField!.values;
type Entry = RegisterEntry;

const norm = (s: string) => s.normalize('NFKC').toLowerCase();

for (const dialect of DIALECTS) {
  describe(`register search oracle (${dialect})`, () => {
    let h: Harness;
    let entries: Entry[];
    const random = prng(SEED);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const chance = (p: number) => random() < p;
    const date = (from: number, to: number) =>
      new Date(Date.UTC(from, 0, 1) + Math.floor(random() * (to - from) * 365) * 86400_000).toISOString().slice(0, 10);

    before(async () => {
      h = await startHarness(dialect);
      // The data from the shared generator (its own stream); the queries below from `random`.
      const data = prng(SEED + 1);
      entries = [
        ...registerEntries(ORACLE_PROFILE, data, { count: ENTRIES, owners: [null, h.org.admin.id, h.org.viewer.id] }),
      ];
      await insertRegisterEntries(h.context.db, h.org.id, entries, { batch: 100 });
      await insertRegisterEntries(
        h.context.db,
        h.other.id,
        registerEntries(ORACLE_PROFILE, data, { count: OTHER_ENTRIES, owners: [null, h.other.admin.id] }),
        { batch: 100 },
      );
    });
    after(async () => {
      await h?.close();
    });

    type Query = Record<string, string | string[]>;
    const SORTS: Array<[string, (e: Entry) => string | number | null]> = [
      ['title', (e) => e.title],
      ['counterparty', (e) => (e.counterparties.length ? e.counterparties.map(norm).join('\u001f') : null)],
      ['signedOn', (e) => e.signedOn],
      ['startOn', (e) => e.startOn],
      ['endOn', (e) => e.endOn],
      ['noticeOn', (e) => e.noticeOn],
      ['amount', (e) => e.amount],
      ['contractType', (e) => e.contractType],
      ['referenceNumber', (e) => e.referenceNumber],
      ['status', (e) => e.status],
      ['createdAt', (e) => e.createdAt],
      ['updatedAt', (e) => e.updatedAt],
    ];
    const EMPTIES: Record<string, (e: Entry) => boolean> = {
      counterparties: (e) => e.counterparties.length === 0,
      signedOn: (e) => e.signedOn === null,
      startOn: (e) => e.startOn === null,
      endOn: (e) => e.endOn === null,
      noticeOn: (e) => e.noticeOn === null,
      amount: (e) => e.amount === null,
      contractType: (e) => e.contractType === null,
      referenceNumber: (e) => e.referenceNumber === null,
      owner: (e) => e.owner === null,
      memo: (e) => e.memo === '',
      tags: (e) => e.tags.length === 0,
      tax: () => true,
      'field.dept': (e) => e.fields.dept === undefined,
    };

    /** 令和 for dates from 2019-05-01 on (the API accepts both forms). */
    const eraDate = (iso: string) =>
      iso >= '2019-05-01' && chance(0.3)
        ? `令和${Number(iso.slice(0, 4)) - 2018}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`
        : iso;
    const yen = (n: number) =>
      pick([
        String(n),
        n.toLocaleString('en-US'),
        `¥${n.toLocaleString('en-US')}`,
        `${n.toLocaleString('en-US')}円`.replace(/[0-9,]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)),
      ]);

    /** A random query and the oracle's predicate and order for it. */
    function randomQuery(): { query: Query; keep: (e: Entry) => boolean; sortKey: string; desc: boolean } {
      const query: Query = {};
      const checks: Array<(e: Entry) => boolean> = [];
      // One to three different criteria (a parameter given once; tag and empty may repeat by design).
      const kinds = [
        'counterparty',
        'amount',
        'signed',
        'end',
        'start',
        'q',
        'tag',
        'empty',
        'field',
        'status',
        'owner',
        'notice',
        'tag',
        'empty',
      ];
      const chosen = new Set<string>();
      while (chosen.size < 1 + Math.floor(random() * 3)) chosen.add(pick(kinds));
      if (chance(0.2)) chosen.add(pick(['tag', 'empty']));
      for (const chosenKind of [...chosen, ...(chance(0.2) ? ['empty'] : [])]) {
        switch (chosenKind) {
          case 'counterparty': {
            const name = norm(pick(COUNTERPARTIES));
            const from = Math.floor(random() * name.length);
            const part = name.slice(from, from + 1 + Math.floor(random() * 4));
            // Sent in full-width when it is ASCII, half-width kana stay: NFKC matches both.
            query.counterparty = chance(0.3)
              ? part.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0))
              : part;
            // The API trims search text (a blank one is no filter).
            const needle = part.trim();
            checks.push((e) => needle === '' || e.counterparties.some((c) => norm(c).includes(needle)));
            break;
          }
          case 'amount': {
            const a = Math.floor(random() * 200_000_000);
            const b = chance(0.3) ? a : Math.floor(random() * 200_000_000);
            const [min, max] = a <= b ? [a, b] : [b, a];
            if (chance(0.7)) {
              query.amountMin = yen(min);
              checks.push((e) => e.amount !== null && e.amount >= min);
            }
            if (chance(0.7)) {
              query.amountMax = yen(max);
              checks.push((e) => e.amount !== null && e.amount <= max);
            }
            break;
          }
          case 'signed':
          case 'end':
          case 'start':
          case 'notice': {
            const kind = chosenKind;
            const field = ({ signed: 'signedOn', end: 'endOn', start: 'startOn', notice: 'noticeOn' } as const)[
              kind as 'signed'
            ];
            const a = date(2019, 2029);
            const b = date(2019, 2029);
            const [from, to] = a <= b ? [a, b] : [b, a];
            if (chance(0.7)) {
              query[`${kind}From`] = eraDate(from);
              checks.push((e) => e[field] !== null && e[field]! >= from);
            }
            if (chance(0.7)) {
              query[`${kind}To`] = eraDate(to);
              checks.push((e) => e[field] !== null && e[field]! <= to);
            }
            break;
          }
          case 'q': {
            const word = norm(pick([...WORDS, ...TITLES, ...COUNTERPARTIES]));
            const from = Math.floor(random() * word.length);
            const part = word.slice(from, from + 1 + Math.floor(random() * 5));
            query.q = part;
            const needle = part.trim();
            checks.push(
              (e) => needle === '' || norm(`${e.title}\n${e.counterparties.join('\n')}\n${e.text}`).includes(needle),
            );
            break;
          }
          case 'tag': {
            const tag = pick(TAGS);
            query.tag = [...[query.tag ?? []].flat(), tag];
            checks.push((e) => e.tags.includes(tag.normalize('NFKC')));
            break;
          }
          case 'empty': {
            const field = pick(Object.keys(EMPTIES));
            query.empty = [...[query.empty ?? []].flat(), field];
            checks.push(EMPTIES[field]!);
            break;
          }
          case 'field': {
            const dept = pick(DEPTS);
            query['field.dept'] = dept;
            checks.push((e) => e.fields.dept === dept);
            break;
          }
          case 'status': {
            const status = pick(STATUSES);
            query.status = status;
            checks.push((e) => e.status === status);
            break;
          }
          case 'owner': {
            const owner = pick([h.org.admin.id, h.org.viewer.id]);
            query.owner = owner;
            checks.push((e) => e.owner === owner);
            break;
          }
        }
      }
      const keep = (e: Entry) => checks.every((check) => check(e));
      // Sometimes no sort at all: the default is -signedOn.
      if (chance(0.15)) return { query, keep, sortKey: 'signedOn', desc: true };
      const [sortKey] = pick(SORTS);
      const desc = chance(0.5);
      query.sort = desc ? pick([`-${sortKey}`, `${sortKey}:desc`]) : sortKey;
      return { query, keep, sortKey, desc };
    }

    function oracle(keep: (e: Entry) => boolean, sortKey: string, desc: boolean): string[] {
      const value = SORTS.find(([key]) => key === sortKey)![1];
      const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
      return entries
        .filter(keep)
        .sort((x, y) => {
          const a = value(x);
          const b = value(y);
          if (a === null && b !== null) return 1;
          if (b === null && a !== null) return -1;
          const byValue = a === null || b === null ? 0 : compare(a, b);
          const order = byValue !== 0 ? byValue : compare(x.id, y.id);
          return desc ? -order : order;
        })
        .map((e) => e.id);
    }

    function url(query: Query, limit: number, cursor?: string): string {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) params.append(key, v);
      params.set('limit', String(limit));
      if (cursor) params.set('cursor', cursor);
      return `/api/v1/contracts?${params}`;
    }

    it(`${QUERIES} random searches walked page by page equal the brute-force result (seed ${SEED})`, async () => {
      let nonEmpty = 0;
      let multiPage = 0;
      for (let n = 0; n < QUERIES; n++) {
        const { query, keep, sortKey, desc } = randomQuery();
        const expected = oracle(keep, sortKey, desc);
        // Small pages on small results walk several pages; big results use big pages (bounded requests).
        const limit = expected.length > 300 ? 100 : pick([1, 3, 7, 25, 100]);
        const got: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          // Each request from its own address: the walk is thousands of requests, the API's rate limit is per IP.
          const res = await h.app.inject({
            method: 'GET',
            url: url(query, limit, cursor),
            headers: { authorization: `Bearer ${h.org.apiKey}` },
            remoteAddress: `10.${n % 256}.${pages >> 8}.${pages & 255}`,
          });
          assert.equal(res.statusCode, 200, `${JSON.stringify(query)}: ${res.body}`);
          const body = res.json() as { items: Array<{ id: string }>; nextCursor: string | null };
          assert.ok(body.items.length <= limit);
          got.push(...body.items.map((item) => item.id));
          cursor = body.nextCursor ?? undefined;
          pages++;
          assert.ok(pages <= expected.length + 2, 'the walk ends');
        } while (cursor);
        assert.deepEqual(
          got,
          expected,
          `query #${n} ${JSON.stringify(query)} (limit ${limit}): ${got.length} rows, expected ${expected.length}`,
        );
        if (expected.length > 0) nonEmpty++;
        if (pages > 1) multiPage++;
      }
      // The generator must exercise real results, not only empty ones.
      assert.ok(nonEmpty >= QUERIES / 3, `non-empty results: ${nonEmpty}`);
      assert.ok(multiPage >= QUERIES / 5, `multi-page walks: ${multiPage}`);
    });

    it('full text gives the same pages whether the ordered walk finds them, the index, or both', async () => {
      // The route's walk budget (3,000 rows) covers these 1,000 entries; tiny budgets here make pages
      // that start in the walk and end in the substring index, or come from the index alone.
      const walks = [
        { budget: 0, chunkMin: 1, chunkMax: 1 },
        { budget: 5, chunkMin: 2, chunkMax: 4 },
        { budget: 60, chunkMin: 7, chunkMax: 50 },
      ];
      let compared = 0;
      let fromBoth = 0;
      for (let n = 0; compared < 60 && n < 2000; n++) {
        const { query, keep, sortKey, desc } = randomQuery();
        if (query.q === undefined) continue;
        const expected = oracle(keep, sortKey, desc);
        const walk = walks[compared % walks.length]!;
        const limit = pick([1, 4, 25]);
        const got: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await listContracts(
            h.context,
            {
              scope: { kind: 'organization', organizationId: h.org.id },
              query: parseContractQuery({ ...query, limit: String(limit), ...(cursor ? { cursor } : {}) }),
            },
            walk,
          );
          got.push(...page.items.map((item) => item.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
          assert.ok(pages <= expected.length + 2, 'the walk ends');
        } while (cursor);
        assert.deepEqual(got, expected, `${JSON.stringify(query)} walk ${JSON.stringify(walk)} limit ${limit}`);
        if (walk.budget > 0 && expected.length > limit) fromBoth++;
        compared++;
      }
      assert.equal(compared, 60);
      assert.ok(fromBoth >= 10, `searches whose pages crossed from the walk to the index: ${fromBoth}`);
    });

    it('the CSV export of a search holds the same rows in the same order', async () => {
      for (let n = 0; n < 10; n++) {
        const { query, keep, sortKey, desc } = randomQuery();
        const expected = oracle(keep, sortKey, desc);
        const params = new URLSearchParams();
        for (const [key, value] of Object.entries(query)) for (const v of [value].flat()) params.append(key, v);
        const res = await h.app.inject({
          method: 'GET',
          url: `/api/v1/contracts.csv?${params}`,
          headers: { authorization: `Bearer ${h.org.apiKey}` },
          remoteAddress: `10.255.0.${n}`,
        });
        assert.equal(res.statusCode, 200, res.body);
        const ids = res.body
          .split('\r\n')
          .slice(1, -1)
          .map((line) => line.slice(0, 36));
        assert.deepEqual(ids, expected, JSON.stringify(query));
      }
    });
  });
}
