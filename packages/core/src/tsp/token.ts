import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import { signerInfoProblem } from './cms-signature.ts';
import { octetStringBytes, oidText, parseDer, toDer } from '../asn1/asn1js-bridge.ts';
import { BER, isContext, readDer, type DerNode } from '../asn1/der-reader.ts';
import { explicit, sequence, TAG } from '../asn1/der-writer.ts';
import { bigIntToHex, bytesEqual } from '../asn1/bytes.ts';
import { signingCertificateProblem } from './ess.ts';
import { pkijsCertificate } from './certificate-cache.ts';
import { OID } from '../asn1/oids.ts';

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
    if (error instanceof CoreError) throw error;
    throw new CoreError('CMS_INVALID', `not a timestamp token: ${(error as Error).message}`, { cause: error });
  }
}

function invalid(message: string): CoreError {
  return new CoreError('CMS_INVALID', message);
}

function parse(tokenDer: Uint8Array): ParsedTimestampToken {
  // The certificates (most of a token's bytes) are split off with the DER reader and parsed from their
  // DER through a cache; asn1js and pkijs, whose decoding of them cost more than everything else about
  // a token, see the rest only.
  const split = splitCertificates(tokenDer);
  const asn1 = parseDer(split.rest);
  if (asn1 === null) throw invalid('timestamp token is not DER');
  const contentInfo = new pkijs.ContentInfo({ schema: asn1 });
  if (contentInfo.contentType !== OID.signedData) throw invalid('timestamp token is not SignedData');
  const signedData = new pkijs.SignedData({ schema: contentInfo.content });
  if (signedData.encapContentInfo.eContentType !== OID.tstInfo) throw invalid('timestamp token does not hold TSTInfo');
  const eContent = signedData.encapContentInfo.eContent;
  if (eContent === undefined) throw invalid('timestamp token has no TSTInfo content');
  // RFC 3161 §2.4.2: the token carries no signature other than the TSA's.
  if (signedData.signerInfos.length !== 1)
    throw invalid(`timestamp token has ${signedData.signerInfos.length} signers, expected 1`);
  const signerInfo = signedData.signerInfos[0];

  const tstInfoDer = octetStringBytes(eContent);
  const tstAsn1 = parseDer(tstInfoDer);
  if (tstAsn1 === null) throw invalid('TSTInfo is not DER');
  const tstInfo = new pkijs.TSTInfo({ schema: tstAsn1 });
  if (tstInfo.version !== 1) throw invalid(`TSTInfo version ${tstInfo.version}, expected 1`);

  const certificates = split.certificates;
  const parsedCertificates = certificates.map((der) => ({ der, cert: parseCertificate(der) }));
  const signer = parsedCertificates.find((c) => c.cert !== null && identifies(signerInfo.sid, c.cert));

  const signatureProblem = async (external?: Uint8Array): Promise<string | null> => {
    const der = signer?.der ?? external;
    if (der === undefined) return 'signer certificate not in the token and not given';
    const cert = signer?.cert ?? parseCertificate(der);
    if (cert === null) return 'signer certificate unreadable';
    if (signer === undefined && !identifies(signerInfo.sid, cert))
      return 'given certificate is not the one the SignerInfo names';
    return (
      signingCertificateProblem(signerInfo.signedAttrs?.attributes ?? [], cert, der) ??
      signerInfoProblem(signerInfo, tstInfoDer, OID.tstInfo, der)
    );
  };

  const imprint = tstInfo.messageImprint;
  return {
    genTime: tstInfo.genTime,
    serialNumberHex: bigIntToHex(tstInfo.serialNumber.toBigInt()),
    policyOid: oidText((tstAsn1 as asn1js.Sequence).valueBlock.value[1] as asn1js.ObjectIdentifier),
    messageImprint: {
      hashAlgorithmOid: imprint.hashAlgorithm.algorithmId,
      digest: octetStringBytes(imprint.hashedMessage),
    },
    nonce: tstInfo.nonce?.toBigInt(),
    tsaName: tstInfo.tsa === undefined ? undefined : generalNameText(tstInfo.tsa),
    accuracy:
      tstInfo.accuracy === undefined
        ? undefined
        : { seconds: tstInfo.accuracy.seconds, millis: tstInfo.accuracy.millis, micros: tstInfo.accuracy.micros },
    ordering: tstInfo.ordering ?? false,
    tstInfo: tstInfoDer,
    certificates,
    signerCertificate: signer?.der,
    signatureProblem,
    verifySignature: async (external) => (await signatureProblem(external)) === null,
  };
}

