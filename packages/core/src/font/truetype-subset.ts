// A TrueType (glyf-outline) subsetter working on the raw sfnt bytes.
// fontkit's own TTFSubset writes no cmap/OS/2/post/name and only encodes asynchronously; PDF
// viewers that re-use the embedded program outside the PDF (printing, copy-paste, PDF/A checkers)
// want a self-contained font, so the subset is written here with glyph outlines copied verbatim.
import { CoreError } from '../errors.ts';

/** One horizontal metric of a glyph, in font units. */
export interface HorizontalMetric {
  advance: number;
  leftSideBearing: number;
}

// Composite glyph component flags (OpenType 'glyf' spec).
const ARG_1_AND_2_ARE_WORDS = 0x0001;
const WE_HAVE_A_SCALE = 0x0008;
const MORE_COMPONENTS = 0x0020;
const WE_HAVE_AN_X_AND_Y_SCALE = 0x0040;
const WE_HAVE_A_TWO_BY_TWO = 0x0080;

/** Read-only view of a TrueType font's tables, with the lookups a subsetter needs. */
export class TrueTypeSource {
  readonly tables: ReadonlyMap<string, Uint8Array>;
  readonly numGlyphs: number;
  readonly unitsPerEm: number;
  private readonly locaLong: boolean;
  private readonly numberOfHMetrics: number;
  // Views made once: a subset looks up hundreds of glyphs, each through loca, glyf and hmtx.
  private readonly loca: DataView;
  private readonly glyf: Uint8Array;
  private readonly hmtx: DataView;
  /** Component glyph ids by glyph id, for glyphs looked up before (fonts are parsed once per process). */
  private readonly components = new Map<number, readonly number[]>();

  constructor(data: Uint8Array) {
    const view = dataView(data);
    const version = view.getUint32(0);
    // 0x00010000 and 'true' are TrueType outlines; 'OTTO' (CFF) and 'ttcf' (collections) are not handled.
    if (version !== 0x00010000 && version !== 0x74727565) {
      throw new CoreError('FONT_UNAVAILABLE', `not a TrueType font (sfnt version 0x${version.toString(16)})`);
    }
    const numTables = view.getUint16(4);
    const tables = new Map<string, Uint8Array>();
    for (let i = 0; i < numTables; i++) {
      const record = 12 + i * 16;
      const tag = String.fromCharCode(data[record], data[record + 1], data[record + 2], data[record + 3]);
      const offset = view.getUint32(record + 8);
      const length = view.getUint32(record + 12);
      if (offset + length > data.length)
        throw new CoreError('FONT_UNAVAILABLE', `font table ${tag} lies outside the file`);
      tables.set(tag, data.subarray(offset, offset + length));
    }
    for (const tag of ['head', 'hhea', 'maxp', 'hmtx', 'loca', 'glyf']) {
      if (!tables.has(tag)) throw new CoreError('FONT_UNAVAILABLE', `font has no ${tag} table`);
    }
    this.tables = tables;
    const head = dataView(this.table('head'));
    this.unitsPerEm = head.getUint16(18);
    this.locaLong = head.getInt16(50) === 1;
    this.numGlyphs = dataView(this.table('maxp')).getUint16(4);
    this.numberOfHMetrics = dataView(this.table('hhea')).getUint16(34);
    this.loca = dataView(this.table('loca'));
    this.glyf = this.table('glyf');
    this.hmtx = dataView(this.table('hmtx'));
  }

  /** The bytes of a table that the constructor checked to be present. */
  table(tag: string): Uint8Array {
    const table = this.tables.get(tag);
    if (table === undefined) throw new CoreError('FONT_UNAVAILABLE', `font has no ${tag} table`);
    return table;
  }

  /** The raw 'glyf' record of a glyph (empty for glyphs without outline, such as the space). */
  glyphData(gid: number): Uint8Array {
    this.checkGlyphId(gid);
    const loca = this.loca;
    const start = this.locaLong ? loca.getUint32(gid * 4) : loca.getUint16(gid * 2) * 2;
    const end = this.locaLong ? loca.getUint32(gid * 4 + 4) : loca.getUint16(gid * 2 + 2) * 2;
    const glyf = this.glyf;
    if (end < start || end > glyf.length)
      throw new CoreError('FONT_UNAVAILABLE', `glyph ${gid} has a broken loca entry`);
    return glyf.subarray(start, end);
  }

