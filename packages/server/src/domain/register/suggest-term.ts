/** Finds the contract term (開始日・満了日), automatic renewal and the notice deadline in a contract text. */
import { addDaysIso, addMonthsIso, parseJapaneseDate, parseJapaneseNumber } from '@inkan/core/text/ja-values';
import { formatMessage, inBothLanguages, type InBothLanguages, type Language } from '@inkan/core/messages';
import type { FieldSuggestion, SuggestionSource } from './suggestion-types.ts';
import { labelBefore, type Sentence } from './text-spans.ts';

const K = '[〇一二三四五六七八九十]';
const DATE = String.raw`(?:(?:令和|平成|昭和|大正)\s*(?:元|[0-9]{1,2}|${K}{1,3})\s*年\s*(?:[0-9]{1,2}|${K}{1,3})\s*月\s*(?:[0-9]{1,2}|${K}{1,3})\s*日|(?:[0-9]{4}|${K}{4})\s*年\s*(?:[0-9]{1,2}|${K}{1,3})\s*月\s*(?:[0-9]{1,2}|${K}{1,3})\s*日|[0-9]{4}[/.-][0-9]{1,2}[/.-][0-9]{1,2})`;
const DURATION = String.raw`([0-9]{1,3}|${K}{1,3})\s*(年|ヶ年|か年|か月|ヶ月|ヵ月|カ月|ケ月|箇月)\s*間?`;
const PERIOD_WORDS = /期間|工期|有効|効力|存続/u;
const FROM_TO = new RegExp(
  String.raw`(?:自\s*(${DATE})\s*[、,]?\s*至\s*(${DATE}))|(?:(${DATE})\s*(?:から|より|[~〜～]|[-－ー]\s*)\s*(${DATE}))|(?:(?:着手|着工)\s*(${DATE})[\s、,]*(?:完成|竣工)\s*(${DATE}))`,
  'u',
);
const FROM_FOR = new RegExp(String.raw`(${DATE})\s*(?:から|より|を始期とする)(?:\s*起算して)?\s*${DURATION}`, 'u');
const SIGNING_FOR = new RegExp(String.raw`締結(?:日|の日)\s*(?:から|より)\s*${DURATION}`, 'u');
const DATE_ONLY_LINE = new RegExp(String.raw`^\s*(${DATE})\s*$`, 'u');
// The condition of an automatic renewal: "unless one party gives notice" (申出がない / 通知をしない限り …).
const NO_NOTICE = /(申出|申し出|申入れ|申入|意思表示|通知)(が|を)?(ない|なされない|しない|なき)/u;
const RENEWS = /(更新|延長)/u;
const NOTICE_BEFORE_END = new RegExp(
  String.raw`満了(?:日|の日)?の?\s*([0-9]{1,3}|${K}{1,3})\s*(か月|ヶ月|ヵ月|カ月|ケ月|箇月|日)\s*前`,
  'u',
);

function toDate(raw: string | undefined): string | null {
  if (!raw) return null;
  // Contracts drafted before 2019-05 name dates such as 平成32年3月31日; they mean 2020.
  const parsed = parseJapaneseDate(raw, { allowEraOverflow: true });
  return parsed.ok ? parsed.value : null;
}

function durationMonths(count: string, unit: string): number | null {
  const value = parseJapaneseNumber(count);
  if (value === null || value <= 0n || value > 1200n) return null;
  return unit.includes('年') ? Number(value) * 12 : Number(value);
}

function sourceOf(sentence: Sentence): SuggestionSource {
  return { sentence: sentence.text, start: sentence.start, end: sentence.end };
}

/** The date the contract was signed, as the line holding only a date near the end states it. */
function signingDate(sentences: Sentence[]): { date: string; sentence: Sentence } | null {
  for (let i = sentences.length - 1; i >= 0; i--) {
    const match = DATE_ONLY_LINE.exec(sentences[i]!.text);
    const date = toDate(match?.[1]);
    if (date) return { date, sentence: sentences[i]! };
  }
  return null;
}

interface Term {
  start: string | null;
  end: string | null;
  sentence: Sentence;
  confidence: number;
  how: InBothLanguages;
}

/** A duration in a reason: in Japanese as the contract wrote it (1年, 6か月), in English in months. */
function durationWords(language: Language, written: string, months: number): string {
  return language === 'ja' ? written : formatMessage('en', 'reg.suggestReason.months', { n: months });
}

