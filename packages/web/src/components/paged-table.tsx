// The table of a paged list with its states: error, loading, empty, and さらに表示 below.
import type { ReactNode } from 'react';
import { useI18n } from '../i18n/i18n-context.tsx';
import type { PagedList } from '../lib/use-paged-list.tsx';
import { Alert } from './alert.tsx';
import { Loading } from './state-panel.tsx';

/** Renders `list` as a table of `columns` (header labels), one `row` per item. */
export function PagedTable<T>({
  list,
  className,
  columns,
  empty,
  row,
  header,
}: {
  list: PagedList<T>;
  /** Added to `table`. */
  className: string;
  columns: string[];
  /** Shown when the list has no items. */
  empty: string;
  /** One <tr> (with its key). */
  row: (item: T) => ReactNode;
  /** Replaces the plain header cells (sortable headers, say). */
  header?: ReactNode;
}) {
  const { t } = useI18n();
  const { items, error, nextCursor, loadingMore, more } = list;
  return (
    <>
      {error && <Alert tone="error">{error}</Alert>}
      {!items && !error && <Loading label={t('common.loading')} />}
      {items && items.length === 0 && <p className="empty">{empty}</p>}
      {items && items.length > 0 && (
        <div className="table-wrap">
          <table className={`table ${className}`}>
            <thead>
              <tr>
                {header ??
                  columns.map((label) => (
                    <th key={label} scope="col">
                      {label}
                    </th>
                  ))}
              </tr>
            </thead>
            <tbody>{items.map((item) => row(item))}</tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <div className="center">
          <button
            type="button"
            className="btn btn--secondary"
            onClick={more}
            disabled={loadingMore}
            aria-busy={loadingMore}
          >
            {t('list.more')}
          </button>
        </div>
      )}
    </>
  );
}