  /** Glyph ids a composite glyph refers to (empty for simple glyphs). */
  componentGlyphIds(gid: number): readonly number[] {
    let ids = this.components.get(gid);
    if (ids === undefined) {
      ids = compositeComponentOffsets(this.glyphData(gid)).map(({ glyphId }) => glyphId);
      this.components.set(gid, ids);
    }
    return ids;
  }

  /** Advance width and left side bearing of a glyph, in font units. */
  horizontalMetric(gid: number): HorizontalMetric {
    this.checkGlyphId(gid);
    const hmtx = this.hmtx;
    const n = this.numberOfHMetrics;
    if (gid < n) return { advance: hmtx.getUint16(gid * 4), leftSideBearing: hmtx.getInt16(gid * 4 + 2) };
    // Glyphs past numberOfHMetrics share the last advance and have only a bearing each.
    return { advance: hmtx.getUint16((n - 1) * 4), leftSideBearing: hmtx.getInt16(n * 4 + (gid - n) * 2) };
  }

  private checkGlyphId(gid: number): void {
    if (!Number.isInteger(gid) || gid < 0 || gid >= this.numGlyphs) {
      throw new CoreError('FONT_UNAVAILABLE', `glyph id ${gid} is outside the font (0..${this.numGlyphs - 1})`);
    }
  }
}

/** Adds the components of composite glyphs, transitively, and returns the set sorted (always with glyph 0). */
export function closeOverComponents(source: TrueTypeSource, glyphIds: Iterable<number>): number[] {
  const seen = new Set<number>();
  const pending = [0, ...glyphIds];
  while (pending.length > 0) {
    const gid = pending.pop() as number;
    if (seen.has(gid)) continue;
    seen.add(gid);
    for (const component of source.componentGlyphIds(gid)) if (!seen.has(component)) pending.push(component);
  }
  return [...seen].sort((a, b) => a - b);
}

/**
 * Writes a standalone TrueType font holding `glyphIds` (new glyph id = index in the array; index 0
 * must be the original .notdef) and a Unicode cmap from `cmap` (code point → new glyph id).
 */
export function subsetTrueType(
  source: TrueTypeSource,
  glyphIds: readonly number[],
  cmap: ReadonlyMap<number, number>,
): Uint8Array {
  if (glyphIds[0] !== 0) throw new CoreError('FONT_UNAVAILABLE', 'a subset must start with glyph 0 (.notdef)');
  const newIdOf = new Map<number, number>(glyphIds.map((gid, index) => [gid, index]));

  // glyf + loca (long offsets; every glyph padded to 4 bytes as the spec recommends).
  const glyphRecords: Uint8Array[] = [];
  const locaOffsets: number[] = [];
  let glyfLength = 0;
  for (const gid of glyphIds) {
    const original = source.glyphData(gid);
    const padded = new Uint8Array(align4(original.length));
    padded.set(original);
    for (const { glyphId, offset } of compositeComponentOffsets(original)) {
      const mapped = newIdOf.get(glyphId);
      if (mapped === undefined)
        throw new CoreError('FONT_UNAVAILABLE', `component glyph ${glyphId} of glyph ${gid} is not in the subset`);
      dataView(padded).setUint16(offset, mapped);
    }
    locaOffsets.push(glyfLength);
    glyphRecords.push(padded);
    glyfLength += padded.length;
  }
  locaOffsets.push(glyfLength);
  const glyf = concat(glyphRecords);
  const loca = new Uint8Array(locaOffsets.length * 4);
  const locaView = dataView(loca);
  locaOffsets.forEach((offset, i) => locaView.setUint32(i * 4, offset));

  // hmtx with one full metric per glyph; hhea/maxp follow the new glyph count.
  const hmtx = new Uint8Array(glyphIds.length * 4);
  const hmtxView = dataView(hmtx);
  let advanceWidthMax = 0;
  glyphIds.forEach((gid, i) => {
    const metric = source.horizontalMetric(gid);
    hmtxView.setUint16(i * 4, metric.advance);
    hmtxView.setInt16(i * 4 + 2, metric.leftSideBearing);
    advanceWidthMax = Math.max(advanceWidthMax, metric.advance);
  });
  const hhea = source.table('hhea').slice();
  dataView(hhea).setUint16(10, advanceWidthMax);
  dataView(hhea).setUint16(34, glyphIds.length);
  const maxp = source.table('maxp').slice();
  dataView(maxp).setUint16(4, glyphIds.length);
  const head = source.table('head').slice();
  dataView(head).setUint32(8, 0); // checkSumAdjustment, fixed up once the whole file is known
  dataView(head).setInt16(50, 1); // indexToLocFormat: long offsets

  const tables = new Map<string, Uint8Array>([
    ['cmap', buildCmap(cmap)],
    ['glyf', glyf],
    ['head', head],
    ['hhea', hhea],
    ['hmtx', hmtx],
    ['loca', loca],
    ['maxp', maxp],
  ]);
  const os2 = source.tables.get('OS/2');
  if (os2 !== undefined && os2.length >= 68) {
    const copy = os2.slice();
    const bmp = [...cmap.keys()].filter((cp) => cp <= 0xffff);
    // usFirstCharIndex/usLastCharIndex describe the subset's own cmap; 0xFFFF when it has non-BMP characters.
    const hasSupplementary = bmp.length < cmap.size;
    dataView(copy).setUint16(64, bmp.length > 0 ? Math.min(...bmp) : 0xffff);
    dataView(copy).setUint16(66, hasSupplementary ? 0xffff : bmp.length > 0 ? Math.max(...bmp) : 0);
    tables.set('OS/2', copy);
  }
  const post = source.tables.get('post');
  if (post !== undefined && post.length >= 32) {
    // Version 3 carries no glyph names, so it stays right whatever glyphs were dropped.
    const copy = post.slice(0, 32);
    dataView(copy).setUint32(0, 0x00030000);
    tables.set('post', copy);
  }
  // The name table keeps the copyright and OFL licence notice with the embedded program.
  // Hinting tables are kept as they are: glyph instructions refer to them, not to glyph ids.
  for (const tag of ['name', 'cvt ', 'fpgm', 'prep', 'gasp']) {
    const table = source.tables.get(tag);
    if (table !== undefined) tables.set(tag, table);
  }
  return writeSfnt(tables);
}

