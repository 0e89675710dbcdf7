/**
 * Shared pieces of the browser tests: Debian's Chromium flags (no background networking on the closed
 * network), the two screen sizes, and a page that records console errors, page errors and CSP violations.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';

export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * A fresh Japanese context (a phone when the viewport is PHONE) and page; every console error, page
 * error and CSP violation not matching `expected` is pushed to `problems` with `label`.
 */
export async function newWatchedPage(
  browser: Browser,
  options: {
    viewport: { width: number; height: number };
    label: string;
    problems: string[];
    expected?: readonly RegExp[];
  },
): Promise<{ context: BrowserContext; page: Page }> {
  const phone = options.viewport === PHONE;
  const context = await browser.newContext({
    viewport: options.viewport,
    deviceScaleFactor: 1,
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    isMobile: phone,
    hasTouch: phone,
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if ((options.expected ?? []).some((pattern) => pattern.test(text))) return;
    if (message.type() === 'error' || /Content Security Policy/i.test(text))
      options.problems.push(`${options.label}: console ${message.type()}: ${text}`);
  });
  page.on('pageerror', (error) => options.problems.push(`${options.label}: page error: ${error.message}`));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) =>
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  return { context, page };
}

/** Fails when the page scrolls sideways (a layout wider than the viewport). */
export async function assertNoHorizontalScroll(page: Page): Promise<void> {
  const widths = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  if (widths.scroll > widths.client + 1) throw new Error(`horizontal scroll: ${JSON.stringify(widths)}`);
}

/** Copies the cookies of a sign-in answer (light-my-request) into a browser context for `domain`. */
export async function addSessionCookies(
  context: BrowserContext,
  cookies: ReadonlyArray<{ name: string; value: string; path?: unknown }>,
  domain: string,
): Promise<void> {
  await context.addCookies(
    cookies.map((c) => ({ name: c.name, value: c.value, domain, path: typeof c.path === 'string' ? c.path : '/' })),
  );
}
