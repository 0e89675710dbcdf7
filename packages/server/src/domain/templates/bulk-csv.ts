// 一括送信 (bulk send) CSV: one envelope per row, recipients per role of the template, values of its
// {{placeholders}}. Parsed with the address book's CSV reader; every cell is checked and every problem
// reported with its row, column and stable code before anything is written.
import { AppError, type AppErrorCode } from '../app-error.ts';
import { parseCsv } from '../address-book/contacts-csv.ts';
import type { DomainContext } from '../domain-context.ts';
import { ACCESS_CODE_PATTERN, isEmail, LIMITS } from '../validation.ts';
import { checkRecipients } from '../use-cases/create-envelope.ts';
import {
  fillTemplateTexts,
  recipientsOfTemplate,
  type RolePerson,
} from '../use-cases/create-envelope-from-template.ts';
import { bulkColumns, placeholdersOf, type TemplateDetails } from './template-model.ts';

/** Bounds of a bulk send file. */
export const BULK_LIMITS = { rows: 1500, bytes: 2 * 1024 * 1024, cellChars: 320 } as const;

/** The header names of a role's columns (Japanese or English after `役割名:`). */
const ROLE_COLUMNS = {
  name: ['氏名', '名前', 'name'],
  email: ['メールアドレス', 'メール', 'email', 'e-mail'],
  accessCode: ['アクセスコード', 'accesscode', 'access code', 'code'],
} as const;
type RoleColumn = keyof typeof ROLE_COLUMNS;

/** One problem of a row: its number (1 = first row under the header), the column's header and a code. */
export interface BulkRowError {
  row: number;
  column: string;
  code: AppErrorCode;
  details?: Record<string, unknown>;
}

/** A row that passed every check, ready to become an envelope. */
export interface BulkValidRow {
  row: number;
  people: RolePerson[];
  variables: Record<string, string>;
}

/** The result of checking a file. */
export interface BulkReport {
  totalRows: number;
  valid: BulkValidRow[];
  errors: BulkRowError[];
  /** The headers the file must have (for the UI's example file). */
  columns: string[];
}

const normalise = (text: string) => text.trim().replace(/：/g, ':').toLowerCase();

/**
 * Checks a bulk send file against a template. Whole-file problems (empty, too many rows, a column
 * missing) throw; row problems are collected. Nothing is written.
 */
export async function checkBulkCsv(ctx: DomainContext, details: TemplateDetails, text: string): Promise<BulkReport> {
  if (Buffer.byteLength(text, 'utf8') > BULK_LIMITS.bytes)
    throw new AppError('PAYLOAD_TOO_LARGE', 'the CSV is larger than 2 MB', { maxBytes: BULK_LIMITS.bytes });
  const [header, ...rows] = parseCsv(text);
  if (!header) throw new AppError('VALIDATION_FAILED', 'the CSV is empty', { field: 'csv' });
  if (rows.length > BULK_LIMITS.rows)
    throw new AppError('BULK_TOO_MANY_ROWS', `at most ${BULK_LIMITS.rows} rows`, {
      max: BULK_LIMITS.rows,
      rows: rows.length,
    });
  const headers = header.map(normalise);
  const at = (label: string) => headers.indexOf(normalise(label));
  const roleIndexes = details.roles.map((role) => {
    const found = {} as Record<RoleColumn, number>;
    for (const column of Object.keys(ROLE_COLUMNS) as RoleColumn[]) {
      const names = ROLE_COLUMNS[column].map((n) => `${role.role_name}:${n}`);
      found[column] = names.map(at).find((i) => i >= 0) ?? -1;
      if (found[column] < 0 && column !== 'accessCode')
        throw new AppError('VALIDATION_FAILED', `the CSV header lacks the column ${names[0]}`, {
          field: 'csv',
          column: names[0],
        });
    }
    return found;
  });
  const variables = placeholdersOf(details.template.subject, details.template.message).map((name) => {
    const index = at(name);
    if (index < 0)
      throw new AppError('VALIDATION_FAILED', `the CSV header lacks the column ${name}`, {
        field: 'csv',
        column: name,
      });
    return { name, index };
  });

  const valid: BulkValidRow[] = [];
  const errors: BulkRowError[] = [];
  for (const [i, cells] of rows.entries()) {
    const row = i + 1;
    const found: BulkRowError[] = [];
    const cell = (index: number) => (index < 0 ? '' : (cells[index] ?? '').trim());
    const people = details.roles.map((role, r) => {
      const columns = roleIndexes[r];
      const person: RolePerson = {
        roleId: role.id,
        name: cell(columns.name),
        email: cell(columns.email),
        accessCode: cell(columns.accessCode),
      };
      const column = (c: RoleColumn) => header[columns[c]]?.trim() ?? `${role.role_name}:${ROLE_COLUMNS[c][0]}`;
      if (person.name === '' || person.name.length > LIMITS.recipientName || /[\u0000-\u001f\u007f]/.test(person.name))
        found.push({ row, column: column('name'), code: 'VALIDATION_FAILED', details: { max: LIMITS.recipientName } });
      if (!isEmail(person.email)) found.push({ row, column: column('email'), code: 'INVALID_EMAIL' });
      const code = person.accessCode ?? '';
      if (role.kind === 'cc' && code !== '')
        found.push({ row, column: column('accessCode'), code: 'VALIDATION_FAILED' });
      else if (
        role.kind === 'signer' &&
        (code === '' ? role.access_code_policy === 'required' : !ACCESS_CODE_PATTERN.test(code))
      )
        found.push({ row, column: column('accessCode'), code: 'INVALID_ACCESS_CODE_FORMAT' });
      return person;
    });
    const values: Record<string, string> = {};
    for (const v of variables) {
      values[v.name] = cell(v.index);
      if (values[v.name] === '' || values[v.name].length > BULK_LIMITS.cellChars)
        found.push({
          row,
          column: header[v.index].trim(),
          code: 'VALIDATION_FAILED',
          details: { max: BULK_LIMITS.cellChars },
        });
    }
    if (found.length === 0) {
      // The very checks that making the envelope runs: a row valid here is valid in its job.
      try {
        const texts = fillTemplateTexts(details, values);
        if (texts.name.length > LIMITS.envelopeName)
          throw new AppError('VALIDATION_FAILED', 'the 件名 is too long', {
            field: 'subject',
            max: LIMITS.envelopeName,
          });
        await checkRecipients(ctx, details.template.organization_id, recipientsOfTemplate(details, people));
      } catch (error) {
        if (!(error instanceof AppError)) throw error;
        found.push({
          row,
          column: columnOfField(details, error.details?.field),
          code: error.code,
          details: error.details,
        });
      }
    }
    if (found.length === 0) valid.push({ row, people, variables: values });
    else errors.push(...found);
  }
  return { totalRows: rows.length, valid, errors, columns: bulkColumns(details) };
}

/** The CSV column a domain error's field names (`recipients[1].email` → `署名者2:メールアドレス`). */
function columnOfField(details: TemplateDetails, field: unknown): string {
  const match = typeof field === 'string' ? /^(?:recipients|people)\[(\d+)\]\.(\w+)/.exec(field) : null;
  const role = match ? details.roles[Number(match[1])] : undefined;
  if (!match || !role) return typeof field === 'string' ? field : '';
  const column = (match[2] as RoleColumn) in ROLE_COLUMNS ? ROLE_COLUMNS[match[2] as RoleColumn][0] : match[2];
  return `${role.role_name}:${column}`;
}