/**
 * The token without SignedData's `certificates [0]` field (every other element as received), and the
 * DER of each X.509 certificate of that field as received (a re-encoding could change the hash; the
 * other CertificateChoices are context-tagged and skipped). Throws CMS_INVALID on malformed input.
 */
function splitCertificates(tokenDer: Uint8Array): { rest: Uint8Array; certificates: Uint8Array[] } {
  let contentInfo: DerNode[];
  let signedDataFields: DerNode[];
  try {
    contentInfo = readDer(tokenDer, BER).children();
    const wrapper = contentInfo[1];
    if (wrapper === undefined || !isContext(wrapper, 0)) return { rest: tokenDer, certificates: [] };
    const [signedData, ...more] = wrapper.children();
    if (signedData === undefined || more.length > 0 || signedData.tag !== TAG.sequence)
      return { rest: tokenDer, certificates: [] };
    signedDataFields = signedData.children();
  } catch (error) {
    throw invalid(`timestamp token is not DER: ${(error as Error).message}`);
  }
  const field = signedDataFields.find((node) => isContext(node, 0) && node.constructed);
  if (field === undefined) return { rest: tokenDer, certificates: [] };
  let certificates: Uint8Array[];
  try {
    certificates = field
      .children()
      .filter((node) => node.tag === TAG.sequence)
      .map((node) => new Uint8Array(node.raw));
  } catch (error) {
    throw invalid(`timestamp token certificates are not DER: ${(error as Error).message}`);
  }
  const rest = sequence(
    ...contentInfo.map((node, i) =>
      i === 1 ? explicit(0, sequence(...signedDataFields.filter((f) => f !== field).map((f) => f.raw))) : node.raw,
    ),
  );
  return { rest, certificates };
}

function parseCertificate(der: Uint8Array): pkijs.Certificate | null {
  return pkijsCertificate(der);
}

/** Whether a SignerIdentifier (issuerAndSerialNumber or [0] subjectKeyIdentifier) names `cert`. */
function identifies(sid: pkijs.SignerInfo['sid'], cert: pkijs.Certificate): boolean {
  if (sid instanceof pkijs.IssuerAndSerialNumber) {
    return (
      bytesEqual(
        new Uint8Array(sid.serialNumber.valueBlock.valueHexView),
        new Uint8Array(cert.serialNumber.valueBlock.valueHexView),
      ) && bytesEqual(toDer(sid.issuer.toSchema()), toDer(cert.issuer.toSchema()))
    );
  }
  if (sid instanceof asn1js.Constructed || sid instanceof asn1js.Primitive) {
    const inner = sid instanceof asn1js.Constructed ? sid.valueBlock.value[0] : undefined;
    if (sid instanceof asn1js.Constructed && !(inner instanceof asn1js.OctetString)) return false;
    const keyId =
      inner instanceof asn1js.OctetString
        ? octetStringBytes(inner)
        : new Uint8Array((sid as asn1js.Primitive).valueBlock.valueHexView);
    const ski = cert.extensions?.find((e) => e.extnID === OID.subjectKeyIdentifier)?.parsedValue;
    return ski instanceof asn1js.OctetString && bytesEqual(octetStringBytes(ski), keyId);
  }
  return false;
}

function generalNameText(name: pkijs.GeneralName): string {
  if (name.type === 4 && name.value instanceof pkijs.RelativeDistinguishedNames) {
    return rfc4514(name.value);
  }
  return typeof name.value === 'string' ? name.value : `GeneralName[${name.type}]`;
}

const SHORT_NAMES: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.5': 'serialNumber',
  '2.5.4.97': 'organizationIdentifier',
  '1.2.840.113549.1.9.1': 'emailAddress',
};

/** RFC 4514 rendering: last RDN first, escaped values; multi-valued RDNs are flattened. */
function rfc4514(name: pkijs.RelativeDistinguishedNames): string {
  return name.typesAndValues
    .map((tv) => {
      const raw: unknown = tv.value.valueBlock.value;
      const value =
        typeof raw === 'string'
          ? raw.replace(/([,+"\\<>;=])/g, '\\$1').replace(/^([ #])|( )$/g, '\\$1$2')
          : `#${Buffer.from(toDer(tv.value)).toString('hex')}`;
      return `${SHORT_NAMES[tv.type] ?? tv.type}=${value}`;
    })
    .reverse()
    .join(',');
}
