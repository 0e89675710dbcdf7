import { inflateSync, constants } from 'node:zlib';
import { CoreError } from '../errors.ts';
import { PdfDict, PdfName, type PdfObject, type PdfStream } from './objects.ts';

/** Decodes a stream's data through its /Filter chain (Flate with predictors, ASCIIHex, ASCII85). */
export function decodeStream(stream: PdfStream, resolve: (o: PdfObject) => PdfObject = (o) => o): Uint8Array {
  const filterValue = resolve(stream.dict.get('Filter') ?? null);
  const parmsValue = resolve(stream.dict.get('DecodeParms') ?? null);
  const filters = (Array.isArray(filterValue) ? filterValue : filterValue === null ? [] : [filterValue]).map((f) => resolve(f));
  const parms = Array.isArray(parmsValue) ? parmsValue.map((p) => resolve(p)) : [parmsValue];
  let data = stream.raw;
  filters.forEach((filter, i) => {
    if (!(filter instanceof PdfName)) throw new CoreError('PDF_MALFORMED', 'stream filter is not a name');
    const p = parms[i];
    data = applyFilter(filter.value, data, p instanceof PdfDict ? p : undefined);
  });
  return data;
}

function applyFilter(filter: string, data: Uint8Array, parms: PdfDict | undefined): Uint8Array {
  switch (filter) {
    case 'FlateDecode':
    case 'Fl':
      return applyPredictor(inflate(data), parms);
    case 'ASCIIHexDecode':
    case 'AHx':
      return asciiHexDecode(data);
    case 'ASCII85Decode':
    case 'A85':
      return ascii85Decode(data);
    default:
      throw new CoreError('PDF_UNSUPPORTED', `stream filter ${filter} is not supported`);
  }
}

function inflate(data: Uint8Array): Uint8Array {
  try {
    return inflateSync(data);
  } catch (error) {
    // Many writers leave a truncated or checksum-less zlib stream; take what inflates.
    try {
      return inflateSync(data, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      throw new CoreError('PDF_MALFORMED', 'a compressed stream cannot be decoded', { cause: error });
    }
  }
}

function applyPredictor(data: Uint8Array, parms: PdfDict | undefined): Uint8Array {
  const predictor = Number(parms?.get('Predictor') ?? 1);
  if (predictor <= 1) return data;
  const colors = Number(parms?.get('Colors') ?? 1);
  const bits = Number(parms?.get('BitsPerComponent') ?? 8);
  const columns = Number(parms?.get('Columns') ?? 1);
  const bytesPerPixel = Math.max(1, Math.ceil((colors * bits) / 8));
  const rowLength = Math.ceil((colors * bits * columns) / 8);
  if (predictor === 2) {
    const out = Uint8Array.from(data);
    for (let row = 0; row + rowLength <= out.length; row += rowLength) {
      for (let i = bytesPerPixel; i < rowLength; i++) out[row + i] = (out[row + i] + out[row + i - bytesPerPixel]) & 0xff;
    }
    return out;
  }
  // PNG predictors: each row starts with a filter-type byte.
  const rows = Math.floor(data.length / (rowLength + 1));
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
        case 0: break;
        case 1: v += left; break;
        case 2: v += up; break;
        case 3: v += (left + up) >> 1; break;
        case 4: {
          const p = left + up - upLeft;
          const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
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

function asciiHexDecode(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  const end = text.indexOf('>');
  let hex = end >= 0 ? text.slice(0, end) : text;
  if (hex.length % 2 === 1) hex += '0';
  return Buffer.from(hex, 'hex');
}

function ascii85Decode(data: Uint8Array): Uint8Array {
  const text = Buffer.from(data).toString('latin1').replace(/\s+/g, '');
  const body = text.startsWith('<~') ? text.slice(2) : text;
  const end = body.indexOf('~>');
  const s = end >= 0 ? body.slice(0, end) : body;
  const out: number[] = [];
  let group: number[] = [];
  for (const ch of s) {
    if (ch === 'z' && group.length === 0) {
      out.push(0, 0, 0, 0);
      continue;
    }
    group.push(ch.charCodeAt(0) - 33);
    if (group.length === 5) {
      let v = 0;
      for (const g of group) v = v * 85 + g;
      out.push((v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff);
      group = [];
    }
  }
  if (group.length > 0) {
    const n = group.length;
    while (group.length < 5) group.push(84);
    let v = 0;
    for (const g of group) v = v * 85 + g;
    const bytes = [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
    out.push(...bytes.slice(0, n - 1));
  }
  return Uint8Array.from(out);
}
