// INKAN_VERIFY_ONLINE through POST /api/verify (the worker pool): the installation's certificates name
// INKAN_PUBLIC_URL for OCSP and CRLs, here a live responder started by the test that answers as the
// installation's /pki/ocsp and /pki/crl would (from its own CA), or hangs. With the setting on, the
// verification workers ask it; off, nothing leaves the server; a hanging responder costs a bounded
// wait and the answer still comes from the installation's own revocation data.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createWitnessSigner, signPdf } from '@inkan/core';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { multipart, startHarness, type Harness } from '../api/helpers/harness.ts';

type Mode = 'relay' | 'hang';

interface Seen {
  method: string;
  path: string;
}

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

let responder: Server;
let base: string;
const sockets = new Set<Socket>();
const seen: Seen[] = [];
let mode: Mode = 'relay';
/** The harness whose CA the responder speaks for (set once it is started). */
let current: Harness | undefined;

before(async () => {
  responder = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      seen.push({ method: request.method ?? '', path: request.url ?? '' });
      if (mode === 'hang' || current === undefined) return;
      const pki = current.context.signing.pki;
      if (request.method === 'POST' && request.url === '/pki/ocsp') {
        response
          .writeHead(200, { 'content-type': 'application/ocsp-response' })
          .end(await pki.ocspResponder.respond(body));
      } else if (
        request.method === 'GET' &&
        (request.url === '/pki/crl/root.crl' || request.url === '/pki/crl/issuing.crl')
      ) {
        const crl = await pki.crl(request.url === '/pki/crl/root.crl' ? 'root' : 'issuing');
        response.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
      } else response.writeHead(404).end();
    })().catch(() => response.destroy());
  });
  responder.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => responder.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(responder.address() as AddressInfo).port}`;
});
after(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((resolve) => responder.close(() => resolve()));
});

/** A PDF signed (B-T) by the harness's installation, its certificates naming the responder. */
async function signedByInstallation(h: Harness): Promise<Uint8Array> {
  const signer = await createWitnessSigner(
    h.context.signing.pki,
    { name: '検証 太郎', email: 'taro@example.jp' },
    h.context.signing.platformSigner,
  );
  return signPdf(await makePdf({ pages: 1 }), {
    signer,
    timestampAuthority: h.context.signing.timestampAuthority,
    name: '検証 太郎',
  });
}

async function upload(h: Harness, data: Uint8Array): Promise<{ indication: string; subIndication: string | null }> {
  const body = multipart([{ name: 'file', filename: 'contract.pdf', data }]);
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/verify',
    payload: body.payload,
    headers: body.headers,
    remoteAddress: '192.0.2.10',
  });
  assert.equal(res.statusCode, 200, res.body);
  const report = (
    JSON.parse(res.body) as { report: { signatures: Array<{ indication: string; subIndication: string | null }> } }
  ).report;
  assert.equal(report.signatures.length, 1);
  return report.signatures[0];
}

for (const online of [true, false]) {
  describe(`POST /api/verify with INKAN_VERIFY_ONLINE=${online}`, () => {
    let h: Harness;
    let signed: Uint8Array;
    before(async () => {
      h = await startHarness('sqlite', {
        env: { INKAN_PUBLIC_URL: base, INKAN_VERIFY_ONLINE: String(online), INKAN_VERIFY_WORKERS: '1' },
      });
      current = h;
      signed = await signedByInstallation(h);
    });
    after(async () => {
      current = undefined;
      await h?.close();
    });

    it(
      online
        ? 'the workers ask the OCSP URL in the certificates; the file is TOTAL-PASSED'
        : 'nothing is asked outside; the file is TOTAL-PASSED from the installation’s own CRLs',
      async () => {
        mode = 'relay';
        seen.length = 0;
        const signature = await upload(h, signed);
        assert.equal(signature.indication, 'TOTAL-PASSED');
        if (online)
          assert.ok(
            seen.some((r) => r.method === 'POST' && r.path === '/pki/ocsp'),
            JSON.stringify(seen),
          );
        else assert.deepEqual(seen, []);
      },
    );

    if (online)
      it('a responder that never answers: the upload is still answered (bounded wait), TOTAL-PASSED from the CRLs', async () => {
        mode = 'hang';
        seen.length = 0;
        const signature = await upload(h, signed);
        mode = 'relay';
        assert.equal(signature.indication, 'TOTAL-PASSED');
        assert.ok(seen.length > 0, 'the responder was asked');
      });
  });
}
