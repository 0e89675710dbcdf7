import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  HttpRevocationProvider,
  initBuiltinPki,
  loadBuiltinPki,
  parseOcspResponse,
  type BuiltinPki,
} from '../../src/pki/index.ts';
import { openssl, tempDir } from './pki-fixtures.ts';

type Mode = 'normal' | 'hang' | 'garbage' | 'error';

async function readBody(request: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

describe('HttpRevocationProvider against a live HTTP responder', () => {
  const tmp = tempDir('http-rev');
  const dir = tmp.path;
  let pki: BuiltinPki;
  let server: Server;
  let mode: Mode = 'normal';
  const seen: Array<{ method: string; url: string; contentType: string | undefined }> = [];

  before(async () => {
    server = createServer((request, response) => {
      void (async () => {
        // Counted when the request arrives, before its body is read: a client that gives up meanwhile still asked.
        seen.push({
          method: request.method ?? '',
          url: request.url ?? '',
          contentType: request.headers['content-type'],
        });
        const body = await readBody(request);
        if (mode === 'hang') return; // never answers: the client's timeout must end the exchange
        if (mode === 'error') {
          response.writeHead(500).end();
          return;
        }
        if (mode === 'garbage') {
          response.writeHead(200, { 'content-type': 'application/octet-stream' }).end('not DER at all');
          return;
        }
        if (request.method === 'POST' && request.url === '/pki/ocsp') {
          response
            .writeHead(200, { 'content-type': 'application/ocsp-response' })
            .end(await pki.ocspResponder.respond(body));
        } else if (
          request.method === 'GET' &&
          (request.url === '/pki/crl/issuing.crl' || request.url === '/pki/crl/root.crl')
        ) {
          const crl = await pki.crl(request.url === '/pki/crl/root.crl' ? 'root' : 'issuing');
          response.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(crl);
        } else {
          response.writeHead(404).end();
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await initBuiltinPki({ dir, publicUrl: `http://127.0.0.1:${port}` });
    pki = await loadBuiltinPki({ dir });
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    tmp.cleanup();
  });

  it('fetches an OCSP response by POST from the AIA URL; openssl verifies it', async () => {
    mode = 'normal';
    seen.length = 0;
    const provider = new HttpRevocationProvider({ timeoutMs: 5000 });
    const response = await provider.ocsp(pki.signingCertificate, pki.issuingCertificate);
    assert.ok(response !== null);
    assert.deepEqual(seen, [{ method: 'POST', url: '/pki/ocsp', contentType: 'application/ocsp-request' }]);
    assert.ok(parseOcspResponse(response).nonce !== undefined, 'the provider sends a nonce, the responder echoes it');
    writeFileSync(join(dir, 'fetched.der'), response);
    const check = await openssl(
      [
        'ocsp',
        '-respin',
        'fetched.der',
        '-issuer',
        'issuing.pem',
        '-CAfile',
        'root.pem',
        '-cert',
        'signing.pem',
        '-no_nonce',
      ],
      dir,
    );
    assert.equal(check.code, 0, check.output);
    assert.match(check.stdout, /signing\.pem: good/);
  });

  it('fetches CRLs by GET from the CRL distribution points; openssl verifies them', async () => {
    mode = 'normal';
    let calls = 0;
    const countingFetch: typeof fetch = (input, init) => {
      calls++;
      return fetch(input, init);
    };
    const provider = new HttpRevocationProvider({ timeoutMs: 5000, fetchImpl: countingFetch });
    const issuingCrl = await provider.crl(pki.signingCertificate, pki.issuingCertificate);
    const rootCrl = await provider.crl(pki.issuingCertificate, pki.rootCertificate);
    assert.ok(issuingCrl !== null && rootCrl !== null);
    assert.equal(calls, 2);
    writeFileSync(join(dir, 'chain.pem'), pki.rootPem() + pki.issuingPem());
    writeFileSync(join(dir, 'f-issuing.crl'), issuingCrl);
    writeFileSync(join(dir, 'f-root.crl'), rootCrl);
    assert.match(
      (await openssl(['crl', '-in', 'f-issuing.crl', '-inform', 'DER', '-CAfile', 'chain.pem', '-noout'], dir)).output,
      /verify OK/,
    );
    assert.match(
      (await openssl(['crl', '-in', 'f-root.crl', '-inform', 'DER', '-CAfile', 'root.pem', '-noout'], dir)).output,
      /verify OK/,
    );
  });

  it('returns null when the certificate has no URL', async () => {
    mode = 'normal';
    seen.length = 0;
    const provider = new HttpRevocationProvider({ timeoutMs: 5000 });
    assert.equal(await provider.ocsp(pki.rootCertificate, pki.rootCertificate), null);
    assert.equal(await provider.crl(pki.rootCertificate, pki.rootCertificate), null);
    assert.equal(await provider.ocsp(new Uint8Array([1, 2, 3]), pki.issuingCertificate), null);
    assert.equal(seen.length, 0);
  });

  it('returns null for data that does not verify against the given issuer', async () => {
    mode = 'normal';
    const provider = new HttpRevocationProvider({ timeoutMs: 5000 });
    // Asking about the signing certificate as if the root had issued it: the answer is not the root's.
    assert.equal(await provider.ocsp(pki.signingCertificate, pki.rootCertificate), null);
    assert.equal(await provider.crl(pki.signingCertificate, pki.rootCertificate), null);
  });

  for (const failure of ['error', 'garbage'] as const) {
    it(`returns null when the server answers with ${failure}`, async () => {
      mode = failure;
      const provider = new HttpRevocationProvider({ timeoutMs: 5000 });
      assert.equal(await provider.ocsp(pki.signingCertificate, pki.issuingCertificate), null);
      assert.equal(await provider.crl(pki.signingCertificate, pki.issuingCertificate), null);
    });
  }

  it('gives up with null when the server never answers', async () => {
    mode = 'hang';
    seen.length = 0;
    const provider = new HttpRevocationProvider({ timeoutMs: 1_000 });
    assert.equal(await provider.ocsp(pki.signingCertificate, pki.issuingCertificate), null);
    assert.equal(await provider.crl(pki.signingCertificate, pki.issuingCertificate), null);
    // On a busy machine the client's timeout can end before this process's server has taken the request in.
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal(seen.length, 2, 'both requests reached the server');
    mode = 'normal';
  });
});