/** Offsets (within the glyph record) of component glyph ids in a composite glyph; none for simple glyphs. */
function compositeComponentOffsets(glyph: Uint8Array): Array<{ glyphId: number; offset: number }> {
  if (glyph.length < 10) return [];
  const view = dataView(glyph);
  if (view.getInt16(0) >= 0) return [];
  const components: Array<{ glyphId: number; offset: number }> = [];
  let pos = 10;
  for (;;) {
    if (pos + 4 > glyph.length) throw new CoreError('FONT_UNAVAILABLE', 'truncated composite glyph');
    const flags = view.getUint16(pos);
    components.push({ glyphId: view.getUint16(pos + 2), offset: pos + 2 });
    pos += 4 + (flags & ARG_1_AND_2_ARE_WORDS ? 4 : 2);
    if (flags & WE_HAVE_A_SCALE) pos += 2;
    else if (flags & WE_HAVE_AN_X_AND_Y_SCALE) pos += 4;
    else if (flags & WE_HAVE_A_TWO_BY_TWO) pos += 8;
    if (!(flags & MORE_COMPONENTS)) return components;
  }
}

/** A cmap with a (3,1) format 4 subtable, plus (3,10) format 12 when non-BMP characters are mapped. */
function buildCmap(cmap: ReadonlyMap<number, number>): Uint8Array {
  const entries = [...cmap.entries()].sort((a, b) => a[0] - b[0]);
  const subtables: Array<{ encodingId: number; data: Uint8Array }> = [
    { encodingId: 1, data: cmapFormat4(entries.filter(([cp]) => cp <= 0xffff)) },
  ];
  if (entries.some(([cp]) => cp > 0xffff)) subtables.push({ encodingId: 10, data: cmapFormat12(entries) });
  const headerLength = 4 + subtables.length * 8;
  const header = new Uint8Array(headerLength);
  const view = dataView(header);
  view.setUint16(0, 0);
  view.setUint16(2, subtables.length);
  let offset = headerLength;
  subtables.forEach(({ encodingId, data }, i) => {
    view.setUint16(4 + i * 8, 3); // platform: Windows
    view.setUint16(6 + i * 8, encodingId);
    view.setUint32(8 + i * 8, offset);
    offset += data.length;
  });
  return concat([header, ...subtables.map(({ data }) => data)]);
}

