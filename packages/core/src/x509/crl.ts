/**
 * The verifier's CRL model (RFC 5280 §5): a CertificateList read once with the core's DER reader,
 * with what revocation checking needs and what it does not support named, so that an unsupported
 * CRL is never silently taken as "not revoked".
 */
import { createHash } from 'node:crypto';
import {
  BER,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  expectTag,
  readDer,
  type DerNode,
} from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';
import { parseNameNode, type ParsedName } from './name.ts';

/** One revoked certificate. */
export interface CrlEntry {
  readonly revokedAt: Date;
  /** CRLReason code (0 when absent). */
  readonly reason: number;
  /** A critical entry extension the verifier does not understand (the entry, so the CRL, cannot be used). */
  readonly unknownCritical?: string;
}

/** A parsed CRL. */
export interface ParsedCrl {
  readonly der: Uint8Array;
  readonly id: string;
  readonly tbs: Uint8Array;
  readonly signatureAlgorithm: { oid: string; parameters?: Uint8Array; raw: Uint8Array };
  readonly tbsSignatureAlgorithmRaw: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuer: ParsedName;
  readonly thisUpdate: Date;
  readonly nextUpdate?: Date;
  /** Entries by the certificate serial's INTEGER content octets in hex (as encoded: negative serials too). */
  readonly entries: ReadonlyMap<string, CrlEntry>;
  readonly authorityKeyIdentifier?: Uint8Array;
  /** Why the CRL cannot be used at all: an unknown critical extension (the PKITS 4.4.9/4.4.10 cases). */
  readonly unusable?: string;
  /** Features the verifier does not implement (indirect CRLs, partial reasons, delta CRLs). */
  readonly unsupported?: string;
  /** The issuingDistributionPoint scope, when the CRL has one. */
  readonly scope?: CrlScope;
}

/** What an issuingDistributionPoint restricts a CRL to (RFC 5280 §5.2.5). */
export interface CrlScope {
  /** Comparison keys of the distribution point's fullName GeneralNames. */
  readonly names?: readonly string[];
  readonly onlyUserCertificates: boolean;
  readonly onlyCaCertificates: boolean;
  readonly onlyAttributeCertificates: boolean;
}

/** A certificate's cRLDistributionPoints entry, reduced to what scoping needs. */
export interface DistributionPoint {
  readonly names?: readonly string[];
  /** nameRelativeToCRLIssuer, reasons or cRLIssuer: features not supported. */
  readonly unsupported?: string;
}

/** Comparison key of a GeneralName: directory names by RFC 5280 name rules, others byte for byte. */
function generalNameKey(node: DerNode): string {
  if (node.tag === 0xa4) return `dn:${parseNameNode(node.children()[0]).key}`;
  return `${node.tag.toString(16)}:${Buffer.from(node.content).toString('hex')}`;
}

function fullNames(distributionPoint: DerNode): { names?: string[]; unsupported?: string } {
  const choice = distributionPoint.children()[0];
  if (choice?.tag === 0xa0) return { names: choice.children().map(generalNameKey) };
  return { unsupported: 'distribution points named relative to the CRL issuer are not supported' };
}

/** The cRLDistributionPoints of a certificate's extension value. */
export function parseDistributionPoints(value: Uint8Array): DistributionPoint[] {
  return expectTag(readDer(value, BER), TAG.sequence, 'CRLDistributionPoints')
    .children()
    .map((point) => {
      let names: string[] | undefined;
      let unsupported: string | undefined;
      for (const part of point.children()) {
        if (part.tag === 0xa0) ({ names, unsupported } = fullNames(part));
        else if (part.tag === 0x81) unsupported ??= 'distribution points limited to some reasons are not supported';
        else if (part.tag === 0xa2)
          unsupported ??= 'distribution points with a separate CRL issuer (indirect CRLs) are not supported';
      }
      return { names, unsupported };
    });
}

function parseScope(value: Uint8Array): { scope: CrlScope; unsupported?: string } {
  let names: string[] | undefined;
  let unsupported: string | undefined;
  const flag = (node: DerNode) => node.content[0] !== 0;
  const scope = { onlyUserCertificates: false, onlyCaCertificates: false, onlyAttributeCertificates: false };
  for (const part of expectTag(readDer(value, BER), TAG.sequence, 'IssuingDistributionPoint').children()) {
    if (part.tag === 0xa0) ({ names, unsupported } = fullNames(part));
    else if (part.tag === 0x81) scope.onlyUserCertificates = flag(part);
    else if (part.tag === 0x82) scope.onlyCaCertificates = flag(part);
    else if (part.tag === 0x83) unsupported ??= 'CRLs covering only some reasons are not supported';
    else if (part.tag === 0x84 && flag(part)) unsupported ??= 'indirect CRLs are not supported';
    else if (part.tag === 0x85) scope.onlyAttributeCertificates = flag(part);
  }
  return { scope: { ...scope, names }, unsupported };
}

