import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { toDer } from '../asn1/asn1js-bridge.ts';
import { bytesEqual } from '../asn1/bytes.ts';
import { hashAlgorithmOfOid, OID } from '../asn1/oids.ts';

/**
 * The signingCertificateV2 signed attribute (RFC 5035, required for TSAs by RFC 5816 and
 * ETSI EN 319 422) naming `certificate` by its SHA-256 hash and issuer/serial.
 */
export function signingCertificateV2Attribute(
  certificate: pkijs.Certificate,
  certificateDer: Uint8Array,
): pkijs.Attribute {
  const essCertIdV2 = new asn1js.Sequence({
    value: [
      // hashAlgorithm is left out: it is DEFAULT id-sha256, and DER forbids encoding a default.
      new asn1js.OctetString({ valueHex: createHash('sha256').update(certificateDer).digest() }),
      issuerSerial(certificate),
    ],
  });
  const signingCertificateV2 = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
  return new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2] });
}

function issuerSerial(certificate: pkijs.Certificate): asn1js.Sequence {
  const directoryName = new asn1js.Constructed({
    idBlock: { tagClass: 3, tagNumber: 4 },
    value: [certificate.issuer.toSchema()],
  });
  return new asn1js.Sequence({
    value: [
      new asn1js.Sequence({ value: [directoryName] }),
      new asn1js.Integer({ valueHex: certificate.serialNumber.valueBlock.valueHexView }),
    ],
  });
}

/**
 * Checks that the signing-certificate attribute of a SignerInfo (v2, or the SHA-1 v1 that
 * older TSAs and OpenSSL's default still emit) names `certificate`. Returns the problem, or null.
 */
export function signingCertificateProblem(
  attributes: readonly pkijs.Attribute[],
  certificate: pkijs.Certificate,
  certificateDer: Uint8Array,
): string | null {
  const v2 = attributes.filter((a) => a.type === OID.signingCertificateV2);
  const v1 = attributes.filter((a) => a.type === OID.signingCertificate);
  if (v2.length + v1.length === 0) return 'no signingCertificate(V2) attribute';
  if (v2.length > 1 || v1.length > 1) return 'repeated signingCertificate attribute';
  for (const [attribute, version] of [
    [v2[0], 2],
    [v1[0], 1],
  ] as const) {
    if (attribute === undefined) continue;
    const problem = essCertIdProblem(attribute, version, certificate, certificateDer);
    if (problem !== null) return problem;
  }
  return null;
}

function essCertIdProblem(
  attribute: pkijs.Attribute,
  version: 1 | 2,
  certificate: pkijs.Certificate,
  certificateDer: Uint8Array,
): string | null {
  const name = version === 2 ? 'signingCertificateV2' : 'signingCertificate';
  if (attribute.values.length !== 1) return `${name} attribute must have one value`;
  const value: unknown = attribute.values[0];
  const certs = value instanceof asn1js.Sequence ? value.valueBlock.value[0] : undefined;
  // RFC 5035 §5.4: the first ESSCertID identifies the signing certificate.
  const first = certs instanceof asn1js.Sequence ? certs.valueBlock.value[0] : undefined;
  if (!(first instanceof asn1js.Sequence)) return `${name} attribute is malformed`;
  const fields = [...first.valueBlock.value];
  let hashOid: string = version === 2 ? OID.sha256 : OID.sha1;
  if (version === 2 && fields[0] instanceof asn1js.Sequence) {
    const algorithm = fields.shift() as asn1js.Sequence;
    const oid = algorithm.valueBlock.value[0];
    if (!(oid instanceof asn1js.ObjectIdentifier)) return `${name} hash algorithm is malformed`;
    hashOid = oid.valueBlock.toString();
  }
  const hash = hashAlgorithmOfOid(hashOid);
  if (hash === undefined) return `${name} uses unknown hash algorithm ${hashOid}`;
  const certHash = fields[0];
  if (!(certHash instanceof asn1js.OctetString)) return `${name} certHash is malformed`;
  const expected = createHash(hash.name).update(certificateDer).digest();
  if (!bytesEqual(new Uint8Array(certHash.valueBlock.valueHexView), expected))
    return `${name} does not name the signer certificate`;
  const serial = fields[1];
  if (serial === undefined) return null;
  const problem = issuerSerialProblem(serial, certificate);
  return problem === null ? null : `${name} issuerSerial: ${problem}`;
}

function issuerSerialProblem(value: asn1js.AsnType, certificate: pkijs.Certificate): string | null {
  if (!(value instanceof asn1js.Sequence)) return 'malformed';
  const [names, serial] = value.valueBlock.value;
  if (!(names instanceof asn1js.Sequence) || !(serial instanceof asn1js.Integer)) return 'malformed';
  if (
    !bytesEqual(
      new Uint8Array(serial.valueBlock.valueHexView),
      new Uint8Array(certificate.serialNumber.valueBlock.valueHexView),
    )
  ) {
    return 'serial number differs from the signer certificate';
  }
  const issuer = toDer(certificate.issuer.toSchema());
  const matches = names.valueBlock.value.some((name) => {
    if (name.idBlock.tagClass !== 3 || name.idBlock.tagNumber !== 4 || !(name instanceof asn1js.Constructed))
      return false;
    const inner = name.valueBlock.value[0];
    return inner !== undefined && bytesEqual(toDer(inner), issuer);
  });
  return matches ? null : 'issuer differs from the signer certificate';
}