/** Runs of consecutive code points mapped to consecutive glyph ids. */
function runs(entries: Array<[number, number]>): Array<{ start: number; end: number; glyphId: number }> {
  const out: Array<{ start: number; end: number; glyphId: number }> = [];
  for (const [cp, gid] of entries) {
    const last = out[out.length - 1];
    if (last !== undefined && cp === last.end + 1 && gid === last.glyphId + (cp - last.start)) last.end = cp;
    else out.push({ start: cp, end: cp, glyphId: gid });
  }
  return out;
}

function cmapFormat4(entries: Array<[number, number]>): Uint8Array {
  const segments = runs(entries.filter(([cp]) => cp < 0xffff));
  segments.push({ start: 0xffff, end: 0xffff, glyphId: 0 }); // the mandatory final segment
  const segCount = segments.length;
  const length = 16 + segCount * 8;
  const data = new Uint8Array(length);
  const view = dataView(data);
  const entrySelector = Math.floor(Math.log2(segCount));
  const searchRange = 2 * 2 ** entrySelector;
  view.setUint16(0, 4);
  view.setUint16(2, length);
  view.setUint16(4, 0); // language
  view.setUint16(6, segCount * 2);
  view.setUint16(8, searchRange);
  view.setUint16(10, entrySelector);
  view.setUint16(12, segCount * 2 - searchRange);
  segments.forEach((segment, i) => {
    view.setUint16(14 + i * 2, segment.end);
    view.setUint16(16 + segCount * 2 + i * 2, segment.start);
    // idDelta is added modulo 65536; the final segment maps 0xFFFF to glyph 0.
    const delta = segment.start === 0xffff ? 1 : (segment.glyphId - segment.start) & 0xffff;
    view.setUint16(16 + segCount * 4 + i * 2, delta);
    view.setUint16(16 + segCount * 6 + i * 2, 0); // idRangeOffset: deltas only
  });
  return data;
}

function cmapFormat12(entries: Array<[number, number]>): Uint8Array {
  const groups = runs(entries);
  const length = 16 + groups.length * 12;
  const data = new Uint8Array(length);
  const view = dataView(data);
  view.setUint16(0, 12);
  view.setUint32(4, length);
  view.setUint32(8, 0); // language
  view.setUint32(12, groups.length);
  groups.forEach((group, i) => {
    view.setUint32(16 + i * 12, group.start);
    view.setUint32(20 + i * 12, group.end);
    view.setUint32(24 + i * 12, group.glyphId);
  });
  return data;
}

/** Serialises tables into an sfnt file with correct checksums and head.checkSumAdjustment. */
function writeSfnt(tables: Map<string, Uint8Array>): Uint8Array {
  const tags = [...tables.keys()].sort(); // byte order of ASCII tags, as the spec requires
  const numTables = tags.length;
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 16 * 2 ** entrySelector;
  const headerLength = 12 + numTables * 16;
  let total = headerLength;
  for (const tag of tags) total += align4((tables.get(tag) as Uint8Array).length);
  const out = new Uint8Array(total);
  const view = dataView(out);
  view.setUint32(0, 0x00010000);
  view.setUint16(4, numTables);
  view.setUint16(6, searchRange);
  view.setUint16(8, entrySelector);
  view.setUint16(10, numTables * 16 - searchRange);
  let offset = headerLength;
  let headOffset = -1;
  tags.forEach((tag, i) => {
    const table = tables.get(tag) as Uint8Array;
    const record = 12 + i * 16;
    for (let k = 0; k < 4; k++) out[record + k] = tag.charCodeAt(k);
    view.setUint32(record + 4, checksum(table));
    view.setUint32(record + 8, offset);
    view.setUint32(record + 12, table.length);
    out.set(table, offset);
    if (tag === 'head') headOffset = offset;
    offset += align4(table.length);
  });
  view.setUint32(headOffset + 8, (0xb1b0afba - checksum(out)) >>> 0);
  return out;
}

/** The sfnt checksum: sum of big-endian uint32 words, the last one zero-padded, modulo 2^32. */
export function checksum(data: Uint8Array): number {
  let sum = 0;
  const whole = data.length & ~3;
  const view = dataView(data);
  for (let i = 0; i < whole; i += 4) sum = (sum + view.getUint32(i)) >>> 0;
  if (whole < data.length) {
    let last = 0;
    for (let i = 0; i < 4; i++) last = (last << 8) | (data[whole + i] ?? 0);
    sum = (sum + (last >>> 0)) >>> 0;
  }
  return sum;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function dataView(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
