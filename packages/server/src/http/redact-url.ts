/** Path prefixes whose next segment is a secret token (signing, download, claim, 届出 and sign-in links). */
const TOKEN_PATHS =
  /^(\/(?:s|d|claim|signer-registration|api\/sign|api\/download|api\/claims|api\/signer-registrations)\/)[^/?#]+/;

/** A request URL fit for logs: link tokens and `token=` query values replaced by [token]. */
export function redactUrl(url: string): string {
  return url.replace(TOKEN_PATHS, '$1[token]').replace(/([?&]token=)[^&#]*/g, '$1[token]');
}
