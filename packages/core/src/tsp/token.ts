/**
 * RFC 3161 TimeStampTokens read with the core's own CMS parser and DER reader (bounded, BER
 * lengths accepted), and their signatures checked with the certificate model of `x509/`.
 */
import { createHash } from 'node:crypto';
import { CoreError, isCoreError } from '../errors.ts';
import { parseCmsSignature, type ParsedCmsSignature } from '../cms/parse.ts';
import { checkSigningCertificate } from '../cms/verify.ts';
import { readCertificateFields } from '../cms/certificate-fields.ts';
import { bigIntToHex, bytesEqual } from '../asn1/bytes.ts';
import {
  BER,
  decodeOid,
  decodeSmallInteger,
  decodeTime,
  DerError,
  expectTag,
  octetStringValue,
  readDer,
  type DerNode,
} from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';
import { hashAlgorithmOfOid, OID, signatureSchemeOfOid } from '../asn1/oids.ts';
import { parseCertificate } from '../x509/certificate.ts';
import { parseNameNode, rfc4514Text } from '../x509/name.ts';
import { signatureProblem as signatureValueProblem } from '../x509/signature.ts';

/** The accuracy of genTime (RFC 3161 §2.4.2); absent parts are zero. */
export interface TimestampAccuracy {
  seconds?: number;
  millis?: number;
  micros?: number;
}

/** What a TimeStampToken says, plus a way to check its signature. */
export interface ParsedTimestampToken {
  genTime: Date;
  /** The TSTInfo serial number, lower-case hex without sign byte. */
  serialNumberHex: string;
  policyOid: string;
  messageImprint: { hashAlgorithmOid: string; digest: Uint8Array };
  nonce?: bigint;
  /** The TSA name hint: an RFC 4514 string for a directoryName (e.g. `O=Example,CN=TSA`), else the name's text. */
  tsaName?: string;
  accuracy?: TimestampAccuracy;
  ordering: boolean;
  /** The DER of the TSTInfo, exactly as signed. */
  tstInfo: Uint8Array;
  /** Certificates carried in the SignedData (DER, as received). */
  certificates: Uint8Array[];
  /** The certificate the SignerInfo points to, when the token carries it. */
  signerCertificate?: Uint8Array;
  /**
   * Checks the CMS signature over the TSTInfo, the message digest, and that the signer
   * certificate is the one named in the ESSCertID(v2). Pass the TSA certificate when the token
   * does not carry it (it was requested with certReq false).
   */
  verifySignature(signerCertificate?: Uint8Array): Promise<boolean>;
  /** Like verifySignature, but says what is wrong (null when the signature is valid). */
  signatureProblem(signerCertificate?: Uint8Array): Promise<string | null>;
}

/** Parses a TimeStampToken (a CMS ContentInfo with SignedData over TSTInfo); throws CoreError('CMS_INVALID'). */
export function parseTimestampToken(tokenDer: Uint8Array): ParsedTimestampToken {
  try {
    return parse(tokenDer);
  } catch (error) {
    if (isCoreError(error, 'CMS_INVALID')) throw error;
    throw new CoreError('CMS_INVALID', `not a timestamp token: ${(error as Error).message}`, { cause: error });
  }
}

function invalid(message: string): CoreError {
  return new CoreError('CMS_INVALID', message);
}

/** A two's-complement INTEGER as a bigint. */
function integerValue(node: DerNode | undefined, what: string): bigint {
  const content = expectTag(node, TAG.integer, what).content;
  if (content.length === 0) throw new DerError(`empty ${what}`);
  // Serial numbers are at most 20 octets (RFC 3161 §2.4.2), nonces are of the client's choosing: bounded anyway.
  if (content.length > 64) throw new DerError(`${what} too long`);
  let value = BigInt(`0x${Buffer.from(content).toString('hex')}`);
  if (content[0] & 0x80) value -= 1n << BigInt(content.length * 8);
  return value;
}

interface TstInfo {
  policyOid: string;
  hashAlgorithmOid: string;
  digest: Uint8Array;
  serial: bigint;
  genTime: Date;
  accuracy?: TimestampAccuracy;
  ordering: boolean;
  nonce?: bigint;
  tsaName?: string;
}

