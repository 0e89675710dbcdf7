// The one generator of register data, shared by the search oracle test (1,000 entries over a small,
// tricky vocabulary: LIKE wildcards, full-width and half-width forms, ties) and the register benchmark
// (1,000,000 entries over 10,000 counterparties, 2 KB Japanese texts). A profile says which vocabulary and
// distributions to draw from; the entry model, the id scheme, the PRNG and the insertion into the tables
// (the search columns computed exactly as the application computes them) are the same for both.
import type { Insertable, Kysely } from 'kysely';
import { counterpartyNorm, searchNorm } from '../../src/domain/register/contract-model.ts';
import type { Schema } from '../../src/ports/database.ts';

/** A small seeded PRNG (mulberry32): the same seed gives the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CONTRACT_STATUSES = ['active', 'expired', 'terminated'] as const;

/** One generated register entry: the fields a search filters on, as a person would have entered them. */
export interface RegisterEntry {
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
  status: (typeof CONTRACT_STATUSES)[number];
  tags: string[];
  /** The documents' text layer. */
  text: string;
  /** Custom field values by key. */
  fields: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

/** Which vocabulary and distributions a data set draws from. */
export interface RegisterProfile {
  /** The pool of counterparty names (drawn uniformly). */
  counterparties: { count: number; name: (i: number) => string };
  /** Names per entry: 1, or with `extraCounterpartyChance` 1 + 1…this many more (repeats dropped); none with `noCounterpartyChance`. */
  extraCounterparties: number;
  extraCounterpartyChance: number;
  noCounterpartyChance: number;
  titles: readonly string[];
  /** Numbered titles: 'index' — title number index mod the list, then the index ("保守契約書 12345", unique); 'random' — a random title with a small number half the time (ties). */
  titleNumber: 'index' | 'random';
  /** Years of 締結日 and 契約開始日 [from, to). */
  years: [number, number];
  signedChance: number;
  startChance: number;
  endChance: number;
  noticeChance: number;
  /** 'log-uniform': 10^4–10^9 yen rounded to 1,000; 'ties': a few values (ties exercise the keyset's id tie-break). */
  amounts: 'log-uniform' | 'ties';
  amountChance: number;
  /** The text: pieces drawn from `phrases`, joined by `joiner`, until at least `textChars` characters (or 3–10 pieces when 0). */
  phrases: readonly string[];
  joiner: string;
  textChars: number;
  tags: readonly string[];
  /** Tags per entry: up to this many (distinct). */
  maxTags: number;
  tagChance: number;
  contractTypes: readonly (string | null)[];
  referenceChance: number;
  memos: readonly string[];
  memoChance: number;
  statuses: readonly (typeof CONTRACT_STATUSES)[number][];
  customField: { key: string; values: readonly string[]; chance: number } | null;
}

const BENCH_PREFIX = ['株式会社', '有限会社', '合同会社', ''];
const BENCH_STEMS = [
  '山田',
  '佐藤',
  '鈴木',
  '高橋',
  '田中',
  '伊藤',
  '渡辺',
  '中村',
  '小林',
  '加藤',
  '吉田',
  '山本',
  'サクラ',
  'ミライ',
  'アオバ',
  'ひかり',
];
const BENCH_KINDS = ['商事', '建設', '工業', 'システムズ', 'ホールディングス', '物産', 'テクノロジー', 'サービス'];
/** The benchmark's counterparty number i (10,000 distinct names). */
export const benchCounterpartyName = (i: number): string =>
  `${BENCH_PREFIX[i % 4]}${BENCH_STEMS[i % 16]}${BENCH_KINDS[Math.floor(i / 16) % 8]}${String(i).padStart(5, '0')}`;
export const BENCH_STEM_AND_KIND = `${BENCH_STEMS[3]}${BENCH_KINDS[2]}`;

const CONTRACT_TITLES = [
  '業務委託契約書',
  '秘密保持契約書',
  '売買基本契約書',
  '賃貸借契約書',
  '保守契約書',
  '請負契約書',
  'ライセンス契約書',
];

/** Clauses of real contracts: the benchmark's 2 KB texts are made of them (so every text shares phrases). */
export const CONTRACT_SENTENCES = [
  '甲及び乙は、本契約の履行にあたり知り得た相手方の秘密情報を第三者に開示してはならない。',
  '本契約の有効期間は、契約締結日から一年間とし、期間満了の三ヶ月前までに書面による申出がない場合は同一条件で更新する。',
  '乙は、甲の事前の書面による承諾を得ることなく、本業務の全部又は一部を第三者に再委託してはならない。',
  '委託料は月額金五十万円（消費税別）とし、乙は毎月末日締めで請求書を発行する。',
  '甲又は乙が本契約に違反したときは、相手方は催告の上、本契約を解除することができる。',
  '本契約に関する一切の紛争については、東京地方裁判所を第一審の専属的合意管轄裁判所とする。',
];

/** The benchmark: a large organisation's register (realistic names, dates 2015–2030, amounts 10^4–10^9 yen). */
export function benchProfile(options: { textChars: number }): RegisterProfile {
  return {
    counterparties: { count: 10_000, name: benchCounterpartyName },
    extraCounterparties: 1,
    extraCounterpartyChance: 0.2,
    noCounterpartyChance: 0,
    titles: CONTRACT_TITLES,
    titleNumber: 'index',
    years: [2015, 2030],
    signedChance: 1,
    startChance: 0.9,
    endChance: 0.85,
    noticeChance: 0.4,
    amounts: 'log-uniform',
    amountChance: 0.9,
    phrases: options.textChars > 0 ? CONTRACT_SENTENCES : [],
    joiner: '',
    textChars: options.textChars,
    tags: ['重要', '更新', '法務確認'],
    maxTags: 1,
    tagChance: 0.3,
    contractTypes: CONTRACT_TITLES.map((t) => t.replace('書', '')),
    referenceChance: 1,
    memos: [],
    memoChance: 0,
    statuses: ['active'],
    customField: null,
  };
}

const ORACLE_COUNTERPARTIES = [
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
const ORACLE_TITLES = [
  '業務委託契約書',
  '秘密保持契約',
  '売買契約書',
  '賃貸借契約',
  '保守契約',
  '請負契約書',
  'License Agreement',
  'ＮＤＡ（相互）',
];
const ORACLE_WORDS = [
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

/** The oracle: a small vocabulary full of edge cases (LIKE wildcards, NFKC forms, few distinct values). */
export const ORACLE_PROFILE: RegisterProfile = {
  counterparties: { count: ORACLE_COUNTERPARTIES.length, name: (i) => ORACLE_COUNTERPARTIES[i]! },
  extraCounterparties: 2,
  extraCounterpartyChance: 0.67,
  noCounterpartyChance: 0.1,
  titles: ORACLE_TITLES,
  titleNumber: 'random',
  years: [2019, 2027],
  signedChance: 0.9,
  startChance: 0.8,
  endChance: 0.85,
  noticeChance: 0.5,
  amounts: 'ties',
  amountChance: 0.85,
  phrases: ORACLE_WORDS,
  joiner: ' ',
  textChars: 0,
  tags: ['重要', '更新', '法務確認', 'IT', 'ｉｔ', '2026'],
  maxTags: 2,
  tagChance: 0.67,
  contractTypes: ['業務委託', '秘密保持', '売買', null],
  referenceChance: 0.6,
  memos: ORACLE_WORDS,
  memoChance: 0.3,
  statuses: CONTRACT_STATUSES,
  customField: { key: 'dept', values: ['総務', '営業', '開発'], chance: 0.6 },
};
/** The words of the oracle's texts, memos, titles and names (its `q` and counterparty searches cut pieces of them). */
export const ORACLE_VOCABULARY = {
  counterparties: ORACLE_COUNTERPARTIES,
  titles: ORACLE_TITLES,
  words: ORACLE_WORDS,
} as const;

const DAY = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const TIE_AMOUNTS = [0, 1, 50_000, 100_000, 1_234_567, 9_999_999, 120_000_000, 999_999_999_999_999];

/** Entries `from` … `from + count - 1` of a data set, drawn from `random` in order (lazily: a million need no memory). */
export function* registerEntries(
  profile: RegisterProfile,
  random: () => number,
  options: { count: number; from?: number; owners?: ReadonlyArray<string | null> },
): Generator<RegisterEntry> {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const chance = (p: number) => random() < p;
  const [fromYear, toYear] = profile.years;
  const start = Date.UTC(fromYear, 0, 1);
  const span = Date.UTC(toYear, 0, 1) - start;
  const owners = options.owners ?? [null];
  const first = options.from ?? 0;
  for (let index = first; index < first + options.count; index++) {
    const hex = Array.from({ length: 4 }, () =>
      Math.floor(random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0'),
    ).join('');
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    const names: string[] = [];
    if (!chance(profile.noCounterpartyChance)) {
      const wanted =
        1 + (chance(profile.extraCounterpartyChance) ? 1 + Math.floor(random() * profile.extraCounterparties) : 0);
      for (let n = 0; n < wanted; n++) {
        const name = profile.counterparties.name(Math.floor(random() * profile.counterparties.count));
        if (!names.includes(name)) names.push(name);
      }
    }
    const signed = start + Math.floor(random() * (span / DAY)) * DAY;
    const startMs = start + Math.floor(random() * (span / DAY)) * DAY;
    const startOn = chance(profile.startChance) ? isoDay(startMs) : null;
    const endMs = startMs + Math.floor(random() * 1800) * DAY;
    const endOn = startOn && chance(profile.endChance) ? isoDay(endMs) : null;
    const noticeOn = endOn && chance(profile.noticeChance) ? isoDay(endMs - 90 * DAY) : null;
    const amount = chance(profile.amountChance)
      ? profile.amounts === 'log-uniform'
        ? Math.round(10 ** (4 + random() * 5) / 1000) * 1000
        : pick(TIE_AMOUNTS) + (chance(0.5) ? Math.floor(random() * 1000) : 0)
      : null;
    const title =
      profile.titleNumber === 'index'
        ? `${profile.titles[index % profile.titles.length]} ${index}`
        : `${pick(profile.titles)}${chance(0.5) ? ` ${Math.floor(random() * 50)}` : ''}`;
    const pieces: string[] = [];
    if (profile.phrases.length === 0) {
      // no text layer (a scanned paper contract)
    } else if (profile.textChars > 0) {
      let length = 0;
      while (length < profile.textChars) {
        const phrase = pick(profile.phrases);
        pieces.push(phrase);
        length += phrase.length + profile.joiner.length;
      }
    } else {
      const n = 3 + Math.floor(random() * 8);
      for (let i = 0; i < n; i++) pieces.push(pick(profile.phrases));
    }
    const tags = new Set<string>();
    if (chance(profile.tagChance)) {
      const n = 1 + Math.floor(random() * profile.maxTags);
      for (let i = 0; i < n; i++) tags.add(pick(profile.tags).normalize('NFKC'));
    }
    const fields: Record<string, string> = {};
    if (profile.customField && chance(profile.customField.chance))
      fields[profile.customField.key] = pick(profile.customField.values);
    const at = new Date(Date.UTC(2025, 0, 1) + Math.floor(random() * 1000) * 3600_000).toISOString();
    yield {
      id,
      title,
      counterparties: names,
      signedOn: chance(profile.signedChance) ? isoDay(signed) : null,
      startOn,
      endOn,
      noticeOn,
      amount,
      contractType: pick(profile.contractTypes),
      referenceNumber: chance(profile.referenceChance) ? `K-${String(index).padStart(6, '0')}` : null,
      owner: pick(owners),
      memo: chance(profile.memoChance) ? pick(profile.memos) : '',
      status: pick(profile.statuses),
      tags: [...tags].sort(),
      text: pieces.join(profile.joiner),
      fields,
      createdAt: at,
      updatedAt: at,
    };
  }
}

/**
 * Inserts entries into an organisation's register in transactions of `batch` entries, with the search
 * columns (counterparty_norm, search_norm) computed by the application's own functions.
 */
export async function insertRegisterEntries(
  db: Kysely<Schema>,
  organizationId: string,
  entries: Iterable<RegisterEntry>,
  options: { batch?: number; onBatch?: (inserted: number) => void } = {},
): Promise<number> {
  const scope = `o:${organizationId}`;
  // 1,000 rows × 25 columns stays under SQLite's 32,766 bound parameters.
  const batch = options.batch ?? 1000;
  let inserted = 0;
  let chunk: RegisterEntry[] = [];
  const flush = async () => {
    if (chunk.length === 0) return;
    const list = chunk;
    chunk = [];
    const contracts: Array<Insertable<Schema['contracts']>> = list.map((e) => ({
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
    }));
    const texts = list.map((e) => ({
      contract_id: e.id,
      scope,
      extracted: e.text,
      search_norm: searchNorm(e.title, e.counterparties, e.text),
    }));
    const tags = list.flatMap((e) => e.tags.map((tag) => ({ contract_id: e.id, scope, tag })));
    const values = list.flatMap((e) =>
      Object.entries(e.fields).map(([key, value]) => ({ contract_id: e.id, scope, key, value })),
    );
    await db.transaction().execute(async (tx) => {
      await tx.insertInto('contracts').values(contracts).execute();
      // Texts are 2 KB each in the benchmark: smaller statements keep PostgreSQL's message size modest.
      for (let i = 0; i < texts.length; i += 250)
        await tx
          .insertInto('contract_texts')
          .values(texts.slice(i, i + 250))
          .execute();
      if (tags.length) await tx.insertInto('contract_tags').values(tags).execute();
      if (values.length) await tx.insertInto('contract_field_values').values(values).execute();
    });
    inserted += list.length;
    options.onBatch?.(inserted);
  };
  for (const entry of entries) {
    chunk.push(entry);
    if (chunk.length >= batch) await flush();
  }
  await flush();
  return inserted;
}
