// CSV as RFC 4180 says (CRLF line ends, fields with a comma, quote or line break in double quotes,
// quotes doubled), UTF-8 with a byte-order mark so that Excel in Japan reads it as UTF-8.

/** The UTF-8 byte-order mark that tells Excel the encoding. */
export const UTF8_BOM = '\uFEFF';

// A cell that starts like a formula (also "|" DDE, "%" and the full-width ＝＋－＠ that Japanese Excel
// reads as formulas) is run by spreadsheet programs (CSV injection): such text is
// prefixed with an apostrophe, which Excel shows as text and does not display.
const FORMULA_START = /^[=+\-@\t\r|%＝＋－＠]/;

/** One field, quoted when it must be. */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One record, ended by CRLF. */
export function csvRecord(fields: ReadonlyArray<string | number | null | undefined>): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
