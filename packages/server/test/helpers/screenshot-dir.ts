import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Where browser tests write their screenshots: INKAN_SCREENSHOT_DIR when set (e.g.
 * `INKAN_SCREENSHOT_DIR=packages/web/screenshots npm test` refreshes the committed ones), else a
 * folder under the system temp dir, so that a test run never changes tracked files.
 */
export function screenshotDir(): string {
  const dir = process.env.INKAN_SCREENSHOT_DIR
    ? resolve(process.env.INKAN_SCREENSHOT_DIR)
    : join(tmpdir(), 'inkan-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}
