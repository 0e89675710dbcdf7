/**
 * Parsers for the values people write in Japanese contracts and type into forms: yen amounts
 * (`１，２３４，５６７円`, `¥1,234,567`, `金壱百万円`, `1,200万円`) and dates (`2026-04-01`,
 * `令和8年4月1日`, `令和元年５月１日`). Shared by the server (API validation, field suggestions) and
 * the web UI (form validation), so it imports nothing: no Node API, no DOM.
 */

/** A bilingual message, Japanese first. */
export interface JaEnMessage {
  ja: string;
  en: string;
}

/** Stable codes of the refusals below. */
export type JaValueErrorCode =
  | 'AMOUNT_EMPTY'
  | 'AMOUNT_NOT_NUMERIC'
  | 'AMOUNT_NEGATIVE'
  | 'AMOUNT_NOT_INTEGER'
  | 'AMOUNT_TOO_LARGE'
  | 'DATE_EMPTY'
  | 'DATE_FORMAT'
  | 'DATE_NOT_IN_CALENDAR'
  | 'DATE_OUT_OF_ERA'
  | 'DATE_OUT_OF_RANGE'
  | 'DATE_RANGE_REVERSED'
  | 'AMOUNT_RANGE_REVERSED';

/** The result of a parse: the value, or a stable code with a message in both languages. */
export type JaParseResult<T> = { ok: true; value: T } | { ok: false; code: JaValueErrorCode; message: JaEnMessage };

/** The largest amount accepted: 10^15 yen (1,000兆円). */
export const MAX_YEN_AMOUNT = 1_000_000_000_000_000;

/** Longest input looked at: bounds the work done on hostile input. */
const MAX_INPUT_LENGTH = 200;

const messages: Record<JaValueErrorCode, JaEnMessage> = {
  AMOUNT_EMPTY: { ja: '金額を入力してください。', en: 'Enter an amount.' },
  AMOUNT_NOT_NUMERIC: {
    ja: '金額は数字で入力してください（例: 1,234,567円）。',
    en: 'Enter the amount as a number (e.g. 1,234,567).',
  },
  AMOUNT_NEGATIVE: { ja: '金額にマイナスは指定できません。', en: 'The amount cannot be negative.' },
  AMOUNT_NOT_INTEGER: { ja: '金額は1円単位の整数で入力してください。', en: 'Enter the amount in whole yen.' },
  AMOUNT_TOO_LARGE: {
    ja: '金額が大きすぎます（上限は1,000兆円です）。',
    en: 'The amount is too large (the limit is 10^15 yen).',
  },
  DATE_EMPTY: { ja: '日付を入力してください。', en: 'Enter a date.' },
  DATE_FORMAT: {
    ja: '日付の形式が正しくありません（例: 2026-04-01、令和8年4月1日）。',
    en: 'The date format is not valid (e.g. 2026-04-01 or 令和8年4月1日).',
  },
  DATE_NOT_IN_CALENDAR: { ja: '存在しない日付です。', en: 'This date does not exist.' },
  DATE_OUT_OF_ERA: {
    ja: '元号の期間外の日付です。',
    en: 'The date falls outside the given Japanese era.',
  },
  DATE_OUT_OF_RANGE: {
    ja: '日付は1900年から2999年の間で入力してください。',
    en: 'Enter a date between the years 1900 and 2999.',
  },
  DATE_RANGE_REVERSED: {
    ja: '終了日は開始日と同じ日かそれより後にしてください。',
    en: 'The end date must be on or after the start date.',
  },
  AMOUNT_RANGE_REVERSED: {
    ja: '上限の金額は下限の金額以上にしてください。',
    en: 'The maximum amount must be at least the minimum amount.',
  },
};

function refuse<T>(code: JaValueErrorCode): JaParseResult<T> {
  return { ok: false, code, message: messages[code] };
}

