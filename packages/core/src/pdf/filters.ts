import { inflateSync, constants } from 'node:zlib';
import { CoreError } from '../errors.ts';
import { PdfBudget } from './limits.ts';
import { PdfDict, PdfName, type PdfObject, type PdfStream } from './objects.ts';

/**
 * Decodes a stream's data through its /Filter chain (Flate with predictors, ASCIIHex, ASCII85).
 * Every stage's output counts against `budget` (by default one of the stream's own size): a stream
 * that would decode to more throws PDF_TOO_COMPLEX before the memory is taken.
 */
export function decodeStream(
  stream: PdfStream,
  resolve: (o: PdfObject) => PdfObject = (o) => o,
  budget?: PdfBudget,
): Uint8Array {
  const filterValue = resolve(stream.dict.get('Filter') ?? null);
  const parmsValue = resolve(stream.dict.get('DecodeParms') ?? null);
  const filters = (Array.isArray(filterValue) ? filterValue : filterValue === null ? [] : [filterValue]).map((f) =>
    resolve(f),
  );
  const parms = Array.isArray(parmsValue) ? parmsValue.map((p) => resolve(p)) : [parmsValue];
  const limits = budget ?? new PdfBudget(stream.raw.length);
  let data = stream.raw;
  filters.forEach((filter, i) => {
    if (!(filter instanceof PdfName)) throw new CoreError('PDF_MALFORMED', 'stream filter is not a name');
    const p = parms[i];
    const resolvedParms =
      p instanceof PdfDict
        ? new PdfDict([...p.entries].map(([key, value]): [string, PdfObject] => [key, resolve(value)]))
        : undefined;
    data = applyFilter(filter.value, data, resolvedParms, limits);
  });
  return data;
}

function applyFilter(filter: string, data: Uint8Array, parms: PdfDict | undefined, budget: PdfBudget): Uint8Array {
  switch (filter) {
    case 'FlateDecode':
    case 'Fl':
      return applyPredictor(inflate(data, budget), parms, budget);
    case 'ASCIIHexDecode':
    case 'AHx':
      return asciiHexDecode(data, budget);
    case 'ASCII85Decode':
    case 'A85':
      return ascii85Decode(data, budget);
    default:
      throw new CoreError('PDF_UNSUPPORTED', `stream filter ${filter} is not supported`);
  }
}

/** Inflates at most the budget's remaining bytes: zlib stops there instead of materialising a bomb. */
function inflate(data: Uint8Array, budget: PdfBudget): Uint8Array {
  const maxOutputLength = budget.remainingDecodedBytes;
  if (maxOutputLength < 1) budget.chargeDecoded(1);
  let out: Uint8Array;
  try {
    out = inflateSync(data, { maxOutputLength });
  } catch (error) {
    if (isTooLarge(error)) budget.chargeDecoded(maxOutputLength + 1);
    // Many writers leave a truncated or checksum-less zlib stream; take what inflates.
    try {
      out = inflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH, maxOutputLength });
    } catch (retryError) {
      if (isTooLarge(retryError)) budget.chargeDecoded(maxOutputLength + 1);
      throw new CoreError('PDF_MALFORMED', 'a compressed stream cannot be decoded', { cause: error });
    }
  }
  budget.chargeDecoded(out.length);
  return out;
}

function isTooLarge(error: unknown): boolean {
  return (error as { code?: unknown })?.code === 'ERR_BUFFER_TOO_LARGE';
}

/** A DecodeParms number: a positive integer up to `max`, else the default; anything else is malformed. */
function parmNumber(parms: PdfDict | undefined, key: string, fallback: number, max: number): number {
  const value = parms?.get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new CoreError('PDF_MALFORMED', `stream /DecodeParms /${key} is not a usable number`);
  }
  return value;
}

