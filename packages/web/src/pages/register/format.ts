// How register values read on screen: yen with separators, ISO dates as dates, field names.
import { formatCalendarDate } from '@inkan/core/messages';
import type { ContractSummary, FieldSuggestion } from '../../api/register-types.ts';
import type { MessageKey } from '../../i18n/translate.ts';

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** ¥1,234,567 (税抜) style. */
export function formatYen(t: T, amount: number | null, tax: ContractSummary['tax'] = null): string {
  if (amount === null) return t('common.dash');
  const figure = `¥${new Intl.NumberFormat('ja-JP').format(amount)}`;
  return tax ? `${figure}（${t(tax === 'included' ? 'reg.tax.included' : 'reg.tax.excluded')}）` : figure;
}

/** An ISO date (YYYY-MM-DD) for people; the date is shown as written, without time zones. */
export function formatIsoDate(language: 'ja' | 'en', iso: string | null): string {
  if (!iso) return '—';
  const [year, month, day] = iso.split('-').map(Number) as [number, number, number];
  if (language === 'ja') return formatCalendarDate('ja', year, month, day);
  return new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(year, month - 1, day)),
  );
}

/** A suggestion's value in words. */
export function suggestionValue(t: T, language: 'ja' | 'en', suggestion: FieldSuggestion): string {
  switch (suggestion.field) {
    case 'amount':
      return `${formatYen(t, suggestion.value.yen, suggestion.value.tax)} ${t(`reg.basis.${suggestion.value.basis}`)}`;
    case 'startDate':
    case 'endDate':
      return formatIsoDate(language, suggestion.value);
    case 'autoRenewal':
      return suggestion.value.periodMonths
        ? t('reg.suggest.renewEvery', { n: suggestion.value.periodMonths })
        : t('reg.suggest.renews');
    case 'noticeDeadline': {
      const before = t(suggestion.value.unit === 'days' ? 'reg.suggest.daysBefore' : 'reg.suggest.monthsBefore', {
        n: suggestion.value.amount,
      });
      return suggestion.value.date ? `${before} → ${formatIsoDate(language, suggestion.value.date)}` : before;
    }
    case 'parties':
      return [
        suggestion.value.kou && t('reg.party.kou', { name: suggestion.value.kou }),
        suggestion.value.otsu && t('reg.party.otsu', { name: suggestion.value.otsu }),
      ]
        .filter(Boolean)
        .join(' / ');
  }
}
