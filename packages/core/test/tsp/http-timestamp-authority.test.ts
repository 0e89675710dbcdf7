import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer as createHttpServer, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CoreError, isCoreError } from '../../src/errors.ts';
import {
  HttpTimestampAuthority,
  buildTimestampRequest,
  createTimestampResponder,
  parseTimestampToken,
  type TimestampAttemptFailure,
} from '../../src/tsp/index.ts';
import {
  OPENSSL_TSA_POLICY,
  createTsaFixture,
  hex,
  openssl,
  opensslReply,
  writeOpensslTsaConfig,
  type TsaFixture,
} from './tsa-fixture.ts';

interface TestServer {
  url: string;
  close(): Promise<void>;
}

let f: TsaFixture;
let config: string;
const servers: TestServer[] = [];

/** An HTTP server on a free port; `answer` gets the request body. */
async function httpServer(answer: (body: Buffer, res: ServerResponse) => Promise<void>): Promise<string> {
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      answer(Buffer.concat(chunks), res).catch((error: Error) => {
        res.writeHead(599).end(error.message);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  servers.push({
    url,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
  return url;
}

function reply(res: ServerResponse, body: Uint8Array, type = 'application/timestamp-reply'): void {
  res.writeHead(200, { 'content-type': type }).end(body);
}

/** A TSA that is not ours: openssl ts -reply. */
const opensslTsa = (section = 'tsa_default') =>
  httpServer(async (body, res) => reply(res, await opensslReply(f, config, body, section)));

/** A port that accepts connections and never answers. */
async function silentServer(): Promise<string> {
  const sockets = new Set<Socket>();
  const server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tsa`;
  servers.push({
    url,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  });
  return url;
}

/** A port nobody listens on any more: connections are refused. */
async function refusedUrl(): Promise<string> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/tsa`;
}

function readRequest(body: Buffer): { digest: Uint8Array; nonce: Uint8Array } {
  const request = new pkijs.TimeStampReq({ schema: asn1js.fromBER(new Uint8Array(body)).result });
  const nonceHex = request.nonce!.toBigInt().toString(16);
  return {
    digest: new Uint8Array(request.messageImprint.hashedMessage.valueBlock.valueHexView),
    nonce: new Uint8Array(Buffer.from(nonceHex.length % 2 ? `0${nonceHex}` : nonceHex, 'hex')),
  };
}

before(async () => {
  f = await createTsaFixture();
  config = writeOpensslTsaConfig(f);
});
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  f?.cleanup();
});

const digest = () => new Uint8Array(createHash('sha256').update(randomBytes(16)).digest());

function attemptsOf(error: unknown): TimestampAttemptFailure[] {
  assert.ok(error instanceof CoreError);
  return (error.details?.attempts ?? []) as TimestampAttemptFailure[];
}

describe('HttpTimestampAuthority', () => {
  it('gets a token from an openssl TSA over HTTP, which parses and verifies', async () => {
    const url = await opensslTsa();
    const d = digest();
    const token = await new HttpTimestampAuthority({ urls: [url] }).timestamp(d);
    const parsed = parseTimestampToken(token);
    assert.equal(parsed.policyOid, OPENSSL_TSA_POLICY);
    assert.deepEqual(parsed.messageImprint.digest, d);
    assert.equal(await parsed.verifySignature(), true);
    const verify = await openssl([
      'ts',
      '-verify',
      '-digest',
      hex(d),
      '-in',
      f.write('http.tst', token),
      '-token_in',
      '-CAfile',
      f.rootPath,
      '-untrusted',
      f.rsa.certPath,
    ]);
    assert.match(verify.stdout.toString(), /Verification: OK/);
  });

  it('gets a token from our own responder over HTTP', async () => {
    const responder = createTimestampResponder({ certificate: f.ecdsa.certDer, signer: f.ecdsa.signer });
    const url = await httpServer(async (body, res) => reply(res, await responder.respond(body)));
    const d = digest();
    assert.deepEqual(
      parseTimestampToken(await new HttpTimestampAuthority({ urls: [url] }).timestamp(d)).messageImprint.digest,
      d,
    );
  });

  it('fails over from a refused and a silent URL to a working one', async () => {
    const urls = [await refusedUrl(), await silentServer(), await opensslTsa()];
    const token = await new HttpTimestampAuthority({ urls, timeoutMs: 500 }).timestamp(digest());
    assert.equal(parseTimestampToken(token).policyOid, OPENSSL_TSA_POLICY);
  });

  it('all URLs dead: TSA_UNAVAILABLE naming each URL and why', async () => {
    const refused = await refusedUrl();
    const silent = await silentServer();
    const error = await new HttpTimestampAuthority({ urls: [refused, silent], timeoutMs: 300 })
      .timestamp(digest())
      .then(
        () => assert.fail('a timestamp without any TSA'),
        (e: unknown) => e,
      );
    assert.ok(isCoreError(error, 'TSA_UNAVAILABLE'));
    assert.ok(error.message.includes(refused) && error.message.includes(silent), error.message);
    const attempts = attemptsOf(error);
    assert.deepEqual(
      attempts.map((a) => a.url),
      [refused, silent],
    );
    assert.match(attempts[0].reason, /ECONNREFUSED/);
    assert.match(attempts[1].reason, /no answer within 300 ms/);
  });

  it('HTTP errors, wrong content types and garbage count as failures of that URL', async () => {
    const http500 = await httpServer(async (_body, res) => void res.writeHead(500).end('boom'));
    const html = await httpServer(async (body, res) => reply(res, await opensslReply(f, config, body), 'text/html'));
    const garbage = await httpServer(async (_body, res) => reply(res, new Uint8Array(randomBytes(50))));
    const good = await opensslTsa();
    assert.ok(await new HttpTimestampAuthority({ urls: [http500, html, garbage, good] }).timestamp(digest()));
    const error = await new HttpTimestampAuthority({ urls: [http500, html, garbage] })
      .timestamp(digest())
      .catch((e: unknown) => e);
    // The last TSA answered, but uselessly: that is a bad response rather than unavailability.
    assert.ok(isCoreError(error, 'TSA_BAD_RESPONSE'), String(error));
    assert.deepEqual(
      attemptsOf(error).map((a) => a.code),
      ['TSA_UNAVAILABLE', 'TSA_BAD_RESPONSE', 'TSA_BAD_RESPONSE'],
    );
    assert.match(attemptsOf(error)[0].reason, /HTTP 500/);
    assert.match(attemptsOf(error)[1].reason, /content-type text\/html/);
  });

  it('a granted token over another digest is refused; the next URL is tried', async () => {
    const otherDigest = await httpServer(async (body, res) => {
      const { nonce } = readRequest(body);
      reply(res, await opensslReply(f, config, buildTimestampRequest(digest(), { nonce })));
    });
    const error = await new HttpTimestampAuthority({ urls: [otherDigest] })
      .timestamp(digest())
      .catch((e: unknown) => e);
    assert.ok(isCoreError(error, 'TSA_BAD_RESPONSE'), String(error));
    assert.match(error.message, /message imprint differs/);
    const d = digest();
    const token = await new HttpTimestampAuthority({ urls: [otherDigest, await opensslTsa()] }).timestamp(d);
    assert.deepEqual(parseTimestampToken(token).messageImprint.digest, d);
  });

  it('a token with another nonce is refused', async () => {
    const otherNonce = await httpServer(async (body, res) => {
      const { digest: d } = readRequest(body);
      reply(res, await opensslReply(f, config, buildTimestampRequest(d, { nonce: new Uint8Array(randomBytes(8)) })));
    });
    const error = await new HttpTimestampAuthority({ urls: [otherNonce] }).timestamp(digest()).catch((e: unknown) => e);
    assert.ok(isCoreError(error, 'TSA_BAD_RESPONSE'), String(error));
    assert.match(error.message, /nonce differs/);
  });

  it('a TSA that refuses the request gives TSA_REJECTED with its failure info', async () => {
    const sha512Only = await opensslTsa('tsa_sha512_only');
    const error = await new HttpTimestampAuthority({ urls: [sha512Only] }).timestamp(digest()).catch((e: unknown) => e);
    assert.ok(isCoreError(error, 'TSA_REJECTED'), String(error));
    assert.match(error.message, /badAlg/);
  });
});
