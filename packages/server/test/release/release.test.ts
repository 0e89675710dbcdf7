/**
 * The release as an operator installs it: `scripts/build-release.sh OUT` builds (esbuild + Vite), copies
 * the build and package*.json into an empty directory and runs `npm ci --omit=dev` there (the same
 * script the Dockerfile runs). Then, with plain `node` in that directory only: `inkan --version`,
 * `inkan init`, `inkan serve`, and the seed flow through the API with one signer, mail over real SMTP.
 * Every module the server and its worker thread load is recorded: all come from the release directory,
 * none is tsx or a development dependency.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makePdf } from '../../../core/test/helpers/make-pdf.ts';
import { extractSignatures } from '../../../core/test/helpers/validators.ts';
import { REPO_ROOT } from '../helpers/run-inkan.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { cleanEnv, freePort, waitForHealthy } from '../e2e/helpers/inkan-process.ts';
import { startSmtpSink, urlsIn, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { BUILD_RELEASE_SCRIPT } from './helpers/release-script.ts';

const RECORDER = fileURLToPath(new URL('./helpers/record-modules.mjs', import.meta.url));
const RECIPIENT = { name: '署名 一郎', email: 'signer@contractor.example.jp', code: '4321' };
const ADMIN = 'admin@release.example.jp';
const WAIT = { timeoutMs: 120_000, intervalMs: 50 };

/** Runs a command to its end; resolves with its exit code and output. */
function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      {
        cwd: options.cwd,
        env: { ...cleanEnv(), ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
        encoding: 'utf8',
      },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1,
          output: `${stdout}${stderr}${error && typeof error.code !== 'number' ? error.message : ''}`,
        }),
    );
  });
}

/**
 * Names of every development dependency of the root package and the workspaces that no package needs
 * at run time (pdfjs-dist, say, builds the UI and also reads PDF text in the server's register).
 */
