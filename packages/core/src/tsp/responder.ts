import { createHash, randomBytes } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import type { Signer } from '../signer.ts';
import {
  asn1jsNamedBitString,
  octetStringBytes,
  oidText,
  parseDer,
  toDer,
  unsignedInteger,
} from '../asn1/asn1js-bridge.ts';
import { hashAlgorithmOfOid, INKAN_DEFAULT_TSA_POLICY, OID } from '../asn1/oids.ts';
import { readDer } from '../asn1/der-reader.ts';
import { explicit, integer, oid, sequence, tlv } from '../asn1/der-writer.ts';
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

/** Creates a timestamp responder signing with `signer` (RSA or ECDSA P-256, always SHA-256). */
export function createTimestampResponder(options: TimestampResponderOptions): TimestampResponder {
  let certificates: pkijs.Certificate[];
  try {
    certificates = [options.certificate, ...(options.chain ?? [])].map(parseCertificate);
  } catch (error) {
    throw new CoreError('PKI_INVALID', 'the TSA certificate or its chain is not X.509', { cause: error });
  }
  const certificate = certificates[0];
  if (
    options.accuracySeconds !== undefined &&
    !(Number.isInteger(options.accuracySeconds) && options.accuracySeconds >= 0)
  ) {
    throw new CoreError('PKI_INVALID', 'accuracySeconds must be a whole number of seconds');
  }
  const policyOid = options.policyOid ?? INKAN_DEFAULT_TSA_POLICY;
  const accuracySeconds = options.accuracySeconds ?? 1;
  const now = options.now ?? (() => new Date());
  const serialNumber = options.serialNumber ?? (() => randomBytes(16));
  const essAttribute = signingCertificateV2Attribute(certificate, options.certificate);

  async function grant(requestDer: Uint8Array): Promise<Uint8Array> {
    const { request, reqPolicy } = readRequest(requestDer);
    if (reqPolicy !== undefined && reqPolicy !== policyOid) {
      throw new Rejection('unacceptedPolicy', `policy ${reqPolicy} is not offered; this TSA uses ${policyOid}`);
    }
    let genTime = now();
    if ((options.precision ?? 'second') === 'second') genTime = new Date(Math.floor(genTime.getTime() / 1000) * 1000);
    const tstInfo = new pkijs.TSTInfo({
      version: 1,
      policy: policyOid,
      messageImprint: request.messageImprint,
      serialNumber: unsignedInteger(serialNumber()),
      genTime,
      ...(accuracySeconds > 0 ? { accuracy: new pkijs.Accuracy({ seconds: accuracySeconds }) } : {}),
      ...(request.nonce === undefined ? {} : { nonce: request.nonce }),
      tsa: new pkijs.GeneralName({ type: 4, value: certificate.subject }),
    });
    const tstInfoDer = toDer(tstInfo.toSchema());
    const signedData = toDer((await signTstInfo(tstInfoDer, [])).toSchema(true));
    // RFC 3161 §2.4.1: the certificates only when asked for (certReq). They go in as the DER they came
    // as, by the DER writer: pkijs re-encoding three certificates for every token cost several times
    // the token's signature.
    const withCertificates =
      request.certReq === true
        ? insertCertificates(signedData, [options.certificate, ...(options.chain ?? [])])
        : signedData;
    return sequence(oid(OID.signedData), explicit(0, withCertificates));
  }

  async function signTstInfo(
    tstInfoDer: Uint8Array,
    includedCertificates: readonly pkijs.Certificate[],
  ): Promise<pkijs.SignedData> {
    const attributes = [
      new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
      new pkijs.Attribute({
        type: OID.messageDigest,
        values: [new asn1js.OctetString({ valueHex: createHash('sha256').update(tstInfoDer).digest() })],
      }),
      essAttribute,
    ];
    // Signed attributes are a DER SET OF: sorted by their encodings (X.690 §11.6).
    const encoded = attributes.map((a) => ({ attribute: a, der: Buffer.from(toDer(a.toSchema())) }));
    encoded.sort((a, b) => Buffer.compare(a.der, b.der));
    const sorted = encoded.map((e) => e.attribute);
    const toBeSigned = toDer(new asn1js.Set({ value: sorted.map((a) => a.toSchema()) }));
    const signature = await options.signer.sign(toBeSigned);

    const signerInfo = new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: certificate.issuer, serialNumber: certificate.serialNumber }),
      digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted }),
      signatureAlgorithm:
        options.signer.keyAlgorithm === 'RSA'
          ? new pkijs.AlgorithmIdentifier({
              algorithmId: OID.sha256WithRsaEncryption,
              algorithmParams: new asn1js.Null(),
            })
          : new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 }),
      signature: new asn1js.OctetString({ valueHex: signature }),
    });
    const encapContentInfo = new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo });
    // Set after construction: pkijs's constructor would split it into a constructed (BER-only) OCTET STRING.
    encapContentInfo.eContent = new asn1js.OctetString({ valueHex: tstInfoDer });
    return new pkijs.SignedData({
      version: 3,
      digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
      encapContentInfo,
      // RFC 3161 §2.4.1: without certReq the certificates field MUST NOT be present.
      ...(includedCertificates.length > 0 ? { certificates: [...includedCertificates] } : {}),
      signerInfos: [signerInfo],
    });
  }

  return {
    async respond(requestDer) {
      try {
        const token = await grant(requestDer);
        // TimeStampResp { status PKIStatusInfo { granted }, timeStampToken }.
        return sequence(sequence(integer(PKI_STATUS.granted)), token);
      } catch (error) {
        const rejection =
          error instanceof Rejection ? error : new Rejection('systemFailure', 'the TSA could not produce a token');
        return rejectionResponse(rejection);
      }
    },
  };
}

