/**
 * The verifier's certificate model: an X.509 certificate read once with the core's DER reader and
 * kept with its DER, its fingerprint and the extensions path validation needs. Parsed certificates
 * are cached by SHA-256 of their DER, so a file verified twice parses its chain once.
 */
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { bytesEqual } from '../asn1/bytes.ts';
import { BER, decodeOid, decodeTime, expectTag, octetStringValue, readDer, type DerNode } from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseNameNode, type ParsedName } from './name.ts';

/** One extension: critical flag and the extnValue octets. */
export interface CertificateExtension {
  readonly critical: boolean;
  readonly value: Uint8Array;
}

/** A parsed X.509 certificate. */
export interface X509 {
  readonly der: Uint8Array;
  /** SHA-256 of the DER, lower-case hex: identity for de-duplication and caches. */
  readonly id: string;
  readonly version: number;
  /** The serialNumber INTEGER content octets (two's complement, as encoded). */
  readonly serial: Uint8Array;
  /** Lower-case hex of the serial without leading zero octets (how reports and OCSP show it). */
  readonly serialHex: string;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: { oid: string; parameters?: Uint8Array; raw: Uint8Array };
  /** The signature field inside the TBSCertificate (must equal signatureAlgorithm). */
  readonly tbsSignatureAlgorithmRaw: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuer: ParsedName;
  readonly subject: ParsedName;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  readonly publicKeyAlgorithmOid: string;
  /** DER of the SPKI algorithm parameters, when present. */
  readonly publicKeyParameters?: Uint8Array;
  /** The subjectPublicKey BIT STRING contents (what key identifiers and OCSP key hashes hash). */
  readonly publicKeyBits: Uint8Array;
  readonly extensions: ReadonlyMap<string, CertificateExtension>;
  /** Extension OIDs present more than once (RFC 5280 §4.2 forbids it). */
  readonly duplicateExtensions: readonly string[];
  readonly basicConstraints?: { ca: boolean; pathLength?: number };
  /** Named bits set in keyUsage, undefined when the extension is absent. */
  readonly keyUsage?: ReadonlySet<number>;
  /** extendedKeyUsage purposes, undefined when absent. */
  readonly extendedKeyUsage?: readonly string[];
  readonly subjectKeyIdentifier?: Uint8Array;
  readonly authorityKeyIdentifier?: Uint8Array;
  /** rfc822Name entries of subjectAltName. */
  readonly emailAddresses: readonly string[];
  /** The public key, for node:crypto (undefined when node cannot import it, e.g. DSA without parameters). */
  publicKey(): KeyObject | undefined;
}

/** Thrown when bytes are not a certificate. */
export class CertificateParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CertificateParseError';
  }
}

/** keyUsage bit numbers (RFC 5280 §4.2.1.3). */
export const KEY_USAGE = {
  digitalSignature: 0,
  nonRepudiation: 1,
  keyEncipherment: 2,
  dataEncipherment: 3,
  keyAgreement: 4,
  keyCertSign: 5,
  cRLSign: 6,
} as const;

function algorithm(node: DerNode): { oid: string; parameters?: Uint8Array; raw: Uint8Array } {
  const parts = expectTag(node, TAG.sequence, 'AlgorithmIdentifier').children();
  return { oid: decodeOid(parts[0]), parameters: parts[1]?.raw, raw: node.raw };
}

function bitStringContent(node: DerNode): { bytes: Uint8Array; unused: number } {
  const content = expectTag(node, TAG.bitString, 'BIT STRING').content;
  if (content.length === 0) throw new CertificateParseError('empty BIT STRING');
  return { bytes: content.subarray(1), unused: content[0] };
}

function namedBitsSet(node: DerNode): Set<number> {
  const { bytes, unused } = bitStringContent(node);
  const out = new Set<number>();
  for (let bit = 0; bit < bytes.length * 8 - unused; bit++) if (bytes[bit >> 3] & (0x80 >> (bit & 7))) out.add(bit);
  return out;
}

/** Lower-case hex without leading zero octets. */
export function serialHexOf(serial: Uint8Array): string {
  const hex = Buffer.from(serial)
    .toString('hex')
    .replace(/^(00)+(?=..)/, '');
  return hex === '' ? '00' : hex;
}

