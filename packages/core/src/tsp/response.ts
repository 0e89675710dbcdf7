import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError } from '../errors.ts';
import { originalBytes, parseDer, setBits } from '../asn1/asn1js-bridge.ts';

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

/** Decodes a TimeStampResp (RFC 3161 §2.4.2) without judging it; throws CoreError('TSA_BAD_RESPONSE') on garbage. */
export function parseTimestampResponse(responseDer: Uint8Array): ParsedTimestampResponse {
  const asn1 = parseDer(responseDer);
  if (asn1 === null) throw new CoreError('TSA_BAD_RESPONSE', 'timestamp response is not DER');
  let response: pkijs.TimeStampResp;
  try {
    response = new pkijs.TimeStampResp({ schema: asn1 });
  } catch (error) {
    throw new CoreError('TSA_BAD_RESPONSE', `not a TimeStampResp: ${(error as Error).message}`, { cause: error });
  }
  const { status, statusStrings, failInfo } = response.status;
  const names = Object.entries(PKI_FAILURE_INFO);
  const result: ParsedTimestampResponse = { status };
  if (statusStrings !== undefined && statusStrings.length > 0)
    result.statusText = statusStrings.map((s) => s.valueBlock.value).join('; ');
  if (failInfo !== undefined) {
    result.failInfo = setBits(failInfo).map((bit) => names.find(([, n]) => n === bit)?.[0] ?? `bit${bit}`);
  }
  if (response.timeStampToken !== undefined) {
    const tokenAsn1 = (asn1 as asn1js.Sequence).valueBlock.value[1];
    result.token = originalBytes(tokenAsn1);
  }
  return result;
}
