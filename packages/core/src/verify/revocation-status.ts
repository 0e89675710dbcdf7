import { verify as cryptoVerify } from 'node:crypto';
import * as pkijs from 'pkijs';
import { signatureSchemeOfOid } from '../asn1/oids.ts';
import { parseOcspResponse, type ParsedOcspResponse } from '../pki/ocsp-messages.ts';
import type { Cert } from '../x509/chain.ts';

/** A CRL reduced to what status checks need. */
interface ParsedCrl {
  issuerDer: Uint8Array;
  tbs: Uint8Array;
  signatureAlgorithmOid: string;
  signature: Uint8Array;
  revokedSerials: Set<string>;
}

/** Revocation data available to the verifier (from the DSS and the CMS). */
export interface RevocationData {
  ocsp: ParsedOcspResponse[];
  crls: ParsedCrl[];
}

/** Parses what can be parsed; unreadable items are skipped (and so count as missing). */
export function parseRevocationData(ocspDers: Uint8Array[], crlDers: Uint8Array[]): RevocationData {
  const ocsp: ParsedOcspResponse[] = [];
  for (const der of ocspDers) {
    try {
      const parsed = parseOcspResponse(der);
      if (parsed.status === 'successful') ocsp.push(parsed);
    } catch {
      continue;
    }
  }
  const crls: ParsedCrl[] = [];
  for (const der of crlDers) {
    try {
      const crl = pkijs.CertificateRevocationList.fromBER(Uint8Array.from(der));
      crls.push({
        issuerDer: new Uint8Array(crl.issuer.toSchema().toBER()),
        tbs: new Uint8Array(crl.tbsView),
        signatureAlgorithmOid: crl.signatureAlgorithm.algorithmId,
        signature: new Uint8Array(crl.signatureValue.valueBlock.valueHexView),
        revokedSerials: new Set((crl.revokedCertificates ?? []).map((r) => serialHex(r.userCertificate.valueBlock.valueHexView))),
      });
    } catch {
      continue;
    }
  }
  return { ocsp, crls };
}

/**
 * The status of `subject` (issued by `issuer`) per the data: an OCSP response about it, verified
 * against its issuer, or a CRL from its issuer whose signature verifies. 'missing' when neither exists.
 */
export async function revocationStatusOf(subject: Cert, issuer: Cert, data: RevocationData): Promise<'good' | 'revoked' | 'unknown' | 'missing'> {
  for (const response of data.ocsp) {
    const single = response.statusFor(subject.der);
    if (!single) continue;
    if (!(await response.verify(issuer.der))) continue;
    return single.certStatus;
  }
  const subjectIssuer = issuerNameDer(subject);
  const serial = serialHex(Buffer.from(subject.x509.serialNumber, 'hex'));
  for (const crl of data.crls) {
    if (Buffer.compare(crl.issuerDer, subjectIssuer) !== 0) continue;
    if (!crlSignatureValid(crl, issuer)) continue;
    return crl.revokedSerials.has(serial) ? 'revoked' : 'good';
  }
  return 'missing';
}

function crlSignatureValid(crl: ParsedCrl, issuer: Cert): boolean {
  const scheme = signatureSchemeOfOid(crl.signatureAlgorithmOid);
  if ((scheme.kind !== 'rsa-pkcs1' && scheme.kind !== 'ecdsa') || !scheme.hash) return false;
  try {
    return cryptoVerify(scheme.hash, crl.tbs, { key: issuer.x509.publicKey, dsaEncoding: 'der' }, crl.signature);
  } catch {
    return false;
  }
}

const issuerCache = new WeakMap<Cert, Uint8Array>();

/** The DER of the certificate's issuer Name, as it appears in a CRL's issuer field. */
function issuerNameDer(subject: Cert): Uint8Array {
  let der = issuerCache.get(subject);
  if (!der) {
    der = new Uint8Array(pkijs.Certificate.fromBER(Uint8Array.from(subject.der)).issuer.toSchema().toBER());
    issuerCache.set(subject, der);
  }
  return der;
}

function serialHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').replace(/^(00)+(?=.)/, '').toLowerCase();
}
