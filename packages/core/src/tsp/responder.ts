import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from '../errors.ts';
import type { Signer } from '../signer.ts';
import { BER, decodeOid, decodeSmallInteger, expectTag, octetStringValue, readDer } from '../asn1/der-reader.ts';
import {
  explicit,
  integer,
  namedBitString,
  nullValue,
  octetString,
  oid,
  sequence,
  setOf,
  tlv,
  utf8String,
  TAG,
} from '../asn1/der-writer.ts';
import { hashAlgorithmOfOid, INKAN_DEFAULT_TSA_POLICY, OID } from '../asn1/oids.ts';
import { parseCertificate, type X509 } from '../x509/certificate.ts';
import { signingCertificateV2Attribute } from './ess.ts';
import { IMPRINT_HASH_OIDS } from './request.ts';
import { PKI_FAILURE_INFO, PKI_STATUS, type PkiFailureInfoName } from './response.ts';

/** Configuration of an in-process RFC 3161 timestamp responder. */
export interface TimestampResponderOptions {
  /** The TSA certificate (DER); it should carry a critical extendedKeyUsage of only id-kp-timeStamping. */
  certificate: Uint8Array;
  /** Issuers of the TSA certificate (DER), sent along when the request asks for certificates. */
  chain?: readonly Uint8Array[];
  /** Holds the TSA key; its certificate must be `certificate`. */
  signer: Signer;
  /** The TSA policy; defaults to Inkan's private default policy (see asn1/oids.ts). */
  policyOid?: string;
  /** The accuracy claimed for genTime, in whole seconds (default 1; 0 leaves the field out). */
  accuracySeconds?: number;
  /** genTime precision (default 'second'). */
  precision?: 'second' | 'millisecond';
  /** The clock; the default is the system clock. */
  now?: () => Date;
  /** Serial number source (unsigned big-endian bytes); default 16 random bytes, unique with overwhelming probability. */
  serialNumber?: () => Uint8Array;
}

/** An RFC 3161 responder: TimeStampReq DER in, TimeStampResp DER out. */
export interface TimestampResponder {
  /** Answers a request; never throws — bad input or an internal failure become a rejection response. */
  respond(requestDer: Uint8Array): Promise<Uint8Array>;
}

class Rejection {
  constructor(
    readonly failure: PkiFailureInfoName,
    readonly text: string,
  ) {}
}

/** A TimeStampReq as the responder reads it. */
interface TimestampRequest {
  hashAlgorithmOid: string;
  /** Whether the hash AlgorithmIdentifier carried (NULL) parameters: echoed as received. */
  hashParametersNull: boolean;
  digest: Uint8Array;
  reqPolicy?: string;
  /** The nonce INTEGER TLV, echoed as received. */
  nonce?: Uint8Array;
  certReq: boolean;
}

/** GeneralizedTime with the fraction of a second DER allows (no trailing zeros, none at all when whole). */
function generalizedTimeMillis(date: Date): Uint8Array {
  const iso = date.toISOString(); // 2026-01-02T03:04:05.678Z
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return tlv(TAG.generalizedTime, new TextEncoder().encode(`${digits}${fraction ? `.${fraction}` : ''}Z`));
}

/** Attribute ::= SEQUENCE { attrType, attrValues SET OF }. */
function attribute(type: string, value: Uint8Array): Uint8Array {
  return sequence(oid(type), setOf([value]));
}

/** Creates a timestamp responder signing with `signer` (RSA or ECDSA P-256, always SHA-256). */
export function createTimestampResponder(options: TimestampResponderOptions): TimestampResponder {
  let certificate: X509;
  try {
    certificate = parseCertificate(options.certificate);
    for (const der of options.chain ?? []) parseCertificate(der);
  } catch (error) {
    throw new CoreError('PKI_INVALID', 'the TSA certificate or its chain is not X.509', { cause: error });
  }
  const certificates = [options.certificate, ...(options.chain ?? [])].map((der) => new Uint8Array(der));
  if (
    options.accuracySeconds !== undefined &&
    !(Number.isInteger(options.accuracySeconds) && options.accuracySeconds >= 0)
  ) {
    throw new CoreError('PKI_INVALID', 'accuracySeconds must be a whole number of seconds');
  }
  const policyOid = options.policyOid ?? INKAN_DEFAULT_TSA_POLICY;
  const policy = oid(policyOid);
  const accuracySeconds = options.accuracySeconds ?? 1;
  const now = options.now ?? (() => new Date());
  const serialNumber = options.serialNumber ?? (() => randomBytes(16));
  const essAttribute = signingCertificateV2Attribute(options.certificate);
  const sid = sequence(certificate.issuer.der, tlv(TAG.integer, certificate.serial));
  const tsaName = explicit(0, tlv(0xa4, certificate.subject.der)); // [0] GeneralName: directoryName [4]
  const sha256 = sequence(oid(OID.sha256));

  async function grant(requestDer: Uint8Array): Promise<Uint8Array> {
    const request = readRequest(requestDer);
    if (request.reqPolicy !== undefined && request.reqPolicy !== policyOid) {
      throw new Rejection('unacceptedPolicy', `policy ${request.reqPolicy} is not offered; this TSA uses ${policyOid}`);
    }
    let genTime = now();
    if ((options.precision ?? 'second') === 'second') genTime = new Date(Math.floor(genTime.getTime() / 1000) * 1000);
    const tstInfoDer = sequence(
      integer(1),
      policy,
      sequence(
        sequence(oid(request.hashAlgorithmOid), ...(request.hashParametersNull ? [nullValue()] : [])),
        octetString(request.digest),
      ),
      integer(serialNumber()),
      generalizedTimeMillis(genTime),
      ...(accuracySeconds > 0 ? [sequence(integer(accuracySeconds))] : []),
      ...(request.nonce === undefined ? [] : [request.nonce]),
      tsaName,
    );
    const signedData = await signTstInfo(tstInfoDer, request.certReq ? certificates : []);
    return sequence(oid(OID.signedData), explicit(0, signedData));
  }

  async function signTstInfo(tstInfoDer: Uint8Array, includedCertificates: readonly Uint8Array[]): Promise<Uint8Array> {
    const attributes = [
      attribute(OID.contentType, oid(OID.tstInfo)),
      attribute(OID.messageDigest, octetString(createHash('sha256').update(tstInfoDer).digest())),
      essAttribute,
    ];
    // Signed attributes are a DER SET OF (sorted by their encodings, X.690 §11.6); signed with tag 0x31, sent as [0] IMPLICIT.
    const signature = await options.signer.sign(setOf(attributes));
    const signatureAlgorithm =
      options.signer.keyAlgorithm === 'RSA'
        ? sequence(oid(OID.sha256WithRsaEncryption), nullValue())
        : sequence(oid(OID.ecdsaWithSha256));
    const signerInfo = sequence(
      integer(1),
      sid,
      sha256,
      setOf(attributes, 0xa0),
      signatureAlgorithm,
      octetString(signature),
    );
    return sequence(
      integer(3),
      setOf([sha256]),
      sequence(oid(OID.tstInfo), explicit(0, octetString(tstInfoDer))),
      // RFC 3161 §2.4.1: without certReq the certificates field MUST NOT be present. The TSA's own certificate first.
      ...(includedCertificates.length > 0 ? [tlv(0xa0, ...includedCertificates)] : []),
      setOf([signerInfo]),
    );
  }

  return {
    async respond(requestDer) {
      try {
        const token = await grant(requestDer);
        return sequence(sequence(integer(PKI_STATUS.granted)), token);
      } catch (error) {
        const rejection =
          error instanceof Rejection ? error : new Rejection('systemFailure', 'the TSA could not produce a token');
        return rejectionResponse(rejection);
      }
    },
  };
}