/** Full-width ASCII (digits, letters, punctuation) and the ideographic space to their half-width forms. */
export function toHalfWidth(input: string): string {
  return input.replace(/[\uFF01-\uFF5E\u3000]/g, (ch) =>
    ch === '\u3000' ? ' ' : String.fromCharCode(ch.charCodeAt(0) - 0xfee0),
  );
}

// Digits, including the 大字 (壱弐参) contracts use so that figures cannot be altered.
const KANJI_DIGITS: Record<string, number> = {
  〇: 0,
  零: 0,
  一: 1,
  壱: 1,
  壹: 1,
  二: 2,
  弐: 2,
  貳: 2,
  三: 3,
  参: 3,
  參: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陸: 6,
  七: 7,
  漆: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const SMALL_UNITS: Record<string, number> = { 十: 10, 拾: 10, 百: 100, 佰: 100, 陌: 100, 千: 1000, 阡: 1000, 仟: 1000 };
const LARGE_UNITS: Record<string, bigint> = { 万: 10_000n, 萬: 10_000n, 億: 100_000_000n, 兆: 1_000_000_000_000n };

/** Characters that may appear in a Japanese number (without the units 円/金). */
export const JAPANESE_NUMBER_CHARS = '0-9,，、.〇零一壱壹二弐貳三参參四肆五伍六陸七漆八捌九玖十拾百佰陌千阡仟万萬億兆';

/**
 * Reads a number written with Arabic digits, kanji digits and units (一千二百万, 1,200万, 壱百万,
 * 二〇二六). Returns null when the text is not a whole number. Works in bigint so that a huge
 * input cannot lose precision before the range check.
 */
export function parseJapaneseNumber(raw: string): bigint | null {
  const text = toHalfWidth(raw).replace(/[,，、]/g, '');
  if (text.length === 0 || text.length > MAX_INPUT_LENGTH) return null;
  let total = 0n; // sum of completed 万/億/兆 groups
  let group = 0n; // the current group below 万
  let pending: bigint | null = null; // digits read but not yet given a unit
  let lastLarge = Infinity; // large units must come in decreasing order
  let lastSmall = Infinity; // and small units too, within a group
  let sawDigitOrUnit = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < text.length && text[j]! >= '0' && text[j]! <= '9') j++;
      if (pending !== null) return null; // two digit runs in a row
      pending = BigInt(text.slice(i, j));
      i = j - 1;
      sawDigitOrUnit = true;
      continue;
    }
    if (ch in KANJI_DIGITS) {
      // Positional kanji digits (二〇二六) append; otherwise start a new digit run.
      pending = (pending ?? 0n) * 10n + BigInt(KANJI_DIGITS[ch]!);
      sawDigitOrUnit = true;
      continue;
    }
    if (ch in SMALL_UNITS) {
      const unit = SMALL_UNITS[ch]!;
      if (unit >= lastSmall) return null;
      lastSmall = unit;
      group += (pending ?? 1n) * BigInt(unit);
      pending = null;
      sawDigitOrUnit = true;
      continue;
    }
    if (ch in LARGE_UNITS) {
      const unit = LARGE_UNITS[ch]!;
      const unitRank = Number(unit);
      if (unitRank >= lastLarge) return null;
      lastLarge = unitRank;
      const value = group + (pending ?? 0n);
      if (value === 0n) return null; // 万 with nothing before it
      total += value * unit;
      group = 0n;
      pending = null;
      lastSmall = Infinity;
      sawDigitOrUnit = true;
      continue;
    }
    return null;
  }
  if (!sawDigitOrUnit) return null;
  return total + group + (pending ?? 0n);
}

/**
 * Parses a yen amount typed by a person or found in a contract: `１，２３４，５６７円`, `1,234,567`,
 * `¥1,234,567`, `金1,200万円`, `金壱百万円也`, `1,100,000円（税込）`. Refuses negatives, decimals,
 * anything non-numeric and amounts over 10^15.
 */
