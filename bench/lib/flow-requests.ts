// The envelope flow's requests as the in-process cost benches (request-cost.ts, job-cost.ts) make them
// through the test harness: the same envelope (two signers with access codes, one 2-page PDF), the same
// access-code and sign requests.
import type { Harness } from '../../packages/server/test/api/helpers/harness.ts';

/** The two recipients of envelope `i` (addresses under `domain`) and their access codes. */
export function flowRecipients(i: number, domain: string): { emails: string[]; codes: string[] } {
  return { emails: [`r1-${i}@${domain}`, `r2-${i}@${domain}`], codes: ['1234', '5678'] };
}

/** POST /api/v1/envelopes: envelope `i` to its two recipients (flowRecipients), with `pdf`. */
export function createFlowEnvelope(h: Harness, pdf: Uint8Array, i: number, domain: string) {
  const { emails, codes } = flowRecipients(i, domain);
  return h.createEnvelope(
    h.org,
    {
      name: `業務委託契約書 ${i}`,
      message: 'ご確認のうえ署名をお願いいたします。',
      recipients: emails.map((email, k) => ({
        name: k === 0 ? '受注者 太郎' : '発注者 花子',
        email,
        accessCode: codes[k],
        order: k + 1,
        language: 'ja',
      })),
    },
    [{ filename: `contract-${i}.pdf`, data: pdf }],
  );
}

/** A signer whose access code passed, ready to sign. */
export interface ReadySigner {
  token: string;
  cookie: string;
  csrf: string;
  address: string;
}

/** POST /api/sign/{token}/access-code from `address` (the access-code rate limit counts per address). */
export function accessCodeRequest(h: Harness, token: string, code: string, address: string) {
  return h.app.inject({
    method: 'POST',
    url: `/api/sign/${token}/access-code`,
    payload: { code },
    remoteAddress: address,
  });
}

/** The signer session an answered access-code request opened. */
export function readySigner(
  token: string,
  address: string,
  answer: { cookies: Array<{ name: string; value: string }>; json(): unknown },
): ReadySigner {
  const cookie = answer.cookies.find((c) => c.name === 'inkan_signer')!.value;
  const csrf = (answer.json() as { csrfToken: string }).csrfToken;
  return { token, cookie, csrf, address };
}

/** POST /api/sign/{token}/sign (署名手続きを完了する) in a ready signer's session. */
export function signRequest(h: Harness, signer: ReadySigner) {
  return h.app.inject({
    method: 'POST',
    url: `/api/sign/${signer.token}/sign`,
    remoteAddress: signer.address,
    headers: { cookie: `inkan_signer=${signer.cookie}`, 'x-csrf-token': signer.csrf },
  });
}

/** `--key=value` options (`--flag` alone: 'true'), and the databases of `--db` (default both). */
export function costBenchOptions(argv: readonly string[]): {
  args: Map<string, string>;
  databases: Array<'sqlite' | 'postgres'>;
} {
  const args = new Map(
    argv.map((a) => {
      const [k, v] = a.replace(/^--/, '').split('=');
      return [k, v ?? 'true'] as const;
    }),
  );
  return { args, databases: (args.get('db') ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'> };
}

/** Throws unless the answer has `status` (the step named in the error). */
export function expectStatus(status: number, res: { statusCode: number; body: string }, step: string): void {
  if (res.statusCode !== status) throw new Error(`${step}: HTTP ${res.statusCode}: ${res.body.slice(0, 300)}`);
}
