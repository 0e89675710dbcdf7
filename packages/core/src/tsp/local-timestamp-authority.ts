import type { TimestampAuthority } from '../timestamp-authority.ts';
import { freshNonce } from './nonce.ts';
import { buildTimestampRequest } from './request.ts';
import type { TimestampResponder } from './responder.ts';
import { validateTimestampResponse } from './validate-response.ts';

/**
 * A TimestampAuthority backed by an in-process responder (the built-in TSA). It goes through
 * the same request/response bytes and the same checks as the HTTP client, so a misconfigured
 * TSA (wrong certificate, missing EKU) fails on the first timestamp rather than in a verifier.
 */
export class LocalTimestampAuthority implements TimestampAuthority {
  readonly #responder: TimestampResponder;
  readonly #policyOid?: string;

  constructor(responder: TimestampResponder, options: { policyOid?: string } = {}) {
    this.#responder = responder;
    this.#policyOid = options.policyOid;
  }

  async timestamp(digest: Uint8Array): Promise<Uint8Array> {
    const nonce = freshNonce();
    const request = buildTimestampRequest(digest, { nonce: nonce.bytes, certReq: true, policyOid: this.#policyOid });
    const response = await this.#responder.respond(request);
    return validateTimestampResponse(response, { digest, nonce: nonce.value, policyOid: this.#policyOid });
  }
}