/** TSTInfo (RFC 3161 §2.4.2). */
function parseTstInfo(der: Uint8Array): TstInfo {
  const fields = expectTag(readDer(der, BER), TAG.sequence, 'TSTInfo').children();
  let index = 0;
  const version = decodeSmallInteger(fields[index++]);
  if (version !== 1) throw invalid(`TSTInfo version ${version}, expected 1`);
  const policyOid = decodeOid(fields[index++]);
  const [algorithm, hashed] = expectTag(fields[index++], TAG.sequence, 'MessageImprint').children();
  const hashAlgorithmOid = decodeOid(expectTag(algorithm, TAG.sequence, 'hashAlgorithm').children()[0]);
  const digest = new Uint8Array(octetStringValue(expectTag(hashed, TAG.octetString, 'hashedMessage')));
  const serial = integerValue(fields[index++], 'serialNumber');
  const timeNode = expectTag(fields[index++], TAG.generalizedTime, 'genTime');
  const genTime = decodeTime(timeNode);
  const info: TstInfo = { policyOid, hashAlgorithmOid, digest, serial, genTime, ordering: false };
  if (fields[index]?.tag === TAG.sequence) {
    const accuracy: TimestampAccuracy = {};
    for (const part of fields[index++].children()) {
      if (part.tag === TAG.integer) accuracy.seconds = decodeSmallInteger(part);
      else if (part.tag === 0x80) accuracy.millis = implicitSmallInteger(part);
      else if (part.tag === 0x81) accuracy.micros = implicitSmallInteger(part);
      else throw new DerError('unexpected field in Accuracy');
    }
    info.accuracy = { seconds: accuracy.seconds, millis: accuracy.millis, micros: accuracy.micros };
  }
  if (fields[index]?.tag === TAG.boolean) info.ordering = fields[index++].content[0] !== 0;
  if (fields[index]?.tag === TAG.integer) info.nonce = integerValue(fields[index++], 'nonce');
  if (fields[index]?.tag === 0xa0) info.tsaName = generalNameText(fields[index++].children()[0]);
  if (fields[index]?.tag === 0xa1) index++; // extensions: none is understood, none changes what is read here
  if (index !== fields.length) throw new DerError('unexpected field in TSTInfo');
  return info;
}

/** The value of an [n] IMPLICIT INTEGER of Accuracy (1..999). */
function implicitSmallInteger(node: DerNode): number {
  const content = node.content;
  if (node.constructed || content.length === 0 || content.length > 2 || content[0] & 0x80)
    throw new DerError('bad Accuracy value');
  return content.reduce((value, octet) => value * 256 + octet, 0);
}

/** A GeneralName as text: a directoryName in RFC 4514 form, the string names as they are. */
function generalNameText(name: DerNode | undefined): string {
  if (name === undefined) throw new DerError('empty tsa field');
  if (name.tag === 0xa4) return rfc4514Text(parseNameNode(name.children()[0]));
  // rfc822Name [1], dNSName [2], uniformResourceIdentifier [6]: IA5String contents.
  if (name.tag === 0x81 || name.tag === 0x82 || name.tag === 0x86) return Buffer.from(name.content).toString('latin1');
  return `GeneralName[${name.tagNumber}]`;
}

function parse(tokenDer: Uint8Array): ParsedTimestampToken {
  if (tokenDer.length === 0) throw invalid('timestamp token is empty');
  // A token is a whole element: unlike PDF /Contents, no zero padding may follow it.
  readDer(tokenDer, BER);
  const cms = parseCmsSignature(tokenDer);
  if (cms.encapsulatedContentTypeOid !== OID.tstInfo) throw invalid('timestamp token does not hold TSTInfo');
  const tstInfoDer = cms.encapsulatedContent;
  if (tstInfoDer === undefined) throw invalid('timestamp token has no TSTInfo content');
  // RFC 3161 §2.4.2: the token carries no signature other than the TSA's.
  if (cms.signerInfoCount !== 1) throw invalid(`timestamp token has ${cms.signerInfoCount} signers, expected 1`);
  const tst = parseTstInfo(tstInfoDer);

  const signatureProblem = (external?: Uint8Array): Promise<string | null> =>
    Promise.resolve(tokenSignatureProblem(cms, tstInfoDer, external));

  return {
    genTime: tst.genTime,
    serialNumberHex: bigIntToHex(tst.serial < 0n ? -tst.serial : tst.serial),
    policyOid: tst.policyOid,
    messageImprint: { hashAlgorithmOid: tst.hashAlgorithmOid, digest: tst.digest },
    nonce: tst.nonce,
    tsaName: tst.tsaName,
    accuracy: tst.accuracy,
    ordering: tst.ordering,
    tstInfo: tstInfoDer,
    certificates: cms.certificates,
    signerCertificate: cms.signerCertificate,
    signatureProblem,
    verifySignature: async (external) => (await signatureProblem(external)) === null,
  };
}

