import { PdfDict, PdfName, PdfRef, PdfStream, PdfString, type PdfObject } from './objects.ts';

/** A value written as fixed-width text that the signer fills in after layout (ByteRange, Contents). */
export class Placeholder {
  /** Where the placeholder's bytes start in the serialized output, once written. */
  start = -1;
  constructor(readonly text: string) {}
  get end(): number {
    return this.start + this.text.length;
  }
}

/** An accumulating byte sink; strings are latin1. */
export class ByteSink {
  readonly chunks: Uint8Array[] = [];
  length = 0;
  #pending = '';
  write(text: string): void {
    this.#pending += text;
    if (this.#pending.length > 16384) this.flush();
  }
  writeBytes(bytes: Uint8Array): void {
    this.flush();
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
  /** Current absolute position within the sink (pending text included). */
  get position(): number {
    return this.length + this.#pending.length;
  }
  flush(): void {
    if (this.#pending.length === 0) return;
    const bytes = Buffer.from(this.#pending, 'latin1');
    this.chunks.push(bytes);
    this.length += bytes.length;
    this.#pending = '';
  }
  toBytes(): Uint8Array {
    this.flush();
    return this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
  }
}

const NAME_REGULAR = /^[A-Za-z0-9_.\-+*:;,!$&'"=?@^`|~]+$/;

/** Writes a direct object (streams must be written through writeIndirect). */
export function writeObject(sink: ByteSink, value: PdfObject | Placeholder): void {
  if (value === null) return sink.write('null');
  if (value instanceof Placeholder) {
    value.start = sink.position;
    return sink.write(value.text);
  }
  switch (typeof value) {
    case 'number':
      return sink.write(formatNumber(value));
    case 'boolean':
      return sink.write(value ? 'true' : 'false');
    default:
      break;
  }
  if (value instanceof PdfName) return sink.write(formatName(value.value));
  if (value instanceof PdfRef) return sink.write(`${value.objectNumber} ${value.generation} R`);
  if (value instanceof PdfString) return sink.write(formatString(value));
  if (Array.isArray(value)) {
    sink.write('[');
    value.forEach((item, i) => {
      if (i > 0) sink.write(' ');
      writeObject(sink, item);
    });
    return sink.write(']');
  }
  if (value instanceof PdfDict) {
    sink.write('<<');
    for (const [key, item] of value.entries) {
      sink.write(formatName(key));
      sink.write(' ');
      writeObject(sink, item as PdfObject | Placeholder);
    }
    return sink.write('>>');
  }
  if (value instanceof PdfStream) throw new Error('a stream cannot be written as a direct object');
  throw new Error(`cannot serialize ${String(value)}`);
}

/** Writes `N G obj … endobj`, including stream data with a correct /Length. */
export function writeIndirect(sink: ByteSink, ref: PdfRef, value: PdfObject): void {
  sink.write(`${ref.objectNumber} ${ref.generation} obj\n`);
  if (value instanceof PdfStream) {
    const dict = value.dict.clone().set('Length', value.raw.length);
    writeObject(sink, dict);
    sink.write('\nstream\n');
    sink.writeBytes(value.raw);
    sink.write('\nendstream\nendobj\n');
    return;
  }
  writeObject(sink, value);
  sink.write('\nendobj\n');
}

/** Formats a number the way PDF wants: no exponent, at most 6 decimals. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  if (!Number.isFinite(value)) return '0';
  let s = value.toFixed(6);
  s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

/**
 * `formatNumber(Math.round(value * 100) / 100)`, written from integers: a content stream of the
 * certificate of completion writes thousands of coordinates, and a fraction through toFixed and two
 * regular expressions costs several times more.
 */
export function formatHundredths(value: number): string {
  const hundredths = Math.round(value * 100);
  const sign = hundredths < 0 ? '-' : '';
  const magnitude = Math.abs(hundredths);
  const fraction = magnitude % 100;
  const whole = (magnitude - fraction) / 100;
  if (fraction === 0) return `${sign}${whole}`;
  return `${sign}${whole}.${fraction < 10 ? `0${fraction}` : fraction % 10 === 0 ? fraction / 10 : fraction}`;
}

function formatName(value: string): string {
  if (NAME_REGULAR.test(value)) return `/${value}`;
  let out = '/';
  for (const byte of Buffer.from(value, 'latin1')) {
    const ch = String.fromCharCode(byte);
    out += byte > 0x20 && byte < 0x7f && !'#()<>[]{}/%'.includes(ch) ? ch : `#${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

function formatString(value: PdfString): string {
  const bytes = value.bytes;
  let printable = !value.hex;
  if (printable) {
    for (const b of bytes) {
      if (b < 0x20 || b > 0x7e) {
        printable = false;
        break;
      }
    }
  }
  if (!printable) return `<${Buffer.from(bytes).toString('hex')}>`;
  let out = '(';
  for (const b of bytes) {
    if (b === 0x28 || b === 0x29 || b === 0x5c) out += '\\';
    out += String.fromCharCode(b);
  }
  return `${out})`;
}

/** A PDF text string: ASCII stays literal; anything else becomes UTF-16BE with a BOM. */
export function textString(text: string): PdfString {
  if (/^[\x20-\x7e]*$/.test(text)) return new PdfString(Buffer.from(text, 'latin1'));
  const utf16 = Buffer.from(text, 'utf16le');
  utf16.swap16();
  return new PdfString(Buffer.concat([Buffer.from([0xfe, 0xff]), utf16]), true);
}

/** A PDF date string `D:YYYYMMDDHHmmSSZ` (UTC). */
export function pdfDate(date: Date): PdfString {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const s = `D:${p(date.getUTCFullYear(), 4)}${p(date.getUTCMonth() + 1)}${p(date.getUTCDate())}${p(date.getUTCHours())}${p(date.getUTCMinutes())}${p(date.getUTCSeconds())}Z`;
  return new PdfString(Buffer.from(s, 'latin1'));
}

/** Parses a PDF date string into a Date, or undefined. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz+-])?(\d{2})?'?(\d{2})?'?/.exec(text);
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz, tzh = '00', tzm = '00'] = m;
  const utc = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  const offset = (Number(tzh) * 60 + Number(tzm)) * 60000;
  return new Date(tz === '+' ? utc - offset : tz === '-' ? utc + offset : utc);
}
