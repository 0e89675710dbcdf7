/** A CSV upload's text: UTF-8 (with or without BOM), else Shift_JIS, which Japanese Excel writes by default. */
export function decodeCsv(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('shift_jis').decode(bytes);
  }
}
