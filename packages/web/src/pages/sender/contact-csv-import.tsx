// CSVから取り込む on the address book: the chosen file goes as it is (text/csv; UTF-8 or Shift_JIS, the
// server decodes); a refused file names every bad line, and nothing is stored.
import { useRef } from 'react';
import { ApiError, postCsvFile } from '../../api/client.ts';
import { useI18n } from '../../i18n/i18n-context.tsx';
import type { MessageKey } from '../../i18n/translate.ts';

const PATH = '/api/v1/address-book/contacts/import';
const FIELD_LABELS: Record<string, MessageKey> = {
  companyName: 'book.companyName',
  department: 'book.department',
  personName: 'book.personName',
  email: 'book.email',
  phone: 'book.phone',
  note: 'book.note',
};

function upload(file: File): Promise<{ created: number; skipped: number }> {
  return postCsvFile(PATH, file);
}

/** The import button; `run` is the page's action runner (busy state, notice or error, reload). */
export function ContactCsvImport({
  disabled,
  run,
}: {
  disabled: boolean;
  run: (work: () => Promise<string>) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const input = useRef<HTMLInputElement>(null);

  /** The refusal in words: the missing column, or each bad line with its field. */
  function explain(caught: unknown): never {
    if (caught instanceof ApiError && caught.code === 'VALIDATION_FAILED') {
      const { column, rows } = caught.details as { column?: unknown; rows?: unknown };
      if (typeof column === 'string') throw new Error(t('book.csv.noColumn', { column }));
      if (Array.isArray(rows)) {
        const list = (rows as Array<{ line: number; field: string }>)
          .map((r) =>
            t('book.csv.row', { line: r.line, field: FIELD_LABELS[r.field] ? t(FIELD_LABELS[r.field]!) : '' }),
          )
          .join('、');
        throw new Error(t('book.csv.badRows', { rows: list }));
      }
    }
    throw caught;
  }

  return (
    <>
      <button type="button" className="btn btn--secondary" onClick={() => input.current?.click()} disabled={disabled}>
        {t('book.csv.import')}
      </button>
      <input
        ref={input}
        type="file"
        accept=".csv,text/csv"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        data-testid="contact-csv"
        onChange={(event) => {
          const file = event.target.files?.[0];
          event.target.value = '';
          if (!file) return;
          void run(async () => {
            const result = await upload(file).catch(explain);
            return t('book.csv.done', { created: result.created, skipped: result.skipped });
          });
        }}
      />
    </>
  );
}
