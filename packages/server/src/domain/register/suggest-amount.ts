/** Finds the contract amount among the amounts of a contract text, ranked by the words around each. */
import { detectTaxTreatment, parseYenAmount } from '@inkan/core/text/ja-values';
import { formatMessage, inBothLanguages } from '@inkan/core/messages';
import type { FieldSuggestion } from './suggestion-types.ts';
import { labelBefore, type Sentence, sentenceIndexAt } from './text-spans.ts';

// A number as contracts write it: Arabic digits with commas (decimals are read so they can be
// refused), or kanji digits with units (壱百万, 一千二百万, 五万).
const ARABIC = String.raw`[0-9][0-9,.]*(?:[万億][0-9,]*)*`;
const KANJI = '[〇一二三四五六七八九十百千万億壱弐参拾阡萬]+';
// 金/¥ before the number, or 円 after it; at least one of them, so that 第一条 is no amount.
const MONEY = new RegExp(
  String.raw`(?:(?:[¥￥\\]|金)\s*(${ARABIC}|${KANJI})\s*(?:円|圓)?(?:也)?|(${ARABIC}|${KANJI})\s*(?:円|圓)(?:也)?)`,
  'gu',
);

/** Words naming the price of the contract itself, strongest first. */
const CONTRACT_WORDS: Array<[word: string, weight: number]> = [
  ['契約金額', 5],
  ['契約額', 5],
  ['請負代金額', 5],
  ['請負金額', 5],
  ['請負代金', 5],
  ['合計金額', 5],
  ['売買代金', 5],
  ['委託料', 4],
  ['顧問報酬', 4],
  ['保守料金', 4],
  ['基本保守料', 4],
  ['保守料', 4],
  ['ライセンス料', 4],
  ['リース料', 4],
  ['賃料', 4],
  ['地代', 4],
  ['制作費', 4],
  ['使用料', 3],
  ['報酬', 3],
  ['代金', 3],
  ['料金', 2],
  ['合計', 2],
];

/** Words naming something else: penalties, deposits, parts, unit prices, taxes, estimates. */
const OTHER_WORDS: string[] = [
  '遅延損害金',
  '損害金',
  '違約金',
  '解約金',
  '印紙',
  '敷金',
  '保証金',
  '手付金',
  '礼金',
  '共益費',
  '管理費',
  '着手金',
  '前払金',
  '残額',
  '残代金',
  '内訳',
  '単価',
  'あたり',
  '当たり',
  '1件',
  '1時間',
  '1回',
  '加算',
  '控除',
  '減額',
  '上限',
  '消費税額',
  '消費税の額',
  '消費税及び地方消費税の額',
  'うち',
  '実費',
  '最低料金',
  '初期設定費用',
  '初期費用',
  '修正',
  '再リース',
  '超過',
  '見込',
  '分割',
  '前項',
  '更新料',
  '架装費',
  '車両本体',
  '諸費用',
  '小計',
  '追加で',
  '決算',
];

const MAX_AMOUNTS = 2000;

interface AmountCandidate {
  yen: number;
  start: number;
  end: number;
  score: number;
  context: string;
  tax: 'included' | 'excluded' | null;
  basis: 'total' | 'monthly' | 'yearly';
  sentence: Sentence;
}

/** The text after an amount that may hold its tax note: up to the sentence end, or a （…） on the next line. */
function trailingNote(text: string, end: number, nextAmountStart: number): string {
  let stop = Math.min(text.length, end + 80, nextAmountStart);
  const rest = text.slice(end, stop);
  const sentenceEnd = rest.search(/。(?![）)])/u);
  const newline = rest.search(/\n(?!\s*[（(])/u);
  const cuts = [sentenceEnd, newline].filter((cut) => cut >= 0);
  if (cuts.length > 0) stop = end + Math.min(...cuts);
  return text.slice(end, stop);
}

/** Scores every amount of the text and proposes the best one as 契約金額. */
export function suggestAmount(text: string, sentences: Sentence[]): FieldSuggestion | null {
  // A contract states a handful of amounts; past this many the text is a price list, not a contract.
  const matches = [...text.matchAll(MONEY)].slice(0, MAX_AMOUNTS);
  const candidates: AmountCandidate[] = [];
  for (let i = 0; i < matches.length; i++) {
    const match = matches[i]!;
    const parsed = parseYenAmount(match[0]);
    if (!parsed.ok || parsed.value === 0) continue;
    const start = match.index;
    const end = start + match[0].length;
    const sentenceIndex = sentenceIndexAt(sentences, start);
    if (sentenceIndex < 0) continue;
    const sentence = sentences[sentenceIndex]!;
    // The words that belong to this amount: from the previous amount (or the sentence start) to it.
    const previousEnd =
      i > 0 && matches[i - 1]!.index >= sentence.start
        ? matches[i - 1]!.index + matches[i - 1]![0].length
        : sentence.start;
    const local = text.slice(previousEnd, start);
    const whole = `${labelBefore(sentences, sentenceIndex)} ${text.slice(sentence.start, start)}`;
    const nextStart = i + 1 < matches.length ? matches[i + 1]!.index : text.length;
    const note = trailingNote(text, end, nextStart);
    let score = 0;
    let context = '';
    for (const [word, weight] of CONTRACT_WORDS) {
      if (local.includes(word)) {
        score += weight * 1.5;
        context = word;
        break;
      }
    }
    if (!context) {
      for (const [word, weight] of CONTRACT_WORDS) {
        if (whole.includes(word)) {
          score += weight;
          context = word;
          break;
        }
      }
    }
    for (const word of OTHER_WORDS) if (local.includes(word)) score -= 6;
    if (/前|以内|%|％|割/u.test(text.slice(end, end + 3)) || /^\s*(につき|あたり|分の)/u.test(text.slice(end, end + 6)))
      score -= 6;
    const basisText = `${local}${note.slice(0, 12)}`;
    const basis = /月額|毎月|月\s*額/u.test(basisText)
      ? 'monthly'
      : /年額|年間|毎年/u.test(basisText)
        ? 'yearly'
        : 'total';
    if (/年間見込/u.test(basisText)) score -= 6;
    candidates.push({
      yen: parsed.value,
      start,
      end,
      score,
      context,
      tax: detectTaxTreatment(note) ?? (/^\s*[（(]?\s*うち[^）)]*消費税/u.test(note) ? 'included' : null),
      basis,
      sentence,
    });
  }
  const ranked = candidates.filter((candidate) => candidate.score >= 3);
  if (ranked.length === 0) return null;
  // Highest score wins; on a tie the first mention (contracts state the price before its parts).
  const best = ranked.reduce((a, b) => (b.score > a.score ? b : a));
  const runnerUp = ranked
    .filter((candidate) => candidate !== best && candidate.yen !== best.yen)
    .reduce((max, c) => Math.max(max, c.score), 0);
  const margin = best.score - runnerUp;
  const confidence = Math.min(0.95, 0.5 + best.score / 20 + Math.min(margin, 6) / 30);
  const others = candidates.length - 1;
  return {
    field: 'amount',
    value: { yen: best.yen, currency: 'JPY', tax: best.tax, basis: best.basis, context: best.context },
    confidence: Math.round(confidence * 100) / 100,
    source: { sentence: best.sentence.text, start: best.sentence.start, end: best.sentence.end },
    reason: inBothLanguages(
      others > 0 ? 'reg.suggestReason.amount.ranked' : 'reg.suggestReason.amount',
      (language) => ({
        context: best.context,
        basis: formatMessage(language, `reg.suggestReason.basis.${best.basis}`),
        others,
      }),
    ),
  };
}
