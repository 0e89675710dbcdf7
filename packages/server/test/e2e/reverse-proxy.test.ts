/**
 * Behind a real reverse proxy (Debian's nginx, started by this test on loopback) with
 * INKAN_TRUST_PROXY naming the proxy: the IP in the `recipient.signed` event and on the certificate of
 * completion is the client's own, each client (a distinct loopback address: 127.0.0.2, 127.0.0.3 …)
 * is seen as itself, and a forged X-Forwarded-For is ignored — sent through the proxy (the proxy
 * appends the real peer, which is not a trusted proxy) or straight to Inkan (an untrusted peer).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { runTool } from '../../../core/test/helpers/validators.ts';
import { multipart } from '../api/helpers/harness.ts';
import { runInkan } from '../helpers/run-inkan.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { requestFrom } from './helpers/http-from.ts';
import {
  eventsOf,
  freePort,
  openDatabaseReadOnly,
  startInkanProcess,
  waitForHealthy,
  type InkanProcess,
} from './helpers/inkan-process.ts';
import { startSmtpSink, urlsIn, type SmtpSink } from './helpers/smtp-sink.ts';

const NGINX = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
const PROXIED_SIGNER = {
  name: '代理 経由',
  email: 'proxied@contractor.example.jp',
  code: '2468',
  from: '127.0.0.2',
  forged: '203.0.113.66',
};
const DIRECT_SIGNER = {
  name: '直接 接続',
  email: 'direct@contractor.example.jp',
  code: '1357',
  from: '127.0.0.3',
  forged: '198.51.100.7',
};
const SENDER_FROM = '127.0.0.4';
const WAIT = { timeoutMs: 60_000, intervalMs: 25 };

/** nginx in the foreground with its files in `dir`, proxying `port` to Inkan with X-Forwarded-For. */
async function startNginx(
  dir: string,
  port: number,
  upstreamPort: number,
): Promise<{ process: ChildProcess; stop(): Promise<void> }> {
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    `daemon off;
master_process off;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  server {
    listen 127.0.0.1:${port};
    client_max_body_size 60m;
    location / {
      proxy_pass http://127.0.0.1:${upstreamPort};
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`,
  );
  const child = spawn(NGINX, ['-c', conf, '-p', dir, '-e', join(dir, 'error.log')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(
          `nginx exited: ${stderr}${existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : ''}`,
        );
      try {
        return (await requestFrom(`http://127.0.0.1:${port}/healthz`)).status === 200;
      } catch {
        return false;
      }
    },
    { ...WAIT, what: 'nginx to proxy /healthz' },
  );
  return {
    process: child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('behind a real reverse proxy (nginx) with INKAN_TRUST_PROXY', () => {
  let dir: string;
  let smtp: SmtpSink;
  let inkan: InkanProcess | undefined;
  let nginx: { stop(): Promise<void> } | undefined;
  let db: Database.Database | undefined;
  let proxyUrl: string;
  let directUrl: string;
  let apiKey: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-proxy-'));
    smtp = await startSmtpSink();
    const [inkanPort, proxyPort] = [await freePort(), await freePort()];
    proxyUrl = `http://127.0.0.1:${proxyPort}`;
    directUrl = `http://127.0.0.1:${inkanPort}`;
    const dataDir = join(dir, 'data');
    const env = {
      INKAN_DATA_DIR: dataDir,
      INKAN_PORT: String(inkanPort),
      INKAN_PUBLIC_URL: proxyUrl,
      INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      INKAN_ENV: 'test',
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
      // Only the proxy (nginx connects from 127.0.0.1) may say who the client is.
      INKAN_TRUST_PROXY: '127.0.0.1/32',
    };
    assert.equal((await runInkan(['init'], { dataDir, env })).code, 0);
    assert.equal(
      (
        await runInkan(
          ['org', 'create', '--name', 'プロキシ市役所', '--slug', 'proxy', '--admin-email', 'admin@proxy.example.jp'],
          { dataDir, env },
        )
      ).code,
      0,
    );
    const key = await runInkan(['apikey', 'create', '--org', 'proxy'], { dataDir, env });
    apiKey = key.stdout.trimEnd().split('\n').at(-1)!;
    inkan = await startInkanProcess(['serve'], env);
    await waitForHealthy(directUrl);
    nginx = await startNginx(join(dir, 'nginx'), proxyPort, inkanPort);
    db = openDatabaseReadOnly(dataDir);
  });

  after(async () => {
    db?.close();
    await nginx?.stop();
    await inkan?.stop();
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Passes the access code and signs, every request from `from` to `base` with a forged X-Forwarded-For. */
  async function signAs(base: string, token: string, signer: typeof PROXIED_SIGNER): Promise<void> {
    const forged = { 'x-forwarded-for': signer.forged };
    const passed = await requestFrom(`${base}/api/sign/${token}/access-code`, {
      method: 'POST',
      localAddress: signer.from,
      headers: { ...forged, 'content-type': 'application/json' },
      body: JSON.stringify({ code: signer.code }),
    });
    assert.equal(passed.status, 200, passed.text());
    const signed = await requestFrom(`${base}/api/sign/${token}/sign`, {
      method: 'POST',
      localAddress: signer.from,
      headers: { ...forged, cookie: passed.cookies(), 'x-csrf-token': passed.json<{ csrfToken: string }>().csrfToken },
    });
    assert.equal(signed.status, 202, signed.text());
  }

  function tokenOf(email: string): string {
    const mail = smtp.to(email).find((m) => m.subject.includes('署名依頼'));
    assert.ok(mail, `request mail to ${email}`);
    const link = urlsIn(mail.text).find((u) => u.startsWith(`${proxyUrl}/s/`));
    assert.ok(link, mail.text);
    return link.slice(`${proxyUrl}/s/`.length);
  }

  test("the recipient.signed events and the certificate of completion carry each client's own address; forged X-Forwarded-For is ignored", async () => {
    const body = multipart([
      {
        name: 'envelope',
        contentType: 'application/json',
        value: JSON.stringify({
          name: 'プロキシ越しの契約',
          recipients: [PROXIED_SIGNER, DIRECT_SIGNER].map((s, i) => ({
            name: s.name,
            email: s.email,
            accessCode: s.code,
            order: i + 1,
          })),
        }),
      },
      { name: 'documents', filename: 'contract.pdf', data: await makePdf({ pages: 1, text: 'Proxy' }) },
    ]);
    const api = { authorization: `Bearer ${apiKey}`, 'x-forwarded-for': '192.0.2.99' };
    const created = await requestFrom(`${proxyUrl}/api/v1/envelopes`, {
      method: 'POST',
      localAddress: SENDER_FROM,
      headers: { ...api, ...body.headers },
      body: body.payload,
    });
    assert.equal(created.status, 201, created.text());
    const envelope = created.json<{ id: string; recipients: Array<{ id: string; email: string }> }>();
    assert.equal(
      (
        await requestFrom(`${proxyUrl}/api/v1/envelopes/${envelope.id}/send`, {
          method: 'POST',
          localAddress: SENDER_FROM,
          headers: api,
        })
      ).status,
      200,
    );

    // The first signer goes through nginx, the second straight to Inkan; both forge X-Forwarded-For.
    await waitFor(() => smtp.to(PROXIED_SIGNER.email).length > 0, { ...WAIT, what: 'the first request mail' });
    await signAs(proxyUrl, tokenOf(PROXIED_SIGNER.email), PROXIED_SIGNER);
    await waitFor(() => smtp.to(DIRECT_SIGNER.email).length > 0, { ...WAIT, what: 'the second request mail' });
    await signAs(directUrl, tokenOf(DIRECT_SIGNER.email), DIRECT_SIGNER);
    await waitFor(() => smtp.to(DIRECT_SIGNER.email).some((m) => m.subject === '電子署名完了のお知らせ'), {
      ...WAIT,
      what: 'the completion mail',
    });

    const signedIps = Object.fromEntries(eventsOf(db!, 'recipient.signed').map((e) => [e.details.email, e.ip]));
    assert.deepEqual(signedIps, {
      [PROXIED_SIGNER.email]: PROXIED_SIGNER.from,
      [DIRECT_SIGNER.email]: DIRECT_SIGNER.from,
    });
    assert.deepEqual(
      eventsOf(db!, 'envelope.created').map((e) => e.ip),
      [SENDER_FROM],
      'the API client behind the proxy is itself too',
    );

    const certificate = await requestFrom(`${proxyUrl}/api/v1/envelopes/${envelope.id}/certificate`, {
      localAddress: SENDER_FROM,
      headers: api,
    });
    assert.equal(certificate.status, 200, certificate.text());
    const path = join(dir, 'certificate.pdf');
    writeFileSync(path, certificate.body);
    const text = (await runTool('pdftotext', ['-enc', 'UTF-8', path, '-'])).stdout;
    for (const ip of [PROXIED_SIGNER.from, DIRECT_SIGNER.from])
      assert.ok(text.includes(ip), `${ip} on the certificate of completion:\n${text}`);
    for (const forged of [PROXIED_SIGNER.forged, DIRECT_SIGNER.forged, '192.0.2.99'])
      assert.ok(!text.includes(forged), `forged ${forged} is nowhere`);
    assert.ok(!/127\.0\.0\.1(?![\d:])/.test(text), `the proxy address is not taken for a client:\n${text}`);
  });
});