/** Whether the SignerInfo's sid (issuerAndSerialNumber or subjectKeyIdentifier) names `certificateDer`. */
function identifies(cms: ParsedCmsSignature, certificateDer: Uint8Array): boolean {
  const fields = readCertificateFields(certificateDer);
  const sid = cms.signerIdentifier;
  if ('subjectKeyIdentifier' in sid)
    return (
      fields.subjectKeyIdentifier !== undefined && bytesEqual(fields.subjectKeyIdentifier, sid.subjectKeyIdentifier)
    );
  return bytesEqual(fields.issuer, sid.issuer) && bytesEqual(fields.serialNumber, sid.serialNumber);
}

// Algorithms that name their hash are accepted in tokens with SHA-2 (256 and up) only.
const TOKEN_SIGNATURE_HASHES: ReadonlySet<string> = new Set(['sha256', 'sha384', 'sha512']);
// OpenSSL and others may name only the key type (rsaEncryption, ecPublicKey); the hash is then the digestAlgorithm.
const NAMED_BY_HASH: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  [OID.rsaEncryption]: {
    sha256: OID.sha256WithRsaEncryption,
    sha384: OID.sha384WithRsaEncryption,
    sha512: OID.sha512WithRsaEncryption,
  },
  [OID.ecPublicKey]: { sha256: OID.ecdsaWithSha256, sha384: OID.ecdsaWithSha384, sha512: OID.ecdsaWithSha512 },
};

/**
 * RFC 5652 §5.4/§5.6 and RFC 3161 §2.4.2 for the token's one SignerInfo: signed attributes present,
 * content-type id-ct-TSTInfo, message-digest equal to the hash of the TSTInfo, the ESSCertID(v2)
 * naming the signer certificate, and the signature over the DER SET of the signed attributes valid.
 */
function tokenSignatureProblem(
  cms: ParsedCmsSignature,
  tstInfoDer: Uint8Array,
  external: Uint8Array | undefined,
): string | null {
  const certificateDer = cms.signerCertificate ?? external;
  if (certificateDer === undefined) return 'signer certificate not in the token and not given';
  try {
    if (cms.signerCertificate === undefined && !identifies(cms, certificateDer))
      return 'given certificate is not the one the SignerInfo names';
  } catch {
    return 'signer certificate unreadable';
  }
  const attributes = cms.signedAttributes;
  if (attributes === undefined || attributes.all.length === 0) return 'no signed attributes';
  const digest = hashAlgorithmOfOid(cms.digestAlgorithmOid);
  if (digest === undefined) return `unknown digest algorithm ${cms.digestAlgorithmOid}`;

  const essProblems: string[] = [];
  if (!checkSigningCertificate({ ...cms, signerCertificate: certificateDer }, essProblems))
    return essProblems[0] ?? 'no signingCertificate(V2) attribute';
  if (attributes.contentTypeOid !== OID.tstInfo) return 'content-type attribute missing or wrong';
  if (attributes.messageDigest === undefined) return 'message-digest attribute missing';
  if (!bytesEqual(attributes.messageDigest, createHash(digest.name).update(tstInfoDer).digest()))
    return 'message digest mismatch';
  if (attributes.algorithmProtectionMatches === false)
    return 'the CMS algorithm protection attribute does not match the SignerInfo algorithms';

  let algorithmOid = cms.signatureAlgorithmOid;
  const named = NAMED_BY_HASH[algorithmOid] as Readonly<Record<string, string>> | undefined;
  if (named !== undefined) {
    const full = named[digest.name];
    if (full === undefined) return `unsupported signature algorithm ${algorithmOid} with ${digest.name}`;
    algorithmOid = full;
  }
  const scheme = signatureSchemeOfOid(algorithmOid);
  if (
    algorithmOid !== OID.rsassaPss &&
    (scheme.kind === 'unsupported' || (scheme.kind !== 'ed25519' && !TOKEN_SIGNATURE_HASHES.has(scheme.hash ?? '')))
  ) {
    return `unsupported signature algorithm ${cms.signatureAlgorithmOid}`;
  }
  let key;
  try {
    key = parseCertificate(certificateDer);
  } catch (error) {
    return `signer certificate unreadable: ${(error as Error).message}`;
  }
  const problem = signatureValueProblem(
    attributes.raw,
    algorithmOid,
    algorithmOid === cms.signatureAlgorithmOid ? cms.signatureAlgorithmParameters : undefined,
    cms.signatureValue,
    {
      spki: key.spki,
      algorithmOid: key.publicKeyAlgorithmOid,
      parameters: key.publicKeyParameters,
      publicKeyBits: key.publicKeyBits,
    },
  );
  return problem === null ? null : problem === 'the signature does not verify' ? 'signature does not verify' : problem;
}