function findTerm(sentences: Sentence[]): Term | null {
  for (const [index, sentence] of sentences.entries()) {
    if (!PERIOD_WORDS.test(sentence.text) && !PERIOD_WORDS.test(labelBefore(sentences, index))) continue;
    const pair = FROM_TO.exec(sentence.text);
    if (pair) {
      const start = toDate(pair[1] ?? pair[3] ?? pair[5]);
      const end = toDate(pair[2] ?? pair[4] ?? pair[6]);
      if (start && end && end >= start) {
        return {
          start,
          end,
          sentence,
          confidence: 0.9,
          how: inBothLanguages('reg.suggestReason.term.stated'),
        };
      }
    }
    const span = FROM_FOR.exec(sentence.text);
    if (span) {
      const start = toDate(span[1]);
      const months = durationMonths(span[2]!, span[3]!);
      if (start && months) {
        return {
          start,
          end: addDaysIso(addMonthsIso(start, months), -1),
          sentence,
          confidence: 0.8,
          how: inBothLanguages('reg.suggestReason.term.fromStart', (language) => ({
            duration: durationWords(language, `${span[2]}${span[3]}`, months),
          })),
        };
      }
    }
    const fromSigning = SIGNING_FOR.exec(sentence.text);
    if (fromSigning) {
      const signed = signingDate(sentences);
      const months = durationMonths(fromSigning[1]!, fromSigning[2]!);
      if (signed && months) {
        return {
          start: signed.date,
          end: addDaysIso(addMonthsIso(signed.date, months), -1),
          sentence,
          confidence: 0.6,
          how: inBothLanguages('reg.suggestReason.term.fromSigning', (language) => ({
            signed: signed.sentence.text,
            duration: durationWords(language, `${fromSigning[1]}${fromSigning[2]}`, months),
          })),
        };
      }
    }
  }
  return null;
}

/** Proposes 契約開始日, 契約満了日, 自動更新 and 解約通知期限. */
export function suggestTerm(sentences: Sentence[]): FieldSuggestion[] {
  const suggestions: FieldSuggestion[] = [];
  const term = findTerm(sentences);
  if (term?.start) {
    suggestions.push({
      field: 'startDate',
      value: term.start,
      confidence: term.confidence,
      source: sourceOf(term.sentence),
      reason: inBothLanguages('reg.suggestReason.startDate', (language) => ({ how: term.how[language] })),
    });
  }
  if (term?.end) {
    suggestions.push({
      field: 'endDate',
      value: term.end,
      confidence: term.confidence,
      source: sourceOf(term.sentence),
      reason: inBothLanguages('reg.suggestReason.endDate', (language) => ({ how: term.how[language] })),
    });
  }
  for (const sentence of sentences) {
    if (!(NO_NOTICE.test(sentence.text) && RENEWS.test(sentence.text))) continue;
    // The renewal period is the duration right before 更新/延長 (not the "N か月前" of the notice).
    const renewal = new RegExp(String.raw`${DURATION}(?![前])[^。]{0,16}?(?:更新|延長)`, 'u').exec(sentence.text);
    const periodMonths = renewal ? durationMonths(renewal[1]!, renewal[2]!) : null;
    suggestions.push({
      field: 'autoRenewal',
      value: { renews: true, periodMonths },
      confidence: periodMonths ? 0.85 : 0.7,
      source: sourceOf(sentence),
      reason: periodMonths
        ? inBothLanguages('reg.suggestReason.autoRenewal', { months: periodMonths })
        : inBothLanguages('reg.suggestReason.autoRenewal.noPeriod'),
    });
    break;
  }
  for (const sentence of sentences) {
    const notice = NOTICE_BEFORE_END.exec(sentence.text);
    if (!notice) continue;
    // Only a deadline for ending or refusing renewal, not one for agreeing on something else.
    if (!(NO_NOTICE.test(sentence.text) || /解約|終了|更新拒絶|更新しない/u.test(sentence.text))) continue;
    const count = parseJapaneseNumber(notice[1]!);
    if (count === null || count <= 0n || count > 1000n) continue;
    const amount = Number(count);
    const unit = notice[2] === '日' ? 'days' : 'months';
    const date = term?.end ? (unit === 'days' ? addDaysIso(term.end, -amount) : addMonthsIso(term.end, -amount)) : null;
    suggestions.push({
      field: 'noticeDeadline',
      value: { amount, unit, date },
      confidence: 0.85,
      source: sourceOf(sentence),
      reason: inBothLanguages(date ? 'reg.suggestReason.notice.date' : 'reg.suggestReason.notice', (language) => ({
        amount,
        unit: formatMessage(language, `reg.suggestReason.unit.${unit}`),
        date: date ?? '',
      })),
    });
    break;
  }
  return suggestions;
}
