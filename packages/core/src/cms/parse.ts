/**
 * Parses CMS SignedData (RFC 5652) as found in PDF signatures and timestamp tokens, from any
 * implementation: BER indefinite lengths are accepted, and only the first SignerInfo is read.
 */
import { CoreError, isCoreError } from '../errors.ts';
import { readCertificateFields, type CertificateFields } from './certificate-fields.ts';
import { bytesEqual } from '../asn1/bytes.ts';
import {
  BER,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  DerError,
  expectTag,
  octetStringValue,
  readDer,
  readDerAt,
  type DerNode,
} from '../asn1/der-reader.ts';
import { retag, TAG } from '../asn1/der-writer.ts';
import { OID } from '../asn1/oids.ts';

export { verifyCmsSignature, type CmsVerification } from './verify.ts';

/** One attribute with the DER of each of its values. */
export interface CmsAttribute {
  readonly typeOid: string;
  readonly values: Uint8Array[];
}

/** The issuer GeneralNames (directoryName entries, as Name DER) and serial number (INTEGER DER) of an ESS certificate id. */
export interface EssIssuerSerial {
  readonly issuerNames: Uint8Array[];
  readonly serialNumber: Uint8Array;
}

export interface EssCertificateId {
  readonly certHash: Uint8Array;
  readonly hashAlgorithmOid: string;
  readonly issuerSerial?: EssIssuerSerial;
}

export interface ParsedSignedAttributes {
  readonly contentTypeOid?: string;
  readonly messageDigest?: Uint8Array;
  readonly signingTime?: Date;
  readonly signingCertificateV2?: EssCertificateId;
  readonly signingCertificateV1?: EssCertificateId;
  /** True when the RFC 6211 CMSAlgorithmProtection attribute is present. */
  readonly algorithmProtection?: boolean;
  /** Whether its algorithms equal the SignerInfo's (undefined when the attribute is absent). */
  readonly algorithmProtectionMatches?: boolean;
  /** Every signed attribute, in encoded order. */
  readonly all: CmsAttribute[];
  /** The DER of the attributes as a SET (tag 0x31): the bytes the signature covers. */
  readonly raw: Uint8Array;
}

export type SignerIdentifier =
  { readonly issuer: Uint8Array; readonly serialNumber: Uint8Array } | { readonly subjectKeyIdentifier: Uint8Array };

export interface ParsedCmsSignature {
  /** The certificate that `sid` names, when the CMS embeds it. */
  readonly signerCertificate?: Uint8Array;
  readonly signerIdentifier: SignerIdentifier;
  readonly certificates: Uint8Array[];
  /** CertificateList entries of the `crls` field (other revocation formats are skipped). */
  readonly crls: Uint8Array[];
  readonly digestAlgorithmOid: string;
  readonly signatureAlgorithmOid: string;
  /** DER of the signatureAlgorithm parameters, when present (NULL for RSA, RSASSA-PSS-params for PSS). */
  readonly signatureAlgorithmParameters?: Uint8Array;
  /** Absent when the SignerInfo has no signed attributes (then the signature covers the content digest). */
  readonly signedAttributes?: ParsedSignedAttributes;
  readonly unsignedAttributes: CmsAttribute[];
  readonly signatureValue: Uint8Array;
  /** The first id-aa-signatureTimeStampToken value (a TimeStampToken ContentInfo DER). */
  readonly signatureTimestampToken?: Uint8Array;
  readonly isDetached: boolean;
  readonly encapsulatedContentTypeOid: string;
  /** The eContent octets when not detached (for a timestamp token: the TSTInfo DER). */
  readonly encapsulatedContent?: Uint8Array;
  readonly signerInfoCount: number;
  /** Irregularities that do not stop parsing (duplicate attributes, non-DER signed attributes …). */
  readonly problems: string[];
}

// Copies, so results neither alias nor pin the caller's buffer.
const copy = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes);

