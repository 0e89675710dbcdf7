// React binding of the translation table: the current language, a setter that persists it,
// and `t()`; the language also goes to the API client for Accept-Language.
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { setApiLanguage } from '../api/client.ts';
import { errorMessage } from '../api/messages.ts';
import {
  storedLanguage,
  storeLanguage,
  translate,
  type Language,
  type MessageKey,
  type MessageVars,
} from './translate.ts';

interface I18n {
  language: Language;
  /** True once the user picked a language on this browser (then a signer's default is ignored). */
  explicit: boolean;
  setLanguage(language: Language): void;
  /** Applies a default (e.g. the recipient's language) unless the user already chose one. */
  suggestLanguage(language: Language): void;
  t(key: MessageKey, vars?: MessageVars): string;
  /**
   * An error's message in the language current when it is called. The function itself never changes, so
   * an effect may use it without re-running when the language changes (a language switch must not
   * reload a page's data).
   */
  describeError(caught: unknown): string;
}

const I18nContext = createContext<I18n | null>(null);

/** Provides the UI language to the tree; Japanese unless the user chose English. */
export function I18nProvider({ children }: { children: ReactNode }) {
  const [state, setState] = useState(() => {
    const stored = storedLanguage();
    return { language: stored ?? ('ja' as Language), explicit: stored !== null };
  });
  setApiLanguage(state.language);
  const languageNow = useRef(state.language);
  languageNow.current = state.language;
  const describeError = useCallback((caught: unknown) => errorMessage(languageNow.current, caught), []);

  useEffect(() => {
    document.documentElement.lang = state.language;
  }, [state.language]);

  const setLanguage = useCallback((language: Language) => {
    storeLanguage(language);
    setState({ language, explicit: true });
  }, []);
  const suggestLanguage = useCallback((language: Language) => {
    setState((current) => (current.explicit ? current : { language, explicit: false }));
  }, []);

  const value = useMemo<I18n>(
    () => ({
      language: state.language,
      explicit: state.explicit,
      setLanguage,
      suggestLanguage,
      t: (key, vars) => translate(state.language, key, vars),
      describeError,
    }),
    [state, setLanguage, suggestLanguage, describeError],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

/** The current language and `t()`. */
export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
