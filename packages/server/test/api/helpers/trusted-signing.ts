// Helpers of the trusted-signing tests: the public CA's TSA (certificate under the external root, so
// every timestamp chains to it too) and an envelope created, sent and signed by two recipients.
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTimestampResponder, KeyFileSigner } from '@inkan/core';
import type { ExternalCa } from '../../../../core/test/helpers/external-ca.ts';
import { makePdf } from '../../../../core/test/helpers/make-pdf.ts';
import { PROFILE } from '../../../../core/test/helpers/openssl-ca.ts';
import { linkIn, type Harness } from './harness.ts';

const DAY = 24 * 3600_000;

/** A running RFC 3161 TSA of the external CA. */
export interface ExternalTsa {
  url: string;
  close(): Promise<void>;
}

/** Starts an HTTP TSA whose certificate the external CA's intermediate issued. */
export async function startExternalTsa(ca: ExternalCa): Promise<ExternalTsa> {
  const certificate = ca.issue('Inkan Test Public TSA', {
    notBefore: new Date(Date.now() - DAY),
    notAfter: new Date(Date.now() + 365 * DAY),
    extensions: [...PROFILE.tsa],
    key: 'rsa',
  });
  const chain = [ca.intermediate.certificate.der, ca.rootDer];
  const responder = createTimestampResponder({
    certificate: certificate.der,
    chain,
    signer: new KeyFileSigner(certificate.keyPem, [certificate.der, ...chain]),
  });
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (c: Buffer) => chunks.push(c));
    request.on('end', () => {
      void responder
        .respond(new Uint8Array(Buffer.concat(chunks)))
        .then((reply) => response.writeHead(200, { 'content-type': 'application/timestamp-reply' }).end(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const usedTokens = new Set<string>();

/** Creates, sends and has two recipients sign an envelope; returns the sealed first document. */
export async function signEnvelope(h: Harness): Promise<{ bytes: Uint8Array; envelopeId: string }> {
  const created = await h.createEnvelope(
    h.org,
    {
      name: '業務委託契約',
      recipients: [
        { name: '山田 太郎', email: 'taro@contractor.example.jp', accessCode: '1234', order: 1 },
        { name: 'Alice Smith', email: 'alice@example.com', accessCode: '98765', order: 2 },
      ],
    },
    [{ filename: '契約書.pdf', data: await makePdf({ pages: 1, text: 'Contract' }) }],
  );
  assert.equal(created.statusCode, 201, created.body);
  const envelope = created.json();
  assert.equal((await h.api(h.org, 'POST', `/api/v1/envelopes/${envelope.id}/send`)).statusCode, 200);
  for (const [email, code] of [
    ['taro@contractor.example.jp', '1234'],
    ['alice@example.com', '98765'],
  ]) {
    await h.runJobs();
    // The newest signing link not used yet (earlier envelopes of the test mailed the same people).
    const token = (await h.mailsTo(email))
      .filter((m) => m.text_body.includes('http://inkan.test/s/'))
      .map((m) => linkIn(m.text_body, 's'))
      .find((t) => !usedTokens.has(t));
    assert.ok(token, `request mail to ${email}`);
    usedTokens.add(token);
    const passed = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/access-code`, payload: { code } });
    assert.equal(passed.statusCode, 200, passed.body);
    const cookie = passed.cookies.find((c) => c.name === 'inkan_signer');
    assert.ok(cookie);
    const headers = { cookie: `inkan_signer=${cookie.value}`, 'x-csrf-token': passed.json().csrfToken as string };
    assert.equal((await h.app.inject({ method: 'POST', url: `/api/sign/${token}/viewed`, headers })).statusCode, 204);
    const signed = await h.app.inject({ method: 'POST', url: `/api/sign/${token}/sign`, headers });
    assert.equal(signed.statusCode, 202, signed.body);
  }
  await h.runJobs();
  const done = (await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}`)).json();
  assert.equal(done.status, 'completed');
  const file = await h.api(h.org, 'GET', `/api/v1/envelopes/${envelope.id}/documents/${done.documents[0].id}`);
  assert.equal(file.statusCode, 200);
  return { bytes: new Uint8Array(file.rawPayload), envelopeId: envelope.id };
}