function algorithmOf(tlv: DerNode | undefined, what: string): { oid: string; parameters?: Uint8Array } {
  const parts = expectTag(tlv, TAG.sequence, what).children();
  return { oid: decodeOid(parts[0]), parameters: parts[1] ? copy(parts[1].raw) : undefined };
}

function readAttributes(container: DerNode): CmsAttribute[] {
  return container.children().map((attribute) => {
    const [type, values] = expectTag(attribute, TAG.sequence, 'Attribute').children();
    return {
      typeOid: decodeOid(type),
      values: expectTag(values, TAG.set, 'AttributeValues')
        .children()
        .map((value) => copy(value.raw)),
    };
  });
}

/** The single value of the one attribute of `type`, or a problem when it is missing-but-duplicated or multi-valued. */
function singleValue(
  attributes: CmsAttribute[],
  type: string,
  name: string,
  problems: string[],
): Uint8Array | undefined {
  const found = attributes.filter((attribute) => attribute.typeOid === type);
  if (found.length === 0) return undefined;
  if (found.length > 1 || found[0].values.length !== 1) {
    problems.push(`the ${name} attribute must occur once with one value`);
    return undefined;
  }
  return found[0].values[0];
}

function readEssCertificateId(value: Uint8Array, version: 1 | 2): EssCertificateId {
  // SigningCertificate(V2) ::= SEQUENCE { certs SEQUENCE OF ESSCertID(v2), policies OPTIONAL }; the first id is the signer's.
  const [certs] = expectTag(readDer(value, BER), TAG.sequence, 'SigningCertificate').children();
  const [first] = expectTag(certs, TAG.sequence, 'ESSCertIDs').children();
  const parts = expectTag(first, TAG.sequence, 'ESSCertID').children();
  let index = 0;
  let hashAlgorithmOid: string = version === 1 ? OID.sha1 : OID.sha256; // v2 hashAlgorithm DEFAULT id-sha256
  if (version === 2 && parts[0]?.tag === TAG.sequence)
    hashAlgorithmOid = algorithmOf(parts[index++], 'ESSCertIDv2 hashAlgorithm').oid;
  const certHash = copy(octetStringValue(expectTag(parts[index++], TAG.octetString, 'certHash')));
  let issuerSerial: EssIssuerSerial | undefined;
  if (parts[index]) {
    const [names, serial] = expectTag(parts[index], TAG.sequence, 'IssuerSerial').children();
    issuerSerial = {
      issuerNames: expectTag(names, TAG.sequence, 'GeneralNames')
        .children()
        .filter((name) => name.tag === 0xa4) // directoryName [4] EXPLICIT Name
        .map((name) => copy(name.children()[0].raw)),
      serialNumber: copy(expectTag(serial, TAG.integer, 'IssuerSerial serialNumber').raw),
    };
  }
  return { certHash, hashAlgorithmOid, issuerSerial };
}

/** Compares AlgorithmIdentifiers treating absent parameters and NULL as equal (RFC 5754 lets both occur). */
function sameAlgorithm(
  a: { oid: string; parameters?: Uint8Array },
  b: { oid: string; parameters?: Uint8Array },
): boolean {
  const normal = (parameters?: Uint8Array): string =>
    parameters === undefined || (parameters.length === 2 && parameters[0] === TAG.null)
      ? ''
      : Buffer.from(parameters).toString('hex');
  return a.oid === b.oid && normal(a.parameters) === normal(b.parameters);
}

