// A cursor-paged list from the API: the first page on every change of its URL, さらに表示 for the next.
import { useEffect, useState } from 'react';
import { apiGet } from '../api/client.ts';
import { errorMessage } from '../api/messages.ts';
import { useI18n } from '../i18n/i18n-context.tsx';

/** The list's state and its さらに表示 action. */
export interface PagedList<T> {
  /** Null while the first page loads. */
  items: T[] | null;
  nextCursor: string | null;
  error: string | null;
  loadingMore: boolean;
  more: () => Promise<void>;
}

/**
 * Loads `urlFor(null)` and, on `more`, `urlFor(cursor)`; the first page is fetched again whenever
 * `urlFor(null)` changes (the filter lives in it). Nothing is fetched while `enabled` is false.
 */
export function usePagedList<T>(urlFor: (cursor: string | null) => string, enabled = true): PagedList<T> {
  const { language, describeError } = useI18n();
  const [items, setItems] = useState<T[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const firstUrl = urlFor(null);

  useEffect(() => {
    if (!enabled) return;
    let canceled = false;
    setItems(null);
    setError(null);
    apiGet<{ items: T[]; nextCursor: string | null }>(firstUrl)
      .then((page) => {
        if (canceled) return;
        setItems(page.items);
        setNextCursor(page.nextCursor);
      })
      .catch((caught: unknown) => !canceled && setError(describeError(caught)));
    return () => {
      canceled = true;
    };
  }, [firstUrl, enabled, describeError]);

  async function more() {
    if (!nextCursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await apiGet<{ items: T[]; nextCursor: string | null }>(urlFor(nextCursor));
      setItems((current) => [...(current ?? []), ...page.items]);
      setNextCursor(page.nextCursor);
    } catch (caught) {
      setError(errorMessage(language, caught));
    } finally {
      setLoadingMore(false);
    }
  }

  return { items, nextCursor, error, loadingMore, more };
}