export function parseYenAmount(input: string): JaParseResult<number> {
  if (typeof input !== 'string') return refuse('AMOUNT_NOT_NUMERIC');
  let text = toHalfWidth(input).trim();
  if (text.length === 0) return refuse('AMOUNT_EMPTY');
  if (text.length > MAX_INPUT_LENGTH) return refuse('AMOUNT_NOT_NUMERIC');
  // A tax note after the figure is information, not part of the number.
  text = text.replace(
    /\s*[(（]?\s*(税込み?|税抜き?|税別|消費税(等)?(込み?|抜き?|別|を含む|を含まない))\s*[)）]?\s*$/u,
    '',
  );
  if (/^[-−‐–ー－▲△]/u.test(text)) return refuse('AMOUNT_NEGATIVE');
  text = text
    .replace(/^[¥￥\\]\s*/u, '')
    .replace(/^金\s*/u, '')
    .replace(/\s*(円|圓)\s*(也|整)?$/u, '')
    .replace(/\s*(JPY|yen)$/iu, '')
    .replace(/\s+/g, '');
  if (/^[-−‐–ー－▲△]/u.test(text)) return refuse('AMOUNT_NEGATIVE');
  if (/^\d[\d,]*\.\d+$/u.test(text)) {
    // 1,000.00 is an integer written with decimals; 1,000.50 is not a yen amount.
    if (!/\.0+$/u.test(text)) return refuse('AMOUNT_NOT_INTEGER');
    text = text.replace(/\.0+$/u, '');
  }
  // Commas must group by three when they are used between Arabic digits.
  for (const run of text.match(/[\d,]+/gu) ?? []) {
    if (run.includes(',') && !/^\d{1,3}(,\d{3})+$/u.test(run)) return refuse('AMOUNT_NOT_NUMERIC');
  }
  const value = parseJapaneseNumber(text);
  if (value === null) return refuse('AMOUNT_NOT_NUMERIC');
  if (value > BigInt(MAX_YEN_AMOUNT)) return refuse('AMOUNT_TOO_LARGE');
  return { ok: true, value: Number(value) };
}

/** Whether a tax note in a text says the amount includes or excludes consumption tax. */
export function detectTaxTreatment(text: string): 'included' | 'excluded' | null {
  const normalized = toHalfWidth(text);
  if (/税込|消費税(及び地方消費税)?(等)?を?含む|消費税(等)?込|内税/u.test(normalized)) return 'included';
  if (/税抜|税別|消費税(及び地方消費税)?(等)?(は|を)?別|消費税(等)?を含まない|外税|別途消費税/u.test(normalized)) {
    return 'excluded';
  }
  return null;
}

interface Era {
  name: string;
  /** Gregorian year of the era's first year (元年). */
  base: number;
  first: string; // ISO date of the first day
  last: string | null; // ISO date of the last day, null while current
}

// The modern eras; their boundaries are exact so that 平成31年5月1日 is caught.
const ERAS: Era[] = [
  { name: '令和', base: 2019, first: '2019-05-01', last: null },
  { name: '平成', base: 1989, first: '1989-01-08', last: '2019-04-30' },
  { name: '昭和', base: 1926, first: '1926-12-25', last: '1989-01-07' },
  { name: '大正', base: 1912, first: '1912-07-30', last: '1926-12-24' },
];
const ERA_ALIASES: Record<string, string> = { R: '令和', H: '平成', S: '昭和', T: '大正' };

/** Era names for use in patterns that find dates in text. */
export const ERA_NAMES = ERAS.map((era) => era.name);

