// The 日本語 / English switch shown on every page.
import { useI18n } from '../i18n/i18n-context.tsx';
import type { Language } from '../i18n/translate.ts';

const LANGUAGES: Language[] = ['ja', 'en'];

/** Two toggle buttons; the choice is remembered in localStorage. */
export function LanguageSwitch() {
  const { language, setLanguage, t } = useI18n();
  return (
    <div className="language-switch" role="group" aria-label={t('lang.label')}>
      {LANGUAGES.map((value) => (
        <button
          key={value}
          type="button"
          className="language-switch__option"
          aria-pressed={language === value}
          lang={value}
          onClick={() => setLanguage(value)}
        >
          {t(value === 'ja' ? 'lang.ja' : 'lang.en')}
        </button>
      ))}
    </div>
  );
}