function applyPredictor(data: Uint8Array, parms: PdfDict | undefined, budget: PdfBudget): Uint8Array {
  const predictor = parmNumber(parms, 'Predictor', 1, 15);
  if (predictor <= 1) return data;
  const colors = parmNumber(parms, 'Colors', 1, 32);
  const bits = parmNumber(parms, 'BitsPerComponent', 8, 16);
  const columns = parmNumber(parms, 'Columns', 1, 2 ** 31);
  const bytesPerPixel = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowLength = Math.ceil((colors * bits * columns) / 8);
  // A row longer than the data leaves no row: nothing to allocate for it.
  if (rowLength > data.length) return new Uint8Array(0);
  if (predictor === 2) {
    budget.chargeDecoded(data.length);
    const out = Uint8Array.from(data);
    for (let row = 0; row + rowLength <= out.length; row += rowLength) {
      for (let i = bytesPerPixel; i < rowLength; i++)
        out[row + i] = (out[row + i] + out[row + i - bytesPerPixel]) & 0xff;
    }
    return out;
  }
  // PNG predictors: each row starts with a filter-type byte.
  const rows = Math.floor(data.length / (rowLength + 1));
  budget.chargeDecoded(rows * rowLength);
  const out = new Uint8Array(rows * rowLength);
  let previous = new Uint8Array(rowLength);
  for (let r = 0; r < rows; r++) {
    const type = data[r * (rowLength + 1)];
    const row = out.subarray(r * rowLength, (r + 1) * rowLength);
    const src = data.subarray(r * (rowLength + 1) + 1, (r + 1) * (rowLength + 1));
    for (let i = 0; i < rowLength; i++) {
      const left = i >= bytesPerPixel ? row[i - bytesPerPixel] : 0;
      const up = previous[i];
      const upLeft = i >= bytesPerPixel ? previous[i - bytesPerPixel] : 0;
      let v = src[i];
      switch (type) {
        case 0:
          break;
        case 1:
          v += left;
          break;
        case 2:
          v += up;
          break;
        case 3:
          v += (left + up) >> 1;
          break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left),
            pb = Math.abs(p - up),
            pc = Math.abs(p - upLeft);
          v += pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
          break;
        }
        default:
          throw new CoreError('PDF_MALFORMED', `unknown PNG predictor ${type}`);
      }
      row[i] = v & 0xff;
    }
    previous = row;
  }
  return out;
}

function asciiHexDecode(data: Uint8Array, budget: PdfBudget): Uint8Array {
  const text = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  const end = text.indexOf('>');
  let hex = end >= 0 ? text.slice(0, end) : text;
  if (hex.length % 2 === 1) hex += '0';
  budget.chargeDecoded(hex.length / 2);
  return Buffer.from(hex, 'hex');
}

function ascii85Decode(data: Uint8Array, budget: PdfBudget): Uint8Array {
  const text = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  const body = text.startsWith('<~') ? text.slice(2) : text;
  const end = body.indexOf('~>');
  const s = end >= 0 ? body.slice(0, end) : body;
  // Sized first: each "z" stands for four zero bytes, so the output may be 4× the input.
  let size = 0;
  let group = 0;
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) === 0x7a && group === 0) size += 4;
    else if (++group === 5) {
      size += 4;
      group = 0;
    }
  }
  if (group > 1) size += group - 1;
  budget.chargeDecoded(size);
  const out = new Uint8Array(size);
  let n = 0;
  let value = 0;
  group = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x7a && group === 0) {
      n += 4;
      continue;
    }
    value = value * 85 + (c - 33);
    if (++group === 5) {
      out[n++] = (value >>> 24) & 0xff;
      out[n++] = (value >>> 16) & 0xff;
      out[n++] = (value >>> 8) & 0xff;
      out[n++] = value & 0xff;
      value = 0;
      group = 0;
    }
  }
  if (group > 1) {
    const kept = group - 1;
    for (; group < 5; group++) value = value * 85 + 84;
    const bytes = [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
    for (let k = 0; k < kept; k++) out[n++] = bytes[k];
  }
  return out;
}