/** Options of parseJapaneseDate. */
export interface DateParseOptions {
  /**
   * Accept era years past the era's end (平成32年 written before the change of era means 2020);
   * contracts drafted in 2019 contain these. Off for form input.
   */
  allowEraOverflow?: boolean;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function readDatePart(raw: string): number | null {
  if (raw === '元') return 1;
  const value = parseJapaneseNumber(raw);
  if (value === null || value > 100_000n) return null;
  return Number(value);
}

/**
 * Parses a date: `2026-04-01`, `2026/4/1`, `2026.4.1`, `2026年4月1日`, `令和8年4月1日`, `令和元年5月1日`,
 * `R8.4.1`, full-width or kanji digits (令和八年四月一日). Returns the ISO date `YYYY-MM-DD`.
 * Refuses dates that do not exist (`2026-02-30`) and era dates outside their era.
 */
export function parseJapaneseDate(input: string, options: DateParseOptions = {}): JaParseResult<string> {
  if (typeof input !== 'string') return refuse('DATE_FORMAT');
  const text = toHalfWidth(input).trim().replace(/\s+/g, '');
  if (text.length === 0) return refuse('DATE_EMPTY');
  if (text.length > 40) return refuse('DATE_FORMAT');
  const num = '[0-9〇零一二三四五六七八九十]+';
  let era: Era | undefined;
  let yearRaw: string;
  let monthRaw: string;
  let dayRaw: string;
  const western = new RegExp(`^(${num})(?:年(${num})月(${num})日|([-/.])(${num})\\4(${num}))$`, 'u').exec(text);
  const eraMatch = new RegExp(
    `^(令和|平成|昭和|大正|[RHST])(元|${num})(?:年(${num})月(${num})日|([-/.])(${num})\\5(${num}))$`,
    'u',
  ).exec(text);
  if (eraMatch) {
    const name = ERA_ALIASES[eraMatch[1]!] ?? eraMatch[1]!;
    era = ERAS.find((candidate) => candidate.name === name)!;
    yearRaw = eraMatch[2]!;
    monthRaw = eraMatch[3] ?? eraMatch[6]!;
    dayRaw = eraMatch[4] ?? eraMatch[7]!;
  } else if (western) {
    yearRaw = western[1]!;
    monthRaw = western[2] ?? western[5]!;
    dayRaw = western[3] ?? western[6]!;
    // A Western year is written in full: '26-04-01' is ambiguous.
    if (!/^(\d{4}|[〇零一二三四五六七八九]{4})$/u.test(yearRaw)) return refuse('DATE_FORMAT');
  } else {
    return refuse('DATE_FORMAT');
  }
  const yearNumber = readDatePart(yearRaw);
  const month = readDatePart(monthRaw);
  const day = readDatePart(dayRaw);
  if (yearNumber === null || month === null || day === null) return refuse('DATE_FORMAT');
  if (era && yearNumber < 1) return refuse('DATE_NOT_IN_CALENDAR');
  const year = era ? era.base + yearNumber - 1 : yearNumber;
  if (year < 1900 || year > 2999) return refuse('DATE_OUT_OF_RANGE');
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return refuse('DATE_NOT_IN_CALENDAR');
  const value = isoDate(year, month, day);
  if (era) {
    if (value < era.first) return refuse('DATE_OUT_OF_ERA');
    if (era.last !== null && value > era.last && !options.allowEraOverflow) return refuse('DATE_OUT_OF_ERA');
  }
  return { ok: true, value };
}

/** Adds months to an ISO date, clamping to the month's last day (1月31日 + 1か月 = 2月28日/29日). */
export function addMonthsIso(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return isoDate(year, month, Math.min(d, daysInMonth(year, month)));
}

/** Adds days (may be negative) to an ISO date. */
export function addDaysIso(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const shifted = new Date(Date.UTC(y, m - 1, d + days));
  return isoDate(shifted.getUTCFullYear(), shifted.getUTCMonth() + 1, shifted.getUTCDate());
}

/** Checks that an ISO date range is in order (満了日 not before 開始日); open ends always pass. */
export function checkDateOrder(start: string | null, end: string | null): JaParseResult<true> {
  return start !== null && end !== null && end < start ? refuse('DATE_RANGE_REVERSED') : { ok: true, value: true };
}

/** Checks that an amount range is in order; open ends always pass. */
export function checkAmountOrder(min: number | null, max: number | null): JaParseResult<true> {
  return min !== null && max !== null && max < min ? refuse('AMOUNT_RANGE_REVERSED') : { ok: true, value: true };
}