function readSignedAttributes(
  container: DerNode,
  digestAlgorithm: { oid: string; parameters?: Uint8Array },
  signatureAlgorithm: { oid: string; parameters?: Uint8Array },
  problems: string[],
): ParsedSignedAttributes {
  if (container.indefinite) problems.push('the signed attributes are not DER encoded');
  const all = readAttributes(container);
  const contentType = singleValue(all, OID.contentType, 'content-type', problems);
  const messageDigest = singleValue(all, OID.messageDigest, 'message-digest', problems);
  const signingTime = singleValue(all, OID.signingTime, 'signing-time', problems);
  const v2 = singleValue(all, OID.signingCertificateV2, 'signing-certificate-v2', problems);
  const v1 = singleValue(all, OID.signingCertificate, 'signing-certificate', problems);
  const protection = singleValue(all, OID.cmsAlgorithmProtection, 'CMS algorithm protection', problems);
  let algorithmProtectionMatches: boolean | undefined;
  if (protection) {
    // CMSAlgorithmProtection ::= SEQUENCE { digestAlgorithm, signatureAlgorithm [1] IMPLICIT OPTIONAL, macAlgorithm [2] OPTIONAL }
    const parts = expectTag(readDer(protection, BER), TAG.sequence, 'CMSAlgorithmProtection').children();
    const protectedDigest = algorithmOf(parts[0], 'protected digestAlgorithm');
    const signaturePart = parts.find((part) => part.tag === 0xa1);
    const protectedSignature = signaturePart
      ? algorithmOf(readDer(retag(signaturePart.raw, TAG.sequence), BER), 'protected signatureAlgorithm')
      : undefined;
    algorithmProtectionMatches =
      sameAlgorithm(protectedDigest, digestAlgorithm) &&
      protectedSignature !== undefined &&
      sameAlgorithm(protectedSignature, signatureAlgorithm);
  }
  return {
    contentTypeOid: contentType ? decodeOid(readDer(contentType, BER)) : undefined,
    messageDigest: messageDigest ? copy(octetStringValue(readDer(messageDigest, BER))) : undefined,
    signingTime: signingTime ? decodeTime(readDer(signingTime, BER)) : undefined,
    signingCertificateV2: v2 ? readEssCertificateId(v2, 2) : undefined,
    signingCertificateV1: v1 ? readEssCertificateId(v1, 1) : undefined,
    algorithmProtection: protection !== undefined,
    algorithmProtectionMatches,
    all,
    raw: copy(retag(container.raw, TAG.set)),
  };
}

function readSignerIdentifier(tlv: DerNode): SignerIdentifier {
  if (tlv.tag === TAG.sequence) {
    const [issuer, serial] = tlv.children();
    return {
      issuer: copy(expectTag(issuer, TAG.sequence, 'sid issuer').raw),
      serialNumber: copy(expectTag(serial, TAG.integer, 'sid serialNumber').raw),
    };
  }
  if (tlv.tag === 0x80) return { subjectKeyIdentifier: copy(tlv.content) }; // [0] IMPLICIT SubjectKeyIdentifier
  throw new CoreError('CMS_INVALID', 'unknown SignerIdentifier');
}

function findSignerCertificate(
  certificates: Uint8Array[],
  sid: SignerIdentifier,
  problems: string[],
): Uint8Array | undefined {
  const equal = (a?: Uint8Array, b?: Uint8Array): boolean => a !== undefined && b !== undefined && bytesEqual(a, b);
  for (const certificate of certificates) {
    let fields: CertificateFields;
    try {
      fields = readCertificateFields(certificate);
    } catch {
      problems.push('an embedded certificate cannot be parsed');
      continue;
    }
    if (
      'subjectKeyIdentifier' in sid
        ? equal(fields.subjectKeyIdentifier, sid.subjectKeyIdentifier)
        : equal(fields.issuer, sid.issuer) && equal(fields.serialNumber, sid.serialNumber)
    ) {
      return certificate;
    }
  }
  return undefined;
}

