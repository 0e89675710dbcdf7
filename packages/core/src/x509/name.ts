/**
 * X.501 Names: parsing, RFC 5280 §7.1 comparison (RFC 4518 string preparation, simplified to case
 * folding and whitespace compression for the directory string types) and one-line display.
 */
import { decodeOid, readDer, type DerNode } from '../asn1/der-reader.ts';
import { TAG, tlv } from '../asn1/der-writer.ts';

/** One attribute of an RDN. */
export interface NameAttribute {
  readonly typeOid: string;
  /** ASN.1 tag of the value (UTF8String 0x0c, PrintableString 0x13 …). */
  readonly valueTag: number;
  readonly value: Uint8Array;
}

/** A parsed Name: its RDNs in encoded order, and the comparison key. */
export interface ParsedName {
  readonly der: Uint8Array;
  readonly rdns: readonly (readonly NameAttribute[])[];
  /** Canonical form: two names are equal under RFC 5280 §7.1 exactly when their keys are. */
  readonly key: string;
}

// Directory string types whose values are compared after preparation; others byte for byte.
const STRING_TAGS = new Set([0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e]);

function decodeString(tag: number, value: Uint8Array): string {
  if (tag === 0x1e) {
    // BMPString: UTF-16BE.
    let out = '';
    for (let i = 0; i + 1 < value.length; i += 2) out += String.fromCharCode((value[i] << 8) | value[i + 1]);
    return out;
  }
  if (tag === 0x1c) {
    let out = '';
    for (let i = 0; i + 3 < value.length; i += 4)
      out += String.fromCodePoint(((value[i] << 24) | (value[i + 1] << 16) | (value[i + 2] << 8) | value[i + 3]) >>> 0);
    return out;
  }
  if (tag === 0x14) return Buffer.from(value).toString('latin1'); // TeletexString, read as Latin-1
  return Buffer.from(value).toString('utf8');
}

/** RFC 4518 in short: NFKC, case fold, insignificant whitespace removed and inner runs made one space. */
function prepare(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(/\s+/g, ' ').trim();
}

function attributeKey(attribute: NameAttribute): string {
  const value = STRING_TAGS.has(attribute.valueTag)
    ? `s:${prepare(decodeString(attribute.valueTag, attribute.value))}`
    : `b:${attribute.valueTag.toString(16)}:${Buffer.from(attribute.value).toString('hex')}`;
  return `${attribute.typeOid}=${JSON.stringify(value)}`;
}

/** Parses a Name (SEQUENCE OF RDN) from its node. */
export function parseNameNode(node: DerNode): ParsedName {
  if (node.tag !== TAG.sequence) throw new Error('Name: expected a SEQUENCE');
  const rdns = node.children().map((rdn) => {
    if (rdn.tag !== TAG.set) throw new Error('RDN: expected a SET');
    return rdn.children().map((atv) => {
      const [type, value] = atv.children();
      return { typeOid: decodeOid(type), valueTag: value.tag, value: value.content } satisfies NameAttribute;
    });
  });
  // Multi-valued RDNs are sets: their order does not count.
  const key = rdns.map((rdn) => rdn.map(attributeKey).sort().join('+')).join(',');
  return { der: node.raw, rdns, key };
}

/** Parses a Name from its DER. */
export function parseName(der: Uint8Array): ParsedName {
  return parseNameNode(readDer(der));
}

/** RFC 5280 §7.1 name equality. */
export function namesEqual(a: ParsedName, b: ParsedName): boolean {
  return a.key === b.key;
}

const SHORT: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'],
  ['2.5.4.6', 'C'],
  ['2.5.4.7', 'L'],
  ['2.5.4.8', 'ST'],
  ['2.5.4.10', 'O'],
  ['2.5.4.11', 'OU'],
  ['2.5.4.5', 'serialNumber'],
  ['2.5.4.97', 'organizationIdentifier'],
  ['1.2.840.113549.1.9.1', 'emailAddress'],
  ['0.9.2342.19200300.100.1.25', 'DC'],
  ['2.5.4.4', 'SN'],
  ['2.5.4.42', 'GN'],
  ['2.5.4.12', 'title'],
]);

/** The value of the first attribute of `typeOid` as text, or null. */
export function nameAttribute(name: ParsedName, typeOid: string): string | null {
  for (const rdn of name.rdns)
    for (const attribute of rdn)
      if (attribute.typeOid === typeOid) return decodeString(attribute.valueTag, attribute.value);
  return null;
}

/** "C=JP, O=…, CN=…" in encoded order, the way the reports have always shown names. */
export function nameText(name: ParsedName): string {
  return name.rdns
    .map((rdn) =>
      rdn
        .map(
          (a) =>
            `${SHORT.get(a.typeOid) ?? a.typeOid}=${STRING_TAGS.has(a.valueTag) ? decodeString(a.valueTag, a.value) : `#${Buffer.from(a.value).toString('hex')}`}`,
        )
        .join(' + '),
    )
    .join(', ');
}

// String types shown as text in RFC 4514 renderings (the directory strings plus NumericString and VisibleString).
const TEXT_TAGS = new Set([...STRING_TAGS, 0x12, 0x1a]);

/**
 * RFC 4514 rendering (`O=Example,CN=TSA`): last RDN first, special characters escaped, values of
 * other types as `#` and the hex of their DER; the attributes of a multi-valued RDN are listed flat.
 */
export function rfc4514Text(name: ParsedName): string {
  return name.rdns
    .flat()
    .map((attribute) => {
      const value = TEXT_TAGS.has(attribute.valueTag)
        ? decodeString(attribute.valueTag, attribute.value)
            .replace(/([,+"\\<>;=])/g, '\\$1')
            .replace(/^([ #])|( )$/g, '\\$1$2')
        : `#${Buffer.from(tlv(attribute.valueTag, attribute.value)).toString('hex')}`;
      return `${SHORT.get(attribute.typeOid) ?? attribute.typeOid}=${value}`;
    })
    .reverse()
    .join(',');
}
