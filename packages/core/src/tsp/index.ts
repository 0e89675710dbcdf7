export { createTimestampResponder, type TimestampResponder, type TimestampResponderOptions } from './responder.ts';
export { parseTimestampToken, type ParsedTimestampToken, type TimestampAccuracy } from './token.ts';
export { buildTimestampRequest, type TimestampHashAlgorithm, type TimestampRequestOptions } from './request.ts';
export {
  parseTimestampResponse,
  PKI_STATUS,
  PKI_FAILURE_INFO,
  type ParsedTimestampResponse,
  type PkiFailureInfoName,
} from './response.ts';
export { validateTimestampResponse, tsaCertificateProblem, type TimestampExpectation } from './validate-response.ts';
export { LocalTimestampAuthority } from './local-timestamp-authority.ts';
export {
  HttpTimestampAuthority,
  type HttpTimestampAuthorityOptions,
  type TimestampAttemptFailure,
} from './http-timestamp-authority.ts';
export { INKAN_OID_ARC, INKAN_DEFAULT_TSA_POLICY } from '../asn1/oids.ts';