/**
 * SignedData (DER, without certificates) with `certificates [0] IMPLICIT SET OF Certificate` inserted
 * after encapContentInfo (RFC 5652 §5.1 field order), the certificates in the given order (as pkijs
 * wrote them).
 */
function insertCertificates(signedDataDer: Uint8Array, certificateDers: readonly Uint8Array[]): Uint8Array {
  const fields = readDer(signedDataDer)
    .children()
    .map((field) => field.raw);
  // version, digestAlgorithms, encapContentInfo, [certificates], [crls], signerInfos
  return sequence(...fields.slice(0, 3), tlv(0xa0, ...certificateDers), ...fields.slice(3));
}

/** Parses and checks a TimeStampReq; throws a Rejection naming the PKIFailureInfo bit. */
function readRequest(requestDer: Uint8Array): { request: pkijs.TimeStampReq; reqPolicy?: string } {
  const asn1 = parseDer(requestDer);
  if (asn1 === null) throw new Rejection('badDataFormat', 'the request is not DER');
  let request: pkijs.TimeStampReq;
  try {
    request = new pkijs.TimeStampReq({ schema: asn1 });
  } catch {
    throw new Rejection('badDataFormat', 'the request is not a TimeStampReq');
  }
  if (request.version !== 1) throw new Rejection('badRequest', `request version ${request.version} is not supported`);
  const algorithm = request.messageImprint.hashAlgorithm;
  const accepted = Object.values(IMPRINT_HASH_OIDS) as string[];
  if (!accepted.includes(algorithm.algorithmId))
    throw new Rejection('badAlg', `hash algorithm ${algorithm.algorithmId} is not accepted`);
  // Parameters of the SHA-2 identifiers are absent or NULL (RFC 5754 §2).
  const params: unknown = algorithm.algorithmParams;
  if (params !== undefined && !(params instanceof asn1js.Null))
    throw new Rejection('badAlg', 'hash algorithm parameters must be absent or NULL');
  const digest = octetStringBytes(request.messageImprint.hashedMessage);
  const hash = hashAlgorithmOfOid(algorithm.algorithmId);
  if (hash === undefined || digest.length !== hash.length) {
    throw new Rejection('badDataFormat', `a ${hash?.name} imprint has ${hash?.length} bytes, got ${digest.length}`);
  }
  // RFC 3161 §2.4.1: an extension the TSA does not know, critical or not, is refused.
  if (request.extensions !== undefined && request.extensions.length > 0)
    throw new Rejection('unacceptedExtension', 'request extensions are not supported');
  // The only top-level OBJECT IDENTIFIER of a TimeStampReq is reqPolicy; read it with oidText (big arcs).
  const policy = (asn1 as asn1js.Sequence).valueBlock.value.find((v) => v instanceof asn1js.ObjectIdentifier);
  return { request, reqPolicy: policy === undefined ? undefined : oidText(policy as asn1js.ObjectIdentifier) };
}

function parseCertificate(der: Uint8Array): pkijs.Certificate {
  const asn1 = parseDer(der);
  if (asn1 === null) throw new CoreError('PKI_INVALID', 'certificate is not DER');
  return new pkijs.Certificate({ schema: asn1 });
}

function rejectionResponse(rejection: Rejection): Uint8Array {
  const status = new pkijs.PKIStatusInfo({
    status: PKI_STATUS.rejection,
    statusStrings: [new asn1js.Utf8String({ value: rejection.text })],
    failInfo: asn1jsNamedBitString([PKI_FAILURE_INFO[rejection.failure]]),
  });
  return toDer(new pkijs.TimeStampResp({ status }).toSchema());
}
