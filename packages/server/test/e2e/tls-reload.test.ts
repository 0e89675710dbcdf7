/**
 * Renewed TLS certificates without a restart: `inkan serve` with INKAN_TLS_CERT / INKAN_TLS_KEY as
 * certbot lays them out (live/ symlinks into archive/). Swapping the symlinks (a renewal) is seen by the
 * directory watcher; files rewritten where no watcher looks are picked up on SIGHUP. New connections get
 * the new certificate (its serial number), an open connection keeps working; a broken pair is refused and
 * the server keeps the certificate it has.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { waitFor } from '../helpers/wait-for.ts';
import { TestCa } from './helpers/test-ca.ts';
import { freePort, startInkanProcess, type InkanProcess } from './helpers/inkan-process.ts';

const serialOf = (hex: string) => hex.toUpperCase().replace(/^0+/, '');

describe('TLS certificate reload', () => {
  let dir: string;
  let authority: TestCa;
  let inkan: InkanProcess | undefined;
  let port: number;
  const live = (name: string) => join(dir, 'live', name);
  const archive = (name: string) => join(dir, 'archive', name);
  const sockets: TLSSocket[] = [];

  /** A new TLS connection (trusting the test CA). */
  async function open(): Promise<TLSSocket> {
    const socket = connect({ host: '127.0.0.1', port, ca: authority.certificate });
    sockets.push(socket);
    await once(socket, 'secureConnect');
    return socket;
  }
  /** The serial number a new connection is shown. */
  async function servedSerial(): Promise<string> {
    const socket = await open();
    const serial = serialOf(socket.getPeerCertificate().serialNumber);
    socket.end();
    return serial;
  }
  /** One HTTP/1.1 request on an open connection (keep-alive): the status line. */
  async function statusLineOn(socket: TLSSocket): Promise<string> {
    let text = '';
    const done = new Promise<string>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        text += chunk.toString('latin1');
        if (text.includes('\r\n\r\n')) {
          socket.off('data', onData);
          resolve(text.split('\r\n')[0]!);
        }
      };
      socket.on('data', onData);
      socket.once('error', reject);
      socket.once('close', () => reject(new Error(`closed after: ${text}`)));
    });
    socket.write(`GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    return done;
  }
  /** certbot's renewal: new files in archive/, then each live/ symlink swapped atomically. */
  async function renew(n: number): Promise<string> {
    const serial = serialOf(await authority.issue(archive(`cert${n}.pem`), archive(`privkey${n}.pem`)));
    for (const [link, target] of [
      ['cert.pem', `cert${n}.pem`],
      ['privkey.pem', `privkey${n}.pem`],
    ] as const) {
      symlinkSync(join('..', 'archive', target), live(`${link}.new`));
      renameSync(live(`${link}.new`), live(link));
    }
    return serial;
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-tls-reload-'));
    mkdirSync(join(dir, 'live'));
    mkdirSync(join(dir, 'archive'));
    authority = await TestCa.create(dir);
    await renew(1);
    port = await freePort();
    inkan = await startInkanProcess(['serve', '--role=web'], {
      INKAN_DATA_DIR: join(dir, 'data'),
      INKAN_PORT: String(port),
      INKAN_PUBLIC_URL: `https://127.0.0.1:${port}`,
      INKAN_TLS_CERT: live('cert.pem'),
      INKAN_TLS_KEY: live('privkey.pem'),
      INKAN_ENV: 'test',
    });
  });

  after(async () => {
    for (const socket of sockets) socket.destroy();
    await inkan?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  let second: string;

  test('a renewal is picked up by new connections without a restart; an open connection keeps working', async () => {
    const held = await open();
    const first = serialOf(held.getPeerCertificate().serialNumber);
    assert.match(await statusLineOn(held), /^HTTP\/1\.1 200/);
    second = await renew(2);
    assert.notEqual(second, first);
    await waitFor(async () => (await servedSerial()) === second, {
      what: 'the renewed certificate',
      timeoutMs: 20_000,
    });
    // The connection opened before the renewal: still its certificate, still served.
    assert.equal(serialOf(held.getPeerCertificate().serialNumber), first);
    assert.match(await statusLineOn(held), /^HTTP\/1\.1 200/);
    assert.ok(
      inkan!.output.some((line) => line.includes('TLS certificate reloaded') && line.includes('file change')),
      inkan!.output.join('\n'),
    );
  });

  test('SIGHUP reloads files changed where no watcher looks (rewritten in archive/)', async () => {
    const third = serialOf(await authority.issue(archive('cert2.pem'), archive('privkey2.pem')));
    // Nothing under live/ changed: the server still shows the second certificate.
    assert.equal(await servedSerial(), second);
    inkan!.child.kill('SIGHUP');
    await waitFor(async () => (await servedSerial()) === third, {
      what: 'the reloaded certificate',
      timeoutMs: 20_000,
    });
    assert.ok(inkan!.output.some((line) => line.includes('TLS certificate reloaded') && line.includes('SIGHUP')));
    assert.equal(inkan!.child.exitCode, null, 'SIGHUP did not end the server');

    // A broken key: refused with a warning, the server keeps what it has.
    writeFileSync(archive('privkey2.pem'), '-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n');
    inkan!.child.kill('SIGHUP');
    await waitFor(() => inkan!.output.some((line) => line.includes('TLS certificate not reloaded')), {
      what: 'the refusal in the log',
    });
    assert.equal(await servedSerial(), third);
  });
});
