/**
 * A completed envelope made through the real API of a harness (create → send → access code → sign →
 * the jobs sign, seal and complete), and the signed PDF as the sender downloads it: the input of the
 * public verification tests.
 */
import assert from 'node:assert/strict';
import { makePdf } from '../../../../core/test/helpers/make-pdf.ts';
import { linkIn, type Harness } from '../../api/helpers/harness.ts';

/** What the tests compare the public summary and the verifier's report with. */
export interface SignedEnvelope {
  id: string;
  certificateId: string;
  name: string;
  message: string;
  documents: Array<{ id: string; name: string; pages: number; sha256Original: string }>;
  signer: { name: string; email: string; userAgent: string };
  /** The signed and sealed first document, as the sender downloads it. */
  signedPdf: Uint8Array;
}

export const SIGNER = {
  name: '山田 太郎',
  email: 'taro.yamada@contractor.example.jp',
  code: '4821',
  userAgent: 'verify-test-agent/1.0',
} as const;

/** Completes a one-recipient, two-document envelope and downloads its first signed PDF. */
export async function completeEnvelope(
  h: Harness,
  options: {
    name?: string;
    message?: string;
    signer?: { name: string; email: string; code: string; userAgent: string };
    documents?: Array<{ filename: string; data: Uint8Array }>;
  } = {},
): Promise<SignedEnvelope> {
  const signer = options.signer ?? SIGNER;
  const name = options.name ?? '庁舎清掃業務委託契約（2026年度）';
  const message = options.message ?? '秘密の連絡事項：契約金額は別紙のとおり';
  const documents = options.documents ?? [
    { filename: '業務委託契約書.pdf', data: await makePdf({ pages: 2, text: 'Service agreement' }) },
    { filename: '仕様書.pdf', data: await makePdf({ pages: 1, text: 'Specification' }) },
  ];
  const created = await h.createEnvelope(
    h.org,
    { name, message, recipients: [{ name: signer.name, email: signer.email, accessCode: signer.code, order: 1 }] },
    documents,
  );
  assert.equal(created.statusCode, 201, created.body);
  const envelope = created.json();
  assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`)).statusCode, 200);
  await h.runJobs();
  const [request] = await h.mailsTo(signer.email);
  assert.ok(request, 'signing request mailed');
  const token = linkIn(request.text_body, 's');
  const headers = { 'user-agent': signer.userAgent };
  const passed = await h.app.inject({
    method: 'POST',
    url: `/api/sign/${token}/access-code`,
    headers,
    payload: { code: signer.code },
  });
  assert.equal(passed.statusCode, 200, passed.body);
  const cookie = passed.cookies.find((c) => c.name === 'inkan_signer');
  assert.ok(cookie);
  const signed = await h.app.inject({
    method: 'POST',
    url: `/api/sign/${token}/sign`,
    headers: { ...headers, cookie: `inkan_signer=${cookie.value}`, 'x-csrf-token': passed.json().csrfToken },
  });
  assert.equal(signed.statusCode, 202, signed.body);
  await h.runJobs();
  const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
  assert.equal(done.status, 'completed');
  const file = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/documents/${done.documents[0].id}`);
  assert.equal(file.statusCode, 200);
  return {
    id: envelope.id,
    certificateId: done.certificateId,
    name,
    message,
    documents: done.documents.map((d: { id: string; name: string; pages: number; sha256Original: string }) => ({
      id: d.id,
      name: d.name,
      pages: d.pages,
      sha256Original: d.sha256Original,
    })),
    signer: { name: signer.name, email: signer.email, userAgent: signer.userAgent },
    signedPdf: new Uint8Array(file.rawPayload),
  };
}

/** A copy with one byte changed inside the first signature's signed range: /CreationDate 2024 → 2025. */
export function tamperedCopy(signed: Uint8Array): Uint8Array {
  const tampered = new Uint8Array(signed);
  const at = Buffer.from(signed).indexOf('(D:2024') + 6;
  assert.ok(at > 6, 'the original /CreationDate is in the file');
  const byteRange = /\/ByteRange\s*\[\s*(\d+)\s+(\d+)/.exec(Buffer.from(signed).toString('latin1'));
  assert.ok(
    byteRange && at >= Number(byteRange[1]) && at < Number(byteRange[1]) + Number(byteRange[2]),
    'the changed byte lies in the first signed range',
  );
  tampered[at] = '5'.charCodeAt(0);
  return tampered;
}
