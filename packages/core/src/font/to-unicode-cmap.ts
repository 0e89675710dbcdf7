// ToUnicode CMap programs (PDF 32000-1 §9.10.3, Adobe TN 5411) for 2-byte Identity-H CIDs.

// A begin/endbfchar block may hold at most 100 entries (TN 5014 implementation limits).
const MAX_ENTRIES_PER_BLOCK = 100;

/** Builds a complete ToUnicode CMap mapping each 2-byte CID to its text (UTF-16BE, surrogate pairs for non-BMP). */
export function buildToUnicodeCMap(cidToText: ReadonlyMap<number, string>): string {
  const entries = [...cidToText.entries()].sort((a, b) => a[0] - b[0]);
  const lines = [
    '/CIDInit /ProcSet findresource begin',
    '12 dict begin',
    'begincmap',
    '/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def',
    '/CMapName /Adobe-Identity-UCS def',
    '/CMapType 2 def',
    '1 begincodespacerange',
    '<0000> <FFFF>',
    'endcodespacerange',
  ];
  for (let i = 0; i < entries.length; i += MAX_ENTRIES_PER_BLOCK) {
    const block = entries.slice(i, i + MAX_ENTRIES_PER_BLOCK);
    lines.push(`${block.length} beginbfchar`);
    for (const [cid, text] of block) lines.push(`<${hex4(cid)}> <${utf16beHex(text)}>`);
    lines.push('endbfchar');
  }
  lines.push('endcmap', 'CMapName currentdict /CMap defineresource pop', 'end', 'end', '');
  return lines.join('\n');
}

/** Four uppercase hex digits of a 16-bit value. */
export function hex4(value: number): string {
  return value.toString(16).toUpperCase().padStart(4, '0');
}

/** UTF-16BE hex of a string; JavaScript strings already hold UTF-16 code units, surrogate pairs included. */
function utf16beHex(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += hex4(text.charCodeAt(i));
  return out;
}
