// The busy/error state every small form repeats: run an async action once at a time, keep its error.
import { useState } from 'react';
import { errorMessage } from '../../api/messages.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';

/** `run(action)` sets busy, clears the error, and turns a failure into a message in the UI language. */
export function useSubmit(): {
  busy: boolean;
  error: string | null;
  setError: (error: string | null) => void;
  run: (action: () => Promise<void>) => Promise<void>;
} {
  const { language } = useI18n();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function run(action: () => Promise<void>) {
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, setError, run };
}
