import { CoreError } from '../errors.ts';
import { BER, decodeSmallInteger, DerError, expectTag, readDer, type DerNode } from '../asn1/der-reader.ts';
import { TAG } from '../asn1/der-writer.ts';

/** PKIStatus values (RFC 3161 §2.4.2). */
export const PKI_STATUS = {
  granted: 0,
  grantedWithMods: 1,
  rejection: 2,
  waiting: 3,
  revocationWarning: 4,
  revocationNotification: 5,
} as const;

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const PKI_FAILURE_INFO = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type PkiFailureInfoName = keyof typeof PKI_FAILURE_INFO;

/** A decoded TimeStampResp. */
export interface ParsedTimestampResponse {
  status: number;
  statusText?: string;
  /** Names of the PKIFailureInfo bits set (unknown bits as `bitN`). */
  failInfo?: string[];
  /** The TimeStampToken DER exactly as received. */
  token?: Uint8Array;
}

/**
 * Decodes a TimeStampResp (RFC 3161 §2.4.2) without judging it; throws CoreError('TSA_BAD_RESPONSE') on garbage.
 * Read with the DER reader (BER accepted): every timestamp goes through here, and pkijs's schema matching
 * of the whole response cost more than the rest of obtaining a timestamp.
 */
export function parseTimestampResponse(responseDer: Uint8Array): ParsedTimestampResponse {
  let top: DerNode;
  try {
    top = readDer(responseDer, BER);
  } catch {
    throw new CoreError('TSA_BAD_RESPONSE', 'timestamp response is not DER');
  }
  try {
    const [statusInfo, token, ...rest] = expectTag(top, TAG.sequence, 'TimeStampResp').children();
    if (rest.length > 0) throw new DerError('TimeStampResp has extra fields');
    const [statusNode, ...optional] = expectTag(statusInfo, TAG.sequence, 'PKIStatusInfo').children();
    const result: ParsedTimestampResponse = { status: decodeSmallInteger(statusNode) };
    for (const field of optional) {
      if (field.tag === TAG.sequence && result.statusText === undefined && result.failInfo === undefined) {
        const texts = field
          .children()
          .map((text) =>
            new TextDecoder('utf-8', { fatal: true }).decode(expectTag(text, TAG.utf8String, 'PKIFreeText').content),
          );
        if (texts.length > 0) result.statusText = texts.join('; ');
      } else if (field.tag === TAG.bitString && result.failInfo === undefined) {
        result.failInfo = bitsSet(field.content).map((bit) => FAILURE_NAMES.get(bit) ?? `bit${bit}`);
      } else throw new DerError(`unexpected field (tag 0x${field.tag.toString(16)}) in PKIStatusInfo`);
    }
    if (token !== undefined) result.token = new Uint8Array(expectTag(token, TAG.sequence, 'TimeStampToken').raw);
    return result;
  } catch (error) {
    throw new CoreError('TSA_BAD_RESPONSE', `not a TimeStampResp: ${(error as Error).message}`, { cause: error });
  }
}

const FAILURE_NAMES = new Map<number, string>(Object.entries(PKI_FAILURE_INFO).map(([name, bit]) => [bit, name]));

/** Numbers of the bits set in a BIT STRING's contents (first octet: unused bits), most significant first. */
function bitsSet(content: Uint8Array): number[] {
  if (content.length === 0 || content[0] > 7) throw new DerError('bad BIT STRING');
  const bytes = content.subarray(1);
  const out: number[] = [];
  for (let bit = 0; bit < bytes.length * 8 - content[0]; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) out.push(bit);
  }
  return out;
}
