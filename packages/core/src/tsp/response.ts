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

// PKIFreeText is a SEQUENCE SIZE (1..MAX) OF UTF8String; a TSA has no reason to send many.
const MAX_STATUS_STRINGS = 64;

/** The numbers of the bits set in a named BIT STRING. */
function setBits(node: DerNode): number[] {
  const content = expectTag(node, TAG.bitString, 'PKIFailureInfo').content;
  if (content.length === 0) throw new DerError('empty BIT STRING');
  const unused = content[0];
  if (unused > 7) throw new DerError('bad BIT STRING');
  const bytes = content.subarray(1);
  const out: number[] = [];
  for (let bit = 0; bit < bytes.length * 8 - unused; bit++) if (bytes[bit >> 3] & (0x80 >> (bit & 7))) out.push(bit);
  return out;
}

/**
 * Decodes a TimeStampResp (RFC 3161 §2.4.2) with the core's DER reader (BER lengths accepted, as
 * some TSAs send them) without judging it; throws CoreError('TSA_BAD_RESPONSE') on garbage.
 */
export function parseTimestampResponse(responseDer: Uint8Array): ParsedTimestampResponse {
  try {
    return parse(responseDer);
  } catch (error) {
    if (error instanceof CoreError) throw error;
    throw new CoreError('TSA_BAD_RESPONSE', `not a TimeStampResp: ${(error as Error).message}`, { cause: error });
  }
}

function parse(responseDer: Uint8Array): ParsedTimestampResponse {
  if (responseDer.length === 0) throw new CoreError('TSA_BAD_RESPONSE', 'timestamp response is empty');
  const [statusInfo, token, ...rest] = expectTag(readDer(responseDer, BER), TAG.sequence, 'TimeStampResp').children();
  if (rest.length > 0) throw new DerError('unexpected fields after the timeStampToken');
  const statusParts = expectTag(statusInfo, TAG.sequence, 'PKIStatusInfo').children();
  let index = 0;
  const result: ParsedTimestampResponse = { status: decodeSmallInteger(statusParts[index++]) };
  if (statusParts[index]?.tag === TAG.sequence) {
    const texts = statusParts[index++].children();
    if (texts.length > MAX_STATUS_STRINGS) throw new DerError('too many status strings');
    if (texts.length > 0)
      result.statusText = texts
        .map((text) => Buffer.from(expectTag(text, TAG.utf8String, 'PKIFreeText').content).toString('utf8'))
        .join('; ');
  }
  if (statusParts[index]?.tag === TAG.bitString) {
    const names = Object.entries(PKI_FAILURE_INFO);
    result.failInfo = setBits(statusParts[index++]).map((bit) => names.find(([, n]) => n === bit)?.[0] ?? `bit${bit}`);
  }
  if (index !== statusParts.length) throw new DerError('unexpected field in PKIStatusInfo');
  if (token !== undefined) result.token = new Uint8Array(expectTag(token, TAG.sequence, 'TimeStampToken').raw);
  return result;
}