function developmentDependencies(): string[] {
  const development = new Set<string>();
  const runtime = new Set<string>();
  for (const manifest of [
    'package.json',
    'packages/core/package.json',
    'packages/server/package.json',
    'packages/web/package.json',
  ]) {
    const json = JSON.parse(readFileSync(join(REPO_ROOT, manifest), 'utf8')) as {
      devDependencies?: Record<string, string>;
      dependencies?: Record<string, string>;
    };
    for (const name of Object.keys(json.devDependencies ?? {})) development.add(name);
    for (const name of Object.keys(json.dependencies ?? {})) runtime.add(name);
  }
  // A development dependency that a runtime package also needs (say @types/node, which @node-saml/node-saml's
  // type packages depend on) is installed by npm ci --omit=dev on purpose: the lockfile marks only the
  // packages nothing in production needs with "dev": true, and those must be absent.
  const lock = JSON.parse(readFileSync(join(REPO_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean }>;
  };
  return [...development].filter((name) => !runtime.has(name) && lock.packages[`node_modules/${name}`]?.dev === true);
}

describe('release: build, npm ci --omit=dev, init, serve', () => {
  let dir: string;
  let out: string;
  let build: { code: number; output: string };
  let smtp: SmtpSink;
  let server: ChildProcess | undefined;
  const serverOutput: string[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'inkan-release-'));
    out = join(dir, 'release');
    // The npm cache makes `npm ci` work offline; native modules (better-sqlite3, pkcs11js) are compiled.
    build = await run('bash', [join(REPO_ROOT, BUILD_RELEASE_SCRIPT), out], { cwd: REPO_ROOT, timeoutMs: 15 * 60_000 });
    smtp = await startSmtpSink();
  });

  after(async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGKILL');
      await new Promise((resolve) => server!.once('exit', resolve));
    }
    await smtp?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('the release installs with npm ci --omit=dev, with no engine warning, and holds no development package', () => {
    assert.equal(build.code, 0, build.output);
    assert.doesNotMatch(build.output, /EBADENGINE/, 'every runtime package supports this Node version');
    for (const name of developmentDependencies())
      assert.equal(
        existsSync(join(out, 'node_modules', name)),
        false,
        `${name} (a development dependency) is not installed`,
      );
    for (const name of ['tsx', 'esbuild', 'typescript', 'vite'])
      assert.equal(existsSync(join(out, 'node_modules', name)), false, `${name} is not installed`);
    // Nothing can come from a node_modules above the release directory either.
    for (let parent = dirname(out); parent !== dirname(parent); parent = dirname(parent))
      assert.equal(existsSync(join(parent, 'node_modules')), false, `no ${join(parent, 'node_modules')}`);
    assert.ok(existsSync(join(out, 'LICENSE')) && existsSync(join(out, 'THIRD-PARTY-NOTICES.md')));
    assert.equal(existsSync(join(out, 'packages', 'server', 'src')), false, 'no TypeScript sources in the release');
    // `inkan verify FILE` runs as one script with its V8 code caches (bin/verify-script.mjs).
    for (const file of [
      'bin/verify-script.mjs',
      'packages/server/dist/verify-cli.js',
      'packages/server/dist/verify-cli.cache',
      'packages/server/dist/verify-cli-max-semi-space-size-2.cache',
    ])
      assert.ok(existsSync(join(out, file)), `${file} is in the release`);
  });

  test('inkan --version, init and serve with plain node; the seed flow with one signer completes, loading only the release', async () => {
    assert.equal(build.code, 0, 'the release was built');
    const version = await run(process.execPath, ['bin/inkan.mjs', '--version'], { cwd: out });
    assert.equal(version.code, 0, version.output);
    assert.equal(
      version.output.trim(),
      (JSON.parse(readFileSync(join(REPO_ROOT, 'packages/server/package.json'), 'utf8')) as { version: string })
        .version,
    );

    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const env = {
      INKAN_DATA_DIR: join(dir, 'data'),
      INKAN_PORT: String(port),
      INKAN_PUBLIC_URL: baseUrl,
      INKAN_SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
      INKAN_SIGNING_KEY_ALGORITHM: 'ECDSA-P256',
    };
    const inkan = (...args: string[]) => run(process.execPath, ['bin/inkan.mjs', ...args], { cwd: out, env });
    const init = await inkan('init');
    assert.equal(init.code, 0, init.output);
    const org = await inkan('org', 'create', '--name', 'リリース市役所', '--slug', 'release', '--admin-email', ADMIN);
    assert.equal(org.code, 0, org.output);
    const signInLink = /^http\S+\/login\/link\?token=([A-Za-z0-9_-]+)$/m.exec(org.output);
    assert.ok(signInLink, org.output);
    const key = await inkan('apikey', 'create', '--org', 'release');
    assert.equal(key.code, 0, key.output);
    const apiKey = key.output.trimEnd().split('\n').at(-1)!;

    const moduleLog = join(dir, 'modules.txt');
    writeFileSync(moduleLog, '');
    server = spawn(process.execPath, ['--import', pathToFileURL(RECORDER).href, 'bin/inkan.mjs', 'serve'], {
      cwd: out,
      env: { ...cleanEnv(), ...env, RECORD_MODULES_FILE: moduleLog },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => server!.once('exit', (code) => resolve(code)));
    for (const stream of [server.stdout!, server.stderr!])
      createInterface({ input: stream }).on('line', (line) => serverOutput.push(line));
    await waitFor(() => serverOutput.some((l) => l.startsWith('Inkan is listening on ')) || server!.exitCode !== null, {
      ...WAIT,
      what: 'the server to listen',
    });
    assert.equal(server.exitCode, null, serverOutput.join('\n'));
    await waitForHealthy(baseUrl);

    // The administrator's first sign-in: the link from `org create`, then a password of their own (the
    // release reads its common-password list from its own files: it once looked outside them).
    const linked = await fetch(`${baseUrl}/api/session/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: signInLink[1] }),
    });
    assert.equal(linked.status, 200, await linked.clone().text());
    const session = {
      cookie: linked.headers
        .getSetCookie()
        .map((c) => c.split(';')[0])
        .join('; '),
      'x-csrf-token': ((await linked.json()) as { csrfToken: string }).csrfToken,
      'content-type': 'application/json',
    };
    const common = await fetch(`${baseUrl}/api/session/password`, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ password: 'password123' }),
    });
    assert.equal(common.status, 400, await common.clone().text());
    assert.equal(((await common.json()) as { error: { code: string } }).error.code, 'PASSWORD_TOO_COMMON');
    const chosen = await fetch(`${baseUrl}/api/session/password`, {
      method: 'POST',
      headers: session,
      body: JSON.stringify({ password: 'a release administrator passphrase' }),
    });
    assert.equal(chosen.status, 204, await chosen.clone().text());

    const api = (method: string, path: string, init: RequestInit = {}) =>
      fetch(`${baseUrl}${path}`, { ...init, method, headers: { authorization: `Bearer ${apiKey}` } });
    const form = new FormData();
    form.append(
      'envelope',
      JSON.stringify({
        name: 'リリース確認契約',
        recipients: [{ name: RECIPIENT.name, email: RECIPIENT.email, accessCode: RECIPIENT.code, order: 1 }],
      }),
    );
    form.append(
      'documents',
      new Blob([Buffer.from(await makePdf({ pages: 1, text: 'Release' }))], { type: 'application/pdf' }),
      'contract.pdf',
    );
    const created = await api('POST', '/api/v1/envelopes', { body: form });
    assert.equal(created.status, 201, await created.clone().text());
    const envelope = (await created.json()) as { id: string; documents: Array<{ id: string }> };
    assert.equal((await api('POST', `/api/v1/envelopes/${envelope.id}/send`)).status, 200);

    // The signer: the link from the mail, the access code, the signature — as the signer pages do it.
    await waitFor(() => smtp.to(RECIPIENT.email).length === 1, {
      ...WAIT,
      what: `the request mail\n${serverOutput.join('\n')}`,
    });
    const link = urlsIn(smtp.to(RECIPIENT.email)[0].text).find((u) => u.startsWith(`${baseUrl}/s/`));
    assert.ok(link, 'the mail holds the signing link');
    const token = link.slice(`${baseUrl}/s/`.length);
    const passed = await fetch(`${baseUrl}/api/sign/${token}/access-code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: RECIPIENT.code }),
    });
    assert.equal(passed.status, 200, await passed.clone().text());
    const { csrfToken } = (await passed.json()) as { csrfToken: string };
    const cookie = passed.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const signed = await fetch(`${baseUrl}/api/sign/${token}/sign`, {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken },
    });
    assert.equal(signed.status, 202, await signed.text());

    // The worker thread (compiled, no tsx) signs, seals and mails the completion notice.
    await waitFor(() => smtp.to(RECIPIENT.email).some((m) => m.subject === '電子署名完了のお知らせ'), {
      ...WAIT,
      what: `the completion mail\n${serverOutput.join('\n')}`,
    });
    await waitFor(
      async () =>
        ((await (await api('GET', `/api/v1/envelopes/${envelope.id}`)).json()) as { status: string }).status ===
        'completed',
      { ...WAIT, what: 'status completed' },
    );
    const pdf = new Uint8Array(
      await (await api('GET', `/api/v1/envelopes/${envelope.id}/documents/${envelope.documents[0].id}`)).arrayBuffer(),
    );
    assert.deepEqual(
      extractSignatures(pdf).map((s) => s.type ?? 'Sig'),
      ['Sig', 'DocTimeStamp'],
    );
    // The compiled verification workers (their own entry of the build) check an upload.
    const upload = new FormData();
    upload.append('file', new Blob([pdf], { type: 'application/pdf' }), 'signed.pdf');
    const verified = await fetch(`${baseUrl}/api/verify`, { method: 'POST', body: upload });
    const verifiedText = await verified.text();
    assert.equal(verified.status, 200, verifiedText);
    assert.equal(
      (JSON.parse(verifiedText) as { report: { signatures: unknown[] } }).report.signatures.length,
      2,
      verifiedText,
    );
    // The compiled `inkan verify` (bin/inkan.mjs ends the process itself once the report is flushed): the
    // whole JSON report arrives and the exit code is the verdict's; a missing file exits 2.
    const signedFile = join(out, 'signed.pdf');
    writeFileSync(signedFile, pdf);
    const cliVerify = await inkan('verify', signedFile, '--json');
    assert.equal(cliVerify.code, 0, cliVerify.output);
    assert.equal(
      (JSON.parse(cliVerify.output) as { signatures: unknown[] }).signatures.length,
      2,
      'the whole report is written before the process ends',
    );
    const missing = await inkan('verify', join(out, 'no-such.pdf'));
    assert.equal(missing.code, 2, missing.output);
    // It ran from the release's own script, whose code cache this node takes.
    const outcome = join(dir, 'cache-outcome.mjs');
    writeFileSync(
      outcome,
      `import { loadVerifyScript } from ${JSON.stringify(join(out, 'bin', 'verify-script.mjs'))};\n` +
        'process.stdout.write(String(loadVerifyScript()?.cache));\n',
    );
    assert.deepEqual(await run(process.execPath, [outcome], { cwd: out }), { code: 0, output: 'accepted' });
    const web = await fetch(`${baseUrl}/`);
    assert.equal(web.status, 200, 'the built UI is served');
    assert.match(await web.text(), /<div id="root">/);

    server.kill('SIGTERM');
    assert.equal(await exited, 0, serverOutput.join('\n'));

    const releaseRoot = realpathSync(out) + sep;
    const recorderDir = dirname(RECORDER) + sep;
    const files = [
      ...new Set(
        readFileSync(moduleLog, 'utf8')
          .split('\n')
          .filter((line) => line !== '' && !line.startsWith('node:'))
          .map((line) => (line.startsWith('file:') ? fileURLToPath(line) : line)),
      ),
    ];
    const outside = files.filter((file) => !file.startsWith(releaseRoot) && !file.startsWith(recorderDir));
    assert.deepEqual(outside, [], 'every module comes from the release directory');
    const dev = new Set([...developmentDependencies(), 'tsx', 'esbuild', 'typescript']);
    const devLoaded = files.filter((file) => {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(file.slice(releaseRoot.length));
      return match !== null && dev.has(match[1]);
    });
    assert.deepEqual(devLoaded, [], 'no development dependency was loaded');
    assert.equal(
      files.some((f) => f.endsWith('.ts')),
      false,
      'no TypeScript was loaded',
    );
    // The record is real: it holds the compiled server, its worker thread's code and native modules.
    assert.ok(
      files.includes(join(releaseRoot, 'packages', 'server', 'dist', 'inkan.js')),
      'the compiled CLI was recorded',
    );
    assert.ok(
      files.some((f) => f.includes(`${sep}node_modules${sep}better-sqlite3${sep}`)),
      'better-sqlite3 was recorded',
    );
    assert.ok(
      files.some((f) => f.includes(`${sep}node_modules${sep}fastify${sep}`)),
      'fastify was recorded',
    );
  });
});