function parse(der: Uint8Array, id: string): X509 {
  const [tbsNode, algorithmNode, signatureNode] = expectTag(readDer(der, BER), TAG.sequence, 'Certificate').children();
  const fields = expectTag(tbsNode, TAG.sequence, 'TBSCertificate').children();
  let index = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const v = expectTag(fields[0].children()[0], TAG.integer, 'version').content;
    version = (v[v.length - 1] ?? 0) + 1;
    index = 1;
  }
  const serial = expectTag(fields[index++], TAG.integer, 'serialNumber').content;
  const tbsSignatureAlgorithmRaw = expectTag(fields[index++], TAG.sequence, 'signature').raw;
  const issuer = parseNameNode(fields[index++]);
  const [notBeforeNode, notAfterNode] = expectTag(fields[index++], TAG.sequence, 'Validity').children();
  const subject = parseNameNode(fields[index++]);
  const spkiNode = expectTag(fields[index++], TAG.sequence, 'SubjectPublicKeyInfo');
  const [spkiAlgorithmNode, keyNode] = spkiNode.children();
  const spkiAlgorithm = algorithm(spkiAlgorithmNode);
  const extensions = new Map<string, CertificateExtension>();
  const duplicateExtensions: string[] = [];
  for (; index < fields.length; index++) {
    if (fields[index].tag !== 0xa3) continue; // issuerUniqueID [1], subjectUniqueID [2]
    for (const extension of expectTag(fields[index].children()[0], TAG.sequence, 'Extensions').children()) {
      const parts = extension.children();
      const extnId = decodeOid(parts[0]);
      const critical = parts.length === 3 && parts[1].tag === TAG.boolean && parts[1].content[0] !== 0;
      const value = expectTag(parts[parts.length - 1], TAG.octetString, 'extnValue').content;
      if (extensions.has(extnId)) duplicateExtensions.push(extnId);
      extensions.set(extnId, { critical, value });
    }
  }
  const read = (oid: string): DerNode | undefined => {
    const extension = extensions.get(oid);
    return extension ? readDer(extension.value, BER) : undefined;
  };
  let basicConstraints: X509['basicConstraints'];
  const bc = read(OID.basicConstraints);
  if (bc) {
    const parts = expectTag(bc, TAG.sequence, 'BasicConstraints').children();
    let at = 0;
    let ca = false;
    if (parts[at]?.tag === TAG.boolean) ca = parts[at++].content[0] !== 0;
    let pathLength: number | undefined;
    if (parts[at]?.tag === TAG.integer) {
      const content = parts[at].content;
      pathLength = content.length > 4 ? Number.MAX_SAFE_INTEGER : content.reduce((n, octet) => n * 256 + octet, 0);
    }
    basicConstraints = { ca, pathLength };
  }
  const ku = read(OID.keyUsage);
  const eku = read(OID.extKeyUsage);
  const ski = read(OID.subjectKeyIdentifier);
  const aki = read(OID.authorityKeyIdentifier);
  const keyIdOfAki = aki ? aki.children().find((part) => part.tag === 0x80)?.content : undefined;
  const san = read(OID.subjectAltName);
  const emailAddresses = san
    ? san
        .children()
        .filter((n) => n.tag === 0x81)
        .map((n) => Buffer.from(n.content).toString('latin1'))
    : [];
  let key: KeyObject | undefined | null = null;
  return {
    der,
    id,
    version,
    serial,
    serialHex: serialHexOf(serial),
    tbs: tbsNode.raw,
    signatureAlgorithm: algorithm(algorithmNode),
    tbsSignatureAlgorithmRaw,
    signature: bitStringContent(signatureNode).bytes,
    issuer,
    subject,
    notBefore: decodeTime(notBeforeNode),
    notAfter: decodeTime(notAfterNode),
    spki: spkiNode.raw,
    publicKeyAlgorithmOid: spkiAlgorithm.oid,
    publicKeyParameters: spkiAlgorithm.parameters,
    publicKeyBits: bitStringContent(keyNode).bytes,
    extensions,
    duplicateExtensions,
    basicConstraints,
    keyUsage: ku ? namedBitsSet(ku) : undefined,
    extendedKeyUsage: eku
      ? expectTag(eku, TAG.sequence, 'ExtKeyUsageSyntax')
          .children()
          .map((n) => decodeOid(n))
      : undefined,
    subjectKeyIdentifier: ski ? octetStringValue(ski) : undefined,
    authorityKeyIdentifier: keyIdOfAki,
    emailAddresses,
    publicKey() {
      if (key === null) {
        try {
          key = createPublicKey({ key: Buffer.from(spkiNode.raw), format: 'der', type: 'spki' });
        } catch {
          key = undefined;
        }
      }
      return key;
    },
  };
}

// Bounded so that a long-running server does not keep every certificate it ever saw.
const CACHE_LIMIT = 2048;
const cache = new Map<string, X509>();

/** Parses a DER certificate (cached by SHA-256 of the DER); throws CertificateParseError. */
export function parseCertificate(der: Uint8Array): X509 {
  const id = createHash('sha256').update(der).digest('hex');
  const hit = cache.get(id);
  if (hit) return hit;
  let parsed: X509;
  try {
    parsed = parse(new Uint8Array(der), id);
  } catch (error) {
    throw new CertificateParseError(`not an X.509 certificate: ${(error as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(id, parsed);
  return parsed;
}

/** Whether `certificate` names itself as issuer (RFC 5280 self-issued). */
export function isSelfIssued(certificate: X509): boolean {
  return certificate.issuer.key === certificate.subject.key;
}

/** Same subject and same key: the same CA, however many certificates it has. */
export function sameEntity(a: X509, b: X509): boolean {
  return a.subject.key === b.subject.key && bytesEqual(a.publicKeyBits, b.publicKeyBits);
}

/** Forgets every parsed certificate (benchmarks measure parsing without the cache with it). */
export function clearCertificateCache(): void {
  cache.clear();
}
