// The register's search against an oracle, on SQLite and PostgreSQL: 1,000 random entries (plus
// another organisation's, which must never show), 300 random filter combinations (ranges, empties,
// tags, custom fields, full text, combinations, every sort in both directions), each walked page by
// page with the keyset cursor through the HTTP API; the ids, in order, must equal a brute-force
// filter and sort computed here from the raw fields.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { counterpartyNorm, searchNorm } from '../../src/domain/register/contract-model.ts';
import { newId } from '../../src/security/tokens.ts';
import { DIALECTS } from '../helpers/test-database.ts';
import { startHarness, type Harness } from './helpers/harness.ts';

const ENTRIES = 1000;
const OTHER_ENTRIES = 100;
const QUERIES = 300;
const SEED = Number(process.env.INKAN_ORACLE_SEED ?? 20261206);

/** A small seeded PRNG (mulberry32): the same seed gives the same data and queries. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const COUNTERPARTIES = [
  '株式会社山田商事',
  'ヤマダ建設株式会社',
  '合同会社ＡＢＣ',
  'abc Holdings',
  'ｶﾌﾞｼｷｶﾞｲｼｬ ｻﾄｳ',
  '佐藤工業',
  '東京都港区役所',
  'Tanaka & Co.',
  '50%商会',
  'under_score社',
  '鈴木 一郎',
  '（株）日本データ',
];
const TITLES = [
  '業務委託契約書',
  '秘密保持契約',
  '売買契約書',
  '賃貸借契約',
  '保守契約',
  '請負契約書',
  'License Agreement',
  'ＮＤＡ（相互）',
];
const WORDS = [
  '甲は乙に対し',
  '契約期間',
  '自動更新',
  '損害賠償',
  '機密情報',
  '納品物',
  '検収',
  'ＰＤＦ',
  'pdf',
  '再委託',
  '１２ヶ月',
  'Termination',
  '100%',
  'a_b',
];
const TAGS = ['重要', '更新', '法務確認', 'IT', 'ｉｔ', '2026'];
const TYPES = ['業務委託', '秘密保持', '売買', null];
const STATUSES = ['active', 'expired', 'terminated'] as const;
const DEPTS = ['総務', '営業', '開発'];

interface Entry {
  id: string;
  title: string;
  counterparties: string[];
  signedOn: string | null;
  startOn: string | null;
  endOn: string | null;
  noticeOn: string | null;
  amount: number | null;
  contractType: string | null;
  referenceNumber: string | null;
  owner: string | null;
  memo: string;
  status: (typeof STATUSES)[number];
  tags: string[];
  text: string;
  dept: string | null;
  createdAt: string;
  updatedAt: string;
}

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

    function makeEntry(owners: Array<string | null>): Entry {
      const start = chance(0.8) ? date(2019, 2027) : null;
      const end =
        start && chance(0.85)
          ? new Date(Date.parse(start) + Math.floor(random() * 1500) * 86400_000).toISOString().slice(0, 10)
          : null;
      const at = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 1000) * 3600_000).toISOString();
      return {
        id: newId(),
        title: `${pick(TITLES)}${chance(0.5) ? ` ${Math.floor(random() * 50)}` : ''}`,
        counterparties: chance(0.1)
          ? []
          : [...new Set(Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(COUNTERPARTIES)))],
        signedOn: chance(0.9) ? date(2019, 2027) : null,
        startOn: start,
        endOn: end,
        noticeOn: end && chance(0.5) ? new Date(Date.parse(end) - 90 * 86400_000).toISOString().slice(0, 10) : null,
        // Few distinct amounts: ties exercise the id tie-break of the keyset.
        amount: chance(0.85)
          ? pick([0, 1, 50_000, 100_000, 1_234_567, 9_999_999, 120_000_000, 999_999_999_999_999]) +
            (chance(0.5) ? Math.floor(random() * 1000) : 0)
          : null,
        contractType: pick(TYPES),
        referenceNumber: chance(0.6) ? `K-${String(Math.floor(random() * 300)).padStart(4, '0')}` : null,
        owner: pick(owners),
        memo: chance(0.3) ? pick(WORDS) : '',
        status: pick(STATUSES),
        tags: [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(TAGS).normalize('NFKC')))].sort(),
        text: Array.from({ length: 3 + Math.floor(random() * 8) }, () => pick(WORDS)).join(' '),
        dept: chance(0.6) ? pick(DEPTS) : null,
        createdAt: at,
        updatedAt: at,
      };
    }

    async function insert(organizationId: string, list: Entry[]): Promise<void> {
      const scope = `o:${organizationId}`;
      for (let i = 0; i < list.length; i += 100) {
        const chunk = list.slice(i, i + 100);
        await h.context.db
          .insertInto('contracts')
          .values(
            chunk.map((e) => ({
              id: e.id,
              scope,
              organization_id: organizationId,
              owner_user_id: null,
              source: 'import' as const,
              envelope_id: null,
              certificate_id: null,
              title: e.title,
              counterparties: JSON.stringify(e.counterparties),
              counterparty_norm: counterpartyNorm(e.counterparties),
              signed_on: e.signedOn,
              start_on: e.startOn,
              end_on: e.endOn,
              notice_on: e.noticeOn,
              amount: e.amount,
              tax: null,
              renewal_months: null,
              contract_type: e.contractType,
              reference_number: e.referenceNumber,
              assignee_user_id: e.owner,
              memo: e.memo,
              status: e.status,
              imported_at: e.createdAt,
              created_at: e.createdAt,
              updated_at: e.updatedAt,
            })),
          )
          .execute();
        await h.context.db
          .insertInto('contract_texts')
          .values(
            chunk.map((e) => ({
              contract_id: e.id,
              scope,
              extracted: e.text,
              search_norm: searchNorm(e.title, e.counterparties, e.text),
            })),
          )
          .execute();
        const tags = chunk.flatMap((e) => e.tags.map((tag) => ({ contract_id: e.id, scope, tag })));
        if (tags.length) await h.context.db.insertInto('contract_tags').values(tags).execute();
        const values = chunk
          .filter((e) => e.dept !== null)
          .map((e) => ({ contract_id: e.id, scope, key: 'dept', value: e.dept! }));
        if (values.length) await h.context.db.insertInto('contract_field_values').values(values).execute();
      }
    }

    before(async () => {
      h = await startHarness(dialect);
      entries = Array.from({ length: ENTRIES }, () => makeEntry([null, h.org.admin.id, h.org.viewer.id]));
      await insert(h.org.id, entries);
      await insert(
        h.other.id,
        Array.from({ length: OTHER_ENTRIES }, () => makeEntry([null, h.other.admin.id])),
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
      'field.dept': (e) => e.dept === null,
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
            checks.push((e) => e.dept === dept);
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
