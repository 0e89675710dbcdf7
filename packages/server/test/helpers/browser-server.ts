/**
 * The start-up the browser tests share: the built UI; Debian's Chromium whose pages record console
 * errors, page errors and CSP violations into `problems`; a harness server listening on loopback and
 * named http://inkan.test (optionally treated as a secure origin, as WebAuthn needs), with pages signed
 * in as a member (the session cookie of a real sign-in) or through the login form; and for the tests of
 * the whole product, a real `inkan serve` (SQLite, jobs in its worker thread) with mail over real SMTP.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Harness } from '../api/helpers/harness.ts';
import {
  e2eEnvironment,
  openDatabaseReadOnly,
  startInkanProcess,
  waitForHealthy,
  type InkanProcess,
} from '../e2e/helpers/inkan-process.ts';
import { startSmtpSink, type SmtpSink } from '../e2e/helpers/smtp-sink.ts';
import { addSessionCookies, BROWSER_ARGS, newWatchedPage } from './browser.ts';
import { REPO_ROOT, runInkan } from './run-inkan.ts';

export const BASE_URL = 'http://inkan.test';

/** Builds the web bundle the server serves (DEFAULT_WEB_DIST). */
export function buildWebUi(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
}

type Viewport = { width: number; height: number };

export interface WatchedBrowser {
  browser: Browser;
  /** Console errors, page errors and CSP violations of every page, with the page's label. */
  problems: string[];
  /** A fresh page in a context of its own; `expected` console messages are not problems. */
  newPage(viewport: Viewport, label: string, expected?: readonly RegExp[]): Promise<Page>;
  /** Closes the pages and the browser. */
  close(): Promise<void>;
}

/**
 * Launches Chromium. `mapInkanTestTo`: http://inkan.test resolves to that loopback port (its pages then
 * expect Chromium's notice that the Cross-Origin-Opener-Policy header is ignored on http); `secure`: that
 * origin counts as secure (WebAuthn), as https would in production.
 */
export async function launchWatchedBrowser(
  options: { mapInkanTestTo?: number; secure?: boolean } = {},
): Promise<WatchedBrowser> {
  const args = [...BROWSER_ARGS];
  if (options.mapInkanTestTo !== undefined)
    args.push(`--host-resolver-rules=MAP inkan.test 127.0.0.1:${options.mapInkanTestTo}`);
  if (options.secure) args.push(`--unsafely-treat-insecure-origin-as-secure=${BASE_URL}`);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args });
  const always = options.mapInkanTestTo === undefined ? [] : [/Cross-Origin-Opener-Policy header has been ignored/];
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    problems,
    async newPage(viewport, label, expected = []) {
      const { context, page } = await newWatchedPage(browser, {
        viewport,
        label,
        problems,
        expected: [...always, ...expected],
      });
      contexts.push(context);
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}

export interface BrowserOnHarness extends WatchedBrowser {
  /** Where the app listens (http://127.0.0.1:port): for requests made from Node, which cannot resolve inkan.test. */
  loopbackUrl: string;
  /** A fresh page signed in as `who`; `expected` console messages are not problems. */
  signedInPage(
    who: { email: string; password: string },
    viewport: Viewport,
    label: string,
    expected?: readonly RegExp[],
  ): Promise<Page>;
}

/** Makes the harness's app listen on loopback and launches Chromium with inkan.test mapped to it. */
export async function openBrowserOn(h: Harness, options: { secure?: boolean } = {}): Promise<BrowserOnHarness> {
  const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
  const watched = await launchWatchedBrowser({ mapInkanTestTo: Number(listening.port), secure: options.secure });
  return {
    ...watched,
    loopbackUrl: listening.origin,
    async signedInPage(who, viewport, label, expected = []) {
      const session = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: who.email, password: who.password },
      });
      assert.equal(session.statusCode, 200, session.body);
      const page = await watched.newPage(viewport, label, expected);
      await addSessionCookies(page.context(), session.cookies, 'inkan.test');
      return page;
    },
  };
}