/** Parses the DER/BER of a ContentInfo holding SignedData (zero padding after it allowed); throws CoreError('CMS_INVALID') when it cannot. */
export function parseCmsSignature(der: Uint8Array): ParsedCmsSignature {
  try {
    return parse(der);
  } catch (error) {
    if (isCoreError(error, 'CMS_INVALID')) throw error;
    if (error instanceof DerError) throw new CoreError('CMS_INVALID', `ASN.1: ${error.message}`, { cause: error });
    throw new CoreError('CMS_INVALID', `unparsable CMS: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function parse(der: Uint8Array): ParsedCmsSignature {
  const problems: string[] = [];
  const contentInfo = readDerAt(der, 0, BER);
  // PDF writers pad /Contents with zeros after the DER; anything else after it is an error.
  if (der.subarray(contentInfo.raw.length).some((octet) => octet !== 0))
    throw new CoreError('CMS_INVALID', 'trailing data after the CMS');
  const [contentType, explicitContent] = expectTag(contentInfo, TAG.sequence, 'ContentInfo').children();
  if (decodeOid(contentType) !== OID.signedData)
    throw new CoreError('CMS_INVALID', 'the ContentInfo does not hold SignedData');
  const signedDataParts = expectTag(
    expectTag(explicitContent, 0xa0, 'ContentInfo content').children()[0],
    TAG.sequence,
    'SignedData',
  ).children();
  let index = 0;
  decodeSmallInteger(signedDataParts[index++]); // version: accepted whatever it says
  expectTag(signedDataParts[index++], TAG.set, 'digestAlgorithms');
  const encapsulated = expectTag(signedDataParts[index++], TAG.sequence, 'EncapsulatedContentInfo').children();
  const encapsulatedContentTypeOid = decodeOid(encapsulated[0]);
  const encapsulatedContent = encapsulated[1]
    ? copy(octetStringValue(expectTag(encapsulated[1], 0xa0, 'eContent').children()[0]))
    : undefined;

  const certificates: Uint8Array[] = [];
  const crls: Uint8Array[] = [];
  if (signedDataParts[index]?.tag === 0xa0) {
    // CertificateChoices: only plain certificates (SEQUENCE) are of use; attribute certificates are skipped.
    for (const choice of signedDataParts[index++].children())
      if (choice.tag === TAG.sequence) certificates.push(copy(choice.raw));
  }
  if (signedDataParts[index]?.tag === 0xa1) {
    for (const choice of signedDataParts[index++].children())
      if (choice.tag === TAG.sequence) crls.push(copy(choice.raw));
  }
  const signerInfos = expectTag(signedDataParts[index], TAG.set, 'signerInfos').children();
  if (signerInfos.length === 0) throw new CoreError('CMS_INVALID', 'the SignedData has no SignerInfo');
  if (signerInfos.length > 1)
    problems.push(`the SignedData has ${signerInfos.length} SignerInfos; only the first is read`);

  const signerParts = expectTag(signerInfos[0], TAG.sequence, 'SignerInfo').children();
  let at = 0;
  decodeSmallInteger(signerParts[at++]);
  const signerIdentifier = readSignerIdentifier(signerParts[at++]);
  const digestAlgorithm = algorithmOf(signerParts[at++], 'digestAlgorithm');
  const signedAttributesTlv = signerParts[at]?.tag === 0xa0 ? signerParts[at++] : undefined;
  const signatureAlgorithm = algorithmOf(signerParts[at++], 'signatureAlgorithm');
  const signatureValue = copy(octetStringValue(expectTag(signerParts[at++], TAG.octetString, 'signature')));
  const unsignedAttributes = signerParts[at]?.tag === 0xa1 ? readAttributes(signerParts[at]) : [];

  const signedAttributes = signedAttributesTlv
    ? readSignedAttributes(signedAttributesTlv, digestAlgorithm, signatureAlgorithm, problems)
    : undefined;
  const timestampAttribute = unsignedAttributes.find((attribute) => attribute.typeOid === OID.signatureTimeStampToken);
  return {
    signerCertificate: findSignerCertificate(certificates, signerIdentifier, problems),
    signerIdentifier,
    certificates,
    crls,
    digestAlgorithmOid: digestAlgorithm.oid,
    signatureAlgorithmOid: signatureAlgorithm.oid,
    signatureAlgorithmParameters: signatureAlgorithm.parameters,
    signedAttributes,
    unsignedAttributes,
    signatureValue,
    signatureTimestampToken: timestampAttribute?.values[0],
    isDetached: encapsulatedContent === undefined,
    encapsulatedContentTypeOid,
    encapsulatedContent,
    signerInfoCount: signerInfos.length,
    problems,
  };
}
