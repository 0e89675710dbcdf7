// The field suggestions read from the PDF text: each with its value, how sure it is, the sentence it
// came from, and 採用 — which saves that one field. Nothing is saved without that press.
import type { FieldSuggestion } from '../../api/register-types.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';
import { suggestionValue } from './format.ts';

/** The list of suggestions; `accepted` holds the fields already taken over. */
export function SuggestionList({
  suggestions,
  accepted,
  busyField,
  onAccept,
}: {
  suggestions: FieldSuggestion[];
  accepted: Set<string>;
  busyField: string | null;
  onAccept: (suggestion: FieldSuggestion) => void;
}) {
  const { t, language } = useI18n();
  if (suggestions.length === 0) return <p className="muted">{t('reg.suggest.none')}</p>;
  return (
    <ul className="suggestions">
      {suggestions.map((suggestion) => {
        const label = t(`reg.suggest.field.${suggestion.field}`);
        const done = accepted.has(suggestion.field);
        return (
          <li key={suggestion.field} className="suggestions__item" data-field={suggestion.field}>
            <div className="suggestions__head">
              <span className="suggestions__label">{label}</span>
              <span className="suggestions__confidence">
                {t('reg.suggest.confidence', { n: Math.round(suggestion.confidence * 100) })}
              </span>
            </div>
            <p className="suggestions__value">{suggestionValue(t, language, suggestion)}</p>
            <blockquote className="suggestions__source" cite="#document">
              {suggestion.source.sentence}
            </blockquote>
            <p className="suggestions__reason small muted">{suggestion.reason[language]}</p>
            <button
              type="button"
              className={`btn btn--small ${done ? 'btn--ghost' : 'btn--primary'}`}
              disabled={done || busyField !== null}
              aria-busy={busyField === suggestion.field}
              onClick={() => onAccept(suggestion)}
              aria-label={t(done ? 'reg.suggest.acceptedLabel' : 'reg.suggest.acceptLabel', { field: label })}
            >
              {done ? t('reg.suggest.accepted') : t('reg.suggest.accept')}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