/** Parses and checks a TimeStampReq (RFC 3161 §2.4.1); throws a Rejection naming the PKIFailureInfo bit. */
function readRequest(requestDer: Uint8Array): TimestampRequest {
  let fields;
  try {
    fields = expectTag(readDer(requestDer, BER), TAG.sequence, 'TimeStampReq').children();
  } catch {
    throw new Rejection('badDataFormat', 'the request is not DER');
  }
  try {
    let index = 0;
    const version = decodeSmallInteger(fields[index++]);
    if (version !== 1) throw new Rejection('badRequest', `request version ${version} is not supported`);
    const [algorithm, hashed, ...extra] = expectTag(fields[index++], TAG.sequence, 'MessageImprint').children();
    if (extra.length > 0) throw new Rejection('badDataFormat', 'the request is not a TimeStampReq');
    const [algorithmOid, parameters, ...more] = expectTag(algorithm, TAG.sequence, 'hashAlgorithm').children();
    const hashAlgorithmOid = decodeOid(algorithmOid);
    if (!(Object.values(IMPRINT_HASH_OIDS) as string[]).includes(hashAlgorithmOid))
      throw new Rejection('badAlg', `hash algorithm ${hashAlgorithmOid} is not accepted`);
    // Parameters of the SHA-2 identifiers are absent or NULL (RFC 5754 §2).
    if (
      more.length > 0 ||
      (parameters !== undefined && !(parameters.tag === TAG.null && parameters.content.length === 0))
    )
      throw new Rejection('badAlg', 'hash algorithm parameters must be absent or NULL');
    const digest = octetStringValue(expectTag(hashed, TAG.octetString, 'hashedMessage'));
    const hash = hashAlgorithmOfOid(hashAlgorithmOid);
    if (hash === undefined || digest.length !== hash.length)
      throw new Rejection('badDataFormat', `a ${hash?.name} imprint has ${hash?.length} bytes, got ${digest.length}`);
    const request: TimestampRequest = {
      hashAlgorithmOid,
      hashParametersNull: parameters !== undefined,
      digest: new Uint8Array(digest),
      certReq: false,
    };
    if (fields[index]?.tag === TAG.oid) request.reqPolicy = decodeOid(fields[index++]);
    if (fields[index]?.tag === TAG.integer) {
      const nonce = fields[index++];
      if (nonce.content.length === 0 || nonce.content.length > 64)
        throw new Rejection('badDataFormat', 'the nonce must be an INTEGER of at most 64 octets');
      request.nonce = new Uint8Array(tlv(TAG.integer, nonce.content));
    }
    if (fields[index]?.tag === TAG.boolean) request.certReq = fields[index++].content[0] !== 0;
    // RFC 3161 §2.4.1: an extension the TSA does not know, critical or not, is refused.
    if (fields[index]?.tag === 0xa0) {
      if (fields[index++].children().length > 0)
        throw new Rejection('unacceptedExtension', 'request extensions are not supported');
    }
    if (index !== fields.length) throw new Rejection('badDataFormat', 'the request is not a TimeStampReq');
    return request;
  } catch (error) {
    if (error instanceof Rejection) throw error;
    throw new Rejection('badDataFormat', 'the request is not a TimeStampReq');
  }
}

function rejectionResponse(rejection: Rejection): Uint8Array {
  return sequence(
    sequence(
      integer(PKI_STATUS.rejection),
      sequence(utf8String(rejection.text)),
      namedBitString([PKI_FAILURE_INFO[rejection.failure]]),
    ),
  );
}