const REASON_CODE = '2.5.29.21';
const INVALIDITY_DATE = '2.5.29.24';
const CERTIFICATE_ISSUER = '2.5.29.29';
const DELTA_CRL_INDICATOR = '2.5.29.27';
const ISSUING_DISTRIBUTION_POINT = '2.5.29.28';
const FRESHEST_CRL = '2.5.29.46';
const KNOWN_CRL_EXTENSIONS = new Set<string>([
  OID.crlNumber,
  OID.authorityKeyIdentifier,
  FRESHEST_CRL,
  '1.3.6.1.5.5.7.1.1',
]);

function readExtensions(node: DerNode | undefined): Array<{ oid: string; critical: boolean; value: Uint8Array }> {
  if (!node) return [];
  return expectTag(node, TAG.sequence, 'Extensions')
    .children()
    .map((extension) => {
      const parts = extension.children();
      return {
        oid: decodeOid(parts[0]),
        critical: parts.length === 3 && parts[1].tag === TAG.boolean && parts[1].content[0] !== 0,
        value: expectTag(parts[parts.length - 1], TAG.octetString, 'extnValue').content,
      };
    });
}

/** Parses a DER CRL; throws on anything that is not one. */
export function parseCrl(der: Uint8Array): ParsedCrl {
  const bytes = new Uint8Array(der);
  const [tbsNode, algorithmNode, signatureNode] = expectTag(
    readDer(bytes, BER),
    TAG.sequence,
    'CertificateList',
  ).children();
  const fields = expectTag(tbsNode, TAG.sequence, 'TBSCertList').children();
  let index = fields[0]?.tag === TAG.integer ? 1 : 0;
  const tbsSignatureAlgorithmRaw = expectTag(fields[index++], TAG.sequence, 'signature').raw;
  const issuer = parseNameNode(fields[index++]);
  const thisUpdate = decodeTime(fields[index++]);
  let nextUpdate: Date | undefined;
  if (fields[index]?.tag === TAG.utcTime || fields[index]?.tag === TAG.generalizedTime)
    nextUpdate = decodeTime(fields[index++]);
  const entries = new Map<string, CrlEntry>();
  let unsupported: string | undefined;
  let unusable: string | undefined;
  if (fields[index]?.tag === TAG.sequence) {
    for (const entry of fields[index++].children()) {
      const parts = entry.children();
      const serial = Buffer.from(expectTag(parts[0], TAG.integer, 'userCertificate').content).toString('hex');
      const revokedAt = decodeTime(parts[1]);
      let reason = 0;
      let unknownCritical: string | undefined;
      for (const extension of readExtensions(parts[2])) {
        if (extension.oid === REASON_CODE) reason = decodeSmallInteger(readDer(extension.value, BER), TAG.enumerated);
        else if (extension.oid === CERTIFICATE_ISSUER)
          unsupported ??= 'indirect CRL entries (certificateIssuer) are not supported';
        else if (extension.oid !== INVALIDITY_DATE && extension.critical) unknownCritical = extension.oid;
      }
      if (unknownCritical)
        unusable ??= `the CRL entry for serial ${serial} has the unknown critical extension ${unknownCritical}`;
      entries.set(serial, { revokedAt, reason, unknownCritical });
    }
  }
  let authorityKeyIdentifier: Uint8Array | undefined;
  let scope: CrlScope | undefined;
  if (fields[index]?.tag === 0xa0) {
    for (const extension of readExtensions(fields[index].children()[0])) {
      if (extension.oid === OID.authorityKeyIdentifier)
        authorityKeyIdentifier = readDer(extension.value, BER)
          .children()
          .find((p) => p.tag === 0x80)?.content;
      else if (extension.oid === ISSUING_DISTRIBUTION_POINT) {
        const parsed = parseScope(extension.value);
        scope = parsed.scope;
        unsupported ??= parsed.unsupported;
      } else if (extension.oid === DELTA_CRL_INDICATOR) unsupported ??= 'delta CRLs are not supported';
      else if (!KNOWN_CRL_EXTENSIONS.has(extension.oid) && extension.critical)
        unusable ??= `the CRL has the unknown critical extension ${extension.oid}`;
    }
  }
  const signatureBits = expectTag(signatureNode, TAG.bitString, 'signature').content;
  const algorithmParts = expectTag(algorithmNode, TAG.sequence, 'signatureAlgorithm').children();
  return {
    der: bytes,
    id: createHash('sha256').update(bytes).digest('hex'),
    tbs: tbsNode.raw,
    signatureAlgorithm: {
      oid: decodeOid(algorithmParts[0]),
      parameters: algorithmParts[1]?.raw,
      raw: algorithmNode.raw,
    },
    tbsSignatureAlgorithmRaw,
    signature: signatureBits.subarray(1),
    issuer,
    thisUpdate,
    nextUpdate,
    entries,
    authorityKeyIdentifier,
    unusable,
    unsupported,
    scope,
  };
}

/** Parses what it can; unreadable items are dropped. */
export function parseCrls(ders: Iterable<Uint8Array>): ParsedCrl[] {
  const out = new Map<string, ParsedCrl>();
  for (const der of ders) {
    try {
      const crl = parseCrl(der);
      out.set(crl.id, crl);
    } catch {
      continue;
    }
  }
  return [...out.values()];
}
