import { AppError } from '../app-error.ts';

/** Bounds of a CSV import (a file of the address book, not a mailing list). */
export const CSV_IMPORT_LIMITS = { bytes: 1024 * 1024, rows: 2000 } as const;

/** The columns, each recognised by its Japanese or English header (order free; extra columns ignored). */
export const CSV_COLUMNS = {
  companyName: ['会社名', '会社名・団体名', '取引先', 'company', 'companyname'],
  department: ['部署', 'department'],
  personName: ['担当者名', '担当者', '氏名', 'person', 'personname', 'name'],
  email: ['メールアドレス', 'メール', 'email', 'e-mail'],
  phone: ['電話番号', '電話', 'phone', 'telephone'],
  note: ['メモ', '備考', 'note'],
} as const;
export type CsvColumn = keyof typeof CSV_COLUMNS;

/**
 * Splits RFC 4180 CSV (a UTF-8 BOM and CRLF or LF line ends welcome; quoted fields may hold commas,
 * quotes and line breaks) into rows of fields. An unterminated quote → VALIDATION_FAILED.
 */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const input = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (let i = 0; i < input.length; i++) {
    const c = input[i];
    if (quoted) {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && input[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (quoted) throw new AppError('VALIDATION_FAILED', 'the CSV has an unterminated quoted field', { field: 'csv' });
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  // Blank lines (a trailing newline, spacing) are not contacts.
  return rows.filter((r) => r.some((cell) => cell.trim() !== ''));
}

/** The CSV as contact field sets keyed like the API's body, with their line numbers (header = line 1). */
export function contactsFromCsv(text: string): Array<{ line: number; fields: Partial<Record<CsvColumn, string>> }> {
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new AppError('VALIDATION_FAILED', 'the CSV is empty', { field: 'csv' });
  const index = new Map<CsvColumn, number>();
  header.forEach((name, i) => {
    const key = name.trim().toLowerCase().replace(/\s+/g, '');
    for (const [column, names] of Object.entries(CSV_COLUMNS) as Array<[CsvColumn, readonly string[]]>)
      if (names.includes(key) && !index.has(column)) index.set(column, i);
  });
  for (const required of ['companyName', 'personName', 'email'] as const)
    if (!index.has(required))
      throw new AppError('VALIDATION_FAILED', `the CSV header lacks the column ${CSV_COLUMNS[required][0]}`, {
        field: 'csv',
        column: CSV_COLUMNS[required][0],
      });
  if (rows.length > CSV_IMPORT_LIMITS.rows)
    throw new AppError('VALIDATION_FAILED', `at most ${CSV_IMPORT_LIMITS.rows} rows`, {
      field: 'csv',
      max: CSV_IMPORT_LIMITS.rows,
    });
  return rows.map((cells, i) => {
    const fields: Partial<Record<CsvColumn, string>> = {};
    for (const [column, at] of index) fields[column] = cells[at] ?? '';
    return { line: i + 2, fields };
  });
}