/** Fills in and submits the login form (/login, or /login?next=… with `next`); what follows is the caller's. */
export async function submitSignInForm(
  page: Page,
  who: { email: string; password: string },
  options: { next?: string; baseUrl?: string } = {},
): Promise<void> {
  const next = options.next ? `?next=${encodeURIComponent(options.next)}` : '';
  await page.goto(`${options.baseUrl ?? BASE_URL}/login${next}`);
  await page.getByLabel('メールアドレス').fill(who.email);
  await page.getByLabel('パスワード').fill(who.password);
  await page.getByRole('button', { name: 'ログイン', exact: true }).click();
}

/** Signs in through the login form and waits for `next` (default /envelopes, where a sign-in lands). */
export async function signInWithForm(
  page: Page,
  who: { email: string; password: string },
  next = '/envelopes',
  baseUrl = BASE_URL,
): Promise<void> {
  await submitSignInForm(page, who, { next, baseUrl });
  await page.waitForURL(`${baseUrl}${next}`);
}

export interface ServedInkan {
  dir: string;
  dataDir: string;
  baseUrl: string;
  env: Record<string, string>;
  smtp: SmtpSink;
  server: InkanProcess;
  /** The server's SQLite database, read-only. */
  db: Database.Database;
  /** The administrator's first sign-in link, as `inkan org create` prints it. */
  loginLink: string;
  /** With `clock`: the file of milliseconds the server's clock runs ahead (0 at first; see startInkanProcess). */
  clockFile: string;
  /** Stops the server (asserting it exits 0), the SMTP sink and the database, and removes `dir`. */
  stop(): Promise<void>;
}

/**
 * The whole product as an operator runs it: a temp folder, an SMTP sink, `inkan init`, `inkan org
 * create` (its sign-in link kept), then `inkan serve` until healthy. `env` adds to the e2e environment;
 * `clock`: the server's clock is moved through `clockFile`.
 */
export async function startServedInkan(options: {
  prefix: string;
  organization: { name: string; slug: string };
  admin: { email: string; name: string };
  env?: Record<string, string>;
  clock?: boolean;
}): Promise<ServedInkan> {
  const dir = mkdtempSync(join(tmpdir(), options.prefix));
  const smtp = await startSmtpSink();
  let server: InkanProcess | undefined;
  try {
    const { dataDir, baseUrl, env } = await e2eEnvironment(dir, smtp.port, options.env);
    const init = await runInkan(['init'], { dataDir, env });
    assert.equal(init.code, 0, init.stderr);
    const org = await runInkan(
      [
        'org',
        'create',
        ...['--name', options.organization.name, '--slug', options.organization.slug],
        ...['--admin-email', options.admin.email, '--admin-name', options.admin.name],
      ],
      { dataDir, env },
    );
    assert.equal(org.code, 0, org.stderr);
    const loginLink = new RegExp(`^${baseUrl.replace(/[.]/g, '\\.')}/login/link\\?token=[A-Za-z0-9_-]+$`, 'm').exec(
      org.stdout,
    )?.[0];
    assert.ok(loginLink, org.stdout);
    const clockFile = join(dir, 'clock-offset-ms');
    if (options.clock) writeFileSync(clockFile, '0');
    server = await startInkanProcess(['serve'], env, options.clock ? { clockFile } : {});
    await waitForHealthy(baseUrl);
    const db = openDatabaseReadOnly(dataDir);
    const running = server;
    return {
      dir,
      dataDir,
      baseUrl,
      env,
      smtp,
      server: running,
      db,
      loginLink,
      clockFile,
      async stop() {
        db.close();
        const stopped = await running.stop();
        await smtp.close();
        rmSync(dir, { recursive: true, force: true });
        assert.equal(stopped.code, 0, running.output.slice(-20).join('\n'));
      },
    };
  } catch (error) {
    await server?.stop();
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
