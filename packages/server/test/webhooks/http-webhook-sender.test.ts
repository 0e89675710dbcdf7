// The webhook sender's connection reuse: a receiver that closes a kept-alive connection just as the next
// delivery is sent on it (its keep-alive timeout racing our reuse) must not fail the delivery — the request
// is sent again once on a new connection. A connection that fails otherwise is not retried.
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { after, describe, it } from 'node:test';
import { HttpWebhookSender } from '../../src/adapters/webhooks/http-webhook-sender.ts';

const OK = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: keep-alive\r\n\r\nok';

/**
 * A raw HTTP receiver on loopback: `onRequest(socketIndex, requestIndexOnSocket, socket)` decides per
 * request (a request is counted when its header block ends; the bodies here are small, sent in one write).
 */
async function rawReceiver(onRequest: (connection: number, request: number, socket: Socket) => void) {
  let connections = 0;
  const server: Server = createServer((socket) => {
    const connection = connections++;
    let requests = 0;
    let buffered = '';
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      while (buffered.includes('\r\n\r\n')) {
        const end = buffered.indexOf('\r\n\r\n') + 4;
        const length = Number(/content-length: *(\d+)/i.exec(buffered.slice(0, end))?.[1] ?? 0);
        if (buffered.length < end + length) return;
        buffered = buffered.slice(end + length);
        onRequest(connection, requests++, socket);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, connections: () => connections, server };
}

describe('webhook sender: kept-alive connections', () => {
  const servers: Server[] = [];
  after(() => servers.forEach((s) => s.close()));
  const request = (url: string) => ({ url, body: '{"id":"e1"}', headers: { 'content-type': 'application/json' } });

  it('a connection the receiver closes as it is reused is replaced, and the delivery succeeds', async () => {
    // First connection: answers the first delivery, then drops the connection when the second arrives on
    // it, unanswered (what a receiver's keep-alive timeout does at the wrong moment). Later connections answer.
    const seen: Array<[number, number]> = [];
    const receiver = await rawReceiver((connection, index, socket) => {
      seen.push([connection, index]);
      if (connection === 0 && index === 1) socket.destroy();
      else socket.write(OK);
    });
    servers.push(receiver.server);
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    try {
      assert.deepEqual(await sender.post(request(receiver.url)), { ok: true, statusCode: 200, error: null });
      assert.deepEqual(await sender.post(request(receiver.url)), { ok: true, statusCode: 200, error: null });
      assert.deepEqual(seen, [
        [0, 0],
        [0, 1],
        [1, 0],
      ]);
      assert.equal(receiver.connections(), 2);
    } finally {
      sender.close();
    }
  });

  it('a new connection that is reset is a failed attempt (no retry)', async () => {
    let requests = 0;
    const receiver = await rawReceiver((_connection, _index, socket) => {
      requests += 1;
      socket.destroy();
    });
    servers.push(receiver.server);
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 5000 });
    try {
      const result = await sender.post(request(receiver.url));
      assert.equal(result.ok, false);
      assert.equal(result.statusCode, null);
      assert.match(result.error ?? '', /^ECONNRESET: /);
      assert.equal(requests, 1);
    } finally {
      sender.close();
    }
  });
});
