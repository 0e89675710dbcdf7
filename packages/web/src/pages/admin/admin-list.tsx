// The list and card markup the admin sections share: a table with column headings that becomes one card per
// row on a phone (.admin-table, each cell labelled by data-label), a titled list that says when it is
// empty, and the small buttons of a row's actions.
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { useI18n } from '../../i18n/i18n-context.tsx';

/** An admin table: `columns` are the headings (false leaves a column out), `children` the rows. */
export function AdminTable(props: { columns: ReadonlyArray<string | false>; children: ReactNode }) {
  return (
    <div className="table-wrap admin-table">
      <table className="table">
        <thead>
          <tr>
            {props.columns.map(
              (column) =>
                column !== false && (
                  <th scope="col" key={column}>
                    {column}
                  </th>
                ),
            )}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/**
 * A titled list of `items`: its heading, an optional hint under it, then the table of their rows, or
 * `empty` (default: なし) when there are none.
 */
export function AdminList<T>(props: {
  title: string;
  hint?: string;
  items: readonly T[];
  empty?: string;
  columns: ReadonlyArray<string | false>;
  row: (item: T) => ReactNode;
}) {
  const { t } = useI18n();
  return (
    <>
      <h2 className="section-title">{props.title}</h2>
      {props.hint && <p className="muted admin-small">{props.hint}</p>}
      {props.items.length === 0 ? (
        <p className="muted">{props.empty ?? t('admin.none')}</p>
      ) : (
        <AdminTable columns={props.columns}>{props.items.map(props.row)}</AdminTable>
      )}
    </>
  );
}

/** A small button of a row or card (never a submit): `tone` is its look. */
export function SmallButton({
  tone,
  ...button
}: { tone: 'primary' | 'secondary' | 'ghost' | 'danger-outline' } & Omit<
  ButtonHTMLAttributes<HTMLButtonElement>,
  'type' | 'className'
>) {
  return <button type="button" className={`btn btn--small btn--${tone}`} {...button} />;
}

/** A card of an admin page: a section named by its heading (`id`), with `className` added to .card. */
export function AdminCard(props: { id: string; title: ReactNode; className?: string; children: ReactNode }) {
  return (
    <section className={props.className ? `card ${props.className}` : 'card'} aria-labelledby={props.id}>
      <h2 id={props.id} className="section-title">
        {props.title}
      </h2>
      {props.children}
    </section>
  );
}
