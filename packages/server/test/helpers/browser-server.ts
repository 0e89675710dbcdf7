/**
 * The start-up the browser tests share: the built UI, a harness server listening on loopback and named
 * http://inkan.test for Debian's Chromium, and pages signed in as a member (the session cookie of a real
 * sign-in), each recording console errors, page errors and CSP violations into `problems`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Harness } from '../api/helpers/harness.ts';
import { addSessionCookies, BROWSER_ARGS, newWatchedPage } from './browser.ts';
import { REPO_ROOT } from './run-inkan.ts';

export const BASE_URL = 'http://inkan.test';

/** Builds the web bundle the server serves (DEFAULT_WEB_DIST). */
export function buildWebUi(): void {
  execFileSync(process.execPath, [join(REPO_ROOT, 'packages/web/scripts/build-web.mjs')], { stdio: 'inherit' });
}

export interface BrowserOnHarness {
  browser: Browser;
  /** Console errors, page errors and CSP violations of every page, with the page's label. */
  problems: string[];
  /** A fresh page signed in as `who`; `expected` console messages are not problems. */
  signedInPage(
    who: { email: string; password: string },
    viewport: { width: number; height: number },
    label: string,
    expected?: readonly RegExp[],
  ): Promise<Page>;
  /** Closes the pages and the browser (not the harness). */
  close(): Promise<void>;
}

/** Makes the harness's app listen on loopback and launches Chromium with inkan.test mapped to it. */
export async function openBrowserOn(h: Harness): Promise<BrowserOnHarness> {
  const listening = new URL(await h.app.listen({ port: 0, host: '127.0.0.1' }));
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [...BROWSER_ARGS, `--host-resolver-rules=MAP inkan.test 127.0.0.1:${listening.port}`],
  });
  const problems: string[] = [];
  const contexts: BrowserContext[] = [];
  return {
    browser,
    problems,
    async signedInPage(who, viewport, label, expected = []) {
      const session = await h.app.inject({
        method: 'POST',
        url: '/api/session',
        payload: { email: who.email, password: who.password },
      });
      assert.equal(session.statusCode, 200, session.body);
      const { context, page } = await newWatchedPage(browser, {
        viewport,
        label,
        problems,
        expected: [/Cross-Origin-Opener-Policy header has been ignored/, ...expected],
      });
      contexts.push(context);
      await addSessionCookies(context, session.cookies, 'inkan.test');
      return page;
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
    },
  };
}
